"""The kinds of scenario expectation, one function each (KINDS): trend, window ratio, spike, row count,
mean in range, share and month over month — each measures its claim in SQL and returns a :class:`Verdict`."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from datagen_contracts.text import quote_ident

from .scenario_scope import (
    US,
    ExpectationError,
    Period,
    Scope,
    Unverifiable,
    add_months,
    baseline_choice,
    bounds,
    date_trunc_month,
    range_text,
    ratio_of,
    where_text,
    window_of,
)


@dataclass
class Verdict:
    value: float
    met: bool
    what: str  # what was measured, in words
    threshold: float | None = None
    observed: dict[str, Any] = field(default_factory=dict)
    hint: str = ""  # how to make the data meet it (schema side)


# ---------------------------------------------------------------------------------------------------- kinds

def trend(s: Scope, cf: Scope | None) -> Verdict:
    time = s.time()
    how = str(s.params.get("measure", "sum" if s.params.get("column") else "count"))
    span = s.span(time)
    window = window_of(s.params)
    if window is None:  # the second half of the declared timeframe (else of the data)
        lo = s.model.ref_start if s.model.ref_start is not None else span.lo
        window = Period(lo + (span.hi - lo) / 2, span.hi)
    choice = baseline_choice(s.params, "auto", ("auto", "before", "year_before", "counterfactual"))
    if choice == "auto":
        if cf is not None:
            choice = "counterfactual"
        elif s.covers(time, window.year_before()):
            choice = "year_before"
        else:
            raise Unverifiable(
                f"{s.table.name}.{time} starts {span.lo:%Y-%m-%d}, less than a year before the window "
                f"({window.text()}): a yearly pattern cannot be told from a trend. Crunch with --baseline DIR (the "
                "same schema generated without the scenario, same seed), or set baseline: before to accept that risk")
    observed: dict[str, Any] = {"window": window.numbers(), "measure": how, "baseline": choice}
    if choice == "counterfactual":
        if cf is None:
            raise Unverifiable("baseline: counterfactual needs the dataset generated without the scenario "
                               "(crunch --baseline DIR)")
        ctime = cf.time()
        before = window.before()
        w_s, w_c = s.rate(how, window, time), cf.rate(how, window, ctime)
        if s.covers(time, before) and cf.covers(ctime, before):
            b_s, b_c = s.rate(how, before, time), cf.rate(how, before, ctime)
            here = ratio_of(w_s, b_s, "the period before the window")
            there = ratio_of(w_c, b_c, "the counterfactual's period before the window")
            change = ratio_of(here, there, "the counterfactual's change") - 1
            observed |= {"before": before.numbers(), "value": w_s, "before_value": b_s, "counterfactual_value": w_c,
                         "counterfactual_before_value": b_c}
            how_text = (f"({w_s:.4g} vs {b_s:.4g} before) against the dataset without the scenario "
                        f"({w_c:.4g} vs {b_c:.4g})")
        else:
            change = ratio_of(w_s, w_c, "the counterfactual's window") - 1
            observed |= {"value": w_s, "counterfactual_value": w_c}
            how_text = f"{w_s:.4g} against {w_c:.4g} in the dataset without the scenario"
    else:
        base = window.year_before() if choice == "year_before" else window.before()
        if not s.covers(time, base):
            raise ExpectationError(f"baseline {choice}: {s.table.name}.{time} starts {span.lo:%Y-%m-%d}, after the "
                                   f"baseline's start {base.lo:%Y-%m-%d}")
        w, b = s.rate(how, window, time), s.rate(how, base, time)
        change = ratio_of(w, b, f"the baseline ({base.text()})") - 1
        observed |= {"before": base.numbers(), "value": w, "before_value": b}
        how_text = f"{w:.4g} against {b:.4g} {'a year before' if choice == 'year_before' else 'before'} ({base.text()})"
    observed["change"] = change
    target = s.params.get("change")
    floor = float(s.params.get("min_change", 0.05 if target is None else 0.0))
    direction = str(s.params.get("direction", ("down" if float(target) < 0 else "up") if target is not None else "up"))
    if direction not in ("up", "down", "flat"):
        raise ExpectationError(f"direction must be up, down or flat, got {direction!r}")
    met = {"up": change >= floor, "down": change <= -floor, "flat": abs(change) < floor}[direction]
    expected = (f"expected |change| < {floor:.0%}" if direction == "flat" else
                f"expected {direction}" + (f", at least {floor:.0%}" if floor else ""))
    if target is not None:
        tol = float(s.params.get("tolerance", max(0.1 * abs(float(target)), 0.005)))
        observed |= {"target": float(target), "tolerance": tol}
        met = met and abs(change - float(target)) <= tol
        expected += f", and {float(target):+.1%} ± {tol:.1%}"
    unit = {"mean": "mean", "count": "per day", "sum": "per day"}[how]
    what = s.params.get("column") or "rows"
    return Verdict(change, met, f"{what} of {s.table.name} ({unit}) changed by {change:+.1%} in {window.text()}: "
                   f"{how_text} ({expected})", threshold=floor, observed=observed,
                   hint=(f"a trend modifier on {s.table.name}.{what} or " if s.params.get("column") else "")
                   + f"an effect window on {s.table.name}.{time} that moves it {direction} inside the window "
                   "(a month pattern repeats every year, so it does not)")


def _rates(s: Scope, cf: Scope | None, window: Period, base: Period, choice: str) -> tuple[float, float, dict]:
    """(per-day volume in the window, in its baseline, observed numbers)."""
    time = s.time()
    how = "sum" if s.params.get("column") else "count"
    if choice == "counterfactual":
        if cf is None:
            raise Unverifiable("baseline: counterfactual needs the dataset generated without the scenario "
                               "(crunch --baseline DIR)")
        a, b = s.rate(how, window, time), cf.rate(how, window, cf.time())
        return a, b, {"window": window.numbers(), "baseline": choice, "rate": a, "baseline_rate": b}
    if choice == "year_before":
        base = window.year_before()
    if not s.covers(time, base):
        raise ExpectationError(f"the data does not reach back to the baseline ({base.text()})")
    a, b = s.rate(how, window, time), s.rate(how, base, time)
    return a, b, {"window": window.numbers(), "before": base.numbers(), "baseline": choice, "rate": a,
                  "baseline_rate": b}


def _ratio_verdict(s: Scope, rates: tuple[float, float, dict], what: str, hint: str) -> Verdict:
    a, b, observed = rates
    if b == 0:
        raise ExpectationError(f"no {s.table.name} rows in the baseline: the ratio is undefined")
    ratio = a / b
    lo = s.params.get("min_ratio", 2.0 if s.params.get("max_ratio") is None else None)
    hi = s.params.get("max_ratio")
    met = (lo is None or ratio >= float(lo)) and (hi is None or ratio <= float(hi))
    against = {"counterfactual": "the same days without the scenario", "year_before": "the same days a year before"
               }.get(observed["baseline"], "before")
    return Verdict(ratio, met, f"{what}: {a:.4g}/day against {b:.4g}/day {against}, ratio {ratio:.2f} "
                   f"(expected {range_text({'min': lo, 'max': hi})})", threshold=None if lo is None else float(lo),
                   observed={**observed, "ratio": ratio}, hint=hint)


def window_ratio(s: Scope, cf: Scope | None) -> Verdict:
    time = s.time()
    recent, previous = float(s.params.get("recent_days", 7)), float(s.params.get("previous_days", 28))
    if recent <= 0 or previous <= 0:
        raise ExpectationError("recent_days and previous_days must be > 0")
    end = s.end(time) + US
    window = Period(end - dt.timedelta(days=recent), end)
    choice = baseline_choice(s.params, "before", ("before", "year_before", "counterfactual"))
    rates = _rates(s, cf, window, window.before(previous), choice)
    filt = f" ({where_text(s.params)})" if s.params.get("where") else ""
    return _ratio_verdict(s, rates, f"{s.table.name}{filt} in the last {recent:g} days",
                          f"concentrate {s.table.name}.{time} at the end: an effect window (table-level or keyed on "
                          "the category) with a larger factor")


def spike(s: Scope, cf: Scope | None) -> Verdict:
    time = s.time()
    window = window_of(s.params, legacy=True)
    if window is None:
        raise ExpectationError("params 'start' and 'end' (or 'window') are required")
    days = float(s.params.get("baseline_days", 28))
    choice = baseline_choice(s.params, "before", ("before", "year_before", "counterfactual"))
    rates = _rates(s, cf, window, window.before(days), choice)
    filt = f" ({where_text(s.params)})" if s.params.get("where") else ""
    return _ratio_verdict(s, rates, f"{s.table.name}{filt} from {window.text()}",
                          f"raise the effect factor of the window on {s.table.name}.{time} (a keyed effect "
                          "concentrates one category's times inside it)")


def _claim(how: str, s: Scope, cf: Scope | None) -> tuple[float, str, dict[str, Any], bool | None]:
    """(value inside the window or overall, where it was measured, observed, did the baseline also hold?)."""
    value = s.params.get("value")
    if how == "share" and "value" not in s.params:
        raise ExpectationError("param 'value' is required")
    if how in ("mean", "share"):
        s.column("column", required=True)
    window = window_of(s.params)

    def measure(scope: Scope, period: Period | None) -> float:
        got = scope.stat(how, period, scope.time() if period else None, value)
        if got is None:
            raise ExpectationError(f"{scope.table.name} has no rows" + (f" {period.text()}" if period else ""))
        return got

    if window is None:
        return measure(s, None), "", {}, None
    time = s.time()
    inside = measure(s, window)
    choice = baseline_choice(s.params, "auto", ("auto", "outside", "counterfactual", "none"))
    if choice == "auto":
        choice = "counterfactual" if cf is not None else "outside"
    observed: dict[str, Any] = {"window": window.numbers(), "baseline": choice, "value": inside}
    if choice == "none":
        return inside, f" in {window.text()}", observed, None
    if choice == "counterfactual":
        if cf is None:
            raise Unverifiable("baseline: counterfactual needs the dataset generated without the scenario "
                               "(crunch --baseline DIR)")
        base, where = measure(cf, window), "the same days without the scenario"
    else:
        span = s.span(time)
        out = Period(window.lo, window.hi, outside=True, span=(span.lo, span.hi))
        base = measure(s, out)
        if how == "count":  # scaled to the window's length
            base *= window.days / out.days if out.days > 0 else 0.0
        where = "outside the window" + (" (scaled to its length)" if how == "count" else "")
    observed["baseline_value"] = base
    held = bounds(base, s.params)
    return inside, f" in {window.text()} ({base:.4g} {where}, which must not hold)", observed, held


def row_count(s: Scope, cf: Scope | None) -> Verdict:
    n, where, observed, held = _claim("count", s, cf)
    met = bounds(n, s.params) and not held
    return Verdict(n, met, f"{s.table.name} has {n:.0f} rows{where} (expected {range_text(s.params)})",
                   observed=observed, hint="change the table's rows (or the parent's fanout) in the scenario's patches")


def mean_in_range(s: Scope, cf: Scope | None) -> Verdict:
    mean, where, observed, held = _claim("mean", s, cf)
    col = s.params["column"]
    return Verdict(mean, bounds(mean, s.params) and not held,
                   f"mean of {s.table.name}.{col} is {mean:.4g}{where} (expected {range_text(s.params)})",
                   observed=observed,
                   hint=f"shift {s.table.name}.{col}: its distribution parameters or a multiply/add modifier")


def share(s: Scope, cf: Scope | None) -> Verdict:
    share, where, observed, held = _claim("share", s, cf)
    col = s.params["column"]
    return Verdict(share, bounds(share, s.params) and not held,
                   f"{share:.1%} of {s.table.name} rows have {col} = {s.params['value']}{where} "
                   f"(expected {range_text(s.params)})", observed=observed,
                   hint=f"change the choice weights of {s.table.name}.{col} (or an effect window that concentrates "
                        "it) in the scenario's patches")


def month_over_month(s: Scope, cf: Scope | None) -> Verdict:
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


def _monthly(s: Scope, on: str, points: list[dt.datetime]) -> list[tuple[dt.datetime, float]]:
    # the filtered rows are a sub-query named r; ``amount`` and the ON clause read r's columns
    amount = s.amount("r.")
    return s.cat.con.execute(
        f"WITH b AS (SELECT unnest($points::TIMESTAMP[]) AS at) "
        f"SELECT b.at, coalesce(sum({amount}), 0)::DOUBLE FROM b LEFT JOIN {s.rows()} AS r ON {on} "
        f"GROUP BY b.at ORDER BY b.at", {**s.binds, "points": points}).fetchall()


#: kind → measure (the data's scope, the counterfactual's scope or None); the order is the documentation's
KINDS: dict[str, Callable[[Scope, Scope | None], Verdict]] = {
    "trend": trend,
    "month_over_month": month_over_month,
    "window_ratio": window_ratio,
    "spike": spike,
    "row_count": row_count,
    "mean_in_range": mean_in_range,
    "share": share,
}
