"""Sequence ids follow time: an entity's creation times are stratified by row (``datetime_series`` and
``diffusion_curve``); a fact chunk's rows are ordered by their creation time before the engine numbers them, with
every other column, null mask and child reference moving with its row."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from datagen_core import fact_rows
from datagen_core.engine import generate


def _doc(accounts: int, lam: float) -> dict:
    return {
        "version": "1.0", "metadata": {"name": "t"},
        "timeframe": {"start": "2024-01-01T00:00:00Z", "end": "2024-12-31T23:59:59Z"},
        "nodes": [
            {"id": "account", "kind": "entity", "rows": accounts, "pk": "account_id", "columns": [
                {"name": "account_id", "type": "int", "generator": {"sequence": {}}},
                {"name": "created_at", "type": "datetime", "generator": {"diffusion_curve": {
                    "within": "timeframe", "curve_type": "logistic", "inflection_point": 0.4, "steepness": 8}}}]},
            {"id": "invoice", "kind": "fact", "parents": ["account"], "pk": "invoice_id",
             "fanout": {"distribution": "poisson", "lambda": lam}, "columns": [
                {"name": "invoice_id", "type": "int", "generator": {"sequence": {"start": 100}}},
                {"name": "account_id", "type": "int", "generator": {"lookup": {"from": "account.account_id"}}},
                {"name": "issued_at", "type": "datetime", "generator": {"datetime_series": {"within": "timeframe"}}},
                {"name": "note", "type": "string", "nullable": True, "null_rate": 0.3,
                 "generator": {"faker": {"method": "word"}}}]},
            {"id": "line", "kind": "fact", "parents": ["invoice"], "pk": "line_id",
             "fanout": {"distribution": "poisson", "lambda": 2, "min": 1}, "columns": [
                {"name": "line_id", "type": "int", "generator": {"sequence": {}}},
                {"name": "invoice_id", "type": "int", "generator": {"lookup": {"from": "invoice.invoice_id"}}},
                {"name": "added_at", "type": "datetime", "generator": {"datetime_series": {"within": "timeframe"}}}]},
        ]}


def _rank_corr(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(np.argsort(np.argsort(a)), np.argsort(np.argsort(b)))[0, 1])


def _generate(tmp_path: Path, doc: dict, **kw) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc))
    out = tmp_path / "out"
    generate(str(path), seed=5, output=str(out), **kw)
    return out


def test_ids_follow_time_and_rows_keep_their_values(tmp_path: Path) -> None:
    out = _generate(tmp_path, _doc(2000, 4))
    acc = pq.read_table(out / "account.parquet").to_pydict()
    inv = pq.read_table(out / "invoice.parquet").to_pydict()
    line = pq.read_table(out / "line.parquet").to_pydict()
    assert np.all(np.diff(np.array(acc["created_at"], dtype="datetime64[us]").astype(np.int64)) >= 0)
    issued = np.array(inv["issued_at"], dtype="datetime64[us]").astype(np.int64)
    assert inv["invoice_id"] == list(range(100, 100 + len(issued)))
    assert np.all(np.diff(issued) >= 0)  # one chunk: ids in time order across the table
    # rows moved whole: an invoice is never before its account, nulls stayed (~30%), lines point at real invoices
    created = dict(zip(acc["account_id"], np.array(acc["created_at"], dtype="datetime64[us]").astype(np.int64),
                       strict=True))
    assert all(t >= created[a] for a, t in zip(inv["account_id"], issued, strict=True))
    assert 0.25 < sum(v is None for v in inv["note"]) / len(issued) < 0.35
    assert set(line["invoice_id"]) <= set(inv["invoice_id"])
    by_invoice = dict(zip(inv["invoice_id"], issued, strict=True))
    added = np.array(line["added_at"], dtype="datetime64[us]").astype(np.int64)
    assert all(t >= by_invoice[i] for i, t in zip(line["invoice_id"], added, strict=True))


def test_larger_facts_are_numbered_in_time_order_across_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fact_rows, "CHUNK_ROWS", 2048)  # several chunks of invoices from a small schema
    out = _generate(tmp_path, _doc(3000, 5))
    inv = pq.read_table(out / "invoice.parquet").to_pydict()
    issued = np.array(inv["issued_at"], dtype="datetime64[us]").astype(np.int64)
    ids = np.array(inv["invoice_id"])
    assert pq.ParquetFile(out / "invoice.parquet").metadata.num_row_groups > 3  # it did take several chunks
    assert sorted(ids.tolist()) == list(range(100, 100 + len(ids)))  # still exactly start, start+1, … once each
    assert int((np.diff(issued) < 0).sum()) > 0  # rows stay in chunk order in the file …
    by_id = issued[np.argsort(ids)]  # … but read in id order, the times never go back by more than a time slice
    slice_us = (366 * 86_400e6) / (1 << 18)
    assert (np.diff(by_id) > -slice_us).all()
    assert _rank_corr(ids, issued) > 0.9999
    # each row kept its own values: an invoice after its account, lines after their invoice (through the new ids)
    acc = pq.read_table(out / "account.parquet").to_pydict()
    created = dict(zip(acc["account_id"], np.array(acc["created_at"], dtype="datetime64[us]").astype(np.int64),
                       strict=True))
    assert all(t >= created[a] for a, t in zip(inv["account_id"], issued, strict=True))
    line = pq.read_table(out / "line.parquet").to_pydict()
    by_invoice = dict(zip(inv["invoice_id"], issued, strict=True))
    added = np.array(line["added_at"], dtype="datetime64[us]").astype(np.int64)
    assert set(line["invoice_id"]) <= set(by_invoice)
    assert all(t >= by_invoice[i] for i, t in zip(line["invoice_id"], added, strict=True))
    line_ids = np.array(line["line_id"])  # the lines (several chunks too) follow their own time
    assert _rank_corr(line_ids, added) > 0.9999


@pytest.mark.parametrize("chunk_rows", [65_536, 1024])
def test_the_same_bytes_with_more_workers(tmp_path: Path, chunk_rows: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fact_rows, "CHUNK_ROWS", chunk_rows)  # 1024: numbered in time order across chunks
    one = _generate(tmp_path / "a", _doc(1500, 3))
    two = _generate(tmp_path / "b", _doc(1500, 3), workers=2)
    for name in ("account", "invoice", "line"):
        assert (one / f"{name}.parquet").read_bytes() == (two / f"{name}.parquet").read_bytes()



def test_children_accrue_until_their_parent_ends(tmp_path: Path) -> None:
    """Invoices until the subscription's cancellation: a canceled subscription gets invoices in proportion to its
    own life, not a full-window share squeezed into it — the rate per active day is the same for both."""
    doc = {
        "version": "1.0", "metadata": {"name": "t"},
        "timeframe": {"start": "2024-01-01T00:00:00Z", "end": "2024-12-31T23:59:59Z"},
        "constraints": {"inequalities": [
            {"left": "subscription.started_at", "op": "<", "right": "subscription.canceled_at"},
            {"left": "invoice.issued_at", "op": "<=", "right": "subscription.canceled_at"}]},
        "nodes": [
            {"id": "subscription", "kind": "entity", "rows": 6000, "pk": "sub_id", "columns": [
                {"name": "sub_id", "type": "int", "generator": {"sequence": {}}},
                {"name": "started_at", "type": "datetime", "generator": {"datetime_series": {}}},
                {"name": "canceled_at", "type": "datetime", "nullable": True, "null_rate": 0.5,
                 "generator": {"datetime_series": {}}}]},
            {"id": "invoice", "kind": "fact", "parents": ["subscription"], "pk": "invoice_id",
             "fanout": {"distribution": "poisson", "lambda": 6}, "columns": [
                {"name": "invoice_id", "type": "int", "generator": {"sequence": {}}},
                {"name": "sub_id", "type": "int", "generator": {"lookup": {"from": "subscription.sub_id"}}},
                {"name": "issued_at", "type": "datetime", "generator": {"datetime_series": {}}}]}]}
    out = _generate(tmp_path, doc)
    subs = pq.read_table(out / "subscription.parquet").to_pydict()
    inv = pq.read_table(out / "invoice.parquet").to_pydict()
    assert len(inv["invoice_id"]) == pytest.approx(6 * 6000, rel=0.05)  # the declared mean holds overall
    end = np.datetime64("2025-01-01T00:00:00", "us").astype(np.int64)
    start = np.array(subs["started_at"], dtype="datetime64[us]").astype(np.int64)
    stop = np.array([end if c is None else np.datetime64(c, "us").astype(np.int64) for c in subs["canceled_at"]])
    days = (stop - start) / 86_400e6
    ids = np.array(subs["sub_id"])
    count = np.bincount(np.array(inv["sub_id"]) - ids.min(), minlength=len(start))[ids - ids.min()]
    canceled = np.array([c is not None for c in subs["canceled_at"]])
    per_day = [count[m & (days > 30)].sum() / days[m & (days > 30)].sum() for m in (canceled, ~canceled)]
    assert per_day[0] == pytest.approx(per_day[1], rel=0.1), per_day


def test_a_failure_in_the_second_pass_fails_the_run_and_leaves_nothing(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The second pass of a fact numbered in time order runs in a thread of its own: its error still ends the
    run as a GenerationError naming the table, with no output and no spill file left behind."""
    from datagen_core import engine
    from datagen_core.errors import GenerationError

    monkeypatch.setattr(fact_rows, "CHUNK_ROWS", 2048)
    real_add = engine.TableSink.add

    def add(self, piece, offsets, sinks):  # only the time-ordered replay has ranks
        if self.ranks is not None:
            raise ValueError("boom")
        return real_add(self, piece, offsets, sinks)

    monkeypatch.setattr(engine.TableSink, "add", add)
    with pytest.raises(GenerationError, match="table 'invoice': ValueError: boom"):
        _generate(tmp_path, _doc(3000, 5))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]
