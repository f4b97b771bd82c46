"""Times stored as numbers: a column named like a time (``event_time``, ``created_ts``, ``signup_at``) whose values
are all seconds, milliseconds, microseconds or nanoseconds since 1970 falling between 1980 and 2100 is read as a
timestamp, so that every time check (order across keys, windows, retention, seasonality) sees it. Warehouses and
event pipelines often store times so. Both the name and the values must agree: an id or a phone number never
becomes a time, and neither does a ``duration_seconds``.

The table's view replaces the column by its timestamp (same name, same place); the file is unchanged.

>>> unit_of(1.5e9, 1.7e9), unit_of(1.5e12, 1.7e12), unit_of(1.5e15, 1.7e15), unit_of(1.5e18, 1.7e18)
('s', 'ms', 'us', 'ns')
>>> unit_of(1, 1.7e9), unit_of(None, None), time_named("event_time"), time_named("duration_seconds")
(None, None, True, False)
"""

from __future__ import annotations

from typing import Any

import duckdb

from datagen_contracts.text import CREATED_WORDS, quote_ident

from .roles import _DURATION, tokens

#: seconds since 1970 of 1980-01-01 and 2100-01-01: a time outside these is more likely not a time
_LOW, _HIGH = 315_532_800, 4_102_444_800
_UNITS = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}
_NAMED = {"time", "ts", "timestamp", "at", "date", "datetime", "epoch", "dt", "when", "updated", "modified",
          "deleted", "ended", "finished", "closed", "completed"}
#: tokens that make a time-like name something else: who or how many, not when
_NOT_TIME = {"by", "id", "key", "sk", "fk", "pk", "ref", "code", "idx", "index", "count", "num", "number", "no",
             "seq", "version", "user", "zone", "tz", "offset"}
_INTEGER = ("BIGINT", "INTEGER", "HUGEINT", "UBIGINT", "UINTEGER")
#: DuckDB expressions turning a number of each unit into a TIMESTAMP (microseconds since 1970)
_TO_TIME = {"s": "make_timestamp(CAST(round({c} * 1000000) AS BIGINT))", "ms": "make_timestamp(CAST(round({c} * 1000) AS BIGINT))",
            "us": "make_timestamp(CAST({c} AS BIGINT))", "ns": "make_timestamp(CAST({c} // 1000 AS BIGINT))"}
UNIT_WORDS = {"s": "seconds", "ms": "milliseconds", "us": "microseconds", "ns": "nanoseconds"}


def time_named(name: str) -> bool:
    """A name that says "a point in time" (a token such as ``time``, ``at``, ``created``; or ending so, as in
    ``eventtime``) and nothing else: not a duration, an id, a count or a version (``created_by``, ``start_count``).

    >>> [time_named(n) for n in ("created_at", "eventTime", "signup_ts", "lastseenepoch", "orderDate")]
    [True, True, True, True, True]
    >>> [time_named(n) for n in ("created_by", "ss_sold_date_sk", "start_count", "ttl_seconds", "candidate", "seats")]
    [False, False, False, False, False, False]
    """
    words = tokens(name)
    toks, joined = set(words), "".join(words)
    # an ending only where no other word ends so: "date" ends "candidate", "ts" ends "counts" and "seats"
    said = bool(toks & (_NAMED | set(CREATED_WORDS))) or joined.endswith(("time", "timestamp", "epoch"))
    return said and not toks & (_DURATION | _NOT_TIME)


def unit_of(lo: float | None, hi: float | None) -> str | None:
    """The unit in which every value from ``lo`` to ``hi`` is a time between 1980 and 2100, if one is."""
    if lo is None or hi is None:
        return None
    return next((u for u, k in _UNITS.items() if _LOW * k <= lo and hi <= _HIGH * k), None)


def read_epochs_as_times(con: duckdb.DuckDBPyConnection, source: Any, body: str) -> str:
    """Find ``source``'s epoch columns and make its view (the query ``body``; empty for a table of DuckDB's own)
    read them as timestamps; record them in ``source.epochs`` ({column: unit}) and update ``source.columns``.
    Returns the view's new body (``body`` when nothing changed)."""
    candidates = [c.name for c in source.columns if time_named(c.name) and c.type.upper() in (*_INTEGER, "DOUBLE")]
    if not candidates or not source.rows:
        return body
    row = con.execute("SELECT " + ", ".join(f"min({quote_ident(c)}), max({quote_ident(c)})" for c in candidates)
                      + f" FROM {source.sql}").fetchone() or ()
    found = {c: u for i, c in enumerate(candidates) if (u := unit_of(row[2 * i], row[2 * i + 1]))}
    if not found:
        return body
    replace = ", ".join(f"{_TO_TIME[u].format(c=quote_ident(c))} AS {quote_ident(c)}" for c, u in found.items())
    if body:
        body = f"SELECT * REPLACE ({replace}) FROM ({body})"
        con.execute(f"CREATE OR REPLACE VIEW {source.sql} AS {body}")
    else:  # a CSV file or a wide table, already in a table of its own
        con.execute(f"CREATE OR REPLACE TABLE {source.sql} AS SELECT * REPLACE ({replace}) FROM {source.sql}")
    source.epochs = found
    types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {source.sql})").fetchall())
    source.columns = [type(c)(c.name, str(types.get(c.name, c.type))) for c in source.columns]
    return body
