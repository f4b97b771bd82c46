"""Bytes on disk per value, row and file: fixed widths, string lengths by generator, and the compression
measured on datagen-core's own parquet output."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from datagen_contracts import dsl

if TYPE_CHECKING:
    pass
from .means import choice_shares

#: on-disk bytes / raw bytes of a column in datagen-core's parquet output (zstd, dictionary pages), by
#: (type, generator) — measured over the 17 conformance datasets at seed 42. Random floats do not compress;
#: low-cardinality choices and repeated FK values almost vanish.
COMPRESSION: dict[tuple[str, str], float] = {
    ("int", "sequence"): 0.36, ("int", "lookup"): 0.12, ("int", "choice"): 0.06, ("int", "distribution"): 0.1,
    ("float", "distribution"): 1.0, ("float", "expression"): 1.0, ("float", "lookup"): 0.15,
    ("float", "choice"): 0.05, ("datetime", "datetime_series"): 0.3, ("date", "datetime_series"): 0.3,
    ("datetime", "choice"): 0.05, ("datetime", "lookup"): 0.15, ("date", "lookup"): 0.15,
    ("string", "choice"): 0.02, ("string", "faker"): 0.2, ("string", "lookup"): 0.05, ("bool", "choice"): 0.1,
}
#: fixed bytes of a parquet file (footer, schema, page headers, statistics): per file + per column
FILE_OVERHEAD = 2048
COLUMN_OVERHEAD = 800
#: for a (type, generator) pair not measured above
DEFAULT_COMPRESSION: dict[str, float] = {"int": 0.4, "float": 1.0, "datetime": 0.5, "date": 0.5, "string": 0.3,
                                         "bool": 0.1}

FIXED_WIDTHS = {"int": 8, "float": 8, "datetime": 8, "date": 4, "bool": 1}
#: average length in bytes of a faker method's strings (plus a 4-byte offset per value, added below)
FAKER_LENGTHS: dict[str, float] = {
    "address": 34, "bothify": 10, "city": 9, "color": 6, "company": 16, "company_suffix": 4, "country": 10,
    "country_code": 2, "currency_code": 3, "date_of_birth": 10, "domain_name": 14, "email": 24, "first_name": 6,
    "iban": 22, "ipv4": 13, "job": 18, "language_code": 2, "last_name": 7, "latitude": 10, "locale": 5,
    "longitude": 10, "name": 14, "numerify": 10, "paragraph": 320, "phone_number": 14, "postcode": 5,
    "sentence": 60, "slug": 20, "state": 9, "street_address": 20, "text": 200, "url": 28, "user_agent": 110,
    "user_name": 10, "uuid4": 36, "word": 7, "zipcode": 5,
}
STRING_OFFSET = 4
DEFAULT_STRING_LENGTH = 12
#: on-disk bytes per row of a touchpoint table (id, conversion fk, parent fk, channel, time, position, credit),
#: measured on the engine's output
TOUCHPOINT_ROW_BYTES = 20.0


# --------------------------------------------------------------------------------------------------- bytes


def column_width(schema: dsl.Schema, col: dsl.Column, _seen: frozenset[str] = frozenset()) -> float:
    """Raw bytes per value of ``col`` (string widths estimated from the generator)."""
    if col.type in FIXED_WIDTHS:
        width = float(FIXED_WIDTHS[col.type])
    else:
        width = STRING_OFFSET + _string_length(schema, col, _seen)
    if col.nullable and col.null_rate:
        width *= 1.0 - col.null_rate
    return width


def _string_length(schema: dsl.Schema, col: dsl.Column, seen: frozenset[str]) -> float:
    g = col.generator
    if g.faker is not None:
        if g.faker.text:
            return float(len(g.faker.text))
        return float(FAKER_LENGTHS.get(g.faker.method, DEFAULT_STRING_LENGTH))
    if g.choice is not None and g.choice.choices:
        return sum(len(str(v)) * s for v, s in choice_shares(g.choice).items())
    if g.enum_list is not None and g.enum_list.values:
        return float(np.mean([len(str(v)) for v in g.enum_list.values]))
    ref = (g.lookup.from_ if g.lookup is not None else None) or (g.choice.choices_ref if g.choice else None)
    if ref and ref not in seen:
        table, _, name = ref.partition(".")
        other = schema.node(table)
        other_col = other.column(name) if other is not None else None
        if other_col is not None:
            return column_width(schema, other_col, seen | {ref}) - (STRING_OFFSET if other_col.type == "string" else 0)
    if g.sequence is not None:
        return 7.0
    if g.datetime_series is not None or g.diffusion_curve is not None:
        return 19.0
    return float(DEFAULT_STRING_LENGTH)


def compression(col: dsl.Column) -> float:
    """The on-disk share of a column's raw bytes (see ``COMPRESSION``)."""
    return COMPRESSION.get((col.type, col.generator.kind), DEFAULT_COMPRESSION[col.type])


def row_width(schema: dsl.Schema, node: dsl.Node) -> float:
    """Raw bytes per row."""
    return sum(column_width(schema, c) for c in node.columns)


def disk_width(schema: dsl.Schema, node: dsl.Node) -> float:
    """Estimated on-disk bytes per row (raw width × the column's compression)."""
    return sum(column_width(schema, c) * compression(c) for c in node.columns)
