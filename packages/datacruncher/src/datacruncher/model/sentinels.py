"""Sentinel times: a placeholder date standing for "none" or "open-ended" — ``9999-12-31`` in a slowly changing
dimension's ``valid_to``, ``1900-01-01`` or ``0001-01-01`` for an unknown birth date, ``1970-01-01`` from a zero
epoch. Read as times they break every time analysis: the data's window stretches to the year 9999, one weekday
and one hour collect every placeholder, and half a table lies "after the timeframe".

A value is a sentinel when the values say so, whatever the column's name: it is the column's smallest or largest
value, held by at least ``MIN_ROWS`` rows (and 0.1% of them), and it lies far from every other value — at least
ten years away, and further than the other values spread. A clamped end (many rows at the window's last second)
sits next to the other values and never qualifies.

The table's view reads a sentinel as NULL (the file is unchanged); the model records it, and the report says so
in the column's role evidence.

>>> import datetime as dt
>>> day = lambda y, m=1, d=1: dt.datetime(y, m, d)
>>> sentinel_side(day(9999, 12, 31), 1000, day(2023, 6, 1), 3000, day(2020), day(2023, 6, 1))
True
>>> sentinel_side(day(2024, 12, 31), 1000, day(2024, 12, 30), 3000, day(2020), day(2024, 12, 30))  # a clamped end
False
>>> sentinel_side(day(1900), 40, day(1940), 3000, day(1940), day(2005))  # nearer than the others spread: kept
False
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from datagen_contracts.text import quote_ident, quote_literal

MIN_ROWS = 3
MIN_SHARE = 0.001
MIN_GAP = dt.timedelta(days=3653)  # ten years


def sentinel_side(value: Any, count: int, nearest: Any, non_null: int, lo: Any, hi: Any) -> bool:
    """Whether ``value`` (an extreme held by ``count`` of ``non_null`` rows, ``nearest`` the closest other value)
    is a placeholder: the other values spread from ``lo`` to ``hi``."""
    if value is None or nearest is None or count < max(MIN_ROWS, MIN_SHARE * non_null):
        return False
    gap = abs(_instant(value) - _instant(nearest))
    return gap >= MIN_GAP and gap > _instant(hi) - _instant(lo)


def placeholders(lo: Any, lo_count: int, above_lo: Any, hi: Any, hi_count: int, below_hi: Any,
                 non_null: int) -> tuple[bool, bool]:
    """Whether the smallest (``lo``, held by ``lo_count`` rows; the next value ``above_lo``) and the largest value
    (``hi``; the previous value ``below_hi``) are placeholders. The other values' spread leaves out a placeholder
    on the other side; with no third value only a year outside 1900–2200 says which of two is the placeholder.

    >>> import datetime as dt
    >>> d = lambda y: dt.date(y, 1, 1)
    >>> placeholders(d(1), 50, d(1950), d(9999), 90, d(2020), 1000), placeholders(d(2020), 9, d(9999), d(9999), 9, d(2020), 18)
    ((True, True), (False, True))
    """
    low = sentinel_side(lo, lo_count, above_lo, non_null, above_lo, hi)
    high = sentinel_side(hi, hi_count, below_hi, non_null, lo, below_hi)
    if low != high:  # the other side may be a placeholder too, once this one is left out of the spread
        low = low or sentinel_side(lo, lo_count, above_lo, non_null, above_lo, below_hi)
        high = high or sentinel_side(hi, hi_count, below_hi, non_null, above_lo, below_hi)
    elif not low:
        both = sentinel_side(lo, lo_count, above_lo, non_null, above_lo, below_hi) and \
            sentinel_side(hi, hi_count, below_hi, non_null, above_lo, below_hi)
        low = high = both
    if low and high and _instant(above_lo) >= _instant(hi):  # two values only: the implausible one
        low, high = not 1900 <= lo.year <= 2200, not 1900 <= hi.year <= 2200
        if low and high:
            low = high = False
    return low, high


def _instant(v: Any) -> dt.datetime:
    if isinstance(v, dt.datetime):
        return v.replace(tzinfo=None) if v.tzinfo is None else v.astimezone(dt.UTC).replace(tzinfo=None)
    return dt.datetime(v.year, v.month, v.day)


def read_sentinels_as_null(con: duckdb.DuckDBPyConnection, source: Any, body: str) -> str:
    """Find ``source``'s sentinel times and make its view (the query ``body``; empty for a table of DuckDB's own)
    read them as NULL; record them in ``source.sentinels`` ({column: [(value, rows)]}). Returns the view's new
    body (``body`` when nothing changed)."""
    times = [c.name for c in source.columns
             if c.type.upper().startswith(("DATE", "TIMESTAMP")) and not c.type.rstrip().endswith("]")]
    if not times or not source.rows:
        return body
    q = [quote_ident(c) for c in times]
    ends = con.execute("SELECT " + ", ".join(f"min({c}), max({c}), count({c})" for c in q) + f" FROM {source.sql}"
                       ).fetchone() or ()
    found: dict[str, list[tuple[Any, int]]] = {}
    probes, names = [], []
    for i, c in enumerate(q):
        lo, hi, n = ends[3 * i: 3 * i + 3]
        if lo is None or n < 2 * MIN_ROWS or _instant(hi) - _instant(lo) < MIN_GAP:  # no room for a placeholder
            continue
        names.append(times[i])
        lo_l, hi_l = _literal(lo), _literal(hi)
        probes += [f"count(*) FILTER (WHERE {c} = {lo_l})", f"min({c}) FILTER (WHERE {c} > {lo_l})",
                   f"count(*) FILTER (WHERE {c} = {hi_l})", f"max({c}) FILTER (WHERE {c} < {hi_l})"]
    if not probes:
        return body
    row = con.execute("SELECT " + ", ".join(probes) + f" FROM {source.sql}").fetchone() or ()
    for k, name in enumerate(names):
        i = times.index(name)
        lo, hi, n = ends[3 * i: 3 * i + 3]
        lo_count, above_lo, hi_count, below_hi = row[4 * k: 4 * k + 4]
        low, high = placeholders(lo, int(lo_count), above_lo, hi, int(hi_count), below_hi, int(n))
        marks = ([(lo, int(lo_count))] if low else []) + ([(hi, int(hi_count))] if high else [])
        if marks:
            found[name] = marks
    if not found:
        return body
    replace = ", ".join(
        f"CASE WHEN {quote_ident(c)} IN ({', '.join(_literal(v) for v, _ in marks)}) THEN NULL "
        f"ELSE {quote_ident(c)} END AS {quote_ident(c)}" for c, marks in found.items())
    if body:
        body = f"SELECT * REPLACE ({replace}) FROM ({body})"
        con.execute(f"CREATE OR REPLACE VIEW {source.sql} AS {body}")
    else:
        con.execute(f"CREATE OR REPLACE TABLE {source.sql} AS SELECT * REPLACE ({replace}) FROM {source.sql}")
    source.sentinels = found
    return body


def _literal(v: Any) -> str:
    """A DATE or TIMESTAMP literal for a value DuckDB returned."""
    if isinstance(v, dt.datetime):
        kind = "TIMESTAMPTZ" if v.tzinfo is not None else "TIMESTAMP"
        return f"{kind} {quote_literal(v.isoformat())}"
    return f"DATE {quote_literal(v.isoformat())}"


def describe(marks: list[tuple[Any, int]]) -> str:
    """For the role evidence:

    >>> describe([(dt.date(1, 1, 1), 41), (dt.datetime(9999, 12, 31, 23, 59, 59), 1000)])
    '0001-01-01 in 41 rows and 9999-12-31 23:59:59 in 1,000 rows'
    """
    return " and ".join(f"{_instant(v).isoformat(sep=' ').removesuffix(' 00:00:00')} in {n:,} rows" for v, n in marks)
