"""Column names SQL cannot keep: two names that differ only in case (``id`` and ``ID``), a repeated name, an empty
name. DuckDB — like most SQL engines — folds identifiers to one case, so it reads such columns under new names
(``ID_1``, ``C4``); the report then speaks of columns the file does not have, and any SQL tool loading the file
(a warehouse, a dbt model) meets the same clash. The catalog records the renames
(:func:`datagen_contracts.text.renamed_columns`, the rule datapolisher applies too); crunch reports them.

>>> import pyarrow as pa
>>> file_names([pa.schema([("a", pa.int8()), ("b", pa.int8())]), pa.schema([("a", pa.int8()), ("c", pa.int8())])])
['a', 'b', 'c']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def file_names(schemas: Sequence[Any]) -> list[str]:
    """The column names of a table's files as written (arrow schemas): the first file's, then any other file's
    names it lacks, in order of first appearance (as DuckDB's ``union_by_name`` reads them)."""
    out = list(schemas[0].names) if schemas else []
    for schema in schemas[1:]:
        out += [n for n in schema.names if n not in out]
    return out
