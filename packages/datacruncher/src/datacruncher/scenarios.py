"""Scenario checks: the expectations a ``.metadata.json`` scenario declares, verified on the data.

Every expectation becomes one ``drift`` entry of kind ``scenario`` (``ok`` = met, ``drift`` = not met, with the
measured value, ``skipped`` with the reason for a kind this version does not know, ``error`` when its table or
columns are missing); every unmet one also becomes a high issue ``scenario_drift.<kind>`` whose fix hint
(path ``schema``) carries the scenario, the expectation and a suggestion of what to patch.

Understood kinds (params; ``where`` is optional everywhere: ``{column: value | [values]}``, rows kept when equal):

- ``trend`` {table, column?, time?, direction: up|down|flat, min_change? = 0.05}: the second half of the window
  (the declared timeframe, else the data's first time to its end) against the first half — the sum of
  ``column`` (or the row count) per half, by ``time`` (default: the table's creation column). ``flat`` means
  |change| < min_change.
- ``month_over_month`` {table, column?, time? | start + end?, direction: up|down, months? = 6, min_share? = 0.8}:
  over the last ``months`` complete months, the share of month-to-month changes that go in ``direction``. With
  ``time``: the monthly sum of ``column`` (or count) of events. With ``start``/``end``: a stock measured at each
  month boundary — the rows with start < boundary and (end is null or end ≥ boundary), e.g. MRR from
  subscriptions (started_at, canceled_at).
- ``window_ratio`` {table, column?, time?, recent_days? = 7, previous_days? = 28, min_ratio?, max_ratio?}: the
  per-day volume (count, or sum of ``column``) of the last ``recent_days`` before the data's end against the
  ``previous_days`` before them ("tickets in the last 7 days ≥ 2× the previous 28").
- ``spike`` {table, column?, time?, start, end, baseline_days? = 28, min_ratio? = 2}: the per-day volume inside
  the declared window [start, end] against the ``baseline_days`` before ``start``.
- ``row_count`` {table, min?, max?}
- ``mean_in_range`` {table, column, min?, max?}
- ``share`` {table, column, value, min?, max?}: the share of rows where column = value.

The data's end is the declared timeframe end (``.metadata.json``), else the latest value of the time column.
Values from the expectation are bound as SQL parameters; identifiers are quoted. Any other kind is reported as
*skipped* with the reason, never as met.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from datagen_contracts.report import DriftResult

from .catalog import Catalog
from .identifiers import quote_ident
from .model import Model, Table


class ExpectationError(ValueError):
    """An expectation names a table or column that is not there, or its params are unusable."""


@dataclass
class Verdict:
    value: float
    met: bool
    what: str  # what was measured, in words
    threshold: float | None = None
    observed: Any = None
    hint: str = ""  # how to make the data meet it (schema side)


@dataclass
class _Scope:
    """One expectation's table, filter and reference end, shared by every kind."""

    cat: Catalog
    model: Model
    table: Table
    params: dict[str, Any]
    where_sql: str = "TRUE"
    binds: dict[str, Any] = field(default_factory=dict)  # named parameters of ``where``

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
        return f"{prefix}{quote_ident(col)}::DOUBLE" if col else "1.0"

    def rows(self) -> str:
        """The table filtered by ``where``, as a sub-query (binds: :attr:`binds`)."""
        return f"(SELECT * FROM {self.table.sql} WHERE {self.where_sql})"

    def end(self, time: str) -> dt.datetime:
        if self.model.ref_end is not None:
            return self.model.ref_end
        end = self.fetch(f"SELECT max(CAST({quote_ident(time)} AS TIMESTAMP)) FROM {self.rows()}")[0]
        if end is None:
            raise ExpectationError(f"{self.table.name}.{time} has no values")
        return end

    def fetch(self, sql: str, **extra: Any) -> tuple[Any, ...]:
        return self.cat.con.execute(sql, {**self.binds, **extra}).fetchone()


def _bounds(value: float, params: dict[str, Any]) -> bool:
    lo, hi = params.get("min"), params.get("max")
    return (lo is None or value >= float(lo)) and (hi is None or value <= float(hi))


def _range_text(params: dict[str, Any], lo: str = "min", hi: str = "max") -> str:
    parts = [f"≥ {params[lo]}" if params.get(lo) is not None else "", f"≤ {params[hi]}" if params.get(hi) is not None else ""]
    return " and ".join(p for p in parts if p) or "any value"


