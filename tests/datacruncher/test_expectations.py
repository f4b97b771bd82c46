"""Schema expectations without false positives on clean data: bool and mapped choices, clamped and segmented
fanouts, attribute dates with their own windows."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from datacruncher import crunch

from .conftest import BASE, write


def _schema(tmp_path, nodes, constraints=None, targets=None):
    doc = {"version": "1.0", "metadata": {"name": "x"},
           "timeframe": {"start": "2024-01-01T00:00:00Z", "end": "2024-12-31T23:59:59Z"},
           "constraints": constraints or {}, "nodes": nodes}
    if targets:
        doc["targets"] = targets
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(doc))
    return path


def _drift(report, metric, table, column=None):
    (found,) = [d for d in report.drift if d.metric == metric and d.table == table and d.column == column]
    return found


def test_bool_and_mapped_choices_compare_after_the_cast_and_the_mapping(tmp_path):
    n = 1000
    write(tmp_path / "d", "student", {"student_id": list(range(n)), "iep_flag": [i % 100 < 13 for i in range(n)],
                                      "status": ["Active" if i % 10 < 5 else "Blocked" if i % 10 < 8 else "Closed"
                                                 for i in range(n)],
                                      "score": [float(i % 7) for i in range(n)]})
    cols = [{"name": "student_id", "type": "int", "generator": {"sequence": {}}},
            {"name": "iep_flag", "type": "bool", "generator": {"choice": {"choices": [True, False], "weights": [0.13, 0.87]}}},
            {"name": "status", "type": "string", "generator": {"choice": {"choices": ["A", "B", "C"], "weights": [5, 3, 2]}},
             "modifiers": [{"transform": "map_values", "args": {"mapping": {"A": "Active", "B": "Blocked", "C": "Closed"}}}]},
            {"name": "score", "type": "float", "generator": {"choice": {"choices": [1, 2], "weights": [1, 1]}},
             "modifiers": [{"transform": "multiply", "args": {"factor": 3}}]}]
    schema = _schema(tmp_path, [{"id": "student", "kind": "entity", "rows": n, "pk": "student_id", "columns": cols}])
    report = crunch(tmp_path / "d", schema=schema, personas="DE")
    assert (_drift(report, "choice_weights", "student", "iep_flag").value, _drift(report, "choice_weights", "student", "iep_flag").status) == (0.0, "ok")
    assert _drift(report, "choice_weights", "student", "status").value == 0.0
    score = _drift(report, "choice_weights", "student", "score")
    assert score.status == "skipped" and "'multiply' modifier" in score.message


def test_choice_drift_needs_effect_and_evidence(tmp_path):
    # 200 rows at 56/44 against 50/50: TVD 0.06 > 0.05 but p ~ 0.09, sampling noise
    write(tmp_path / "d", "u", {"uid": list(range(200)), "plan": ["a"] * 112 + ["b"] * 88})
    cols = [{"name": "uid", "type": "int", "generator": {"sequence": {}}},
            {"name": "plan", "type": "string", "generator": {"choice": {"choices": ["a", "b"]}}}]
    report = crunch(tmp_path / "d", schema=_schema(tmp_path, [{"id": "u", "kind": "entity", "rows": 200, "pk": "uid",
                                                                "columns": cols}]), personas="DE")
    plan = _drift(report, "choice_weights", "u", "plan")
    assert plan.value == pytest.approx(0.06) and plan.status == "ok" and "sampling noise" in plan.message


PARENT_COLS = [{"name": "pid", "type": "int", "generator": {"sequence": {}}}]
CHILD_COLS = [{"name": "cid", "type": "int", "generator": {"sequence": {}}},
              {"name": "pid", "type": "int", "generator": {"lookup": {"from": "parent.pid"}}}]


def _parents_children(tmp_path, per_parent, segments=None):
    parents = len(per_parent)
    cols = {"pid": list(range(parents))}
    if segments:
        cols["tier"] = segments
    write(tmp_path / "d", "parent", cols)
    kids = [p for p, k in enumerate(per_parent) for _ in range(k)]
    write(tmp_path / "d", "child", {"cid": list(range(len(kids))), "pid": kids})


def test_fanout_mean_of_a_clamped_poisson(tmp_path):
    # poisson(3) clipped to [1, 10] has mean 3.0494; the data has exactly that many rows per parent
    _parents_children(tmp_path, [3] * 5000 + [4] * 247)
    nodes = [{"id": "parent", "kind": "entity", "rows": 5247, "pk": "pid", "columns": PARENT_COLS},
             {"id": "child", "kind": "fact", "parents": ["parent"], "pk": "cid",
              "fanout": {"distribution": "poisson", "lambda": 3, "min": 1, "max": 10}, "columns": CHILD_COLS}]
    report = crunch(tmp_path / "d", schema=_schema(tmp_path, nodes), personas="DE")
    fan = _drift(report, "fanout_mean", "child")
    assert fan.expected == pytest.approx(3.0494, abs=1e-4) and fan.status == "ok" and fan.value < 0.001


def test_fanout_mean_with_segment_multipliers_and_vintage(tmp_path):
    # 30% "pro" parents with fanout x2.5, 70% "free" with x1: expected 0.3*10 + 0.7*4 = 5.8
    per = [10 if i % 10 < 3 else 4 for i in range(2000)]
    _parents_children(tmp_path, per, ["pro" if i % 10 < 3 else "free" for i in range(2000)])
    seg = {"segment_column": "tier", "behaviors": {"pro": {"fanout_multiplier": 2.5}, "free": {"fanout_multiplier": 1.0}}}
    tier = {"name": "tier", "type": "string", "generator": {"choice": {"choices": ["pro", "free"], "weights": [3, 7]}}}
    parent = {"id": "parent", "kind": "entity", "rows": 2000, "pk": "pid", "segment_behavior": seg,
              "columns": [*PARENT_COLS, tier,
                          {"name": "x", "type": "datetime", "generator": {"datetime_series": {"within": "timeframe"}}}]}
    child = {"id": "child", "kind": "fact", "parents": ["parent"], "pk": "cid",
             "fanout": {"distribution": "poisson", "lambda": 4}, "columns": CHILD_COLS}
    report = crunch(tmp_path / "d", schema=_schema(tmp_path, [parent, child]), personas="DE")
    fan = _drift(report, "fanout_mean", "child")
    assert fan.expected == pytest.approx(5.8) and fan.observed == pytest.approx(5.8) and fan.status == "ok"
    parent["vintage_behavior"] = {"created_at_column": "x", "age_based_multipliers": {
        "decay": {"curve": [1.0, 0.5], "time_unit": "month", "applies_to": "fanout"}}}
    report = crunch(tmp_path / "d", schema=_schema(tmp_path, [parent, child]), personas="DE")
    fan = _drift(report, "fanout_mean", "child")
    assert fan.status == "skipped" and "vintage curve 'decay'" in fan.message


def _dates(tmp_path, early_share, *, window=None, after_parent=None):
    n = 1000
    born = [BASE - dt.timedelta(days=400) if i < early_share * n else BASE + dt.timedelta(days=i % 300) for i in range(n)]
    write(tmp_path / "d", "student", {"student_id": list(range(n)), "birth_date": born})
    gen = {"datetime_series": {"within": window or "timeframe", "freq": "D"}}
    col = {"name": "birth_date", "type": "datetime", "generator": gen}
    if after_parent is not None:
        col["after_parent"] = after_parent
    return _schema(tmp_path, [{"id": "student", "kind": "entity", "rows": n, "pk": "student_id",
                               "columns": [{"name": "student_id", "type": "int", "generator": {"sequence": {}}}, col]}])


def _leak(report):
    return [r for r in report.checks.results if r.rule_id == "timeframe_start_leaks"]


def test_start_leaks_are_a_minority_slipping_out_of_the_window(tmp_path):
    report = crunch(tmp_path / "d", schema=_dates(tmp_path, 0.02), personas="DE")
    (issue,) = [i for i in report.issues if i.rule_id == "timeframe_start_leaks"]
    assert issue.measure.failed_row_count == 20 and issue.severity == "medium"


def test_attribute_dates_are_not_leaks(tmp_path):
    # its own window, declared in the schema
    schema = _dates(tmp_path, 1.0, window={"start": "2006-01-01", "end": "2024-12-31"})
    assert [r.status for r in _leak(crunch(tmp_path / "d", schema=schema, personas="DE"))] == ["passed"]
    # after_parent: false
    schema = _dates(tmp_path, 0.02, after_parent=False)
    (r,) = _leak(crunch(tmp_path / "d", schema=schema, personas="DE"))
    assert r.status == "skipped" and "after_parent: false" in r.reason
    # no schema: most values before the window start → an attribute date with its own range
    _dates(tmp_path, 0.9)
    from datagen_contracts.metadata import DatasetMetadata, GeneratorInfo, TableInfo, Timeframe, dump_metadata

    dump_metadata(DatasetMetadata(dataset_name="s", generator=GeneratorInfo(name="g", version="1"),
                                  generated_at="2024-01-01T00:00:00Z",
                                  timeframe=Timeframe(start="2024-01-01", end="2024-12-31"),
                                  tables=[TableInfo(name="student", created_at_column="birth_date")]),
                  tmp_path / "d" / ".metadata.json")
    (r,) = _leak(crunch(tmp_path / "d", personas="DE"))
    assert r.status == "skipped" and "90.0% of the values lie before" in r.reason


def test_future_dates_respect_the_columns_own_window(tmp_path):
    n = 500
    write(tmp_path / "d", "shop", {"shop_id": list(range(n)), "opened_on": [BASE + dt.timedelta(days=i % 300) for i in range(n)],
                                   "closed_on": [dt.datetime(2025, 7, 1) + dt.timedelta(days=i % 500) for i in range(n)]})
    cols = [{"name": "shop_id", "type": "int", "generator": {"sequence": {}}},
            {"name": "opened_on", "type": "datetime", "generator": {"datetime_series": {"within": "timeframe"}}},
            {"name": "closed_on", "type": "datetime",
             "generator": {"datetime_series": {"within": {"start": "2025-07-01", "end": "2026-12-31"}}}}]
    schema = _schema(tmp_path, [{"id": "shop", "kind": "entity", "rows": n, "pk": "shop_id", "columns": cols}])
    report = crunch(tmp_path / "d", schema=schema, personas="DE")
    assert not [i for i in report.issues if i.rule_id == "future_dates"]


def test_planned_dates_without_a_declared_window_are_judged_by_their_own_range(tmp_path):
    # no schema, no metadata: the data's end comes from its creation times; an expiry a year after creation and a
    # loan's maturity years later run past it by design, while a handful of typos decades out still count
    n = 2000
    created = [dt.datetime(2022, 1, 1) + dt.timedelta(hours=13 * i) for i in range(n)]
    expires = [c + dt.timedelta(days=365) for c in created]
    typos = [dt.datetime(2099, 1 + i % 12, 1 + i % 27) for i in range(0, n, 250)]
    for k, i in enumerate(range(0, n, 250)):
        expires[i] = typos[k]
    write(tmp_path / "d", "subscription", {"subscription_id": list(range(n)), "created_at": created,
                                           "expires_at": expires,
                                           "matures_on": [c + dt.timedelta(days=365 * (3 + 2 * (i % 4)))
                                                          for i, c in enumerate(created)]})
    report = crunch(tmp_path / "d", personas="DE")
    found = {i.column: i for i in report.issues if i.rule_id == "future_dates"}
    assert set(found) == {"expires_at"}  # matures_on: 92% past the data's end, its own range
    assert found["expires_at"].finding.startswith(f"{len(typos)} values") and "column's own robust end" in found["expires_at"].finding


def test_time_choices_in_an_ordered_pair_are_not_compared(tmp_path):
    n = 300
    starts = [dt.datetime(2024, 1, 1), dt.datetime(2024, 6, 1)]
    write(tmp_path / "d", "effect", {"effect_id": list(range(n)), "start_at": [starts[i % 2] for i in range(n)],
                                     # the generator kept end after start, so the end choices are not 50/50
                                     "end_at": [dt.datetime(2024, 12, 31) if i % 2 or i % 3 else dt.datetime(2024, 5, 31)
                                                for i in range(n)]})
    choice = {"choice": {"choices": ["2024-05-31T00:00:00Z", "2024-12-31T00:00:00Z"]}}
    cols = [{"name": "effect_id", "type": "int", "generator": {"sequence": {}}},
            {"name": "start_at", "type": "datetime",
             "generator": {"choice": {"choices": ["2024-01-01T00:00:00Z", "2024-06-01T00:00:00Z"]}}},
            {"name": "end_at", "type": "datetime", "generator": choice}]
    report = crunch(tmp_path / "d", schema=_schema(tmp_path, [{"id": "effect", "kind": "entity", "rows": n,
                                                                "pk": "effect_id", "columns": cols}]), personas="DE")
    end = _drift(report, "choice_weights", "effect", "end_at")
    assert end.status == "skipped" and "start/end pair" in end.message
    start = _drift(report, "choice_weights", "effect", "start_at")
    assert start.status == "skipped"  # both sides of the pair
