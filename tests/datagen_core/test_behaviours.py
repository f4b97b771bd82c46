"""Behaviour pieces in the data: segment decay_rate, vintage curves with time patterns, keyed effects on times,
nullable columns without null_rate."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from datagen_core.engine import generate

MONTH_US = 30.4375 * 86_400_000_000


def _col(name: str, typ: str, gen: dict, **kw: object) -> dict:
    return {"name": name, "type": typ, "generator": gen, **kw}


def _doc(nodes: list[dict]) -> dict:
    return {"version": "1.0", "metadata": {"name": "b"}, "constraints": {}, "nodes": nodes,
            "timeframe": {"start": "2024-01-01T00:00:00Z", "end": "2024-12-31T23:59:59Z"}}


def _run(tmp_path: Path, doc: dict, seed: int = 2) -> Path:
    (tmp_path / "s.json").write_text(json.dumps(doc))
    generate(tmp_path / "s.json", tmp_path / "o", seed=seed)
    return tmp_path / "o"


def _ages(out: Path, parent: str, child: str, key: str, created: str, at: str) -> tuple[np.ndarray, np.ndarray]:
    p, c = pq.read_table(out / f"{parent}.parquet"), pq.read_table(out / f"{child}.parquet")
    born = dict(zip(p[key].to_numpy(), p[created].to_numpy().astype("int64"), strict=True))
    t = c[at].to_numpy().astype("int64")
    return c[key].to_numpy(), (t - np.array([born[k] for k in c[key].to_numpy()])) / MONTH_US


def test_flat_segment_decay_rate_makes_activity_fade_with_age(tmp_path: Path) -> None:
    doc = _doc([
        {"id": "user", "rows": 3000, "pk": "user_id",
         "segment_behavior": {"fading": {"fanout_multiplier": 1.0, "decay_rate": 0.7},
                              "steady": {"fanout_multiplier": 1.0, "decay_rate": 0.0}},
         "columns": [_col("user_id", "int", {"sequence": {}}),
                     _col("tier", "string", {"choice": {"choices": ["fading", "steady"]}}),
                     _col("joined", "datetime", {"datetime_series": {"within": {"start": "2024-01-01", "end": "2024-01-31"}}})]},
        {"id": "visit", "kind": "fact", "parents": ["user"], "pk": "visit_id",
         "fanout": {"distribution": "poisson", "lambda": 20},
         "columns": [_col("visit_id", "int", {"sequence": {}}),
                     _col("user_id", "int", {"lookup": {"from": "user.user_id"}}),
                     _col("at", "datetime", {"datetime_series": {"within": "timeframe"}})]},
    ])
    out = _run(tmp_path, doc)
    users = pq.read_table(out / "user.parquet")
    tier = dict(zip(users["user_id"].to_numpy(), users["tier"].to_pylist(), strict=True))
    keys, age = _ages(out, "user", "visit", "user_id", "joined", "at")
    fading = np.array([tier[k] == "fading" for k in keys])
    n_f, n_s = (np.array(list(tier.values())) == "fading").sum(), (np.array(list(tier.values())) == "steady").sum()
    # ~ λ × mean of exp(-0.7·age) over ~11.5 months ≈ 2.5 visits per fading user vs 20 per steady one
    assert fading.sum() / n_f < 0.25 * (~fading).sum() / n_s
    month = np.floor(age).astype(int)
    f0, f3 = (month[fading] == 0).sum(), (month[fading] == 3).sum()
    s0, s3 = (month[~fading] == 0).sum(), (month[~fading] == 3).sum()
    assert f0 > 5 * f3 and 0.7 < s0 / s3 < 1.4  # exp(-0.7·3) ≈ 1/8 for fading, flat for steady


def test_vintage_retention_curve_keeps_the_hour_pattern(tmp_path: Path) -> None:
    hours = [0.0] * 9 + [1.0] * 9 + [0.0] * 6
    doc = _doc([
        {"id": "account", "rows": 2000, "pk": "account_id",
         "vintage_behavior": {"created_at_column": "created_at", "age_based_multipliers": {
             "activity": {"curve": [1.0, 0.6, 0.35, 0.2, 0.1], "time_unit": "month", "applies_to": "fanout"}}},
         "columns": [_col("account_id", "int", {"sequence": {}}),
                     _col("created_at", "datetime", {"datetime_series": {"within": {"start": "2024-01-01", "end": "2024-02-28"}}})]},
        {"id": "login", "kind": "fact", "parents": ["account"], "pk": "login_id",
         "fanout": {"distribution": "poisson", "lambda": 15},
         "columns": [_col("login_id", "int", {"sequence": {}}),
                     _col("account_id", "int", {"lookup": {"from": "account.account_id"}}),
                     _col("at", "datetime", {"datetime_series": {"within": "timeframe",
                                                                  "pattern": {"dimension": "hour", "weights": hours}}})]},
    ])
    out = _run(tmp_path, doc)
    _, age = _ages(out, "account", "login", "account_id", "created_at", "at")
    t = pq.read_table(out / "login.parquet")["at"].to_numpy().astype("int64")
    assert set(((t // 3_600_000_000) % 24).tolist()) <= set(range(9, 18))
    per_month = np.bincount(np.floor(age).astype(int), minlength=6)
    assert per_month[0] > per_month[1] > per_month[2] > per_month[3] > per_month[5] > 0


def test_keyed_effect_on_a_time_column_pulls_times_into_the_key_window(tmp_path: Path) -> None:
    def doc(lift: float) -> dict:
        return _doc([
            {"id": "product", "rows": 12, "pk": "product_id", "columns": [_col("product_id", "int", {"sequence": {}})]},
            {"id": "promo", "rows": 12, "pk": "promo_id", "columns": [
                _col("promo_id", "int", {"sequence": {}}),
                _col("product_id", "int", {"expression": {"code": "promo_id"}}),
                _col("starts", "datetime", {"choice": {"choices": ["2024-03-01T00:00:00"]}}),
                _col("ends", "datetime", {"choice": {"choices": ["2024-03-31T23:59:59"]}}),
                _col("lift", "float", {"choice": {"choices": [lift]}})]},
            {"id": "sale", "rows": 20000, "pk": "sale_id", "columns": [
                _col("sale_id", "int", {"sequence": {}}),
                _col("at", "datetime", {"datetime_series": {"within": "timeframe"}}, modifiers=[{
                    "transform": "effect", "args": {"effect_table": "promo", "on": {"product_id": "product_id"},
                                                    "window": {"start_col": "starts", "end_col": "ends"},
                                                    "map": {"field": "lift", "op": "mul", "default": 1.0}}}]),
                _col("product_id", "int", {"lookup": {"from": "product.product_id"}})]},
        ])

    def march_share(lift: float, where: Path) -> float:
        where.mkdir()
        at = pq.read_table(_run(where, doc(lift)) / "sale.parquet")["at"].to_numpy()
        return float(((at >= np.datetime64("2024-03-01")) & (at < np.datetime64("2024-04-01"))).mean())

    base, lifted = march_share(1.0, tmp_path / "a"), march_share(10.0, tmp_path / "b")
    assert 0.06 < base < 0.11 and lifted > 3 * base


def test_nullable_without_null_rate_has_no_nulls(tmp_path: Path) -> None:
    doc = _doc([{"id": "u", "rows": 500, "pk": "id", "columns": [
        _col("id", "int", {"sequence": {}}),
        _col("nick", "string", {"faker": {"method": "user_name"}}, nullable=True),
        _col("score", "float", {"distribution": {"type": "normal", "params": {"mean": 1, "std": 1}}},
             nullable=True, null_rate=0.2)]}])
    t = pq.read_table(_run(tmp_path, doc) / "u.parquet")
    assert t["nick"].null_count == 0 and 60 < t["score"].null_count < 140


def test_modifiers_without_effect_are_reported_not_ignored(tmp_path: Path) -> None:
    doc = _doc([{"id": "u", "rows": 10, "pk": "id", "columns": [
        _col("id", "int", {"sequence": {}}),
        _col("at", "datetime", {"datetime_series": {"within": "timeframe"}},
             modifiers=[{"transform": "multiply", "args": {"factor": 2}}]),
        _col("tier", "string", {"choice": {"choices": ["a", "b"]}},
             modifiers=[{"transform": "jitter", "args": {"std": 1}}])]}])
    (tmp_path / "s.json").write_text(json.dumps(doc))
    result = generate(tmp_path / "s.json", tmp_path / "o", seed=1)
    assert any("'multiply' does not apply to a datetime column" in w for w in result.warnings)
    assert any("'jitter' changes numbers; 'tier' is a string column" in w for w in result.warnings)


@pytest.mark.parametrize("chunk_rows", [65_536, 256])
def test_touchpoints_carry_the_attributed_share_of_the_conversion_amount(tmp_path: Path, chunk_rows: int,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Also across chunks, where conversions are numbered in time order over the table (see time_ranks): each
    touchpoint still names its own conversion, before it in time."""
    from datagen_core import fact_rows

    monkeypatch.setattr(fact_rows, "CHUNK_ROWS", chunk_rows)
    doc = _doc([
        {"id": "visitor", "rows": 800, "pk": "visitor_id", "columns": [
            _col("visitor_id", "int", {"sequence": {}}),
            _col("first_seen", "datetime", {"datetime_series": {"within": "timeframe"}})]},
        {"id": "conversion", "kind": "fact", "parents": ["visitor"], "pk": "conversion_id",
         "attribution_chain": {"channels": ["seo", "ads", "email"], "min_touches": 1, "max_touches": 5,
                               "time_window_days": 20, "attribution_model": "time_decay"},
         "columns": [
             _col("conversion_id", "int", {"sequence": {}}),
             _col("visitor_id", "int", {"lookup": {"from": "visitor.visitor_id"}}),
             _col("converted_at", "datetime", {"datetime_series": {"within": "timeframe"}}),
             _col("order_value", "float", {"distribution": {"type": "uniform", "params": {"low": 10, "high": 90}}},
                  nullable=True, null_rate=0.1)]},
    ])
    out = _run(tmp_path, doc)
    conv = pq.read_table(out / "conversion.parquet")
    tp = pq.read_table(out / "conversion_touchpoint.parquet")
    value = dict(zip(conv["conversion_id"].to_pylist(), conv["order_value"].to_pylist(), strict=True))
    ids, credit, amount = (tp[c].to_pylist() for c in ("conversion_id", "attribution_credit", "attributed_order_value"))
    assert len(ids) > 1000
    for i, c, a in zip(ids, credit, amount, strict=True):
        assert (a is None) == (value[i] is None)
        assert a is None or abs(a - value[i] * c) < 1e-4 * value[i]
    totals: dict[int, float] = {}
    for i, a in zip(ids, amount, strict=True):
        totals[i] = totals.get(i, 0.0) + (a or 0.0)
    assert all(abs(t - (value[i] or 0.0)) < 1e-9 * max(1.0, value[i] or 0.0) for i, t in totals.items())
    when = dict(zip(conv["conversion_id"].to_pylist(), conv["converted_at"].to_pylist(), strict=True))
    assert all(t <= when[i] for i, t in zip(ids, tp["touched_at"].to_pylist(), strict=True))
    meta = json.loads((out / ".metadata.json").read_text())
    cols = [c["name"] for t in meta["tables"] if t["name"] == "conversion_touchpoint" for c in t["columns"]]
    assert cols[-1] == "attributed_order_value"