def _timestamp(value: Any, what: str) -> dt.datetime:
    try:
        t = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ExpectationError(f"param {what!r}: not an ISO timestamp: {value!r}") from None
    return t.replace(tzinfo=None)


def _row_count(s: _Scope) -> Verdict:
    n = int(s.fetch(f"SELECT count(*) FROM {s.rows()}")[0])
    return Verdict(float(n), _bounds(n, s.params), f"{s.table.name} has {n} rows (expected {_range_text(s.params)})",
                   hint="change the table's rows (or the parent's fanout) in the scenario's patches")


def _mean_in_range(s: _Scope) -> Verdict:
    col = s.column("column", required=True)
    mean = s.fetch(f"SELECT avg({quote_ident(col)}::DOUBLE) FROM {s.rows()}")[0]
    if mean is None:
        raise ExpectationError(f"{s.table.name}.{col} has no values")
    return Verdict(float(mean), _bounds(mean, s.params),
                   f"mean of {s.table.name}.{col} is {mean:.4g} (expected {_range_text(s.params)})",
                   hint=f"shift {s.table.name}.{col}: its distribution parameters or a multiply/add modifier")


def _share(s: _Scope) -> Verdict:
    col = s.column("column", required=True)
    if "value" not in s.params:
        raise ExpectationError("param 'value' is required")
    share = s.fetch(f"SELECT avg(CASE WHEN {quote_ident(col)} = $value THEN 1.0 ELSE 0.0 END) FROM {s.rows()}",
                    value=s.params["value"])[0]
    if share is None:
        raise ExpectationError(f"{s.table.name} has no rows")
    return Verdict(float(share), _bounds(share, s.params),
                   f"{share:.1%} of {s.table.name} rows have {col} = {s.params['value']} "
                   f"(expected {_range_text(s.params)})",
                   hint=f"change the choice weights of {s.table.name}.{col} in the scenario's patches")


def _trend(s: _Scope) -> Verdict:
    time = s.time()
    ts = f"CAST({quote_ident(time)} AS TIMESTAMP)"
    end = s.end(time)
    start = "$start::TIMESTAMP" if s.model.ref_start is not None else f"min({ts})"  # the declared window first
    first, second = s.fetch(
        f"WITH r AS {s.rows()}, w AS (SELECT {start} AS lo, $end::TIMESTAMP AS hi FROM r) "
        f"SELECT sum({s.amount()}) FILTER (WHERE {ts} >= lo AND {ts} < lo + (hi - lo) / 2), "
        f"sum({s.amount()}) FILTER (WHERE {ts} >= lo + (hi - lo) / 2 AND {ts} <= hi) FROM r, w",
        end=end, **({"start": s.model.ref_start} if s.model.ref_start is not None else {}))
    change = (float(second or 0) / float(first) - 1) if first else 0.0
    floor = float(s.params.get("min_change", 0.05))
    direction = str(s.params.get("direction", "up"))
    if direction not in ("up", "down", "flat"):
        raise ExpectationError(f"direction must be up, down or flat, got {direction!r}")
    met = {"up": change >= floor, "down": change <= -floor, "flat": abs(change) < floor}[direction]
    what = s.params.get("column") or "rows"
    return Verdict(change, met, f"{what} of {s.table.name} changed by {change:+.1%} between the halves of the window "
                   f"(expected {direction}, at least {floor:.0%})", threshold=floor,
                   observed={"first_half": first, "second_half": second},
                   hint=(f"a trend modifier on {s.table.name}.{what} or " if s.params.get("column") else "")
                   + f"a month pattern or an effect window on {s.table.name}.{time} that moves it {direction}")


