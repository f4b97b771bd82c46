"""``normalize_codes``: One value written several ways mapped to its most frequent spelling (``mapping``)."""

from __future__ import annotations

from datagen_contracts.text import quote_ident as q
from datagen_contracts.text import quote_literal as lit

from ..step import Step

OP = "normalize_codes"


def sql(step: Step) -> str:
    t, p = q(step.table), step.params
    col = q(p["column"]) if "column" in p else ""
    whens = "\n".join(f"        WHEN {lit(k)} THEN {lit(v)}" for k, v in p["mapping"].items())
    return f"SELECT * REPLACE (\n    CASE {col}\n{whens}\n        ELSE {col}\n    END AS {col}) FROM {t}"


def python(step: Step) -> str:
    p = step.params
    c = f"pl.col({p['column']!r})" if "column" in p else ""
    df = f"t[{step.table!r}]"
    return f"{df}.with_columns({c}.replace({p['mapping']!r}))"