def test_funnel_and_state_dates_are_whole_days_strictly_increasing(tmp_path: Path) -> None:
    """A `date` event column of a funnel or a state model: stages hours apart would share a day (validate's
    stage_order failed); they are at least one day apart per parent and stay inside the window."""
    stages = [{"stage_name": s, "transition_rate": 0.9} for s in ("lead", "demo", "trial", "won")]
    states = {"initial_state": "new", "period_unit": "day", "max_transitions": 5,
              "states": {"new": {"transition_prob_per_period": 0.9, "next_states": {"active": 1.0}},
                         "active": {"transition_prob_per_period": 0.9, "next_states": {"new": 0.5, "done": 0.5}},
                         "done": {"terminal": True}}}
    doc = _doc([
        {"id": "account", "rows": 500, "pk": "account_id", "columns": [
            _col("account_id", "int", {"sequence": {}}),
            _col("created_at", "datetime", {"datetime_series": {"within": "timeframe"}})]},
        {"id": "funnel", "kind": "fact", "parents": ["account"], "pk": "row_id",
         "stage_config": {"stages": stages, "time_between_stages_hours": 5}, "columns": [
             _col("row_id", "int", {"sequence": {}}),
             _col("account_id", "int", {"lookup": {"from": "account.account_id"}}),
             _col("stage", "string", {"choice": {"choices": ["lead"]}}),
             _col("on_day", "date", {"datetime_series": {"within": "timeframe"}})]},
        {"id": "life", "kind": "fact", "parents": ["account"], "pk": "row_id", "state_transition_model": states,
         "columns": [
             _col("row_id", "int", {"sequence": {}}),
             _col("account_id", "int", {"lookup": {"from": "account.account_id"}}),
             _col("state", "string", {"choice": {"choices": ["new", "active", "done"]}}),
             _col("on_day", "date", {"datetime_series": {"within": "timeframe"}})]},
    ])
    out = _run(tmp_path, doc)
    for table, order_col in (("funnel", "row_id"), ("life", "row_id")):
        t = pq.read_table(out / f"{table}.parquet")
        key, day = t["account_id"].to_numpy(), t["on_day"].to_numpy().astype("int64")
        order = np.lexsort((t[order_col].to_numpy(), key))
        same = key[order][1:] == key[order][:-1]
        assert t.num_rows > 1000 and same.sum() > 500
        assert (np.diff(day[order])[same] >= 1).all()
        assert day.max() <= np.datetime64("2024-12-31", "D").astype("int64")


