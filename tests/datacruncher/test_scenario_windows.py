"""Scenario expectations prove their story: measured inside a window against a baseline outside it (the days
before, the same days a year earlier, the rest of the data, or the same schema generated without the scenario).

Every dataset is built in code with exact counts; for every kind a deliberately wrong dataset must fail."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from datacruncher.crunch import crunch
from datagen_contracts.metadata import (
    DatasetMetadata,
    Expectation,
    GeneratorInfo,
    ScenarioInfo,
    SchemaRef,
    Timeframe,
    dump_metadata,
)
from datagen_contracts.report import dumps_report

from .conftest import write

H1_2025 = {"start": "2025-01-01", "end": "2025-06-30"}


def signups(directory, *, first: dt.date, per_day) -> int:
    """One customer table: ``per_day(date)`` signups on each day from ``first`` to 2025-06-30, at 09:00 + i seconds."""
    times, day = [], first
    while day <= dt.date(2025, 6, 30):
        base = dt.datetime.combine(day, dt.time(9))
        times += [base + dt.timedelta(seconds=i) for i in range(per_day(day))]
        day += dt.timedelta(days=1)
    write(directory, "customer", {"customer_id": list(range(len(times))), "signed_up_at": times,
                                  "plan": ["pro" if i % 4 == 0 else "basic" for i in range(len(times))],
                                  "mrr": [100.0 + (i % 7) for i in range(len(times))]})
    return len(times)


def seasonal(day: dt.date) -> int:
    """A yearly pattern: 2 a day from January to June, 8 a day from July to December — every year."""
    return 2 if day.month <= 6 else 8


def stalled(day: dt.date) -> int:
    """The yearly pattern, and a real stall: 2025 has 1 a day from January to June (half of 2024's 2)."""
    return 1 if day.year == 2025 and day.month <= 6 else seasonal(day)


def metadata(directory, *expectations, start="2024-07-01", scenario="demo", seed=7, sha="a" * 64):
    dump_metadata(DatasetMetadata(
        dataset_name="s", generator=GeneratorInfo(name="g", version="1"), generated_at="2025-07-01T00:00:00Z",
        seed=seed, schema=SchemaRef(path="schema.json", sha256=sha),
        timeframe=Timeframe(start=start, end="2025-06-30"),
        scenario=None if scenario is None else ScenarioInfo(name=scenario, expectations=list(expectations))),
        directory / ".metadata.json")


def checks(directory, baseline=None):
    report = crunch(directory, personas="DE", baseline=baseline)
    return {d.expected["id"]: d for d in report.drift if d.kind == "scenario"}, report


SLOWDOWN = Expectation(id="signups_slow", kind="trend", params={
    "table": "customer", "time": "signed_up_at", "direction": "down", "min_change": 0.2, "window": H1_2025})


def test_a_yearly_pattern_alone_does_not_satisfy_a_slowdown(tmp_path):
    # two years of data: the window is compared with the same months a year before, where the pattern is the same
    for name, per_day, status, change in (("pattern", seasonal, "drift", 0.0), ("stall", stalled, "ok", -0.5)):
        d = tmp_path / name
        signups(d, first=dt.date(2023, 7, 1), per_day=per_day)
        metadata(d, SLOWDOWN, start="2023-07-01")
        by, _ = checks(d)
        got = by["signups_slow"]
        assert got.status == status, got.message
        assert got.observed["baseline"] == "year_before" and got.observed["before"]["start"] == "2024-01-01T00:00:00"
        assert got.value == pytest.approx(change, abs=1e-9)
        assert got.observed["value"] == pytest.approx(per_day(dt.date(2025, 3, 1)))  # per day in the window
    # the same pattern measured against the half-year right before (baseline: before) looks like a 75% drop:
    # that is exactly what auto refuses to take for a slowdown
    d = tmp_path / "pattern"
    metadata(d, Expectation(id="signups_slow", kind="trend", params={**SLOWDOWN.params, "baseline": "before"}),
             start="2023-07-01")
    got = checks(d)[0]["signups_slow"]
    assert got.status == "ok" and got.value == pytest.approx(2 / 8 - 1, rel=1e-9)  # the 181 days before: all at 8 a day


def test_less_than_a_year_of_data_cannot_prove_a_trend_without_a_counterfactual(tmp_path):
    d = tmp_path / "stall"
    signups(d, first=dt.date(2024, 7, 1), per_day=stalled)
    metadata(d, SLOWDOWN)
    got = checks(d)[0]["signups_slow"]
    assert got.status == "skipped" and "yearly pattern" in got.message and "--baseline" in got.message
    assert got.value is None


def test_the_counterfactual_same_schema_without_the_scenario(tmp_path):
    cf, stall, pattern = tmp_path / "cf", tmp_path / "stall", tmp_path / "pattern"
    signups(cf, first=dt.date(2024, 7, 1), per_day=seasonal)
    metadata(cf, scenario=None)
    for d, per_day in ((stall, stalled), (pattern, seasonal)):
        signups(d, first=dt.date(2024, 7, 1), per_day=per_day)
        metadata(d, SLOWDOWN, Expectation(id="pro_share_up", kind="share", params={
            "table": "customer", "column": "plan", "value": "pro", "min": 0.3, "window": H1_2025}))
    by, _ = checks(stall, baseline=cf)
    got = by["signups_slow"]
    # difference in differences: (1/day in the window ÷ 8/day before) ÷ (2/day ÷ 8/day) − 1
    assert got.status == "ok" and got.observed["baseline"] == "counterfactual"
    assert got.value == pytest.approx((1 / 8) / (2 / 8) - 1, rel=1e-9)
    assert got.observed["counterfactual_value"] == pytest.approx(2.0)
    # the share claim: 25% pro inside the window in both datasets → it does not hold (nothing changed)
    assert by["pro_share_up"].status == "drift" and by["pro_share_up"].observed["baseline"] == "counterfactual"
    by, _ = checks(pattern, baseline=cf)
    assert by["signups_slow"].status == "drift" and by["signups_slow"].value == pytest.approx(0.0, abs=1e-12)
    # a counterfactual generated with the very same scenario cannot show what the scenario changed
    metadata(cf, SLOWDOWN)
    by, _ = checks(stall, baseline=cf)
    assert by["signups_slow"].status == "error" and "same scenario" in by["signups_slow"].message
    # another seed: still compared, and the message says so
    metadata(cf, scenario=None, seed=8)
    by, _ = checks(stall, baseline=cf)
    assert by["signups_slow"].status == "ok" and "different seed" in by["signups_slow"].message


def test_a_trend_asked_for_a_size_must_reach_it(tmp_path):
    d = tmp_path / "d"
    # 1000 a day before 2025, 956 a day after: −4.4%
    signups(d, first=dt.date(2024, 1, 1), per_day=lambda day: 956 if day.year == 2025 else 1000)
    asked = {"table": "customer", "time": "signed_up_at", "window": H1_2025, "change": -0.044}
    metadata(d, Expectation(id="exact", kind="trend", params=asked),
             Expectation(id="bigger", kind="trend", params={**asked, "change": -0.1}),
             Expectation(id="loose", kind="trend", params={**asked, "change": -0.1, "tolerance": 0.06}),
             Expectation(id="floor", kind="trend", params={**asked, "change": -0.044, "min_change": 0.05}),
             Expectation(id="smaller", kind="trend", params={**asked, "change": -0.035}),
             start="2024-01-01")
    by, report = checks(d)
    assert by["exact"].status == "ok" and by["exact"].value == pytest.approx(-0.044)
    # the default tolerance: 10% of the target, at least half a percentage point
    assert by["exact"].observed["tolerance"] == pytest.approx(0.005) and by["exact"].observed["target"] == -0.044
    assert by["bigger"].status == "drift"  # −4.4% where −10% (± 1%) was asked
    assert by["loose"].status == "ok"
    assert by["smaller"].status == "drift"  # −4.4% where −3.5% (± 0.5%) was asked: too far either way
    assert by["floor"].status == "drift"  # within the target but not past the declared minimum change
    # every measured number is a number on the wire, never text
    drift = [x for x in json.loads(dumps_report(report))["drift"] if x["kind"] == "scenario"]
    for x in drift:
        for key in ("value", "before_value", "change"):
            assert isinstance(x["observed"][key], float), (x["expected"]["id"], key, x["observed"][key])


def tickets(directory, *, crisis: bool, everywhere: bool):
    """Tickets 2024-07-01..2025-06-30: 9 other + 1 shipping a day; ``crisis`` adds 9 shipping a day in the last
    8 days; ``everywhere`` makes shipping 40% all year (6 other + 4 shipping), with no crisis at all."""
    rows, day = [], dt.date(2024, 7, 1)
    while day <= dt.date(2025, 6, 30):
        at = dt.datetime.combine(day, dt.time(10))
        other, ship = (6, 4) if everywhere else (9, 1)
        if crisis and day >= dt.date(2025, 6, 23):
            ship += 9
        rows += [("billing", at, 20.0)] * other + [("shipping", at, 60.0 if crisis and day.month == 6
                                                     and day.day >= 23 else 30.0)] * ship
        day += dt.timedelta(days=1)
    write(directory, "ticket", {"ticket_id": list(range(len(rows))), "category": [r[0] for r in rows],
                                "opened_at": [r[1] for r in rows], "minutes": [r[2] for r in rows]})


CRISIS = {"start": "2025-06-23", "end": "2025-06-30"}
CLAIMS = (
    Expectation(id="share", kind="share", params={"table": "ticket", "column": "category", "value": "shipping",
                                                  "min": 0.25, "window": CRISIS}),
    Expectation(id="rows", kind="row_count", params={"table": "ticket", "min": 120, "window": CRISIS}),
    Expectation(id="mean", kind="mean_in_range", params={"table": "ticket", "column": "minutes", "min": 30,
                                                         "window": CRISIS}),
    Expectation(id="spike", kind="spike", params={"table": "ticket", "where": {"category": "shipping"},
                                                  "window": CRISIS, "baseline_days": 56, "min_ratio": 3}),
    Expectation(id="surge", kind="window_ratio", params={"table": "ticket", "recent_days": 8, "previous_days": 28,
                                                         "min_ratio": 1.5}),
)


def test_claims_hold_in_their_window_and_not_outside_it(tmp_path):
    crisis, calm, everywhere = tmp_path / "crisis", tmp_path / "calm", tmp_path / "everywhere"
    for d, args in ((crisis, (True, False)), (calm, (False, False)), (everywhere, (False, True))):
        tickets(d, crisis=args[0], everywhere=args[1])
        metadata(d, *CLAIMS)
    by, _ = checks(crisis)
    assert {k: v.status for k, v in by.items()} == {k: "ok" for k in by}, [v.message for v in by.values()]
    assert by["share"].value == pytest.approx(10 / 19) and by["share"].observed["baseline_value"] == pytest.approx(0.1)
    assert by["rows"].value == 8 * 19 and by["rows"].observed["baseline_value"] == pytest.approx(8 * 10)
    assert by["spike"].value == pytest.approx(10.0) and by["surge"].value == pytest.approx(1.9)
    by, _ = checks(calm)  # no crisis: every claim fails
    assert {k: v.status for k, v in by.items()} == {k: "drift" for k in by}, [v.message for v in by.values()]
    # shipping at 40% all year satisfies "share ≥ 25%" in the window — and outside it, so it proves nothing
    by, _ = checks(everywhere)
    assert by["share"].status == "drift" and by["share"].value == pytest.approx(0.4)
    assert by["share"].observed["baseline_value"] == pytest.approx(0.4) and "must not hold" in by["share"].message
    # baseline: none keeps the claim to the window alone
    metadata(everywhere, Expectation(id="share", kind="share", params={**CLAIMS[0].params, "baseline": "none"}))
    assert checks(everywhere)[0]["share"].status == "ok"


def test_bad_windows_and_baselines_are_errors_not_passes(tmp_path):
    d = tmp_path / "d"
    tickets(d, crisis=True, everywhere=False)
    metadata(d,
             Expectation(id="w", kind="share", params={"table": "ticket", "column": "category", "value": "shipping",
                                                       "window": {"start": "2025-06-30", "end": "2025-06-01"}}),
             Expectation(id="b", kind="trend", params={"table": "ticket", "window": CRISIS, "baseline": "lastyear"}),
             Expectation(id="y", kind="trend", params={"table": "ticket", "window": CRISIS, "baseline": "year_before"}),
             Expectation(id="c", kind="spike", params={"table": "ticket", "window": CRISIS,
                                                       "baseline": "counterfactual"}))
    by, _ = checks(d)
    assert by["w"].status == "error" and "end must be after" in by["w"].message
    assert by["b"].status == "error" and "baseline must be one of" in by["b"].message
    assert by["y"].status == "error" and "starts 2024-07-01" in by["y"].message
    assert by["c"].status == "skipped" and "--baseline DIR" in by["c"].message
