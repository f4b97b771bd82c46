"""``dedupe_key``: Rows that repeat ``key``: the first of each kept, in file order."""

from __future__ import annotations

from datagen_contracts.text import quote_ident as q

from ..step import Step

OP = "dedupe_key"


def sql(step: Step) -> str:
    t, p = q(step.table), step.params
    ordered = f"(SELECT *, rowid AS __row FROM {t})"
    return (f"SELECT * EXCLUDE (__row) FROM {ordered}\n"
            f"QUALIFY row_number() OVER (PARTITION BY {q(p['key'])} ORDER BY __row) = 1\nORDER BY __row")


def python(step: Step) -> str:
    p = step.params
    df = f"t[{step.table!r}]"
    return f"{df}.unique(subset=[{p['key']!r}], keep='first', maintain_order=True)"