def test_children_accrue_over_their_parents_life_at_a_steady_rate(tmp_path: Path) -> None:
    """Signups spread over the year, orders after signup: each customer's count follows the time it had, so a
    first-month rate is the same for early and late cohorts, and the declared mean holds over all customers."""
    doc = _doc([
        {"id": "customer", "rows": 6000, "pk": "customer_id",
         "columns": [_col("customer_id", "int", {"sequence": {}}),
                     _col("signed_up_at", "datetime", {"datetime_series": {"within": "timeframe"}})]},
        {"id": "order", "kind": "fact", "parents": ["customer"], "pk": "order_id",
         "fanout": {"distribution": "poisson", "lambda": 6},
         "columns": [_col("order_id", "int", {"sequence": {}}),
                     _col("customer_id", "int", {"lookup": {"from": "customer.customer_id"}}),
                     _col("ordered_at", "datetime", {"datetime_series": {"within": "timeframe"}})]},
    ])
    out = _run(tmp_path, doc)
    customers = pq.read_table(out / "customer.parquet")
    keys, age = _ages(out, "customer", "order", "customer_id", "signed_up_at", "ordered_at")
    start = np.datetime64("2024-01-01T00:00:00", "us").astype("int64")
    signup = dict(zip(customers["customer_id"].to_numpy(),
                      (customers["signed_up_at"].to_numpy().astype("int64") - start) / MONTH_US, strict=True))
    cohort = np.array([signup[k] for k in keys])
    first_month = age < 1
    early = (signup_month := np.array(list(signup.values()))) < 3
    late = (signup_month >= 8) & (signup_month < 11)  # a full month left after signup
    rate_early = (first_month & (cohort < 3)).sum() / early.sum()
    rate_late = (first_month & (cohort >= 8) & (cohort < 11)).sum() / late.sum()
    assert 0.8 < rate_late / rate_early < 1.25  # was ~10x: a lifetime total squeezed into what was left
    assert abs(len(keys) / len(signup) - 6) < 0.3  # the declared mean over every customer
    assert 0.85 < rate_early < 1.15  # 6 orders over an average life of 6 months: one a month, for every cohort


