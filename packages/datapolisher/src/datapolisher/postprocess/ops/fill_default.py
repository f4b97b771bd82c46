"""``fill_default``: Nulls filled with ``value``."""

from __future__ import annotations

from datagen_contracts.text import quote_ident as q
from datagen_contracts.text import quote_literal as lit

from ..step import Step

OP = "fill_default"


def sql(step: Step) -> str:
    t, p = q(step.table), step.params
    col = q(p["column"]) if "column" in p else ""
    return f"SELECT * REPLACE (coalesce({col}, {lit(p['value'])}) AS {col}) FROM {t}"


def python(step: Step) -> str:
    p = step.params
    c = f"pl.col({p['column']!r})" if "column" in p else ""
    df = f"t[{step.table!r}]"
    return f"{df}.with_columns({c}.fill_null({p['value']!r}))"
