"""``clamp_min``: Values below ``min`` raised to it (negative amounts)."""

from __future__ import annotations

from datagen_contracts.text import quote_ident as q
from datagen_contracts.text import quote_literal as lit

from ..step import Step

OP = "clamp_min"


def sql(step: Step) -> str:
    t, p = q(step.table), step.params
    col = q(p["column"]) if "column" in p else ""
    return f"SELECT * REPLACE (CASE WHEN {col} < {lit(p['min'])} THEN {lit(p['min'])} ELSE {col} END AS {col}) FROM {t}"


def python(step: Step) -> str:
    p = step.params
    c = f"pl.col({p['column']!r})" if "column" in p else ""
    df = f"t[{step.table!r}]"
    return f"{df}.with_columns(pl.when({c} < {p['min']!r}).then(pl.lit({p['min']!r})).otherwise({c}).alias({p['column']!r}))"
