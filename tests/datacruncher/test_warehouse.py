"""Discovery on data whose names do not match: the in-repo benchmark (examples/warehouse/build_warehouse.py, and
flights-shaped data below).

Precision and recall of foreign keys must be at least 0.95, no decoy may become an FK, keys must be the true
ones, and every FK found from values carries its evidence.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datacruncher.crunch import crunch

# the builder is an example a user runs too (README): python examples/warehouse/build_warehouse.py DIR
_spec = importlib.util.spec_from_file_location(
    "build_warehouse", Path(__file__).resolve().parents[2] / "examples" / "warehouse" / "build_warehouse.py")
warehouse = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(warehouse)


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory):
    return crunch(warehouse.build(tmp_path_factory.mktemp("warehouse") / "data"), personas="Data Engineer")


def _score(found: set, truth: set) -> tuple[float, float]:
    tp = len(found & truth)
    return tp / max(len(found), 1), tp / max(len(truth), 1)


def test_foreign_keys_precision_and_recall(wh) -> None:
    fks = wh.model.foreign_keys
    single = {((f.from_table, f.from_column), (f.to_table, f.to_column)) for f in fks if not f.from_columns}
    truth = set(warehouse.FOREIGN_KEYS.items())
    precision, recall = _score(single, truth)
    assert precision >= 0.95 and recall >= 0.95, (sorted(single - truth), sorted(truth - single))
    composite = {((f.from_table, tuple(f.from_columns)), (f.to_table, tuple(f.to_columns))) for f in fks
                 if f.from_columns}
    assert composite == set(warehouse.COMPOSITE_FOREIGN_KEYS.items())
    children = {(f.from_table, f.from_column) for f in fks}
    assert not children & warehouse.DECOYS


def test_role_playing_dimensions(wh) -> None:
    to_dates = {f.from_column for f in wh.model.foreign_keys if f.to_table == "date_dim"}
    assert {"ws_sold_date_sk", "ws_ship_date_sk", "ss_sold_date_sk", "sr_returned_date_sk"} <= to_dates
    to_customer = {f.from_column for f in wh.model.foreign_keys if f.from_table == "web_sales"
                   and f.to_table == "customer"}
    assert to_customer == {"ws_bill_customer_sk", "ws_ship_customer_sk"}


def test_keys_single_composite_and_natural(wh) -> None:
    tables = {t.name: t for t in wh.model.tables}
    assert {n: t.primary_key for n, t in tables.items() if t.primary_key} == warehouse.PRIMARY_KEYS
    assert {n: tuple(t.composite_key) for n, t in tables.items() if t.composite_key} == warehouse.COMPOSITE_KEYS
    assert {"d_date_sk", "d_date_id"} <= set(tables["date_dim"].candidate_keys)  # alternate keys are listed


def test_every_discovered_fk_carries_its_evidence(wh) -> None:
    for f in wh.model.foreign_keys:
        assert f.evidence is not None and f.evidence.reasons and f.evidence.containment is not None
    (partial,) = [f for f in wh.model.foreign_keys if (f.from_table, f.from_column) == ("store_returns",
                                                                                          "sr_customer_sk")]
    assert 0.95 < partial.coverage < 0.99 and partial.orphan_rows and partial.orphan_values
    assert any("orphan rows" in r for r in partial.evidence.reasons)
    (carrier,) = [f for f in wh.model.foreign_keys if f.from_column == "ws_carrier"]
    assert carrier.to_column == "sm_code" and carrier.evidence.key_coverage == 1.0


# --- flights-shaped data: natural codes, a composite FK (origin, hour) → weather, signed delays -----------------

def _flights(out: Path, seed: int = 7) -> Path:
    rng = random.Random(seed)
    out.mkdir(parents=True)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    faa = sorted({"".join(rng.choice(letters) for _ in range(3)) for _ in range(120)})
    carriers = ["9E", "AA", "AS", "B6", "DL", "EV", "F9", "FL", "HA", "MQ", "OO", "UA", "US", "VX", "WN", "YV"]
    tails = sorted({f"N{rng.randint(100, 999)}{rng.choice(letters)}{rng.choice(letters)}" for _ in range(900)})
    pq.write_table(pa.table({"carrier": carriers, "name": [f"{c} Airlines Inc." for c in carriers]}),
                   out / "airlines.parquet")
    pq.write_table(pa.table({"faa": faa, "name": [f"{c} Regional" for c in faa],
                             "lat": [rng.uniform(20, 60) for _ in faa], "alt": [rng.randint(0, 3000) for _ in faa]}),
                   out / "airports.parquet")
    known = tails[: int(len(tails) * 0.8)]  # a fifth of the tail numbers have no plane record (a real defect)
    pq.write_table(pa.table({"tailnum": known, "year": [rng.randint(1960, 2013) for _ in known],
                             "seats": [rng.choice([2, 20, 55, 100, 149, 178, 200, 375]) for _ in known]}),
                   out / "planes.parquet")
    origins = faa[:3]
    hours = [dt.datetime(2013, 1, 1) + dt.timedelta(hours=h) for h in range(24 * 60)]
    pq.write_table(pa.table({"origin": [o for o in origins for _ in hours], "time_hour": hours * len(origins),
                             "temp": [rng.uniform(10, 90) for _ in range(len(hours) * 3)],
                             "wind_speed": [rng.uniform(0, 30) for _ in range(len(hours) * 3)]}),
                   out / "weather.parquet")
    n = 20_000
    when = [rng.choice(hours) for _ in range(n)]
    pq.write_table(pa.table({
        "year": [t.year for t in when], "month": [t.month for t in when], "day": [t.day for t in when],
        "hour": [t.hour for t in when], "dep_delay": [rng.randint(-20, 180) for _ in range(n)],
        "carrier": [rng.choice(carriers) for _ in range(n)], "flight": [rng.randint(1, 6000) for _ in range(n)],
        "tailnum": [rng.choice(tails) for _ in range(n)], "origin": [rng.choice(origins) for _ in range(n)],
        "dest": [rng.choice(faa[3:]) for _ in range(n)], "distance": [rng.randint(80, 4000) for _ in range(n)],
        "time_hour": when}), out / "flights.parquet")
    return out


def test_flights_shaped_data(tmp_path: Path) -> None:
    report = crunch(_flights(tmp_path / "flights"), personas="Data Engineer")
    single = {(f.from_table, f.from_column): (f.to_table, f.to_column) for f in report.model.foreign_keys
              if not f.from_columns}
    assert single == {("flights", "carrier"): ("airlines", "carrier"), ("flights", "origin"): ("airports", "faa"),
                      ("flights", "dest"): ("airports", "faa"), ("flights", "tailnum"): ("planes", "tailnum"),
                      ("weather", "origin"): ("airports", "faa")}
    composite = {(f.from_table, tuple(f.from_columns)): (f.to_table, tuple(f.to_columns))
                 for f in report.model.foreign_keys if f.from_columns}
    assert composite == {("flights", ("origin", "time_hour")): ("weather", ("origin", "time_hour"))}
    tables = {t.name: t for t in report.model.tables}
    assert tables["airports"].primary_key == "faa" and tables["planes"].primary_key == "tailnum"
    tail = next(f for f in report.model.foreign_keys if f.from_column == "tailnum")
    assert 0.7 < tail.coverage < 0.9 and tail.orphan_values and tail.orphan_values >= 100


def test_orphans_are_counted_as_rows_and_distinct_keys_and_advice_fits_external_data(wh) -> None:
    (orphans,) = [i for i in wh.issues if i.rule_id == "fk_orphans"]
    assert orphans.table == "store_returns" and "distinct missing keys" in orphans.finding
    assert orphans.severity == "critical"  # ~3% of the rows: the share sets the severity
    assert orphans.sample_keys and all(k > 5000 for k in orphans.sample_keys)  # deleted customers' keys
    for issue in wh.issues:  # data datagen did not write gets advice its owner can apply, never generator advice
        text = issue.recommendation.lower()
        assert "schema" not in text and "generat" not in text and "lookup" not in text, issue.recommendation
    assert "at the source" in orphans.recommendation


def test_a_duckdb_database_file_and_csv_files_are_inputs_too(tmp_path: Path) -> None:
    import duckdb

    from datacruncher.errors import InputError

    parquet = warehouse.build(tmp_path / "pq", scale=0.2)
    db = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(db))
    for f in sorted(parquet.glob("*.parquet")):
        con.execute(f"CREATE TABLE \"{f.stem}\" AS SELECT * FROM read_parquet('{f}')")
    con.execute("CREATE VIEW recent_sales AS SELECT * FROM store_sales WHERE ss_sold_date_sk > 2452000")
    con.close()
    before = db.read_bytes()
    report = crunch(db, personas="Data Engineer")  # attached read-only: tables and views
    names = {t.name for t in report.model.tables}
    assert {"store_sales", "date_dim", "recent_sales"} <= names
    assert db.read_bytes() == before
    fks = {(f.from_table, f.from_column): (f.to_table, f.to_column) for f in report.model.foreign_keys
           if not f.from_columns and f.from_table != "recent_sales"}
    assert fks == warehouse.FOREIGN_KEYS

    csv_dir = tmp_path / "csv"
    csv_dir.mkdir()
    con = duckdb.connect()
    for f in sorted(parquet.glob("*.parquet")):
        con.execute(f"COPY (SELECT * FROM read_parquet('{f}')) TO '{csv_dir / (f.stem + '.csv')}' (HEADER)")
    con.close()
    report = crunch(csv_dir, personas="Data Engineer")
    fks = {(f.from_table, f.from_column): (f.to_table, f.to_column) for f in report.model.foreign_keys
           if not f.from_columns}
    assert fks == warehouse.FOREIGN_KEYS

    other = tmp_path / "notes.docx"
    other.write_bytes(b"PK\x03\x04 a document")
    with pytest.raises(InputError, match=r"notes\.docx is not a parquet file, delimited text \(\.csv, \.tsv, \.psv\)"):
        crunch(other)


def test_the_wide_warehouse(tmp_path: Path) -> None:
    """24 tables and ~410 columns (the benchmark's shape, small): every FK found, none false."""
    from datacruncher.model.catalog import open_catalog
    from datacruncher.model.discovery import discover

    data = warehouse.build(tmp_path / "wide", scale=0.5, wide=True)
    with open_catalog(data) as cat:
        model = discover(cat)
        assert len(cat.tables) == 24 and sum(len(t.columns) for t in cat.tables.values()) > 400
    found = {((f.child, f.child_column), (f.parent, f.parent_column)) for f in model.foreign_keys}
    truth = set({**warehouse.FOREIGN_KEYS, **warehouse.WIDE_FOREIGN_KEYS}.items())
    precision, recall = _score(found, truth)
    assert precision >= 0.95 and recall >= 0.95, (sorted(found - truth), sorted(truth - found))
    children = {c for c, _ in found}
    assert not children & warehouse.DECOYS


# --- a composite FK whose names say nothing, and a decoy inside a full cross product ---------------------------

def _depots(out: Path, seed: int = 11) -> Path:
    rng = random.Random(seed)
    out.mkdir(parents=True)
    depots = sorted({"".join(rng.choice("ABCDEFGHKLMNPRSTUVWXYZ") for _ in range(4)) for _ in range(40)})
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=d) for d in range(200)]
    # shipments: one row per (depot, day) that had one — about a fifth of the combinations
    pairs = sorted(rng.sample([(d, day) for d in depots for day in days], 1600))
    pq.write_table(pa.table({"depot": [d for d, _ in pairs], "day": [day for _, day in pairs],
                             "weight_kg": [rng.uniform(100, 900) for _ in pairs]}), out / "shipments.parquet")
    sent = [rng.choice(pairs) for _ in range(3000)]
    sent[:60] = [("QQQQ", days[i % 200]) for i in range(60)]  # 2% of the parcels point at no shipment
    pq.write_table(pa.table({"parcel_id": list(range(1, 3001)), "hub": [h for h, _ in sent],
                             "sent_on": [d for _, d in sent], "grams": [rng.randint(50, 30000) for _ in sent]}),
                   out / "parcels.parquet")
    # slots: every (row_no, col_no) of a 20 × 20 grid; readings' two small counts land in it by chance
    pq.write_table(pa.table({"row_no": [r for r in range(1, 21) for _ in range(20)],
                             "col_no": [c for _ in range(20) for c in range(1, 21)],
                             "capacity": [rng.uniform(1, 5) for _ in range(400)]}), out / "slots.parquet")
    pq.write_table(pa.table({"reading_id": list(range(1, 1001)), "a": [rng.randint(1, 20) for _ in range(1000)],
                             "b": [rng.randint(1, 20) for _ in range(1000)]}), out / "readings.parquet")
    return out