def _month_over_month(s: _Scope) -> Verdict:
    months = int(s.params.get("months", 6))
    if months < 1:
        raise ExpectationError("months must be ≥ 1")
    direction = str(s.params.get("direction", "up"))
    if direction not in ("up", "down"):
        raise ExpectationError(f"direction must be up or down, got {direction!r}")
    start = s.column("start")
    if start is not None:  # a stock at each month boundary
        stop = s.column("end")
        ends = f"(r.{quote_ident(stop)} IS NULL OR CAST(r.{quote_ident(stop)} AS TIMESTAMP) >= b.at)" if stop else "TRUE"
        on = f"CAST(r.{quote_ident(start)} AS TIMESTAMP) < b.at AND {ends}"
        anchor_col, first, last = start, months, 0
    else:  # the sum of events per calendar month [b.at, b.at + 1 month)
        time = s.time()
        ts = f"CAST(r.{quote_ident(time)} AS TIMESTAMP)"
        on = f"{ts} >= b.at AND {ts} < b.at + INTERVAL 1 MONTH"
        anchor_col, first, last = time, months + 1, 1
    boundary = date_trunc_month(s.end(anchor_col) + dt.timedelta(seconds=1))
    points = [add_months(boundary, -k) for k in range(first, last - 1, -1)]
    rows = _monthly(s, on, points)
    values = [float(v) for _, v in rows]
    changes = [b - a for a, b in itertools.pairwise(values)]
    good = sum(1 for c in changes if (c > 0 if direction == "up" else c < 0))
    share = good / len(changes)
    min_share = float(s.params.get("min_share", 0.8))
    total = (values[-1] / values[0] - 1) if values[0] else 0.0
    label = s.params.get("column") or "rows"
    series = ", ".join(f"{at:%Y-%m}: {v:,.0f}" for (at, _), v in zip(rows, values, strict=True))
    return Verdict(share, share >= min_share,
                   f"{label} of {s.table.name} went {direction} in {good} of {len(changes)} months "
                   f"({total:+.1%} overall; {series}); expected at least {min_share:.0%}",
                   threshold=min_share, observed={"months": [at.strftime("%Y-%m-%d") for at, _ in rows],
                                                  "values": values, "change": total},
                   hint=f"make {s.table.name}.{label} move {direction} each month: a trend modifier, a month pattern "
                        "on the creation/end times, or a different end-time null_rate (churn)")


def _monthly(s: _Scope, on: str, points: list[dt.datetime]) -> list[tuple[dt.datetime, float]]:
    # the filtered rows are a sub-query named r; ``amount`` and the ON clause read r's columns
    amount = s.amount("r.")
    return s.cat.con.execute(
        f"WITH b AS (SELECT unnest($points::TIMESTAMP[]) AS at) "
        f"SELECT b.at, coalesce(sum({amount}), 0) FROM b LEFT JOIN {s.rows()} AS r ON {on} GROUP BY b.at ORDER BY b.at",
        {**s.binds, "points": points}).fetchall()


def _rate_ratio(s: _Scope, lo_a: dt.datetime, hi_a: dt.datetime, lo_b: dt.datetime, hi_b: dt.datetime,
                time: str) -> tuple[float, float, float]:
    """Per-day volume in (lo_a, hi_a] and in (lo_b, hi_b], and their ratio (a / b)."""
    ts = f"CAST({quote_ident(time)} AS TIMESTAMP)"
    a, b = s.fetch(
        f"SELECT coalesce(sum({s.amount()}) FILTER (WHERE {ts} > $lo_a AND {ts} <= $hi_a), 0), "
        f"coalesce(sum({s.amount()}) FILTER (WHERE {ts} > $lo_b AND {ts} <= $hi_b), 0) FROM {s.rows()}",
        lo_a=lo_a, hi_a=hi_a, lo_b=lo_b, hi_b=hi_b)
    days_a = (hi_a - lo_a).total_seconds() / 86400
    days_b = (hi_b - lo_b).total_seconds() / 86400
    rate_a, rate_b = float(a) / days_a, float(b) / days_b
    if rate_b == 0:
        raise ExpectationError(f"no {s.table.name} rows between {lo_b:%Y-%m-%d} and {hi_b:%Y-%m-%d}: "
                               "the ratio is undefined")
    return rate_a, rate_b, rate_a / rate_b


def _ratio_verdict(s: _Scope, ratio: float, rates: tuple[float, float], what: str, hint: str,
                   default_min: float | None) -> Verdict:
    lo = s.params.get("min_ratio", default_min if s.params.get("max_ratio") is None else None)
    hi = s.params.get("max_ratio")
    met = (lo is None or ratio >= float(lo)) and (hi is None or ratio <= float(hi))
    expected = _range_text({"min": lo, "max": hi})
    return Verdict(ratio, met, f"{what}: {rates[0]:.4g}/day against {rates[1]:.4g}/day, ratio {ratio:.2f} "
                   f"(expected {expected})", threshold=None if lo is None else float(lo),
                   observed={"rate": rates[0], "baseline_rate": rates[1]}, hint=hint)


