"""``dedupe_rows``: Rows written twice: the first of each kept, in file order."""

from __future__ import annotations

from datagen_contracts.text import quote_ident as q

from ..step import Step

OP = "dedupe_rows"


def sql(step: Step) -> str:
    t, p = q(step.table), step.params
    ordered = f"(SELECT *, rowid AS __row FROM {t})"
    return (f"SELECT * EXCLUDE (__row) FROM {ordered}\n"
            f"QUALIFY row_number() OVER (PARTITION BY {', '.join(map(q, p['columns']))} ORDER BY __row) = 1\n"
            "ORDER BY __row")


def python(step: Step) -> str:
    df = f"t[{step.table!r}]"  # every column but the part a row came from (tables of parts)
    return f"{df}.unique(subset=[c for c in {df}.columns if c != '__part'], keep='first', maintain_order=True)"
