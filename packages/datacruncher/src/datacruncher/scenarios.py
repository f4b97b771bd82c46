"""Scenario checks: the expectations a ``.metadata.json`` scenario declares, verified on the data.

Every expectation becomes one ``drift`` entry of kind ``scenario`` (``ok`` = met, ``drift`` = not met, with the
measured value and every number behind it in ``observed``; ``skipped`` with the reason when the data cannot prove
or disprove it, or for a kind this version does not know; ``error`` when its table or columns are missing); every
unmet one also becomes a high issue ``scenario_drift.<kind>`` whose fix hint (path ``schema``) carries the
scenario, the expectation and a suggestion of what to patch.

**A scenario's claim is about a change, so it is measured inside a window against a baseline outside it.**
``window: {start, end}`` (ISO timestamps, both inclusive) names the period the scenario acts on; ``baseline``
says what it is compared with:

- ``before``: the same number of days right before the window (``baseline_days`` where a kind has it);
- ``year_before``: the same calendar days one year earlier — a yearly pattern cancels out;
- ``outside``: every row outside the window (share, mean and row-count claims);
- ``counterfactual``: the same window of a dataset generated *without* the scenario — same schema, same seed —
  given to crunch with ``--baseline DIR``. Anything the scenario did not change cancels out;
- ``none``: no comparison (the claim is about the window alone).

Kinds (params; ``where`` is optional everywhere: ``{column: value | [values]}``, rows kept when equal):

- ``trend`` {table, column?, measure? = sum|mean|count, time?, direction: up|down|flat, min_change? = 0.05,
  change?, tolerance?, window?, baseline? = auto} (``min_change`` defaults to 0 when ``change`` is given): the change of the per-day volume (``count``/``sum``) or of
  the ``mean`` from the baseline to the window. Without a window, the window is the second half of the span
  (declared timeframe, else the data's). ``auto`` is ``counterfactual`` when one is given, else ``year_before``
  when the data reaches a year back, else the check is *skipped*: over less than a year a yearly pattern cannot
  be told from a trend. ``before`` accepts that risk explicitly. With a counterfactual the change is a
  difference in differences, (window ÷ before) here over the same in the counterfactual, when the span has room
  before the window, else window ÷ window. ``change`` asks for a size (±``tolerance``, default 10% of it).
- ``month_over_month`` {table, column?, time? | start + end?, direction: up|down, months? = 6, min_share? = 0.8}:
  over the last ``months`` complete months, the share of month-to-month changes that go in ``direction``. With
  ``time``: the monthly sum of ``column`` (or count) of events. With ``start``/``end``: a stock measured at each
  month boundary — the rows with start < boundary and (end is null or end ≥ boundary), e.g. MRR from
  subscriptions (started_at, canceled_at).
- ``window_ratio`` {table, column?, time?, recent_days? = 7, previous_days? = 28, min_ratio?, max_ratio?,
  baseline? = before}: the per-day volume of the last ``recent_days`` before the data's end against the
  ``previous_days`` before them ("tickets in the last 7 days ≥ 2× the previous 28").
- ``spike`` {table, column?, time?, start + end | window, baseline_days? = 28, min_ratio? = 2, max_ratio?,
  baseline? = before}: the per-day volume inside the window against the ``baseline_days`` before it.
- ``row_count``, ``mean_in_range`` {column}, ``share`` {column, value} — with {min?, max?, window?,
  baseline? = auto}: the rows, the mean, or the share of rows where column = value. With a window the claim must
  hold inside it **and fail in the baseline** (``auto``: the counterfactual's window when given, else outside
  the window; a row count outside is scaled to the window's length) — a share that is high all year does not
  prove a crisis week.

The span's end is the declared timeframe end (``.metadata.json``), else the latest value of the time column.
Values from the expectation are bound as SQL parameters; identifiers are quoted; every measured number is a
number in the report (never text).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from datagen_contracts.report import DriftResult
from datagen_contracts.text import quote_ident

from .catalog import Catalog
from .model import Model
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
    scope_for,
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

def _trend(s: Scope, cf: Scope | None) -> Verdict:
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


def _window_ratio(s: Scope, cf: Scope | None) -> Verdict:
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


def _spike(s: Scope, cf: Scope | None) -> Verdict:
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


def _row_count(s: Scope, cf: Scope | None) -> Verdict:
    n, where, observed, held = _claim("count", s, cf)
    met = bounds(n, s.params) and not held
    return Verdict(n, met, f"{s.table.name} has {n:.0f} rows{where} (expected {range_text(s.params)})",
                   observed=observed, hint="change the table's rows (or the parent's fanout) in the scenario's patches")


def _mean_in_range(s: Scope, cf: Scope | None) -> Verdict:
    mean, where, observed, held = _claim("mean", s, cf)
    col = s.params["column"]
    return Verdict(mean, bounds(mean, s.params) and not held,
                   f"mean of {s.table.name}.{col} is {mean:.4g}{where} (expected {range_text(s.params)})",
                   observed=observed,
                   hint=f"shift {s.table.name}.{col}: its distribution parameters or a multiply/add modifier")


def _share(s: Scope, cf: Scope | None) -> Verdict:
    share, where, observed, held = _claim("share", s, cf)
    col = s.params["column"]
    return Verdict(share, bounds(share, s.params) and not held,
                   f"{share:.1%} of {s.table.name} rows have {col} = {s.params['value']}{where} "
                   f"(expected {range_text(s.params)})", observed=observed,
                   hint=f"change the choice weights of {s.table.name}.{col} (or an effect window that concentrates "
                        "it) in the scenario's patches")


def _month_over_month(s: Scope, cf: Scope | None) -> Verdict:
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
    "trend": _trend,
    "month_over_month": _month_over_month,
    "window_ratio": _window_ratio,
    "spike": _spike,
    "row_count": _row_count,
    "mean_in_range": _mean_in_range,
    "share": _share,
}


def _counterfactual_note(meta: Any, other: Catalog | None) -> tuple[str, str | None]:
    """(a note on the counterfactual for every message, an error when it cannot be one)."""
    if other is None:
        return "", None
    theirs = other.metadata
    if theirs is None:
        return " [counterfactual: a dataset without .metadata.json — same seed not verifiable]", None
    if theirs.scenario is not None and theirs.scenario.name == meta.scenario.name:
        return "", (f"the --baseline dataset was generated with the same scenario ({meta.scenario.name!r}): it "
                    "cannot show what the scenario changed")
    same_seed = theirs.seed == meta.seed
    same_schema = theirs.schema is not None and meta.schema is not None and theirs.schema.sha256 == meta.schema.sha256
    if same_seed and same_schema:
        return "", None
    what = " and ".join(w for w, ok in (("seed", same_seed), ("schema", same_schema)) if not ok)
    return f" [counterfactual: a different {what} — random differences are part of the change]", None


def scenario_checks(cat: Catalog, model: Model, counterfactual: tuple[Catalog, Model] | None = None) -> list[DriftResult]:
    """One drift result per declared expectation (none when ``.metadata.json`` names no scenario).

    ``counterfactual``: the same schema generated without the scenario (``crunch --baseline DIR``), the baseline
    that ``auto`` picks first."""
    meta = cat.metadata
    if meta is None or meta.scenario is None:
        return []
    note, refused = _counterfactual_note(meta, counterfactual[0] if counterfactual else None)
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
            if refused:
                raise ExpectationError(refused)
            cf = scope_for(*counterfactual, e.params) if counterfactual else None
            v = measure(scope_for(cat, model, e.params), cf)
        except Unverifiable as exc:
            out.append(DriftResult(**base, status="skipped", message=f"{e.id}: not verifiable on this data: {exc}"))
            continue
        except (ExpectationError, TypeError, ValueError) as exc:
            out.append(DriftResult(**base, status="error", message=f"{e.id}: {exc}"))
            continue
        verdict = "holds" if v.met else "does NOT hold"
        message = f"scenario {meta.scenario.name!r} expectation {e.id} {verdict}: {v.what}{note}"
        if not v.met:  # the issue built from this result carries ``expected`` as its fix hint's params
            message += f". To fix (in the scenario's patches): {v.hint}"
            base["expected"] = {**base["expected"], "scenario": meta.scenario.name, "suggestion": v.hint}
        out.append(DriftResult(**base, status="ok" if v.met else "drift", observed=v.observed,
                               value=round(v.value, 6), threshold=v.threshold, message=message))
    return out
