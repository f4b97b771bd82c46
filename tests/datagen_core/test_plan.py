"""make_plan: exact expectations on schemas built in code, every conformance schema, and the CLI wiring."""

from __future__ import annotations

import json
import math
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from datagen_contracts.dsl import clamped_poisson_mean, load_schema, loads_schema
from datagen_core.cli import main
from datagen_core.planning.means import fanout_mean, funnel_mean, state_model_mean
from datagen_core.planning.plan import make_plan
from datagen_core.planning.widths import COLUMN_OVERHEAD, COMPRESSION, FILE_OVERHEAD

UPSTREAM = Path("/work/shared/conformance/upstream")
if not UPSTREAM.exists():  # pragma: no cover - the conformance set lives beside the repository
    UPSTREAM = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "upstream"


def schema_of(nodes: list[dict], **extra) -> object:
    doc = {"version": "1.0", "metadata": {"name": "t"}, "constraints": {},
           "timeframe": {"start": "2024-01-01", "end": "2024-12-31"}, "nodes": nodes, **extra}
    return loads_schema(json.dumps(doc))


def seq(name: str = "id") -> dict:
    return {"name": name, "type": "int", "generator": {"sequence": {}}}


def fk(name: str, ref: str) -> dict:
    return {"name": name, "type": "int", "generator": {"lookup": {"from": ref}}}


def brute_clamped_poisson(lam: float, lo: float | None, hi: float | None) -> float:
    total, p = 0.0, math.exp(-lam)
    for k in range(0, int(lam * 10 + 200)):
        total += p * min(max(k, lo if lo is not None else -1e18), hi if hi is not None else 1e18)
        p *= lam / (k + 1)
    return total


@pytest.mark.parametrize(("lam", "lo", "hi"), [(3, 1, 10), (8, 0, 50), (6, 4, 8), (0.5, 2, None), (50, None, 40)])
def test_clamped_poisson_mean_matches_the_pmf_sum(lam, lo, hi):
    assert clamped_poisson_mean(lam, lo, hi) == pytest.approx(brute_clamped_poisson(lam, lo, hi), rel=1e-12)


def test_clamped_poisson_mean_of_huge_lambda_is_fast_and_exact():
    t = time.perf_counter()
    assert clamped_poisson_mean(1e8, 0, 1e9) == pytest.approx(1e8, rel=1e-12)
    assert time.perf_counter() - t < 0.5


def test_entity_fact_and_vocab_rows():
    s = schema_of([
        {"id": "status", "kind": "vocab", "columns": [{"name": "s", "type": "string",
                                                         "generator": {"enum_list": {"values": ["a", "b", "c"]}}}]},
        {"id": "user", "pk": "id", "rows": 5000, "columns": [seq()]},
        {"id": "plain", "pk": "id", "columns": [seq()]},
        {"id": "event", "kind": "fact", "parents": ["user"], "pk": "id",
         "fanout": {"distribution": "poisson", "lambda": 8, "min": 0, "max": 50}, "columns": [seq(), fk("u", "user.id")]},
        {"id": "note", "kind": "fact", "parents": ["event"], "pk": "id", "columns": [seq()]},
        {"id": "batch", "kind": "fact", "parents": ["user"], "pk": "id",
         "fanout": {"distribution": "uniform", "min": 2, "max": 8}, "columns": [seq()]},
    ])
    plan = make_plan(s, scale=0.5)
    rows = {t.name: t.rows for t in plan.tables}
    expected_event = 2500 * brute_clamped_poisson(8, 0, 50)
    assert rows == {"status": 3, "user": 2500, "plain": 500, "event": round(expected_event),
                    "note": round(expected_event), "batch": 2500 * 5}
    assert plan.total_rows == sum(rows.values())
    assert plan.table("event").how == "2500 × poisson(8) clamp[0,50]"
    # bytes: int columns are 8 bytes raw, times the measured compression of their generator
    assert plan.table("user").bytes == round(2500 * 8 * COMPRESSION["int", "sequence"]) + FILE_OVERHEAD + COLUMN_OVERHEAD
    assert plan.table("event").bytes == (round(rows["event"] * 8 * (COMPRESSION["int", "sequence"] + COMPRESSION["int", "lookup"]))
                                         + FILE_OVERHEAD + 2 * COLUMN_OVERHEAD)
    assert plan.warnings == [] and plan.suggested_scale is None


