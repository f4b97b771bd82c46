"""``null_non_finite``: NaN and ±infinity made NULL (the column keeps its type)."""

from __future__ import annotations

from datagen_contracts.text import quote_ident as q

from ..step import Step

OP = "null_non_finite"


def sql(step: Step) -> str:
    t, p = q(step.table), step.params
    col = q(p["column"]) if "column" in p else ""
    return f"SELECT * REPLACE (CASE WHEN isfinite({col}) THEN {col} END AS {col}) FROM {t}"


def python(step: Step) -> str:
    p = step.params
    c = f"pl.col({p['column']!r})" if "column" in p else ""
    df = f"t[{step.table!r}]"
    return f"{df}.with_columns(pl.when({c}.is_finite()).then({c}).alias({p['column']!r}))"
