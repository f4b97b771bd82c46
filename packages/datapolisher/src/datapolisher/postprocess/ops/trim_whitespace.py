"""``trim_whitespace``: Leading and trailing blanks (space, tab, newline, carriage return) removed."""

from __future__ import annotations

from datagen_contracts.text import quote_ident as q

from ..step import Step

OP = "trim_whitespace"


def sql(step: Step) -> str:
    t, p = q(step.table), step.params
    col = q(p["column"]) if "column" in p else ""
    return f"SELECT * REPLACE (trim({col}, ' ' || chr(9) || chr(10) || chr(13)) AS {col}) FROM {t}"


def python(step: Step) -> str:
    p = step.params
    c = f"pl.col({p['column']!r})" if "column" in p else ""
    df = f"t[{step.table!r}]"
    return f"{df}.with_columns({c}.str.strip_chars(' \\t\\n\\r'))"