def test_entity_ids_follow_their_creation_time_across_chunks(tmp_path: Path) -> None:
    hours = [0.1] * 8 + [1.0] * 12 + [0.3] * 4
    doc = _doc([{"id": "account", "rows": 150_000, "pk": "account_id",  # three chunks
                 "columns": [_col("account_id", "int", {"sequence": {}}),
                             _col("created_at", "datetime", {"datetime_series": {
                                 "within": "timeframe", "pattern": {"dimension": "hour", "weights": hours}}})]}])
    t = pq.read_table(_run(tmp_path, doc) / "account.parquet")
    ids, at = t["account_id"].to_numpy(), t["created_at"].to_numpy().astype("int64")
    assert (np.diff(at[np.argsort(ids)]) >= 0).all()  # ids in creation order
    by_hour = np.bincount((at // 3_600_000_000) % 24, minlength=24) / len(at)
    assert by_hour[12] > 2.5 * by_hour[3]  # the declared hour pattern still holds (weights 1.0 vs 0.1)
    assert abs(np.median(at) - (at.min() + at.max()) / 2) < 10 * 86_400_000_000  # spread over the year


def test_money_is_in_cents_unless_the_unit_says_otherwise(tmp_path: Path) -> None:
    lognormal = {"distribution": {"type": "lognormal", "params": {"mean": 3, "sigma": 0.7}, "clamp": [0.5, 900]}}
    doc = _doc([{"id": "sale", "rows": 5000, "pk": "sale_id", "columns": [
        _col("sale_id", "int", {"sequence": {}}),
        _col("unit_price", "float", lognormal),
        _col("qty", "int", {"distribution": {"type": "uniform", "params": {"low": 1, "high": 9}}}),
        _col("line_total", "float", {"expression": {"code": "unit_price * qty"}}),
        _col("price_yen", "float", lognormal, unit="JPY"),
        _col("fee_pct", "float", lognormal),
        _col("weight", "float", lognormal, unit="kg"),
        _col("rate", "float", lognormal, decimals=3)]}])
    t = pq.read_table(_run(tmp_path, doc) / "sale.parquet")

    def decimals_at_most(name: str, d: int) -> bool:
        v = t[name].to_numpy()
        return bool(np.all(np.abs(v * 10**d - np.round(v * 10**d)) < 1e-6))

    assert decimals_at_most("unit_price", 2) and decimals_at_most("line_total", 2)
    assert decimals_at_most("price_yen", 0) and decimals_at_most("rate", 3) and not decimals_at_most("rate", 2)
    assert not decimals_at_most("fee_pct", 3) and not decimals_at_most("weight", 3)
    assert t["unit_price"].to_numpy().min() >= 0.5 and t["unit_price"].to_numpy().max() <= 900


def _per_parent(out: Path, parents: int) -> np.ndarray:
    keys = pq.read_table(out / "event.parquet")["user_id"].to_numpy()
    return np.bincount(keys, minlength=parents + 1)[1:]


def _fanout_doc(fanout: dict) -> dict:
    return _doc([
        {"id": "user", "rows": 20_000, "pk": "user_id",
         "columns": [_col("user_id", "int", {"sequence": {}}),
                     _col("joined", "datetime", {"datetime_series": {"within": {"start": "2024-01-01", "end": "2024-01-02"}}})]},
        {"id": "event", "kind": "fact", "parents": ["user"], "pk": "event_id", "fanout": fanout,
         "columns": [_col("event_id", "int", {"sequence": {}}), _col("user_id", "int", {"lookup": {"from": "user.user_id"}}),
                     _col("at", "datetime", {"datetime_series": {"within": "timeframe"}})]}])


def _top_decile_share(n: np.ndarray) -> float:
    s = np.sort(n)[::-1]
    return float(s[: len(s) // 10].sum() / s.sum())


@pytest.mark.parametrize("fanout, dormant", [
    ({"distribution": "negative_binomial", "lambda": 8, "dispersion": 0.5}, 0.0),
    ({"distribution": "lognormal", "lambda": 8, "sigma": 1.2}, 0.0),
    ({"distribution": "zipf", "lambda": 8, "exponent": 2.5}, 0.0),
    ({"distribution": "poisson", "lambda": 8, "dormant": 0.3}, 0.3),
    ({"distribution": "negative_binomial", "lambda": 8, "dispersion": 1, "dormant": 0.25}, 0.25),
])
def test_heavy_tailed_fanouts_keep_the_mean(tmp_path: Path, fanout: dict, dormant: float) -> None:
    n = _per_parent(_run(tmp_path, _fanout_doc(fanout)), 20_000)
    (tmp_path / "p").mkdir()
    plain = _per_parent(_run(tmp_path / "p", _fanout_doc({"distribution": "poisson", "lambda": 8})), 20_000)
    # the declared mean, over every parent (a zipf tail of exponent 2.5 has no variance: its sample mean wanders)
    assert abs(n.mean() - 8) < (1.2 if fanout["distribution"] == "zipf" else 0.5)
    if fanout["distribution"] != "poisson":
        assert _top_decile_share(n) > 0.3 > _top_decile_share(plain)  # power users (poisson: ~0.2)
    if dormant:
        assert dormant - 0.03 < (n == 0).mean() < dormant + 0.12  # dormant, plus the few active with no event


def test_fanout_shape_parameters_are_checked() -> None:
    from datagen_contracts.dsl import loads_schema
    from datagen_contracts.errors import SchemaError

    bad = _fanout_doc({"distribution": "poisson", "lambda": 3, "dispersion": 0.5, "min": 1, "dormant": 0.2})
    bad["nodes"].append(_fanout_doc({"distribution": "zipf", "lambda": 3, "exponent": 1.5})["nodes"][1] | {"id": "e2"})
    with pytest.raises(SchemaError) as err:
        loads_schema(json.dumps(bad).encode())
    text = str(err.value)
    assert "'dispersion' belongs to a negative_binomial fanout, not poisson" in text
    assert "dormant parents have no children, but min is 1" in text
    assert "must be > 2 (a finite mean), got 1.5" in text
