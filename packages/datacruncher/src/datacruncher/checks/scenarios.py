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

from typing import Any

from datagen_contracts.report import DriftResult

from ..model.catalog import Catalog
from ..model.semantic import Model
from .scenario_kinds import KINDS
from .scenario_scope import (
    ExpectationError,
    Unverifiable,
    scope_for,
)


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