def test_segment_fanout_multipliers_are_weighted_by_the_choice_shares():
    s = schema_of([
        {"id": "c", "pk": "id", "rows": 1000, "columns": [
            seq(), {"name": "seg", "type": "string",
                    "generator": {"choice": {"choices": ["vip", "std"], "weights": [0.25, 0.75]}}}],
         "segment_behavior": {"segment_column": "seg", "behaviors": {"vip": {"fanout_multiplier": 4.0},
                                                                     "std": {"fanout_multiplier": 1.0}}}},
        {"id": "o", "kind": "fact", "parents": ["c"], "pk": "id",
         "fanout": {"distribution": "poisson", "lambda": 2}, "columns": [seq()]},
    ])
    # poisson(λ·m) unclamped has mean λ·m: 1000 × (0.25·8 + 0.75·2)
    assert make_plan(s).table("o").rows == 3500
    assert fanout_mean(None) == 1.0


def test_funnel_rows_are_sums_of_cumulative_products_with_segment_multipliers():
    stages = [{"stage_name": "a", "transition_rate": 1.0}, {"stage_name": "b", "transition_rate": 0.5},
              {"stage_name": "c", "transition_rate": 0.8}]
    s = schema_of([
        {"id": "u", "pk": "id", "rows": 1000, "columns": [
            seq(), {"name": "tier", "type": "string",
                    "generator": {"choice": {"choices": ["hi", "lo"], "weights": [0.5, 0.5]}}}],
         "segment_behavior": {"segment_column": "tier", "segments": {"hi": {"base_probability": 0.5},
                                                                     "lo": {"base_probability": 0.5}}}},
        {"id": "j", "kind": "fact", "parents": ["u"], "columns": [seq()],
         "stage_config": {"stages": stages, "segment_variation": {"hi": {"transition_multiplier": 2.0},
                                                                  "lo": {"transition_multiplier": 1.0}}}},
    ])
    hi = 1 + 1.0 + 1.0 * 1.0  # rates doubled, capped at 1
    lo = 1 + 0.5 + 0.5 * 0.8
    assert make_plan(s).table("j").rows == round(1000 * (0.5 * hi + 0.5 * lo))


def test_state_model_expected_rows_are_bounded_by_max_transitions():
    s = schema_of([
        {"id": "u", "pk": "id", "rows": 100, "columns": [seq()]},
        {"id": "sub", "kind": "fact", "parents": ["u"], "columns": [seq()],
         "state_transition_model": {"initial_state": "a", "period_unit": "month", "max_transitions": 3,
                                    "states": {"a": {"transition_prob_per_period": 1.0, "next_states": {"b": 1}},
                                               "b": {"transition_prob_per_period": 1.0, "next_states": {"a": 1}}}}},
    ])
    model = s.node("sub").state_transition_model
    # deterministic chain: t transitions after t periods, capped at 3; averaged over 0..P periods left
    assert state_model_mean(model, 5) == pytest.approx(1 + (0 + 1 + 2 + 3 + 3 + 3) / 6)
    assert state_model_mean(model, 0) == 1.0
    rows = make_plan(s).table("sub").rows
    assert 100 * 1 < rows <= 100 * (1 + 3)


def test_funnel_mean_directly():
    s = schema_of([{"id": "u", "pk": "id", "rows": 1, "columns": [seq()]},
                   {"id": "j", "kind": "fact", "parents": ["u"], "columns": [seq()],
                    "stage_config": {"stages": [{"stage_name": "a", "transition_rate": 0.3},
                                                {"stage_name": "b", "transition_rate": 0.5}]}}])
    assert funnel_mean(s.node("j").stage_config) == 1.5  # stage 0 is always reached


def test_attribution_touchpoint_table_is_planned():
    s = schema_of([
        {"id": "c", "pk": "id", "rows": 200, "columns": [seq()]},
        {"id": "p", "kind": "fact", "parents": ["c"], "pk": "id", "fanout": {"distribution": "poisson", "lambda": 3},
         "columns": [seq()], "attribution_chain": {"channels": ["a", "b"], "min_touches": 1, "max_touches": 6,
                                                   "touchpoint_table_name": "tp"}},
    ])
    plan = make_plan(s)
    assert plan.table("p").rows == 600
    assert plan.table("tp").rows == 600 * 3.5 and plan.table("tp").kind == "touchpoint"


def test_vintage_decay_lowers_the_fanout():
    s = schema_of([
        {"id": "c", "pk": "id", "rows": 1000, "columns": [
            seq(), {"name": "created", "type": "datetime", "generator": {"datetime_series": {}}}],
         "vintage_behavior": {"created_at_column": "created", "age_based_multipliers": {
             "decay": {"curve": [1.0, 0.5, 0.25], "time_unit": "month", "applies_to": "fanout"}}}},
        {"id": "e", "kind": "fact", "parents": ["c"], "fanout": {"distribution": "poisson", "lambda": 10},
         "columns": [seq()]},
    ])
    t = make_plan(s).table("e")
    assert 1000 * 10 * 0.25 < t.rows < 1000 * 10 * 0.6
    assert "vintage" in t.how


