"""``cast``: Values stored as the wrong type cast to ``type`` (BIGINT rounds floats first; TIMESTAMP parses text)."""

from __future__ import annotations

from datagen_contracts.text import quote_ident as q

from ..step import Step

OP = "cast"


def sql(step: Step) -> str:
    t, p = q(step.table), step.params
    col = q(p["column"]) if "column" in p else ""
    if p["type"] == "BIGINT":
        value = f"round({col})" if p["from"].upper().startswith(("DOUBLE", "FLOAT", "DECIMAL", "REAL")) else col
        return f"SELECT * REPLACE (TRY_CAST({value} AS BIGINT) AS {col}) FROM {t}"
    return f"SELECT * REPLACE (TRY_CAST({col} AS {p['type']}) AS {col}) FROM {t}"


def python(step: Step) -> str:
    p = step.params
    c = f"pl.col({p['column']!r})" if "column" in p else ""
    df = f"t[{step.table!r}]"
    if p["type"] == "BIGINT":
        numeric = p["from"].upper().startswith(("DOUBLE", "FLOAT", "DECIMAL", "REAL"))
        return f"{df}.with_columns({c}{'.round(0)' if numeric else ''}.cast(pl.Int64, strict=False))"
    if p["type"] == "DOUBLE":
        return f"{df}.with_columns({c}.cast(pl.Float64, strict=False))"
    return f"{df}.with_columns({c}.str.to_datetime(time_unit='us', strict=False))"
