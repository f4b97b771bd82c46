"""validate: one broken dataset per check, each asserting the exact failing-row count; score and CLI wiring."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest
from click.testing import CliRunner

from datagen_core.cli import main
from datagen_core.errors import DatasetReadError
from datagen_core.validate import Check, score_checks, validate

from ._builders import schema_from, shop_doc, shop_tables, write_tables


def run(tmp_path: Path, tables=None, doc=None, types=None):
    root = write_tables(tmp_path / "data", tables or shop_tables(), types)
    return validate(schema_from(doc or shop_doc()), root)


def by_id(report, check_id: str) -> Check:
    found = [c for c in report.checks if c.id == check_id]
    assert found, f"no check {check_id}; have {[c.id for c in report.checks]}"
    return found[0]


def failing(report) -> set[str]:
    return {c.id for c in report.failed}


def test_clean_dataset_passes_every_check(tmp_path):
    report = run(tmp_path)
    assert report.ok, [c.to_dict() for c in report.failed]
    assert report.score == 100.0
    assert report.categories["behavioural"].score is None  # no targets: n/a, not 100
    assert len(report.checks) > 40


def test_three_duplicate_pks_report_three(tmp_path):
    t = shop_tables()
    ids = t["order"]["order_id"]
    ids[10], ids[11], ids[12] = ids[0], ids[1], ids[1]
    report = run(tmp_path, t)
    c = by_id(report, "pk_unique:order.order_id")
    assert (c.status, c.failing_rows, c.measured) == ("fail", 3, 3)
    assert failing(report) == {"pk_unique:order.order_id"}


@pytest.mark.parametrize("shuffle, twin, expected", [(False, False, (True, True)), (True, False, (True, True)),
                                                      (True, True, (False, False))])
def test_permuted_keys_are_unique_and_a_range(tmp_path, shuffle, twin, expected):
    """Keys numbered in time order across chunks are a permutation of their range: unique and a range test for the
    FKs, told by a bitmap (not by file order); a repeat that leaves the count right is still a duplicate."""
    from datagen_core.validate.reading import ValidationContext

    t = shop_tables()
    ids = t["user"]["user_id"]
    if shuffle:
        ids.reverse()
    if twin:
        ids[0] = ids[1]  # one key twice, one missing: same count, same min/max
    root = write_tables(tmp_path / "data", t)
    ctx = ValidationContext(schema_from(shop_doc()), root)
    unique, span = ctx.key_order("user", "user_id")
    assert (unique, span is not None) == expected
    report = validate(schema_from(shop_doc()), root)
    assert (by_id(report, "pk_unique:user.user_id").status == "pass") == (not twin)


def test_null_pk_and_null_in_a_non_nullable_column(tmp_path):
    t = shop_tables()
    t["user"]["user_id"][5] = None
    t["order"]["amount"][3] = None
    t["order"]["amount"][4] = None
    t["order"]["shipped_on"][1] = None  # nullable: fine
    report = run(tmp_path, t)
    assert by_id(report, "pk_not_null:user.user_id").failing_rows == 1
    assert by_id(report, "not_null:order.amount").failing_rows == 2
    assert "not_null:order.shipped_on" not in {c.id for c in report.checks}


def test_orphan_foreign_keys_are_counted(tmp_path):
    t = shop_tables()
    for i in range(4):
        t["order"]["user_id"][i] = 10_000 + i
    report = run(tmp_path, t)
    c = by_id(report, "fk_containment:order.user_id->user.user_id")
    assert (c.status, c.failing_rows) == ("fail", 4)


def test_lookup_from_another_table_is_checked_for_containment(tmp_path):
    doc = shop_doc()
    doc["nodes"][2]["columns"].append(
        {"name": "ref_country", "type": "string", "generator": {"lookup": {"from": "user.country"}}})
    t = shop_tables()
    n = len(t["order"]["order_id"])
    t["order"]["ref_country"] = ["US"] * (n - 2) + ["XX", "YY"]
    report = run(tmp_path, t, doc)
    assert by_id(report, "fk_containment:order.ref_country->user.country").failing_rows == 2


def test_child_before_its_parent_is_a_temporal_failure(tmp_path):
    t = shop_tables()
    parent_created = dict(zip(t["user"]["user_id"], t["user"]["created_at"], strict=True))
    for i in (0, 5, 9):
        t["order"]["ordered_at"][i] = parent_created[t["order"]["user_id"][i]] - timedelta(seconds=1)
    report = run(tmp_path, t)
    c = by_id(report, "after_parent:order.ordered_at")
    assert (c.status, c.failing_rows) == ("fail", 3)
    # the declared cross-table inequality ordered_at >= user.created_at sees the same rows through the FK
    assert by_id(report, "inequality:order.ordered_at >= user.created_at").failing_rows == 3


def test_after_parent_false_columns_are_not_checked_against_the_parent(tmp_path):
    report = run(tmp_path)
    assert "after_parent:order.shipped_on" not in {c.id for c in report.checks}


def test_parent_creation_uses_the_vintage_created_at_column(tmp_path):
    doc = shop_doc()
    user = doc["nodes"][1]
    user["columns"].insert(1, {"name": "birthday", "type": "date", "generator": {"datetime_series": {
        "within": {"start": "1950-01-01", "end": "2000-01-01"}}}})
    user["vintage_behavior"] = {"created_at_column": "created_at"}
    t = shop_tables()
    t["user"] = {"user_id": t["user"]["user_id"], "birthday": [date(1980, 1, 1 + i % 28) for i in range(40)],
                 **{k: v for k, v in t["user"].items() if k != "user_id"}}
    report = run(tmp_path, t, doc)
    assert by_id(report, "after_parent:order.ordered_at").message == "vs user.created_at via user_id"
    assert report.ok


def test_parent_creation_agrees_with_the_engine_when_the_first_time_column_does_not_follow_the_parent(tmp_path):
    """order's first datetime (promised_for, after_parent false) is not its creation: the engine creates orders at
    ordered_at and places shipments after it; validate reads the same choice (from .metadata.json, or the engine's
    rule without it) instead of the first datetime column."""
    from datagen_core.engine import generate

    doc = {"version": "1.0", "metadata": {"name": "ship"}, "timeframe": {"start": "2024-01-01", "end": "2024-12-31"},
           "nodes": [
               {"id": "user", "kind": "entity", "rows": 300, "pk": "user_id", "columns": [
                   {"name": "user_id", "type": "int", "generator": {"sequence": {}}},
                   {"name": "created_at", "type": "datetime", "generator": {"datetime_series": {}}}]},
               {"id": "order", "kind": "fact", "parents": ["user"], "pk": "order_id",
                "fanout": {"distribution": "poisson", "lambda": 2}, "columns": [
                   {"name": "order_id", "type": "int", "generator": {"sequence": {}}},
                   {"name": "user_id", "type": "int", "generator": {"lookup": {"from": "user.user_id"}}},
                   {"name": "promised_for", "type": "datetime", "after_parent": False,
                    "generator": {"datetime_series": {}}},
                   {"name": "ordered_at", "type": "datetime", "generator": {"datetime_series": {}}}]},
               {"id": "shipment", "kind": "fact", "parents": ["order"], "pk": "shipment_id",
                "fanout": {"distribution": "poisson", "lambda": 1, "min": 1}, "columns": [
                   {"name": "shipment_id", "type": "int", "generator": {"sequence": {}}},
                   {"name": "order_id", "type": "int", "generator": {"lookup": {"from": "order.order_id"}}},
                   {"name": "shipped_at", "type": "datetime", "generator": {"datetime_series": {}}}]}]}
    (tmp_path / "s.json").write_text(json.dumps(doc))
    generate(tmp_path / "s.json", tmp_path / "out", seed=4)
    meta = json.loads((tmp_path / "out" / ".metadata.json").read_text())
    assert {t["name"]: t["created_at_column"] for t in meta["tables"]}["order"] == "ordered_at"
    report = validate(schema_from(doc), tmp_path / "out")
    check = by_id(report, "after_parent:shipment.shipped_at")
    assert check.message == "vs order.ordered_at via order_id"
    assert report.ok, [c.to_dict() for c in report.failed]
    (tmp_path / "out" / ".metadata.json").unlink()  # without metadata: the engine's rule, not the first column
    assert by_id(validate(schema_from(doc), tmp_path / "out"), "after_parent:shipment.shipped_at").message == \
        "vs order.ordered_at via order_id"


def test_out_of_range_values(tmp_path):
    t = shop_tables()
    t["order"]["amount"][0] = -5.0
    t["order"]["amount"][1] = 1000.5
    t["user"]["age"][2] = 17
    report = run(tmp_path, t)
    assert by_id(report, "range:order.amount").failing_rows == 2
    assert by_id(report, "range:order.amount").measured == [-5.0, 1000.5]
    assert by_id(report, "range:user.age").failing_rows == 1


def test_pattern_and_enum_and_enum_ref(tmp_path):
    t = shop_tables()
    t["user"]["email"][0] = "not an email"
    t["user"]["country"][1] = "USA"
    t["user"]["country"][2] = "us "
    t["order"]["status"][3] = "PAID"
    report = run(tmp_path, t)
    assert by_id(report, "pattern:user.email").failing_rows == 1
    assert by_id(report, "enum:user.country").failing_rows == 2
    assert by_id(report, "enum:order.status").failing_rows == 1


def test_same_table_inequality(tmp_path):
    doc = shop_doc()
    doc["constraints"]["inequalities"].append({"left": "order.order_id", "op": "<", "right": "order.user_id"})
    t = shop_tables()
    report = run(tmp_path, t, doc)
    expected = sum(1 for o, u in zip(t["order"]["order_id"], t["order"]["user_id"], strict=True) if not o < u)
    assert by_id(report, "inequality:order.order_id < order.user_id").failing_rows == expected > 0


def test_timeframe_bounds_and_future_dates(tmp_path):
    t = shop_tables()
    t["order"]["ordered_at"][0] = datetime(2030, 1, 1)
    t["order"]["shipped_on"][2] = date(2026, 1, 1)  # window ends 2025-06-30
    report = run(tmp_path, t)
    assert by_id(report, "time_bounds:order.ordered_at").failing_rows == 1
    assert by_id(report, "time_bounds:order.shipped_on").failing_rows == 1


def test_arrow_types_float_ids_and_tz_aware_timestamps(tmp_path):
    t = shop_tables()
    report = run(tmp_path, t, types={"user_id": pa.float64(), "created_at": pa.timestamp("us", tz="UTC")})
    c = by_id(report, "arrow_type:order.user_id")
    assert (c.status, c.measured, c.expected) == ("fail", "double", "int64")
    assert by_id(report, "arrow_type:user.created_at").status == "fail"
    assert by_id(report, "arrow_type:order.ordered_at").status == "pass"


def test_timestamp_in_ns_is_a_type_failure(tmp_path):
    report = run(tmp_path, types={"ordered_at": pa.timestamp("ns")})
    assert by_id(report, "arrow_type:order.ordered_at").measured == "timestamp[ns]"
    assert not report.ok


def test_missing_table_and_missing_column(tmp_path):
    t = shop_tables()
    del t["order"]["amount"]
    root = write_tables(tmp_path / "data", {k: v for k, v in t.items() if k != "status"})
    report = validate(schema_from(shop_doc()), root)
    assert by_id(report, "table_present:status").status == "fail"
    assert by_id(report, "arrow_type:order.amount").measured == "missing"
    assert by_id(report, "enum:order.status").status == "skipped"  # enum_ref table is missing
    assert by_id(report, "range:order.amount").status == "skipped"


def test_constant_column_by_accident(tmp_path):
    t = shop_tables()
    t["user"]["country"] = ["US"] * 40
    t["order"]["amount"] = [5.0] * len(t["order"]["amount"])
    report = run(tmp_path, t)
    assert by_id(report, "not_constant:user.country").status == "fail"
    assert by_id(report, "not_constant:order.amount").failing_rows == len(t["order"]["amount"])


def test_a_plausibly_constant_choice_is_not_judged(tmp_path):
    doc = shop_doc(n_users=3)
    t = shop_tables(n_users=3)
    t["user"]["country"] = ["US"] * 3
    report = run(tmp_path, t, doc)
    assert by_id(report, "not_constant:user.country").status == "skipped"


def _targets_doc(**targets):
    doc = shop_doc()
    doc["targets"] = targets
    return doc


def test_weekend_share_and_mean_in_range(tmp_path):
    t = shop_tables()
    ts = t["order"]["ordered_at"]
    weekend = sum(1 for x in ts if x.weekday() >= 5) / len(ts)
    mean = sum(t["order"]["amount"]) / len(t["order"]["amount"])
    doc = _targets_doc(weekend_share={"table": "order", "timestamp": "ordered_at", "min": 0.0, "max": 0.01},
                       mean_in_range={"table": "order", "column": "amount", "min": mean - 1, "max": mean + 1})
    # the declaration says: no weekend events; the data has ~2/7 of them: a real failure
    doc["nodes"][2]["columns"][2]["generator"]["datetime_series"]["pattern"] = {
        "dimension": "dow", "weights": [1, 1, 1, 1, 1, 0, 0]}
    report = run(tmp_path, t, doc)
    ws = by_id(report, "weekend_share:order.ordered_at")
    assert ws.measured == pytest.approx(weekend) and weekend > 0.1 and ws.status == "fail"
    assert by_id(report, "mean_in_range:order.amount").status == "pass"
    assert by_id(report, "mean_in_range:order.amount").measured == pytest.approx(mean)


def test_an_unreachable_target_that_the_data_follows_is_a_warning(tmp_path):
    doc = _targets_doc(weekend_share={"table": "order", "timestamp": "ordered_at", "min": 0.5, "max": 0.6})
    t = shop_tables(n_users=400, seed=5)  # no dow pattern declared: about 2/7 of events fall on weekends
    doc["nodes"][1]["rows"] = 400
    report = run(tmp_path, t, doc)
    ws = by_id(report, "weekend_share:order.ordered_at")
    assert ws.status == "warn" and "unreachable as declared" in ws.message
    assert report.ok and report.categories["behavioural"].score is None
    assert report.categories["behavioural"].warnings == 1


def _hourly_tables(weights, n=20_000, seed=3):
    import numpy as np

    rng = np.random.default_rng(seed)
    p = np.asarray(weights, dtype=float) / sum(weights)
    hours = rng.choice(24, size=n, p=p)
    days = rng.integers(0, 365, n)
    times = [datetime(2024, 1, 1) + timedelta(days=int(d), hours=int(h), minutes=7) for d, h in zip(days, hours, strict=True)]
    return {"event": {"event_id": list(range(n)), "at": times}}


def _hourly_doc(weights, tol):
    return {"version": "1.0", "metadata": {"name": "h"}, "timeframe": {"start": "2024-01-01", "end": "2024-12-31T23:59:59"},
            "constraints": {}, "nodes": [{"id": "event", "rows": 20000, "pk": "event_id", "columns": [
                {"name": "event_id", "type": "int", "generator": {"sequence": {}}},
                {"name": "at", "type": "datetime", "generator": {"datetime_series": {
                    "pattern": {"dimension": "hour", "weights": weights}}}}]}],
            "targets": {"composite_effect": {"table": "event", "metric": "occurrence_rate", "tolerance": tol,
                                             "influences": [{"kind": "seasonality", "dimension": "hour", "weights": weights},
                                                            {"kind": "outliers", "rate": 0.01, "mode": "drop"}]}}}


def test_composite_effect_passes_when_the_data_follow_the_weights_and_fails_otherwise(tmp_path):
    weights = [0.2] * 6 + [1.0] * 12 + [0.5] * 6
    doc = _hourly_doc(weights, {"mae": 0.05, "mape": 10})
    good = validate(schema_from(doc), write_tables(tmp_path / "good", _hourly_tables(weights), {"event_id": pa.int64(), "at": pa.timestamp("us")}))
    c = by_id(good, "composite_effect:event.occurrence_rate[hour]")
    assert c.status == "pass", c.to_dict()
    assert c.measured["mae"] < 0.05 and "not measured: outliers" in c.message
    flat = validate(schema_from(doc), write_tables(tmp_path / "flat", _hourly_tables([1.0] * 24), {"event_id": pa.int64(), "at": pa.timestamp("us")}))
    c = by_id(flat, "composite_effect:event.occurrence_rate[hour]")
    assert c.status == "fail" and c.measured["mae"] > 0.3


# ---------------------------------------------------------------------------------------------- score


def test_score_excludes_na_categories_and_counts_errors_as_failures():
    checks = [Check("a", "structural", "a", "t", "pass"), Check("b", "structural", "b", "t", "error"),
              Check("c", "temporal", "c", "t", "skipped")]
    cats, score = score_checks(checks)
    assert cats["structural"].score == 50.0 and cats["structural"].errors == 1
    assert cats["temporal"].score is None and cats["temporal"].skipped == 1
    assert score == 50.0  # only structural applies
    assert score_checks([])[1] is None


def test_score_is_weighted_over_applicable_categories():
    checks = [Check("a", "structural", "a", "t", "pass"), Check("b", "value", "b", "t", "fail")]
    _, score = score_checks(checks)
    assert score == pytest.approx(100 * 0.35 / (0.35 + 0.25))


def test_broken_check_is_an_error_not_a_pass(tmp_path):
    root = write_tables(tmp_path / "data", shop_tables())

    def explode(ctx):
        raise RuntimeError("boom")
        yield  # pragma: no cover

    report = validate(schema_from(shop_doc()), root, checks=(explode,))
    assert [c.status for c in report.checks] == ["error"] and not report.ok
    assert report.score == 0.0


def test_row_counts_against_metadata(tmp_path):
    from datagen_contracts.metadata import DatasetMetadata, GeneratorInfo, TableInfo, dump_metadata

    t = shop_tables()
    root = write_tables(tmp_path / "data", t)
    meta = DatasetMetadata(dataset_name="shop", generator=GeneratorInfo(name="x", version="0"), generated_at="2024-01-01T00:00:00Z",
                           tables=[TableInfo(name="user", rows=40), TableInfo(name="order", rows=len(t["order"]["order_id"]) + 2)])
    dump_metadata(meta, root / ".metadata.json")
    report = validate(schema_from(shop_doc()), root)
    assert by_id(report, "row_count:user").status == "pass"
    c = by_id(report, "row_count:order")
    assert (c.status, c.failing_rows) == ("fail", 2)


# ------------------------------------------------------------------------------------------------ input errors


def test_missing_directory_and_corrupt_parquet_raise_a_clear_error(tmp_path):
    with pytest.raises(DatasetReadError, match="not found"):
        validate(schema_from(shop_doc()), tmp_path / "nope")
    root = write_tables(tmp_path / "data", shop_tables())
    (root / "order.parquet").write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(DatasetReadError, match=r"order\.parquet"):
        validate(schema_from(shop_doc()), root)


# ------------------------------------------------------------------------------------------------------ CLI


def _schema_file(tmp_path: Path, doc=None) -> str:
    p = tmp_path / "schema.json"
    p.write_text(json.dumps(doc or shop_doc()))
    return str(p)


def test_cli_ok_exit_0_and_json_on_stdout(tmp_path):
    root = write_tables(tmp_path / "data", shop_tables())
    r = CliRunner().invoke(main, ["validate", _schema_file(tmp_path), "--data", str(root), "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["ok"] is True and doc["score"] == 100.0 and doc["categories"]["behavioural"]["score"] == "n/a"
    r = CliRunner().invoke(main, ["validate", _schema_file(tmp_path), "--data-dir", str(root)])
    assert r.exit_code == 0 and "quality score 100.0/100" in r.stdout


def test_cli_failing_check_exits_1_and_names_it(tmp_path):
    t = shop_tables()
    t["order"]["order_id"][1] = t["order"]["order_id"][0]
    root = write_tables(tmp_path / "data", t)
    r = CliRunner().invoke(main, ["validate", _schema_file(tmp_path), "--data", str(root)])
    assert r.exit_code == 1
    assert "FAIL structural  pk_unique" in r.stdout and "failing rows 1" in r.stdout


def test_cli_fail_under(tmp_path):
    root = write_tables(tmp_path / "data", shop_tables())
    r = CliRunner().invoke(main, ["validate", _schema_file(tmp_path), "--data", str(root), "--fail-under", "100"])
    assert r.exit_code == 0
    t = shop_tables()
    t["user"]["age"][0] = 5
    root = write_tables(tmp_path / "bad", t)
    r = CliRunner().invoke(main, ["validate", _schema_file(tmp_path), "--data", str(root), "--fail-under", "99.9", "--json"])
    assert r.exit_code == 1 and json.loads(r.stdout)["ok"] is False


def test_cli_input_errors_exit_2_without_traceback(tmp_path):
    r = CliRunner().invoke(main, ["validate", _schema_file(tmp_path), "--data", str(tmp_path / "missing")])
    assert r.exit_code == 2 and "not found" in r.stderr and "Traceback" not in r.output
    root = write_tables(tmp_path / "data", shop_tables())
    (root / "user.parquet").write_bytes(b"garbage")
    r = CliRunner().invoke(main, ["validate", _schema_file(tmp_path), "--data", str(root)])
    assert r.exit_code == 2 and "user.parquet" in r.stderr
    r = CliRunner().invoke(main, ["validate", str(tmp_path / "nope.json"), "--data", str(root)])
    assert r.exit_code == 2
    r = CliRunner().invoke(main, ["validate", _schema_file(tmp_path)])
    assert r.exit_code == 2  # --data is required


def test_hour_jitter_kernel_moves_half_of_on_the_hour_values_back():
    from datagen_contracts.dsl import Column
    from datagen_core.validate import hour_jitter_kernel

    doc = {"name": "t", "type": "datetime", "generator": {"datetime_series": {"freq": "H"}},
           "modifiers": [{"transform": "time_jitter", "args": {"std_minutes": 10}}]}
    col = schema_from({**shop_doc(), "nodes": [{"id": "x", "columns": [doc]}], "constraints": {}}).nodes[0].columns[0]
    assert isinstance(col, Column)
    k = hour_jitter_kernel(col)
    assert k[-1] == pytest.approx(0.5, abs=1e-6) and k[0] == pytest.approx(0.5, abs=1e-6)
    doc["generator"]["datetime_series"]["freq"] = "min"
    col = schema_from({**shop_doc(), "nodes": [{"id": "x", "columns": [doc]}], "constraints": {}}).nodes[0].columns[0]
    k = hour_jitter_kernel(col)
    assert 0.05 < k[-1] < 0.08 and k[-1] == pytest.approx(k[1], rel=1e-6)  # σ/(60·√(2π)) ≈ 0.066 each way


def test_a_lookup_changed_by_modifiers_is_not_a_foreign_key(tmp_path):
    doc = shop_doc()
    doc["nodes"][2]["columns"].append({"name": "age_ref", "type": "float", "generator": {"lookup": {"from": "user.age"}},
                                       "modifiers": [{"transform": "jitter", "args": {"std": 0.1, "mode": "mul"}}]})
    t = shop_tables()
    t["order"]["age_ref"] = [30.5] * len(t["order"]["order_id"])
    report = run(tmp_path, t, doc)
    assert not [c for c in report.checks if c.id.startswith("fk_containment:order.age_ref")]


def test_a_generated_conformance_dataset_validates_with_exit_0(tmp_path):
    engine = pytest.importorskip("datagen_core.engine")
    upstream = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "upstream"
    for name in ("simple_users_events", "marketing_attribution", "saas_subscription_churn"):
        out = tmp_path / name
        engine.generate(upstream / f"{name}.json", out, seed=42, yes=True)
        r = CliRunner().invoke(main, ["validate", str(upstream / f"{name}.json"), "--data", str(out), "--json"])
        assert r.exit_code == 0, (name, [c for c in json.loads(r.stdout)["checks"] if c["status"] in ("fail", "error")])
        doc = json.loads(r.stdout)
        assert doc["summary"]["fail"] == 0 and doc["summary"]["error"] == 0
        assert doc["categories"]["structural"]["applicable"] > 10


def test_fk_containment_with_gapped_parent_keys_and_fractional_float_ids(tmp_path):
    t = shop_tables()
    t["user"]["user_id"] = [2 * i for i in t["user"]["user_id"]]  # 2, 4, 6 … : not a contiguous range
    t["order"]["user_id"] = [2 * u for u in t["order"]["user_id"]]
    t["order"]["user_id"][0] = 3  # inside [min, max] but not a key
    report = run(tmp_path / "gapped", t)
    assert by_id(report, "fk_containment:order.user_id->user.user_id").failing_rows == 1
    t = shop_tables()
    t["order"]["user_id"] = [float(u) for u in t["order"]["user_id"]]
    t["order"]["user_id"][0] = 1.5  # contiguous int parent keys: the range path must still see the fraction
    root = write_tables(tmp_path / "float", {k: v for k, v in t.items() if k != "order"})
    write_tables(root, {"order": t["order"]}, {"user_id": pa.float64()})
    report = validate(schema_from(shop_doc()), root)
    assert by_id(report, "fk_containment:order.user_id->user.user_id").failing_rows == 1
    assert by_id(report, "arrow_type:order.user_id").status == "fail"


def test_touchpoints_before_conversion_and_after_the_parent(tmp_path):
    from datagen_contracts.metadata import (
        DatasetMetadata,
        ForeignKey,
        GeneratorInfo,
        TableInfo,
        dump_metadata,
    )

    doc = shop_doc()
    doc["nodes"][2]["attribution_chain"] = {"channels": ["email", "ads"], "touchpoint_table_name": "touch"}
    t = shop_tables()
    orders = t["order"]
    users = dict(zip(t["user"]["user_id"], t["user"]["created_at"], strict=True))
    n = len(orders["order_id"])
    touch_at = [orders["ordered_at"][i] - timedelta(minutes=1) for i in range(n)]
    touch_at[0] = orders["ordered_at"][0] + timedelta(hours=1)  # after its conversion
    touch_at[1] = users[orders["user_id"][1]] - timedelta(hours=1)  # before the customer existed
    t["touch"] = {"touchpoint_id": list(range(n)), "order_id": orders["order_id"], "user_id": orders["user_id"],
                  "touched_at": touch_at}
    root = write_tables(tmp_path / "data", t, {"touchpoint_id": pa.int64(), "touched_at": pa.timestamp("us")})
    meta = DatasetMetadata(
        dataset_name="shop", generator=GeneratorInfo(name="x", version="0"), generated_at="2024-01-01T00:00:00Z",
        tables=[TableInfo(name="touch", kind="touchpoint", rows=n, primary_key="touchpoint_id",
                          created_at_column="touched_at", time_columns=["touched_at"],
                          foreign_keys=[ForeignKey(column="order_id", references_table="order", references_column="order_id"),
                                        ForeignKey(column="user_id", references_table="user", references_column="user_id")])])
    dump_metadata(meta, root / ".metadata.json")
    report = validate(schema_from(doc), root)
    assert by_id(report, "before_conversion:touch.touched_at").failing_rows == 1
    assert by_id(report, "after_parent:touch.touched_at->user").failing_rows == 1
    assert by_id(report, "fk_containment:touch.order_id->order.order_id").status == "pass"


def _sequence_doc():
    doc = shop_doc()
    doc["nodes"].append({"id": "journey", "kind": "fact", "parents": ["user"], "columns": [
        {"name": "user_id", "type": "int", "generator": {"lookup": {"from": "user.user_id"}}},
        {"name": "stage", "type": "string", "generator": {"choice": {"choices": ["visit"]}}},
        {"name": "at", "type": "datetime", "generator": {"datetime_series": {}}}],
        "stage_config": {"stages": [{"stage_name": "visit", "transition_rate": 1.0},
                                    {"stage_name": "cart", "transition_rate": 0.5},
                                    {"stage_name": "buy", "transition_rate": 0.5}]}})
    doc["nodes"].append({"id": "sub", "kind": "fact", "parents": ["user"], "columns": [
        {"name": "user_id", "type": "int", "generator": {"lookup": {"from": "user.user_id"}}},
        {"name": "state", "type": "string", "generator": {"choice": {"choices": ["trial"]}}},
        {"name": "previous_state", "type": "string", "nullable": True, "generator": {"choice": {"choices": [""]}}},
        {"name": "at", "type": "datetime", "generator": {"datetime_series": {}}}],
        "state_transition_model": {"initial_state": "trial", "states": {
            "trial": {"transition_prob_per_period": 0.5, "next_states": {"active": 1}},
            "active": {"transition_prob_per_period": 0.1, "next_states": {"churned": 1}},
            "churned": {"terminal": True}}}})
    return doc


def test_funnel_stage_order_and_state_sequences(tmp_path):
    t = shop_tables()
    base = [c + timedelta(days=1) for c in t["user"]["created_at"]]
    # user 1: visit, cart, buy in order; user 2: cart BEFORE visit in time; user 3: visit then buy (cart skipped)
    t["journey"] = {"user_id": [1, 1, 1, 2, 2, 3, 3],
                    "stage": ["visit", "cart", "buy", "visit", "cart", "visit", "buy"],
                    "at": [base[0], base[0] + timedelta(hours=1), base[0] + timedelta(hours=2),
                           base[1] + timedelta(hours=5), base[1], base[2], base[2] + timedelta(hours=1)]}
    # user 1: trial → active → churned (fine); user 2: starts in 'active'; user 3: a row after churned;
    # user 4: previous_state does not match the row before
    t["sub"] = {"user_id": [1, 1, 1, 2, 3, 3, 3, 4, 4],
                "state": ["trial", "active", "churned", "active", "trial", "churned", "active", "trial", "active"],
                "previous_state": [None, "trial", "active", None, None, "trial", "churned", None, "churned"],
                "at": [base[0], base[0] + timedelta(days=1), base[0] + timedelta(days=2), base[1], base[2],
                       base[2] + timedelta(days=1), base[2] + timedelta(days=2), base[3], base[3] + timedelta(days=1)]}
    report = run(tmp_path, t, _sequence_doc(), types={"at": pa.timestamp("us")})
    stage = by_id(report, "stage_order:journey.stage")
    assert (stage.status, stage.failing_rows) == ("fail", 2)  # user 2's second row (time order), user 3's 'buy'
    state = by_id(report, "state_sequence:sub.state")
    assert (state.status, state.failing_rows) == ("fail", 3)  # user 2's start, user 3's row after churn, user 4's previous


def test_a_table_written_as_a_directory_of_part_files(tmp_path):
    import pyarrow.parquet as pq

    from ._builders import arrow_table

    t = shop_tables()
    root = write_tables(tmp_path / "data", {k: v for k, v in t.items() if k != "order"})
    orders = arrow_table(t["order"])
    (root / "order").mkdir()
    half = orders.num_rows // 2
    pq.write_table(orders.slice(0, half), root / "order" / "part-0.parquet")
    pq.write_table(orders.slice(half), root / "order" / "part-1.parquet")
    report = validate(schema_from(shop_doc()), root)
    assert report.ok and by_id(report, "table_present:order").measured == 2
    assert by_id(report, "pk_unique:order.order_id").rows == orders.num_rows


def test_cli_html_page(tmp_path):
    t = shop_tables()
    t["order"]["order_id"][1] = t["order"]["order_id"][0]
    root = write_tables(tmp_path / "data", t)
    page = tmp_path / "validate.html"
    r = CliRunner().invoke(main, ["validate", _schema_file(tmp_path), "--data", str(root), "--html", str(page)])
    assert r.exit_code == 1, r.output
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>") and html.count("<script>") == 1
    ids = re.findall(r'id="([^"]+)"', html)
    assert len(ids) == len(set(ids)) and all(h in ids for h in re.findall(r'href="#([^"]+)"', html))
    problems = html[html.index('id="problems"'):html.index('id="checks"')]
    assert "pk_unique" in problems and "order.order_id" in problems and ">1 of " in problems
    assert html.count('aria-label="score') == 5  # one bar per category
    inside = CliRunner().invoke(main, ["validate", _schema_file(tmp_path), "--data", str(root), "--html",
                                       str(root / "v.html")])
    assert inside.exit_code == 2 and not (root / "v.html").exists()


def test_a_max_length_cuts_the_generated_text_and_validate_checks_it(tmp_path):
    """``max_length`` (an imported VARCHAR(n), a JSON Schema maxLength): generated text is cut to it whatever its
    generator (Faker, choices, NULLs kept), a lookup keeps its parent's values, and validate counts longer values."""
    from datagen_core.engine import generate

    doc = {"version": "1.0", "metadata": {"name": "x"}, "timeframe": {"start": "2024-01-01", "end": "2024-12-31"},
           "nodes": [{"id": "company", "kind": "entity", "rows": 800, "pk": "id", "columns": [
               {"name": "id", "type": "int", "generator": {"sequence": {}}},
               {"name": "name", "type": "string", "generator": {"faker": {"method": "company"}},
                "constraints": {"max_length": 10}},
               {"name": "tier", "type": "string", "generator": {"choice": {"choices": ["platinum", "gold"]}},
                "constraints": {"max_length": 4}},
               {"name": "note", "type": "string", "nullable": True, "null_rate": 0.25,
                "generator": {"faker": {"method": "sentence"}}, "constraints": {"max_length": 20}}]}]}
    (tmp_path / "s.json").write_text(json.dumps(doc))
    out = generate(tmp_path / "s.json", tmp_path / "out", seed=3).output
    import pyarrow.parquet as pq

    t = pq.read_table(out / "company.parquet")
    assert max(len(v) for v in t["name"].to_pylist()) == 10 and set(t["tier"].to_pylist()) == {"plat", "gold"}
    notes = t["note"].to_pylist()
    assert 150 < notes.count(None) < 250 and max(len(v) for v in notes if v) == 20
    from datagen_contracts.dsl import load_schema

    assert validate(load_schema(tmp_path / "s.json"), out).ok
    for col in doc["nodes"][0]["columns"][1:]:
        col.pop("constraints")
    (tmp_path / "plain.json").write_text(json.dumps(doc))
    long = generate(tmp_path / "plain.json", tmp_path / "long", seed=3).output
    report = validate(load_schema(tmp_path / "s.json"), long)
    failed = {c.target: c.failing_rows for c in report.checks if c.check == "max_length" and c.status == "fail"}
    assert set(failed) == {"company.name", "company.tier", "company.note"} and failed["company.tier"] > 300
