"""Start/end pairs: declared inequalities and pairs implied by names hold in every row, by redrawing the end."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
from click.testing import CliRunner

from datagen_contracts.dsl import loads_schema
from datagen_core.cli import main
from datagen_core.columns.intervals import ordered_pairs
from datagen_core.engine import generate

DOC = {
    "version": "1.0", "metadata": {"name": "meetings"},
    "timeframe": {"start": "2024-01-01T00:00:00Z", "end": "2024-12-31T23:59:59Z"},
    "constraints": {"inequalities": [{"left": "meeting.checkin", "op": "<", "right": "meeting.checkout"}]},
    "nodes": [{"id": "meeting", "rows": 20000, "pk": "id", "columns": [
        {"name": "id", "type": "int", "generator": {"sequence": {}}},
        {"name": "start_time", "type": "datetime", "generator": {"datetime_series": {
            "within": "timeframe", "pattern": {"dimension": "hour", "weights": [0] * 8 + [1] * 10 + [0] * 6}}}},
        {"name": "end_time", "type": "datetime", "generator": {"datetime_series": {"within": "timeframe"}}},
        {"name": "valid_from", "type": "date", "generator": {"datetime_series": {"within": "timeframe"}}},
        {"name": "valid_to", "type": "date", "nullable": True, "null_rate": 0.1,
         "generator": {"datetime_series": {"within": {"start": "2024-06-01", "end": "2025-06-30"}}}},
        {"name": "phase_start", "type": "datetime", "generator": {"choice": {"choices": [
            "2024-01-01T00:00:00", "2024-04-01T00:00:00", "2024-07-01T00:00:00"]}}},
        {"name": "phase_end", "type": "datetime", "generator": {"choice": {"choices": [
            "2024-03-31T00:00:00", "2024-06-30T00:00:00", "2024-09-30T00:00:00"]}}},
        {"name": "checkin", "type": "datetime", "generator": {"datetime_series": {"within": "timeframe"}}},
        {"name": "checkout", "type": "datetime", "generator": {"datetime_series": {"within": "timeframe"}}},
        {"name": "minutes", "type": "float", "generator": {"expression": {"code": "(end_time - start_time) / 60000000"}}},
    ]}],
}


def _write(tmp_path: Path) -> Path:
    path = tmp_path / "meetings.json"
    path.write_text(json.dumps(DOC))
    return path


def _us(t, c: str) -> np.ndarray:
    arr = t[c]
    if str(arr.type) == "date32[day]":
        arr = pc.cast(arr, "timestamp[us]")
    return pc.cast(arr, "int64").to_numpy(zero_copy_only=False)


def test_pairs_declared_then_inferred_by_name() -> None:
    schema = loads_schema(json.dumps(DOC))
    pairs = [(p.early, p.late, p.strict, p.declared) for p in ordered_pairs(schema, schema.node("meeting"))]
    assert pairs == [("checkin", "checkout", True, True), ("start_time", "end_time", True, False),
                     ("valid_from", "valid_to", False, False), ("phase_start", "phase_end", True, False)]


def test_zero_violations_ends_redrawn_inside_their_windows(tmp_path: Path) -> None:
    generate(_write(tmp_path), tmp_path / "o", seed=4)
    t = pq.read_table(tmp_path / "o" / "meeting.parquet")
    start, end = _us(t, "start_time"), _us(t, "end_time")
    assert int((end <= start).sum()) == 0
    assert int((_us(t, "checkout") <= _us(t, "checkin")).sum()) == 0
    assert int((_us(t, "phase_end") <= _us(t, "phase_start")).sum()) == 0
    valid = ~np.asarray(t["valid_to"].is_null())
    assert valid.sum() > 15000 and int((_us(t, "valid_to")[valid] < _us(t, "valid_from")[valid]).sum()) == 0
    # redrawn, not clipped: durations vary, both ends stay in the timeframe, the start keeps its hour pattern
    assert len(np.unique(end - start)) > 19000
    assert end.max() <= np.datetime64("2024-12-31T23:59:59", "us").astype(np.int64)
    assert set(((start // 3_600_000_000) % 24).tolist()) <= set(range(8, 18))
    assert {d.isoformat() for d in t["phase_end"].to_pylist()} == {"2024-03-31T00:00:00", "2024-06-30T00:00:00",
                                                                   "2024-09-30T00:00:00"}
    # expressions declared later see the ordered values
    np.testing.assert_allclose(t["minutes"].to_numpy(), (end - start) / 60e6)


def test_cli_prints_inferred_pairs_unless_quiet(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["generate", str(_write(tmp_path)), "-o", str(tmp_path / "a")])
    assert res.exit_code == 0, res.output
    assert "meeting.start_time < meeting.end_time" in res.stderr and "meeting.valid_from <= meeting.valid_to" in res.stderr
    assert "meeting.checkin" not in res.stderr.split("inferred")[1].splitlines()[0]
    quiet = runner.invoke(main, ["generate", str(_write(tmp_path)), "-o", str(tmp_path / "b"), "--quiet"])
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_monthly_dates_of_late_parents_stay_whole_days_and_ordered(tmp_path: Path) -> None:
    """A monthly date whose window (after a parent created in late December) holds no first-of-month stays a whole
    day, and a fact row with no room for its end after its start is not generated (it was kept out of order)."""
    doc = {"version": "1.0", "metadata": {"name": "st"}, "timeframe": {"start": "2024-01-01", "end": "2024-12-31T23:59:59"},
           "nodes": [
               {"id": "account", "rows": 300, "pk": "account_id", "columns": [
                   {"name": "account_id", "type": "int", "generator": {"sequence": {}}},
                   {"name": "opened_at", "type": "datetime",
                    "generator": {"datetime_series": {"within": {"start": "2024-11-20", "end": "2024-12-31"}}}}]},
               {"id": "statement", "kind": "fact", "parents": ["account"], "pk": "statement_id",
                "fanout": {"distribution": "poisson", "lambda": 3}, "columns": [
                    {"name": "statement_id", "type": "int", "generator": {"sequence": {}}},
                    {"name": "account_id", "type": "int", "generator": {"lookup": {"from": "account.account_id"}}},
                    {"name": "period_start", "type": "date", "generator": {"datetime_series": {"freq": "M"}}},
                    {"name": "period_end", "type": "date", "generator": {"datetime_series": {"freq": "M"}}}]}],
           "constraints": {"inequalities": [{"left": "statement.period_start", "op": "<", "right": "statement.period_end"}]}}
    path = tmp_path / "st.json"
    path.write_text(json.dumps(doc))
    result = generate(path, tmp_path / "o", seed=4)
    t = pq.read_table(tmp_path / "o" / "statement.parquet")
    start, end = t["period_start"].to_numpy(), t["period_end"].to_numpy()
    assert t.num_rows > 300 and (start < end).all()
    assert {d.day for d in t["period_start"].to_pylist()} != {1}  # late parents: no first-of-month left
    dropped = [w for w in result.warnings if "no room for period_end after period_start" in w]
    assert len(dropped) == 1 and dropped[0].startswith("statement: ") and "rows not generated" in dropped[0]


def test_inequalities_with_the_parent_row_hold_for_times_and_numbers(tmp_path: Path) -> None:
    """`shipment.shipped_at > order.paid_at` (not the order's creation column), `shipment.delivered_on >
    order.paid_at` (a date after a datetime) and `shipment.refund <= order.amount` hold through the FK."""
    doc = {"version": "1.0", "metadata": {"name": "ship"}, "timeframe": {"start": "2024-01-01", "end": "2024-12-31T23:59:59"},
           "nodes": [
               {"id": "order", "rows": 3000, "pk": "order_id", "columns": [
                   {"name": "order_id", "type": "int", "generator": {"sequence": {}}},
                   {"name": "ordered_at", "type": "datetime", "generator": {"datetime_series": {}}},
                   {"name": "paid_at", "type": "datetime", "generator": {"datetime_series": {}}},
                   {"name": "amount", "type": "float", "generator": {"distribution": {"type": "uniform",
                                                                                      "params": {"low": 5, "high": 50}}}}]},
               {"id": "shipment", "kind": "fact", "parents": ["order"], "pk": "shipment_id", "columns": [
                   {"name": "shipment_id", "type": "int", "generator": {"sequence": {}}},
                   {"name": "order_id", "type": "int", "generator": {"lookup": {"from": "order.order_id"}}},
                   {"name": "shipped_at", "type": "datetime", "generator": {"datetime_series": {"freq": "H"}}},
                   {"name": "delivered_on", "type": "date", "generator": {"datetime_series": {}}},
                   {"name": "refund", "type": "int", "generator": {"distribution": {"type": "uniform",
                                                                                    "params": {"low": 0, "high": 80}}}}]}],
           "constraints": {"inequalities": [
               {"left": "order.paid_at", "op": ">=", "right": "order.ordered_at"},
               {"left": "shipment.shipped_at", "op": ">", "right": "order.paid_at"},
               {"left": "order.paid_at", "op": "<", "right": "shipment.delivered_on"},
               {"left": "shipment.refund", "op": "<=", "right": "order.amount"}]}}
    path = tmp_path / "ship.json"
    path.write_text(json.dumps(doc))
    generate(path, tmp_path / "o", seed=6)
    order = pq.read_table(tmp_path / "o" / "order.parquet")
    ship = pq.read_table(tmp_path / "o" / "shipment.parquet")
    row = {k: i for i, k in enumerate(order["order_id"].to_pylist())}
    parent = np.array([row[k] for k in ship["order_id"].to_pylist()])
    paid = order["paid_at"].to_numpy()[parent]
    assert ship.num_rows > 2500
    assert (ship["shipped_at"].to_numpy() > paid).all()
    assert (ship["delivered_on"].to_numpy().astype("datetime64[us]") > paid).all()
    refund, amount = ship["refund"].to_numpy(), order["amount"].to_numpy()[parent]
    assert (refund <= amount).all() and (refund < np.floor(amount)).mean() > 0.3  # capped, not all at the cap


def test_start_and_end_words_beyond_start_and_end_pair_columns() -> None:
    """The English pairs of an interval's two ends, as warehouses name them (a taxi trip's pickup/dropoff, a stay's
    check-in/check-out, a document's issue/expiry …), in snake case or glued; a lone word or two unrelated times
    are no pair."""
    from datagen_core.columns.intervals import _names_pair

    pairs = [("tpep_pickup_datetime", "tpep_dropoff_datetime"), ("check_in_date", "check_out_date"),
             ("checkin", "checkout"), ("pickupTime", "dropoffTime"), ("first_seen", "last_seen"),
             ("issue_date", "expiry_date"), ("admitted_at", "discharged_at"), ("login_time", "logout_time"),
             ("time_in", "time_out")]
    assert [a for a, b in pairs if not _names_pair(a, b)] == []
    assert [b for a, b in pairs if _names_pair(b, a)] == []  # never the other way round
    assert not _names_pair("pickup_at", "delivered_at") and not _names_pair("first_order", "last_login")


def test_a_chain_of_pairs_holds_whatever_the_column_order(tmp_path: Path) -> None:
    """start <= shipped <= delivered and start <= end, declared in any order and with the columns in any order:
    redrawing ``shipped`` after ``start`` (the last column) once undid ``delivered >= shipped`` for a quarter of
    the rows; the pairs are now enforced upstream first, again for each pair a redraw touches."""
    cols = ["shipped_at", "delivered_at", "start_date", "end_date"]
    doc = {"version": "1.0", "metadata": {"name": "ships"}, "timeframe": {"start": "2024-01-01", "end": "2024-12-31"},
           "constraints": {"inequalities": [
               {"left": "s.delivered_at", "op": ">=", "right": "s.shipped_at"},
               {"left": "s.end_date", "op": ">=", "right": "s.start_date"},
               {"left": "s.shipped_at", "op": ">=", "right": "s.start_date"},
               {"left": "s.delivered_at", "op": ">=", "right": "s.start_date"}]},
           "nodes": [{"id": "s", "rows": 5000, "pk": "id", "columns": [
               {"name": "id", "type": "int", "generator": {"sequence": {}}},
               *({"name": c, "type": "datetime" if c.endswith("_at") else "date",
                  "generator": {"datetime_series": {"within": "timeframe"}}} for c in cols)]}]}
    (tmp_path / "s.json").write_text(json.dumps(doc))
    t = pq.read_table(generate(tmp_path / "s.json", tmp_path / "out", seed=3).output / "s.parquet")
    start, shipped, delivered, end = (_us(t, c) for c in ("start_date", "shipped_at", "delivered_at", "end_date"))
    assert (shipped >= start).all() and (delivered >= shipped).all() and (delivered >= start).all()
    assert (end >= start).all()