def _window_ratio(s: _Scope) -> Verdict:
    time = s.time()
    recent, previous = float(s.params.get("recent_days", 7)), float(s.params.get("previous_days", 28))
    if recent <= 0 or previous <= 0:
        raise ExpectationError("recent_days and previous_days must be > 0")
    end = s.end(time)
    cut = end - dt.timedelta(days=recent)
    rates = _rate_ratio(s, cut, end, cut - dt.timedelta(days=previous), cut, time)
    filt = f" ({_where_text(s.params)})" if s.params.get("where") else ""
    return _ratio_verdict(s, rates[2], rates[:2], f"{s.table.name}{filt} in the last {recent:g} days vs the previous "
                          f"{previous:g}", f"concentrate {s.table.name}.{time} at the end: an effect window "
                          "(table-level or keyed on the category) with a larger factor", 2.0)


def _spike(s: _Scope) -> Verdict:
    time = s.time()
    if "start" not in s.params or "end" not in s.params:
        raise ExpectationError("params 'start' and 'end' (the declared window) are required")
    lo, hi = _timestamp(s.params["start"], "start"), _timestamp(s.params["end"], "end")
    if hi <= lo:
        raise ExpectationError("the window's end must be after its start")
    days = float(s.params.get("baseline_days", 28))
    rates = _rate_ratio(s, lo - dt.timedelta(microseconds=1), hi, lo - dt.timedelta(days=days),
                        lo - dt.timedelta(microseconds=1), time)
    filt = f" ({_where_text(s.params)})" if s.params.get("where") else ""
    return _ratio_verdict(s, rates[2], rates[:2], f"{s.table.name}{filt} from {lo:%Y-%m-%d} to {hi:%Y-%m-%d} vs the "
                          f"{days:g} days before", f"raise the effect factor of the window on {s.table.name}.{time} "
                          "(a keyed effect concentrates one category's times inside it)", 2.0)


#: kind → measure; the order is the documentation's
KINDS: dict[str, Callable[[_Scope], Verdict]] = {
    "trend": _trend,
    "month_over_month": _month_over_month,
    "window_ratio": _window_ratio,
    "spike": _spike,
    "row_count": _row_count,
    "mean_in_range": _mean_in_range,
    "share": _share,
}


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


def _where_text(params: dict[str, Any]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in (params.get("where") or {}).items())


def _scope(cat: Catalog, model: Model, params: dict[str, Any]) -> _Scope:
    table = model.table(str(params.get("table")))
    if table is None:
        raise ExpectationError(f"table {params.get('table')!r} not in the dataset")
    s = _Scope(cat, model, table, params)
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


def scenario_checks(cat: Catalog, model: Model) -> list[DriftResult]:
    """One drift result per declared expectation (none when ``.metadata.json`` names no scenario)."""
    meta = cat.metadata
    if meta is None or meta.scenario is None:
        return []
    out = []
    for e in meta.scenario.expectations:
        base = {"kind": "scenario", "metric": e.kind, "table": e.params.get("table"), "column": e.params.get("column"),
                "expected": {"id": e.id, "description": e.description, "params": e.params}}
        measure = KINDS.get(e.kind)
        if measure is None:
            out.append(DriftResult(**base, status="skipped", message=f"{e.id}: expectation kind {e.kind!r} is not "
                                   f"verified by this datacruncher version (known: {', '.join(KINDS)})"))
            continue
        try:
            v = measure(_scope(cat, model, e.params))
        except (ExpectationError, TypeError, ValueError) as exc:
            out.append(DriftResult(**base, status="error", message=f"{e.id}: {exc}"))
            continue
        verdict = "holds" if v.met else "does NOT hold"
        message = f"scenario {meta.scenario.name!r} expectation {e.id} {verdict}: {v.what}"
        if not v.met:  # the issue built from this result carries ``expected`` as its fix hint's params
            message += f". To fix (in the scenario's patches): {v.hint}"
            base["expected"] = {**base["expected"], "scenario": meta.scenario.name, "suggestion": v.hint}
        out.append(DriftResult(**base, status="ok" if v.met else "drift", observed={**(v.observed or {})},
                               value=round(v.value, 6), threshold=v.threshold, message=message))
    return out
