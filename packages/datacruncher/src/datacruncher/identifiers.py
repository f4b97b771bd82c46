"""Quoting of SQL identifiers and literals, so tables named ``order`` or ``a "b"`` are safe everywhere.

>>> print(quote_ident('order'), quote_ident('a"b'), quote_literal("it's"))
"order" "a""b" 'it''s'

"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any


def quote_ident(name: str) -> str:
    """A DuckDB identifier, always quoted: reserved words, spaces, quotes and unicode all survive."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: Any) -> str:
    """A SQL literal for a Python value (str, number, bool, None, date/datetime).

    >>> quote_literal(None), quote_literal(1.5), quote_literal(True), quote_literal(dt.date(2024, 1, 2))
    ('NULL', '1.5', 'TRUE', "DATE '2024-01-02'")
    """
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
    if isinstance(value, dt.datetime):
        return f"TIMESTAMP '{value.replace(tzinfo=None).isoformat(sep=' ')}'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"
