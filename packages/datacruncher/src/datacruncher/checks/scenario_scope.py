"""What every scenario expectation shares: its table and ``where`` filter in one dataset (:class:`Scope`), the
periods it compares (:class:`Period`: a window, the days before it, the same days a year earlier, or the rest of
the span), and the parsing of ``window`` / ``baseline`` params. The kinds are in :mod:`datacruncher.checks.scenarios`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from datagen_contracts.text import quote_ident

from ..model.catalog import Catalog, fetch_one
from ..model.semantic import Model, Table

US = dt.timedelta(microseconds=1)


class ExpectationError(ValueError):
    """An expectation names a table or column that is not there, or its params are unusable."""


class Unverifiable(Exception):
    """The data at hand can neither prove nor disprove the expectation (the message says what would)."""


@dataclass(frozen=True)
class Period:
    """The rows with a time in [lo, hi) — or, ``outside``, the rows of ``span`` not in it."""

    lo: dt.datetime
    hi: dt.datetime
    outside: bool = False
    span: tuple[dt.datetime, dt.datetime] | None = None

    @property
    def days(self) -> float:
        inside = (self.hi - self.lo).total_seconds() / 86400
        if not self.outside:
            return inside
        assert self.span is not None
        return (self.span[1] - self.span[0]).total_seconds() / 86400 - inside

    def before(self, days: float | None = None) -> Period:
        length = dt.timedelta(days=days) if days is not None else self.hi - self.lo
        return Period(self.lo - length, self.lo)

    def year_before(self) -> Period:
        return Period(_years_back(self.lo), _years_back(self.hi))

    def text(self) -> str:
        inside = f"{self.lo:%Y-%m-%d} to {(self.hi - US):%Y-%m-%d}"
        return f"outside {inside}" if self.outside else inside

    def numbers(self) -> dict[str, str | bool]:
        return {"start": self.lo.isoformat(), "end": (self.hi - US).isoformat(), "outside": self.outside}


def _years_back(t: dt.datetime) -> dt.datetime:
    try:
        return t.replace(year=t.year - 1)
    except ValueError:  # 29 February
        return t.replace(year=t.year - 1, day=28)


@dataclass
class Scope:
    """One expectation's table and filter in one dataset (the data, or its counterfactual)."""

    cat: Catalog
    model: Model
    table: Table
    params: dict[str, Any]
    where_sql: str = "TRUE"
    binds: dict[str, Any] = field(default_factory=dict)  # named parameters of ``where``
    _ranges: dict[str, tuple[dt.datetime, dt.datetime]] = field(default_factory=dict, repr=False)

    def column(self, key: str, *, required: bool = False, default: str | None = None) -> str | None:
        name = self.params.get(key, default)
        if name is None:
            if required:
                raise ExpectationError(f"param {key!r} is required")
            return None
        if self.table.column(str(name)) is None:
            raise ExpectationError(f"column {self.table.name}.{name} not in the dataset")
        return str(name)

    def time(self, key: str = "time") -> str:
        name = self.column(key, default=self.table.created_at)
        if name is None:
            raise ExpectationError(f"no time column for {self.table.name} (give {key!r})")
        return name

    def amount(self, prefix: str = "") -> str:
        col = self.column("column")
        return f"{prefix}{quote_ident(col)}::DOUBLE" if col else "1.0::DOUBLE"

    def rows(self) -> str:
        """The table filtered by ``where``, as a sub-query (binds: :attr:`binds`)."""
        return f"(SELECT * FROM {self.table.sql} WHERE {self.where_sql})"

    def fetch(self, sql: str, **extra: Any) -> tuple[Any, ...]:
        return fetch_one(self.cat.con, sql, {**self.binds, **extra})

    def data_range(self, time: str) -> tuple[dt.datetime, dt.datetime]:
        """The first and last value of ``time`` (one query per column: span and covers ask for it repeatedly)."""
        if time not in self._ranges:
            lo, hi = self.fetch(f"SELECT min(CAST({quote_ident(time)} AS TIMESTAMP)), "
                                f"max(CAST({quote_ident(time)} AS TIMESTAMP)) FROM {self.rows()}")
            if lo is None:
                raise ExpectationError(f"{self.table.name}.{time} has no values")
            self._ranges[time] = (lo, hi)
        return self._ranges[time]

    def end(self, time: str) -> dt.datetime:
        return self.model.ref_end if self.model.ref_end is not None else self.data_range(time)[1]

    def span(self, time: str) -> Period:
        """[first, end]: from the earlier of the declared start and the first value to the span's end."""
        lo, hi = self.data_range(time)
        if self.model.ref_start is not None:
            lo = min(lo, self.model.ref_start)
        return Period(lo, (self.model.ref_end if self.model.ref_end is not None else hi) + US)

    def covers(self, time: str, period: Period) -> bool:
        """The data reaches back to ``period`` (1% of its length of slack for the first event's delay)."""
        return self.span(time).lo <= period.lo + (period.hi - period.lo) / 100

    def stat(self, how: str, period: Period | None, time: str | None = None, value: Any = None) -> float | None:
        """count / sum / mean / share of the rows in ``period`` (all rows when None)."""
        cond, extra = "TRUE", {}
        if period is not None:
            ts = f"CAST({quote_ident(time or self.time())} AS TIMESTAMP)"
            cond = f"{ts} >= $p_lo AND {ts} < $p_hi"
            extra = {"p_lo": period.lo, "p_hi": period.hi}
            if period.outside:
                assert period.span is not None
                cond = f"NOT ({cond}) AND {ts} >= $s_lo AND {ts} < $s_hi"
                extra |= {"s_lo": period.span[0], "s_hi": period.span[1]}
        col = self.column("column")
        expr = {"count": "count(*)::DOUBLE", "sum": f"coalesce(sum({self.amount()}), 0)::DOUBLE",
                "mean": f"avg({quote_ident(col)}::DOUBLE)" if col else None,
                "share": f"avg(CASE WHEN {quote_ident(col)} = $value THEN 1.0 ELSE 0.0 END)::DOUBLE" if col else None}
        if expr.get(how) is None:
            raise ExpectationError(f"measure {how!r} needs param 'column'" if how in expr else
                                   f"measure must be count, sum or mean, got {how!r}")
        if how == "share":
            extra["value"] = value
        got = self.fetch(f"SELECT {expr[how]} FROM {self.rows()} WHERE {cond}", **extra)[0]
        return None if got is None else float(got)

    def rate(self, how: str, period: Period, time: str) -> float:
        """Per-day volume (count or sum) in ``period``, or the mean."""
        got = self.stat(how, period, time)
        if how == "mean":
            if got is None:
                raise ExpectationError(f"no {self.table.name} rows {period.text()}: the mean is undefined")
            return got
        return (got or 0.0) / period.days


