"""Quoting for generated SQL and Python: tables named ``order`` and columns with spaces must survive.

>>> quote_ident('order'), quote_ident('unit price'), quote_literal("it's"), quote_literal(2.5)
('"order"', '"unit price"', "'it''s'", '2.5')
"""

from __future__ import annotations

import math
from typing import Any


def quote_ident(name: str) -> str:
    """A DuckDB identifier, always quoted."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: Any) -> str:
    """A DuckDB literal for a str, number, bool or None."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return f"'{value}'::DOUBLE"
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"
