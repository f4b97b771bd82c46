"""Untrusted text (table and column names, values, paths) made safe to show on one line.

A name read from a dataset or a schema may hold a newline, a carriage return, an escape sequence, a NUL or a
unicode bidi control. Written raw into a terminal it can split or rewrite lines; written raw into a comment of a
generated script it ends the comment and becomes code. :func:`printable` is the one rendering every stage uses
for both: every control, format (bidi), separator, surrogate, private-use or unassigned character becomes a
visible escape, so the result is always a single line that shows what is really there.

>>> printable("unit_price\\n;COPY (SELECT 1) TO '/tmp/x';\\n--")
"unit_price\\\\n;COPY (SELECT 1) TO '/tmp/x';\\\\n--"
>>> printable("caf\\u00e9 \\u202eevil"), printable("x" * 20, limit=8)
('café \\\\u202eevil', 'xxxxxxx…')
>>> print(quote_ident('order'), quote_ident('a"b'), quote_literal("it's"))
"order" "a""b" 'it''s'

Names and values also reach SQL: :func:`quote_ident` and :func:`quote_literal` are the one quoting every stage
uses for DuckDB, so a table named ``order`` or ``a "b"`` and a value holding a quote stay data.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

# control, format (bidi overrides, zero-width joiners), line/paragraph separators, surrogates, private use, unassigned
_UNSAFE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\0"}


def _escape(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: object, limit: int | None = None) -> str:
    """``text`` as one visible line: unsafe characters escaped, cut to ``limit`` characters (with ``…``).

    Ordinary letters of any script, digits, punctuation and spaces pass unchanged.
    """
    s = str(text)
    if not s.isprintable():  # the fast path covers nearly every real name
        s = "".join(_escape(ch) if ch != " " and unicodedata.category(ch) in _UNSAFE else ch for ch in s)
    if limit is not None and len(s) > limit:
        s = s[: max(limit - 1, 0)] + "…"
    return s


def comment(text: object, limit: int = 400) -> str:
    """Text for a ``--`` SQL or ``#`` Python comment line: :func:`printable`, cut to ``limit`` characters.

    >>> "\\n" in comment("a\\nb") or "\\r" in comment("a\\rb")
    False
    """
    return printable(text, limit)


def printable_lines(text: object) -> str:
    """A message of several lines (an error listing problems): each line made :func:`printable`, the line breaks
    kept — so a carriage return, an escape sequence or a bidi control inside a name still cannot act.

    >>> printable_lines("two problems:\\n  - bad\\x1b[2J name")
    'two problems:\\n  - bad\\\\x1b[2J name'
    """
    return "\n".join(printable(line) for line in str(text).split("\n"))


_WORD_BREAK = re.compile(r"[^0-9A-Za-z]+|(?<=[a-z0-9])(?=[A-Z])")


def name_words(name: str) -> list[str]:
    """The lower-case words of an identifier, split at punctuation and camel case.

    >>> name_words("CustomerEmail"), name_words("unit_price_EUR"), name_words("order-id 2")
    (['customer', 'email'], ['unit', 'price', 'eur'], ['order', 'id', '2'])
    """
    return [w.lower() for w in _WORD_BREAK.split(name) if w]


def quote_ident(name: str) -> str:
    """A DuckDB identifier, always quoted (``"`` doubled): reserved words, spaces, quotes and unicode all survive."""
    return '"' + name.replace('"', '""') + '"'


def renamed_columns(read: Sequence[str], written: Sequence[str]) -> dict[str, str]:
    """``{name DuckDB reads: name in the file}`` for the columns DuckDB renamed because it cannot keep them apart —
    ``id`` beside ``ID``, a repeated name, an empty one (it folds identifiers to one case: ``ID_1``, ``x_1``,
    ``C4``). Names read but not written are paired, in order, with names written but not read; a column only read
    (a hive partition key from the path, always last) pairs with nothing.

    >>> renamed_columns(["id", "ID_1", "x", "x_1", "C4", "region"], ["id", "ID", "x", "x", ""])
    {'ID_1': 'ID', 'x_1': 'x', 'C4': ''}
    >>> renamed_columns(["a", "b", "x"], ["a", "x", "b"])
    {}
    """
    kept = set(read) & set(written)
    only_written = [w for i, w in enumerate(written) if w not in kept or w in written[:i]]
    only_read = [r for r in read if r not in set(written)]
    return dict(zip(only_read, only_written, strict=False))


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