def bounds(value: float, params: dict[str, Any]) -> bool:
    lo, hi = params.get("min"), params.get("max")
    return (lo is None or value >= float(lo)) and (hi is None or value <= float(hi))


def range_text(params: dict[str, Any], lo: str = "min", hi: str = "max") -> str:
    parts = [f"≥ {params[lo]}" if params.get(lo) is not None else "", f"≤ {params[hi]}" if params.get(hi) is not None else ""]
    return " and ".join(p for p in parts if p) or "any value"


def parse_timestamp(value: Any, what: str) -> dt.datetime:
    try:
        t = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ExpectationError(f"param {what!r}: not an ISO timestamp: {value!r}") from None
    return t.replace(tzinfo=None)


def window_of(params: dict[str, Any], *, legacy: bool = False) -> Period | None:
    """``window: {start, end}`` (or, for ``spike``, top-level ``start``/``end``), both ends inclusive."""
    w = params.get("window")
    if w is None and legacy and ("start" in params or "end" in params):
        w = {"start": params.get("start"), "end": params.get("end")}
    if w is None:
        return None
    if not isinstance(w, dict) or w.get("start") is None or w.get("end") is None:
        raise ExpectationError("param 'window' must be {start, end} (ISO timestamps)")
    lo, hi = parse_timestamp(w["start"], "window.start"), parse_timestamp(w["end"], "window.end")
    if hi <= lo:
        raise ExpectationError("the window's end must be after its start")
    if hi.time() == dt.time(0) and "T" not in str(w["end"]):  # a bare date: the whole day
        hi += dt.timedelta(days=1) - US
    return Period(lo, hi + US)


def baseline_choice(params: dict[str, Any], default: str, allowed: tuple[str, ...]) -> str:
    choice = str(params.get("baseline", default))
    if choice not in allowed:
        raise ExpectationError(f"baseline must be one of {', '.join(allowed)}, got {choice!r}")
    return choice


def ratio_of(a: float, b: float, what: str) -> float:
    if b == 0:
        raise ExpectationError(f"{what} is zero: the change is undefined")
    return a / b


def date_trunc_month(t: dt.datetime) -> dt.datetime:
    """The first instant of ``t``'s month.

    >>> date_trunc_month(dt.datetime(2025, 7, 1, 0, 0, 0)), date_trunc_month(dt.datetime(2025, 6, 30, 23))
    (datetime.datetime(2025, 7, 1, 0, 0), datetime.datetime(2025, 6, 1, 0, 0))
    """
    return dt.datetime(t.year, t.month, 1)


def add_months(t: dt.datetime, n: int) -> dt.datetime:
    """The first of the month ``n`` months from ``t``'s month.

    >>> add_months(dt.datetime(2025, 1, 1), -2)
    datetime.datetime(2024, 11, 1, 0, 0)
    """
    k = t.year * 12 + t.month - 1 + n
    return dt.datetime(k // 12, k % 12 + 1, 1)


def where_text(params: dict[str, Any]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in (params.get("where") or {}).items())


def scope_for(cat: Catalog, model: Model, params: dict[str, Any]) -> Scope:
    table = model.table(str(params.get("table")))
    if table is None:
        raise ExpectationError(f"table {params.get('table')!r} not in the dataset")
    s = Scope(cat, model, table, params)
    where = params.get("where") or {}
    if not isinstance(where, dict):
        raise ExpectationError("param 'where' must be a mapping {column: value | [values]}")
    parts = []
    for col, value in where.items():
        if table.column(str(col)) is None:
            raise ExpectationError(f"column {table.name}.{col} (in 'where') not in the dataset")
        values = value if isinstance(value, list) else [value]
        names = [f"w{len(s.binds) + i}" for i in range(len(values))]
        parts.append(f"{quote_ident(str(col))} IN ({', '.join('$' + n for n in names)})")
        s.binds.update(zip(names, values, strict=True))
    s.where_sql = " AND ".join(parts) or "TRUE"
    return s
