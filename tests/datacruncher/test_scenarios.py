"""Scenario expectations from .metadata.json: every kind met and not met, with the measured value."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from datacruncher.crunch import crunch
from datagen_contracts.metadata import (
    DatasetMetadata,
    Expectation,
    GeneratorInfo,
    ScenarioInfo,
    Timeframe,
    dump_metadata,
)

from .conftest import write

START = dt.datetime(2024, 7, 1)


def subscriptions(directory, *, churn_late: bool):
    """120 subscriptions (mrr 100 each) starting every 3 days from 2024-07-01; with churn_late, 40 of them cancel
    in 2025 (8 per month Jan-May), otherwise none."""
    starts = [START + dt.timedelta(days=3 * i) for i in range(120)]
    canceled = [None] * 120
    if churn_late:
        for k in range(40):
            canceled[k] = dt.datetime(2025, 1 + k // 8, 3 + k % 8)
    write(directory, "subscription", {"sub_id": list(range(120)), "mrr": [100.0] * 120,
                                      "started_at": starts, "canceled_at": canceled})


def tickets(directory, *, spike: int):
    """2 'billing' tickets a day all year; plus ``spike`` 'shipping' tickets a day from 2025-06-24 (and 1 a day
    of shipping before)."""
    rows = []
    day = START
    while day < dt.datetime(2025, 7, 1):
        rows += [("billing", day + dt.timedelta(hours=9)), ("billing", day + dt.timedelta(hours=15)),
                 ("shipping", day + dt.timedelta(hours=11))]
        if day >= dt.datetime(2025, 6, 24):
            rows += [("shipping", day + dt.timedelta(hours=12, minutes=m)) for m in range(spike)]
        day += dt.timedelta(days=1)
    write(directory, "ticket", {"ticket_id": list(range(len(rows))), "category": [r[0] for r in rows],
                                "opened_at": [r[1] for r in rows]})


def metadata(directory, *expectations):
    dump_metadata(DatasetMetadata(
        dataset_name="s", generator=GeneratorInfo(name="g", version="1"), generated_at="2025-07-01T00:00:00Z",
        timeframe=Timeframe(start="2024-07-01", end="2025-06-30"),
        scenario=ScenarioInfo(name="demo", expectations=list(expectations))), directory / ".metadata.json")


def results(directory):
    report = crunch(directory, personas="DE")
    return {d.expected["id"]: d for d in report.drift if d.kind == "scenario"}, report


MOM_DOWN = Expectation(id="mrr_down", kind="month_over_month", params={
    "table": "subscription", "column": "mrr", "start": "started_at", "end": "canceled_at", "direction": "down",
    "months": 5, "min_share": 0.8})


def test_month_over_month_stock_down_met_and_not_met(tmp_path):
    stall, growth = tmp_path / "stall", tmp_path / "growth"
    for d, late in ((stall, True), (growth, False)):
        subscriptions(d, churn_late=late)
        tickets(d, spike=0)
        metadata(d, MOM_DOWN)
    # every start is before 2025-06 (120 × 3 days), so from February on only cancellations move the stock
    by, _ = results(stall)
    mom = by["mrr_down"]
    values = mom.observed["values"]
    # recompute: active at each month start 2025-02..07 = started before, not yet canceled
    assert mom.observed["months"][0] == "2025-02-01" and len(values) == 6
    assert values == [100.0 * v for v in _active_counts(True)]
    counts = _active_counts(True)
    share = sum(b < a for a, b in itertools.pairwise(counts)) / 5
    assert mom.value == share and mom.status == ("ok" if share >= 0.8 else "drift")
    by, report = results(growth)
    assert by["mrr_down"].status == "drift" and by["mrr_down"].value == 0.0
    (issue,) = [i for i in report.issues if i.rule_id == "scenario_drift.month_over_month"]
    assert issue.severity == "high" and issue.category == "scenario" and issue.fix.path == "schema"
    assert issue.fix.action == "patch_scenario"  # not a generic "review": which scenario, which expectation
    assert issue.fix.scenario == "demo" and issue.fix.expectation == "mrr_down"
    assert issue.fix.expected["direction"] == "down" and issue.fix.observed["values"]
    assert "churn" in issue.fix.suggestion and "To fix" in issue.finding
    assert issue.recommendation.startswith("Patch scenario 'demo' so that mrr_down holds")


def _active_counts(churn_late: bool) -> list[int]:
    starts = [START + dt.timedelta(days=3 * i) for i in range(120)]
    ends = [dt.datetime(2025, 1 + k // 8, 3 + k % 8) if churn_late and k < 40 else None for k in range(120)]
    points = [dt.datetime(2025, m, 1) for m in range(2, 8)]
    return [sum(1 for s, e in zip(starts, ends, strict=True) if s < p and (e is None or e >= p)) for p in points]


def test_month_over_month_declines_when_churn_beats_signups(tmp_path):
    d = tmp_path / "d"
    subscriptions(d, churn_late=True)
    tickets(d, spike=0)
    # only subscriptions started before 2025 count (the rest are filtered away by 'where' on a flag column)
    import pyarrow.parquet as pq

    t = pq.read_table(d / "subscription.parquet").to_pydict()
    t["cohort"] = ["old" if s < dt.datetime(2025, 1, 1) else "new" for s in t["started_at"]]
    write(d, "subscription", t)
    metadata(d, Expectation(id="old_mrr_down", kind="month_over_month", params={
        **MOM_DOWN.params, "where": {"cohort": "old"}}))
    by, _ = results(d)
    # 2025-02..07: 5400, 4600, 3800, 3000, 2200, 2200 (nobody cancels in June): 4 of 5 changes are declines
    assert by["old_mrr_down"].status == "ok" and by["old_mrr_down"].value == 0.8
    assert by["old_mrr_down"].observed["values"][0] == 100.0 * (62 - 8)  # 62 old ones, 8 canceled in January


@pytest.mark.parametrize("spike, status", [(12, "ok"), (1, "drift")])
def test_spike_and_window_ratio(tmp_path, spike, status):
    d = tmp_path / "d"
    subscriptions(d, churn_late=False)
    tickets(d, spike=spike)
    metadata(d,
             Expectation(id="spike", kind="spike", params={"table": "ticket", "time": "opened_at",
                                                           "where": {"category": "shipping"}, "start": "2025-06-24",
                                                           "end": "2025-06-30T23:59:59", "min_ratio": 3}),
             Expectation(id="surge", kind="window_ratio", params={"table": "ticket", "time": "opened_at",
                                                                  "recent_days": 7, "previous_days": 28, "min_ratio": 2}))
    by, _ = results(d)
    # shipping: 1 + spike per day inside, 1 per day before → ratio 1 + spike
    assert by["spike"].status == status and by["spike"].value == pytest.approx(1 + spike, rel=1e-4)
    # all tickets: 3 + spike per day in the last 7 days, 3 per day before
    assert by["surge"].value == pytest.approx((3 + spike) / 3, rel=1e-4)
    assert by["surge"].status == ("ok" if (3 + spike) / 3 >= 2 else "drift")


def test_other_kinds_unknown_kinds_and_errors(tmp_path):
    d = tmp_path / "d"
    subscriptions(d, churn_late=False)
    tickets(d, spike=0)
    metadata(d,
             Expectation(id="share", kind="share", params={"table": "ticket", "column": "category", "value": "billing",
                                                           "min": 0.6, "max": 0.7}),
             Expectation(id="rows", kind="row_count", params={"table": "subscription", "min": 121}),
             Expectation(id="mean", kind="mean_in_range", params={"table": "subscription", "column": "mrr", "min": 99,
                                                                  "max": 101}),
             Expectation(id="trend", kind="trend", params={"table": "subscription", "time": "started_at",
                                                           "direction": "flat", "min_change": 0.1,
                                                           "baseline": "before"}),
             Expectation(id="unproven", kind="trend", params={"table": "subscription", "time": "started_at",
                                                              "direction": "flat"}),
             Expectation(id="odd", kind="ticket_weather", params={"table": "ticket"}),
             Expectation(id="gone", kind="share", params={"table": "tickets", "column": "x", "value": 1}),
             Expectation(id="nocol", kind="spike", params={"table": "ticket", "time": "opened", "start": "2025-01-01",
                                                           "end": "2025-01-02"}))
    by, report = results(d)
    assert by["share"].status == "ok" and by["share"].value == pytest.approx(2 / 3)
    assert by["rows"].status == "drift" and by["rows"].value == 120
    assert by["mean"].status == "ok" and by["mean"].value == 100
    assert by["trend"].status == "ok" and abs(by["trend"].value) < 0.1  # one start every 3 days, all year
    assert by["unproven"].status == "skipped" and "yearly pattern" in by["unproven"].message  # one year of data
    assert by["odd"].status == "skipped" and "not verified" in by["odd"].message and "month_over_month" in by["odd"].message
    assert by["gone"].status == "error" and "table 'tickets' not in the dataset" in by["gone"].message
    assert by["nocol"].status == "error" and "column ticket.opened not in the dataset" in by["nocol"].message
    assert {i.rule_id for i in report.issues if i.category == "scenario"} == {"scenario_drift.row_count"}
