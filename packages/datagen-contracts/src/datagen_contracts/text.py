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

Names also carry meaning every stage must read alike: :func:`name_words` splits an identifier, and
:func:`time_pairs` says which time columns of a table come after which by their names (``created_at`` before
``updated_at``, ``shipped_at`` before ``delivered_at``) — datacruncher checks that order on data, and ``datagen
import`` declares it for the data it generates, so that crunching that data finds nothing to report.
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


# ---------------------------------------------------------------------------- time columns by their names
#: words of a time column's name saying when its row came to be, strongest first
CREATED_WORDS = ("created", "creation", "signup", "signed", "registered", "registration", "joined", "opened",
                 "start", "started", "ordered", "orderdate", "placed", "purchase", "purchased", "enrolled",
                 "installed", "onboarded", "hire", "hired")
#: when a row was last written (``last_update``, ``modified_at``): never when the thing it records came to be
_WRITE_STAMP = {"updated", "update", "lastupdate", "modified", "modify", "lastmodified", "refreshed", "synced",
                "loaded", "ingested", "etl"}
#: when the person or thing a row describes was born: an attribute, never when the row came to be
_BORN = {"birth", "birthday", "birthdate", "born", "dob"}
#: a promise about the future (``RequiredDate``, ``shipping_limit_date``, ``order_estimated_delivery_date``)
_PLANNED = {"required", "limit", "due", "deadline", "estimated", "expected", "expiry", "expires"}


def name_tokens(name: str) -> list[str]:
    """:func:`name_words` without a TPC-H style one/two-letter table prefix (``o_``, ``ps_``).

    >>> name_tokens("o_totalprice"), name_tokens("signupDate"), name_tokens("Customer ID")
    (['totalprice'], ['signup', 'date'], ['customer', 'id'])
    """
    parts = name_words(name)
    if len(parts) > 1 and len(parts[0]) <= 2 and parts[0] not in ("id", "is", "no"):
        parts = parts[1:]
    return parts


def _has(toks: list[str], words: set[str]) -> bool:
    return any(t in words for t in toks)


def write_stamp(name: str) -> bool:
    """A column recording when its row was last written (``last_update``, ``updated_at``): it bounds the data's
    extraction time from below, but says nothing about when the row's thing happened.

    >>> write_stamp("last_update"), write_stamp("updatedAt"), write_stamp("changed_at")
    (True, True, False)
    """
    toks = name_tokens(name)
    return _has(toks, _WRITE_STAMP) or "".join(toks) in _WRITE_STAMP


def creation_candidate(name: str) -> bool:
    """Whether a time column may be its row's creation time: not a write stamp, not a planned date.

    >>> creation_candidate("rental_date"), creation_candidate("last_update"), creation_candidate("RequiredDate")
    (True, False, False)
    """
    return not write_stamp(name) and not _has(name_tokens(name), _PLANNED)


def created_rank(name: str) -> int:
    """How strongly a time column's name says "when this row came to be" (lower is stronger); a birth date is an
    attribute of what the row describes, the weakest choice, taken only when the table has no other time.

    >>> created_rank("signup_at") < created_rank("valid_from") < created_rank("birth_date") == created_rank("DOB")
    True
    """
    toks = name_tokens(name)
    joined = "".join(toks)
    if _has(toks, _BORN) or joined in _BORN:
        return len(CREATED_WORDS) + 2
    for i, word in enumerate(CREATED_WORDS):
        if word in joined:
            return i
    if any(t in ("at", "date", "time", "timestamp", "ts", "dt", "day") for t in name_tokens(name)):
        return len(CREATED_WORDS)
    return len(CREATED_WORDS) + 1


def creation_column(names: list[str]) -> str | None:
    """The time column, of a table's ``names``, that says best when its row came to be (by the name alone).

    >>> creation_column(["updated_at", "birth_date", "signup_at"]), creation_column(["last_update"])
    ('signup_at', None)
    """
    found = [n for n in names if creation_candidate(n)]
    return min(found, key=lambda n: (created_rank(n), names.index(n))) if found else None


_LATE = {
    "updated", "modified", "closed", "resolved", "completed", "ended", "end", "cancelled", "canceled", "churned",
    "deleted", "activated", "converted", "shipped", "ship", "shipdate", "delivered", "paid", "last", "receipt",
    "received", "receiptdate", "expired", "finished", "finish", "until", "return", "returned",
}
_PAIRS = (("start", "end"), ("started", "ended"), ("first", "last"), ("begin", "end"), ("from", "to"),
          ("checkin", "checkout"), ("in", "out"), ("pickup", "dropoff"), ("login", "logout"),
          ("admission", "discharge"), ("admitted", "discharged"), ("issue", "expiry"), ("issued", "expires"),
          ("effective", "expiry"))
_SHIP = ("ship", "shipped", "shipdate")
_ARRIVE = ("delivered", "receipt", "received", "receiptdate", "delivery")


def time_pairs(created: str | None, names: list[str]) -> list[tuple[str, str]]:
    """Within-table (earlier, later) time column pairs implied by their names.

    >>> time_pairs("created_at", ["created_at", "updated_at", "trial_start", "trial_end", "birth_date"])
    [('created_at', 'updated_at'), ('created_at', 'trial_end'), ('trial_start', 'trial_end')]
    >>> time_pairs(None, ["tpep_pickup_datetime", "tpep_dropoff_datetime", "check_in", "check_out", "issue_date",
    ...                   "expiry_date"])
    [('tpep_pickup_datetime', 'tpep_dropoff_datetime'), ('check_in', 'check_out'), ('issue_date', 'expiry_date')]
    """
    pairs: list[tuple[str, str]] = []
    for b in names:
        if created and b != created and _has(name_tokens(b), _LATE):
            pairs.append((created, b))
    for a in names:
        ta = name_tokens(a)
        for b in names:
            if a == b or (a, b) in pairs:
                continue
            tb = name_tokens(b)
            for early, late in _PAIRS:
                if early in ta and late in tb and [t for t in ta if t != early] == [t for t in tb if t != late]:
                    pairs.append((a, b))
            if _has(ta, set(_SHIP)) and _has(tb, set(_ARRIVE)) and (a, b) not in pairs:
                pairs.append((a, b))
    return pairs