def _promo_schema(start: str, end: str, multiplier: float, op: str = "mul") -> object:
    return schema_of([
        {"id": "promo", "pk": "id", "rows": 50, "columns": [
            seq(), {"name": "start_at", "type": "datetime", "generator": {"choice": {"choices": [start]}}},
            {"name": "end_at", "type": "datetime", "generator": {"choice": {"choices": [end]}}},
            {"name": "lift", "type": "float", "generator": {"choice": {"choices": [multiplier]}}}]},
        {"id": "u", "pk": "id", "rows": 1000, "columns": [seq()]},
        {"id": "e", "kind": "fact", "parents": ["u"], "fanout": {"distribution": "poisson", "lambda": 10},
         "columns": [seq(), {"name": "at", "type": "datetime", "generator": {"datetime_series": {}}}],
         "modifiers": [{"transform": "effect", "args": {
             "effect_table": "promo", "window": {"start_col": "start_at", "end_col": "end_at"},
             "map": {"field": "lift", "op": op, "default": 1.0 if op == "mul" else 0.0}}}]},
    ])


def test_table_effect_is_the_time_weighted_mean_factor():
    # a ×3 promotion over the first 182 of the timeframe's 366 days: 10 × (3·182 + 1·184) / 366 per parent
    t = make_plan(_promo_schema("2024-01-01", "2024-06-30T23:59:59", 3.0)).table("e")
    assert t.rows == pytest.approx(1000 * 10 * (3 * 182 + 184) / 366, rel=0.01)
    assert "effects oversampled 3" in t.how and "kept" in t.how
    # a damping effect (factor below the default) thins without oversampling; "add" adds to 1
    damp = make_plan(_promo_schema("2024-01-01", "2024-06-30T23:59:59", 0.5)).table("e")
    assert damp.rows == pytest.approx(1000 * 10 * (0.5 * 182 + 184) / 366, rel=0.01)
    add = make_plan(_promo_schema("2024-01-01", "2024-06-30T23:59:59", -0.5, op="add")).table("e")
    assert add.rows == pytest.approx(damp.rows, rel=0.001)


def test_ecomm_plan_matches_a_real_generation_within_25_percent(tmp_path):
    from datagen_core.engine import generate

    path = UPSTREAM / "ecomm.json"
    result = generate(path, tmp_path / "out", seed=42, scale=0.2, yes=True)
    plan = make_plan(load_schema(path), scale=0.2)
    for name in ("order", "order_item", "inventory_movement", "purchase_order", "purchase_order_item"):
        assert plan.table(name).rows == pytest.approx(result.rows[name], rel=0.25), name
    assert plan.total_rows == pytest.approx(sum(result.rows.values()), rel=0.25)
    # without the effects' ×2.96 growth the plan was 0.37× the generated rows
    assert plan.total_rows > 0.8 * sum(result.rows.values())


def test_every_conformance_schema_plans_and_gov_scaled_is_about_15_million():
    files = sorted(UPSTREAM.glob("*.json"))
    assert len(files) == 17
    for f in files:
        plan = make_plan(load_schema(f))
        assert plan.total_rows > 0, f.name
        assert all(t.rows >= 0 and t.bytes >= 0 for t in plan.tables), f.name
    gov = make_plan(load_schema(UPSTREAM / "gov_scaled.json"))
    assert 14_000_000 < gov.total_rows < 16_000_000


def test_billions_of_rows_plan_instantly_with_a_warning_and_a_suggested_scale():
    schema = load_schema(UPSTREAM / "gov_scaled.json")
    t = time.perf_counter()
    plan = make_plan(schema, scale=1000)
    elapsed = time.perf_counter() - t
    assert plan.total_rows > 10**10
    assert elapsed < 0.5
    assert plan.suggested_scale is not None and len(plan.warnings) == 1
    again = make_plan(schema, scale=plan.suggested_scale)
    assert 5e6 < again.total_rows < 2e7


def test_bad_scale_is_refused():
    with pytest.raises(ValueError):
        make_plan(load_schema(UPSTREAM / "simple_users_events.json"), scale=0)


# ------------------------------------------------------------------------------------------------ CLI


def test_cli_plan_table_and_totals():
    r = CliRunner().invoke(main, ["plan", str(UPSTREAM / "simple_users_events.json")])
    assert r.exit_code == 0, r.output
    assert "TOTAL" in r.stdout and "event" in r.stdout and "poisson(8)" in r.stdout


