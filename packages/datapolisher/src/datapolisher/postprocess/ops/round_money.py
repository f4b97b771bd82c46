"""``round_money``: Amounts rounded half away from zero to ``decimals`` (the currency's minor unit)."""

from __future__ import annotations

from datagen_contracts.text import quote_ident as q

from ..step import Step

OP = "round_money"


def sql(step: Step) -> str:
    t, p = q(step.table), step.params
    col = q(p["column"]) if "column" in p else ""
    return f"SELECT * REPLACE (round_half_away({col}, {int(p['decimals'])}) AS {col}) FROM {t}"


def python(step: Step) -> str:
    p = step.params
    c = f"pl.col({p['column']!r})" if "column" in p else ""
    df = f"t[{step.table!r}]"
    return f"{df}.with_columns(round_half_away({c}, {int(p['decimals'])}))"