def test_a_composite_fk_found_by_values_alone_with_its_orphans(tmp_path: Path) -> None:
    report = crunch(_depots(tmp_path / "depots"), personas="Data Engineer")
    tables = {t.name: t for t in report.model.tables}
    assert tuple(tables["shipments"].composite_key) == ("depot", "day")
    assert tuple(tables["slots"].composite_key) == ("row_no", "col_no")
    composite = [f for f in report.model.foreign_keys if f.from_columns]
    assert [(f.from_table, tuple(f.from_columns), f.to_table, tuple(f.to_columns)) for f in composite] == [
        ("parcels", ("hub", "sent_on"), "shipments", ("depot", "day"))]  # never readings (a, b) -> slots
    (fk,) = composite
    assert fk.orphan_rows == 60 and fk.orphan_values == 60 and fk.coverage == pytest.approx(0.98)
    assert fk.evidence.name_score == 0 and any("found by values" in r for r in fk.evidence.reasons)


def test_composite_orphans_are_a_finding_with_rows_and_distinct_tuples(tmp_path: Path) -> None:
    report = crunch(_depots(tmp_path / "depots"), personas="Data Engineer")
    (issue,) = [i for i in report.issues if i.rule_id == "composite_fk_orphans"]
    assert issue.id == "composite_fk_orphans:parcels.(hub, sent_on) -> shipments.(depot, day)"
    assert issue.severity == "critical" and issue.measure.value == pytest.approx(0.02)
    assert (issue.measure.failed_row_count, issue.measure.row_count) == (60, 3000)
    assert "(60 distinct missing keys)" in issue.finding and "no shipments (depot, day)" in issue.finding
    assert (issue.fix.action, issue.fix.table, issue.fix.columns, issue.fix.parent, issue.fix.parent_columns) == (
        "drop_orphans", "parcels", "hub, sent_on", "shipments", "depot, day")
    assert len(issue.sample_keys) == 10 and all(k[0] == "QQQQ" for k in issue.sample_keys)
