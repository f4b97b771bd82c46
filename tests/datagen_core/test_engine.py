"""generate(): determinism across runs and workers, stream independence, atomic output, behaviours in the data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from datagen_core import chunks, fact_rows
from datagen_core.engine import generate
from datagen_core.errors import OutputExistsError

UPSTREAM = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "upstream"


def _shas(out: Path) -> dict[str, str]:
    meta = json.loads((out / ".metadata.json").read_text())
    return {t["name"]: t["files"][0]["sha256"] for t in meta["tables"]}


def _schema(tmp_path: Path, extra_nodes: list[dict] | None = None) -> Path:
    doc = {
        "version": "1.0", "metadata": {"name": "t"}, "constraints": {},
        "timeframe": {"start": "2024-01-01T00:00:00Z", "end": "2024-12-31T23:59:59Z"},
        "nodes": [
            {"id": "user", "kind": "entity", "rows": 3000, "pk": "user_id", "columns": [
                {"name": "user_id", "type": "int", "generator": {"sequence": {}}},
                {"name": "name", "type": "string", "generator": {"faker": {"method": "name"}}},
                {"name": "email", "type": "string", "generator": {"faker": {"method": "email"}}},
                {"name": "nick", "type": "string", "nullable": True, "null_rate": 0.25,
                 "generator": {"faker": {"method": "user_name"}}},
                {"name": "signup", "type": "datetime", "generator": {"datetime_series": {"within": "timeframe"}}}]},
            {"id": "event", "kind": "fact", "parents": ["user"], "pk": "event_id",
             "fanout": {"distribution": "poisson", "lambda": 5},
             "columns": [
                {"name": "event_id", "type": "int", "generator": {"sequence": {}}},
                {"name": "user_id", "type": "int", "generator": {"lookup": {"from": "user.user_id"}}},
                {"name": "at", "type": "datetime", "generator": {"datetime_series": {"within": "timeframe"}}},
                {"name": "amount", "type": "float", "generator": {"distribution": {"type": "normal",
                    "params": {"mean": 10, "std": 3}}}}]},
        ] + (extra_nodes or []),
    }
    path = tmp_path / f"schema{len(extra_nodes or [])}.json"
    path.write_text(json.dumps(doc))
    return path


def test_same_seed_same_bytes_and_other_seed_differs(tmp_path: Path) -> None:
    s = _schema(tmp_path)
    generate(s, tmp_path / "a", seed=7)
    generate(s, tmp_path / "b", seed=7)
    generate(s, tmp_path / "c", seed=8)
    assert _shas(tmp_path / "a") == _shas(tmp_path / "b")
    assert _shas(tmp_path / "a")["event"] != _shas(tmp_path / "c")["event"]


def test_adding_a_table_leaves_the_others_unchanged(tmp_path: Path) -> None:
    extra = [{"id": "shop", "rows": 10, "pk": "shop_id", "columns": [
        {"name": "shop_id", "type": "int", "generator": {"sequence": {}}}]}]
    generate(_schema(tmp_path), tmp_path / "a", seed=3)
    generate(_schema(tmp_path, extra), tmp_path / "b", seed=3)
    a, b = _shas(tmp_path / "a"), _shas(tmp_path / "b")
    assert a["user"] == b["user"] and a["event"] == b["event"] and "shop" in b


def test_workers_do_not_change_the_bytes(tmp_path: Path) -> None:
    path = UPSTREAM / "gov_scaled.json"
    generate(path, tmp_path / "w1", seed=42, scale=0.05, workers=1, yes=True)
    generate(path, tmp_path / "w2", seed=42, scale=0.05, workers=2, yes=True)
    rows = json.loads((tmp_path / "w1" / ".metadata.json").read_text())["tables"]
    assert max(t["rows"] for t in rows) > 3 * fact_rows.CHUNK_ROWS  # several chunks really ran in parallel
    assert _shas(tmp_path / "w1") == _shas(tmp_path / "w2")


def test_existing_output_is_refused_then_replaced_with_overwrite(tmp_path: Path) -> None:
    s = _schema(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    with pytest.raises(OutputExistsError):
        generate(s, out, seed=1)
    assert (out / "keep.txt").exists()
    generate(s, out, seed=1, overwrite=True)
    assert not (out / "keep.txt").exists() and (out / "user.parquet").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_failure_midway_leaves_no_partial_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = chunks.generate_chunk

    def boom(job):
        if job.table == "event":
            raise KeyboardInterrupt
        return real(job)

    monkeypatch.setattr("datagen_core.engine.generate_chunk", boom)
    with pytest.raises(KeyboardInterrupt):
        generate(_schema(tmp_path), tmp_path / "out", seed=1)
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == []


def test_metadata_null_rate_emails_and_parent_times(tmp_path: Path) -> None:
    s = _schema(tmp_path)
    generate(s, tmp_path / "o", seed=5)
    meta = json.loads((tmp_path / "o" / ".metadata.json").read_text())
    assert meta["seed"] == 5 and meta["schema"]["sha256"] and meta["generator"]["name"] == "datagen-core"
    user = pq.read_table(tmp_path / "o" / "user.parquet")
    assert abs(user["nick"].null_count / 3000 - 0.25) < 0.03
    first = pc.utf8_lower(pc.list_element(pc.split_pattern(user["name"], " "), 0)).to_pylist()
    emails = user["email"].to_pylist()
    agree = np.mean([f.encode("ascii", "ignore").decode()[:3] in e for f, e in zip(first, emails, strict=True)])
    assert agree > 0.9
    ev = pq.read_table(tmp_path / "o" / "event.parquet")
    signup = dict(zip(user["user_id"].to_pylist(), user["signup"].to_pylist(), strict=True))
    assert all(at >= signup[u] for u, at in zip(ev["user_id"].to_pylist(), ev["at"].to_pylist(), strict=True))
    assert str(ev.schema.field("event_id").type) == "int64"


def test_segments_differ_and_vintage_activity_decays(tmp_path: Path) -> None:
    generate(UPSTREAM / "ecomm.json", tmp_path / "e", seed=42, scale=0.3, yes=True)
    c = pq.read_table(tmp_path / "e" / "customer.parquet")
    o = pq.read_table(tmp_path / "e" / "order.parquet")
    seg = dict(zip(c["customer_id"].to_pylist(), c["customer_segment"].to_pylist(), strict=True))
    counts: dict[str, list[int]] = {}
    per = {}
    for cid in o["customer_id"].to_pylist():
        per[cid] = per.get(cid, 0) + 1
    for cid, s in seg.items():
        counts.setdefault(s, []).append(per.get(cid, 0))
    assert np.mean(counts["VIP"]) > 3 * np.mean(counts["Casual"])
    generate(UPSTREAM / "vintage_effects_demo.json", tmp_path / "v", seed=42)
    cu = pq.read_table(tmp_path / "v" / "customer.parquet")
    pu = pq.read_table(tmp_path / "v" / "purchase.parquet")
    created = dict(zip(cu["customer_id"].to_pylist(), cu["created_at"].to_pylist(), strict=True))
    ages = np.array([(t - created[c]).days // 30 for c, t in zip(pu["customer_id"].to_pylist(), pu["purchase_time"].to_pylist(), strict=True)])
    # exposure-adjusted activity per customer-month falls with age (a retention curve)
    cre = np.array(list(created.values()), dtype="datetime64[us]")
    end = np.datetime64("2024-12-31T23:59:59")
    months_alive = ((end - cre).astype("timedelta64[D]").astype(int) // 30)
    exposure = np.array([(months_alive >= a).sum() for a in range(6)])
    rate = np.array([(ages == a).sum() for a in range(6)]) / exposure
    assert rate[0] > rate[3] > 0 and rate[0] > 1.5 * rate[5]


def test_declared_unique_emails_and_handles_are_unique_across_chunks(tmp_path: Path) -> None:
    """``constraints.unique`` is honoured by construction, across chunks (entity rows > CHUNK_ROWS) and in a
    fact table, where a pool sample alone repeats values (a birthday problem at a few thousand rows)."""
    doc = json.loads(_schema(tmp_path).read_text())
    doc["nodes"][0]["rows"] = 2 * fact_rows.CHUNK_ROWS + 5000
    doc["nodes"][1]["columns"].append({"name": "contact", "type": "string", "generator": {"faker": {"method": "email"}}})
    doc["constraints"] = {"unique": ["user.email", "user.nick", "event.contact"]}
    path = tmp_path / "unique.json"
    path.write_text(json.dumps(doc))
    generate(path, tmp_path / "u", seed=3, workers=2)
    user = pq.read_table(tmp_path / "u" / "user.parquet")
    event = pq.read_table(tmp_path / "u" / "event.parquet")
    for column in (user["email"], user["nick"].drop_null(), event["contact"]):
        assert len(column) > 0 and pc.count_distinct(column).as_py() == len(column)
    first = pc.utf8_lower(pc.list_element(pc.split_pattern(user["name"], " "), 0)).to_pylist()[:2000]
    agree = np.mean([f.encode("ascii", "ignore").decode()[:3] in e
                     for f, e in zip(first, user["email"].to_pylist(), strict=False)])
    assert agree > 0.9  # still the row's own name


def test_warnings_without_a_row_count_do_not_stop_generation(tmp_path: Path) -> None:
    """A pool-drawn column declared unique is warned about (once), not a crash of the table (it was a
    ``ValueError`` while the engine summed "<count> rows …" warnings over chunks)."""
    doc = json.loads(_schema(tmp_path).read_text())
    doc["nodes"][0]["rows"] = fact_rows.CHUNK_ROWS + 10
    doc["nodes"][0]["columns"].append({"name": "employer", "type": "string", "generator": {"faker": {"method": "company"}}})
    doc["constraints"] = {"unique": ["user.employer"]}
    path = tmp_path / "pool.json"
    path.write_text(json.dumps(doc))
    result = generate(path, tmp_path / "o", seed=1)
    assert result.rows["user"] == fact_rows.CHUNK_ROWS + 10
    assert [w for w in result.warnings if "employer" in w] == [
        "user: employer: faker 'company' draws from a pool and cannot promise the declared uniqueness (unique by "
        "construction: email, user_name, bothify/numerify, uuid4)"]


def test_a_unique_template_in_a_fact_is_unique_across_chunks(tmp_path: Path) -> None:
    """A fact's rows are numbered when its chunks are assembled: a unique template encodes that number, so it holds
    across chunks and workers while the table has fewer rows than the template has combinations."""
    doc = json.loads(_schema(tmp_path).read_text())
    doc["nodes"][0]["rows"] = 30_000  # ~150k events: three chunks
    doc["nodes"][1]["columns"].append({"name": "ticket", "type": "string",
                                       "generator": {"faker": {"method": "bothify", "text": "T-??-####"}}})
    doc["constraints"] = {"unique": ["event.ticket"]}
    path = tmp_path / "ticket.json"
    path.write_text(json.dumps(doc))
    a = generate(path, tmp_path / "a", seed=2, workers=1)
    b = generate(path, tmp_path / "b", seed=2, workers=2)
    assert _shas(tmp_path / "a") == _shas(tmp_path / "b")
    ticket = pq.read_table(tmp_path / "a" / "event.parquet")["ticket"]
    assert len(ticket) > 2 * fact_rows.CHUNK_ROWS and pc.count_distinct(ticket).as_py() == len(ticket)
    assert not any("ticket" in w for w in a.warnings + b.warnings)
    assert all(len(t) == 9 and t.startswith("T-") for t in ticket.to_pylist()[:100])