def test_cli_plan_json_and_warning_on_stderr():
    r = CliRunner().invoke(main, ["plan", str(UPSTREAM / "gov_scaled.json"), "--scale", "200", "--json"])
    assert r.exit_code == 0
    doc = json.loads(r.stdout)
    assert doc["total_rows"] > 1e9 and doc["suggested_scale"] > 0
    assert {t["name"] for t in doc["tables"]} >= {"attendance", "district"}
    assert "warning:" in r.stderr and "--scale" in r.stderr


def test_cli_plan_bad_input_exit_2(tmp_path):
    r = CliRunner().invoke(main, ["plan", str(tmp_path / "missing.json")])
    assert r.exit_code == 2 and "not found" in r.stderr
    r = CliRunner().invoke(main, ["plan", str(UPSTREAM / "gov_scaled.json"), "--scale", "-1"])
    assert r.exit_code == 2


def test_cli_plan_wall_time_per_worker_count_from_a_timed_sample(tmp_path, monkeypatch):
    """--scale 1000 of gov_scaled: every table above --partition-rows is several files, so more workers help up to
    the file count; the times come from samples timed here (not constants), and the disk check names the place."""
    from datagen_core.planning import estimates

    r = CliRunner().invoke(main, ["plan", str(UPSTREAM / "gov_scaled.json"), "--scale", "1000", "--json",
                                  "-o", str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    wall = {int(k): v for k, v in doc["timing"]["wall_seconds"].items()}
    assert sorted(wall) == [1, 2, 8, 64]
    assert wall[1] > wall[2] > wall[8] > wall[64] > 0
    assert wall[1] / wall[2] > 1.5  # the big tables are many files each
    assert doc["files"]["attendance"] == math.ceil(doc["tables"][[t["name"] for t in doc["tables"]].index("attendance")]["rows"] / 25_000_000)
    assert doc["files"]["district"] == 1
    assert 0 < doc["timing"]["sample_scale"] < 0.1 and doc["memory_per_worker_bytes"] > 0
    assert doc["free_bytes"] is not None
    # rows per second of the 1-worker estimate: the rate measured here, within reason (not a constant)
    assert 1e5 < doc["total_rows"] / wall[1] < 1e8
    monkeypatch.setattr(estimates, "free_bytes", lambda output: 1024)
    r = CliRunner().invoke(main, ["plan", str(UPSTREAM / "simple_users_events.json"), "-o", str(tmp_path / "x")])
    assert r.exit_code == 0 and "does not fit the 1.0 KB free where" in r.stderr, r.stderr
    assert "1 worker ~" in r.stdout and "64 workers ~" in r.stdout
    seen: list[Path] = []
    monkeypatch.setattr(estimates, "free_bytes", lambda output: seen.append(output) or 1024)
    r = CliRunner().invoke(main, ["plan", str(UPSTREAM / "simple_users_events.json"), "-o", "s3://bucket/run",
                                  "--no-timing"])
    assert r.exit_code == 0 and "staged before it is published to s3://bucket/run" in r.stderr, r.stderr
    assert seen == [Path(tempfile.gettempdir())]  # not a directory named "s3:" under the current one
    r = CliRunner().invoke(main, ["plan", str(UPSTREAM / "simple_users_events.json"), "--no-timing", "--json"])
    assert json.loads(r.stdout)["timing"] is None


def test_a_table_empty_in_the_small_sample_does_not_inflate_the_cost_per_row(monkeypatch):
    """The tail of a chain of references can be empty at the small sample's scale and hold rows at the large one's:
    its fixed cost (pools, samplers) is paid once, not per row, so it stays out of the run's cost per row."""
    from types import SimpleNamespace

    from datagen_core.planning import estimates

    samples = iter([{"a": (1_000, 0.10), "tail": (0, 0.0)},  # (rows, seconds) of the small sample …
                    {"a": (4_000, 0.13), "tail": (300, 2.0)}])  # … and of the large one: 10 µs a row for "a"
    monkeypatch.setattr(estimates, "_timed", lambda schema, scale: next(samples))
    plan = SimpleNamespace(scale=1.0, total_rows=10_000_000,
                           tables=[SimpleNamespace(name="a", rows=5_000_000), SimpleNamespace(name="tail", rows=5_000_000)])
    got = estimates.estimate(None, plan, None)
    assert got.per_row["a"] == pytest.approx(1e-5) and got.per_row["tail"] == pytest.approx(1e-5)
    assert got.wall[1] == pytest.approx((0.13 - 0.04) + (2.0 - 0.003) + 2 * 5_000_000 * 1e-5)  # fixed + per row
