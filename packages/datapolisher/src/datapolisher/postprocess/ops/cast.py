"""``cast``: Values stored as the wrong type cast to ``type`` (BIGINT rounds floats first; TIMESTAMP parses text)."""

from __future__ import annotations

from datagen_contracts.text import quote_ident as q

from ..step import Step

OP = "cast"


#: a currency symbol before (after a sign) or after the number, a percent sign after it
_LEAD, _TRAIL = r"^([-+]?)\s*[$€£¥₹]\s*", r"\s*[$€£¥₹%]$"
#: thousands separators: US (1,234.56) and European (1.234,56; 1.234.567; 12,5)
_US = r"[-+]?[0-9]{1,3}(,[0-9]{3})+([.][0-9]+)?"
_EU = r"[-+]?[0-9]{1,3}([.][0-9]{3})+,[0-9]+|[-+]?[0-9]{1,3}([.][0-9]{3}){2,}|[-+]?[0-9]+,[0-9]{1,2}"


def sql(step: Step) -> str:
    t, p = q(step.table), step.params
    col = q(p["column"]) if "column" in p else ""
    if p.get("parse") == "formatted":  # $1,234.56 → 1234.56 (the crunch check's reading, formatted_numbers)
        v = f"regexp_replace(regexp_replace(trim({col}), '{_LEAD}', '\\1'), '{_TRAIL}', '')"
        plain = (f"CASE WHEN regexp_full_match({v}, '{_US}') THEN replace({v}, ',', '') "
                 f"WHEN regexp_full_match({v}, '{_EU}') THEN replace(replace({v}, '.', ''), ',', '.') ELSE {v} END")
        return f"SELECT * REPLACE (TRY_CAST({plain} AS DOUBLE) AS {col}) FROM {t}"
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
    if p["type"] == "DOUBLE" and p.get("parse") == "formatted":
        bare = f"{c}.str.strip_chars().str.replace({_LEAD!r}, '${{1}}').str.replace({_TRAIL!r}, '')"
        return (f"{df}.with_columns({bare}).with_columns(pl.when({c}.str.contains({'^(' + _US + ')$'!r}))"
                f".then({c}.str.replace_all(',', '')).when({c}.str.contains({'^(' + _EU + ')$'!r}))"
                f".then({c}.str.replace_all('.', '', literal=True).str.replace(',', '.', literal=True))"
                f".otherwise({c}).cast(pl.Float64, strict=False))")
    if p["type"] == "DOUBLE":
        return f"{df}.with_columns({c}.cast(pl.Float64, strict=False))"
    return f"{df}.with_columns({c}.str.to_datetime(time_unit='us', strict=False))"
