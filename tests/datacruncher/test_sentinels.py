"""Placeholder times (9999-12-31, 0001-01-01, a zero epoch) are read as no value, found from the values alone."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from datacruncher.crunch import crunch
from datacruncher.model.catalog import open_catalog
from datacruncher.model.discovery import discover

OPEN = dt.datetime(9999, 12, 31)


def _dimension(path: Path, rows: int = 1500) -> None:
    """A slowly changing dimension: each customer's versions follow each other, the current one open-ended;
    a few birth dates unknown (0001-01-01); an epoch-seconds column beside them."""
    rnd = random.Random(8)
    out: dict[str, list] = {"customer_sk": [], "valid_from": [], "valid_to": [], "birth_date": [], "seen_ts": []}
    key = 0
    while key < rows:
        start = dt.datetime(2021, 1, 1) + dt.timedelta(days=rnd.randrange(700))
        for v in range(versions := rnd.randrange(1, 4)):
            end = start + dt.timedelta(days=rnd.randrange(20, 300)) if v < versions - 1 else OPEN
            key += 1
            out["customer_sk"].append(key)
            out["valid_from"].append(start)
            out["valid_to"].append(end)
            out["birth_date"].append(dt.date(1, 1, 1) if key % 40 == 0 else dt.date(1960, 1, 1) + dt.timedelta(days=rnd.randrange(15000)))
            out["seen_ts"].append(int(start.replace(tzinfo=dt.UTC).timestamp()) + rnd.randrange(86400))
            start = end
    pq.write_table(pa.table({**out, "valid_from": pa.array(out["valid_from"], pa.timestamp("us")),
                             "valid_to": pa.array(out["valid_to"], pa.timestamp("us")),
                             "birth_date": pa.array(out["birth_date"], pa.date32())}), path)


def test_open_ended_and_unknown_dates_are_read_as_no_value(tmp_path: Path) -> None:
    _dimension(tmp_path / "dim_customer.parquet")
    cat = open_catalog(tmp_path)
    source = cat.tables["dim_customer"]
    assert set(source.sentinels) == {"valid_to", "birth_date"} and source.epochs == {"seen_ts": "s"}
    (value, rows), = source.sentinels["valid_to"]
    assert value == OPEN and rows > 300
    assert source.sentinels["birth_date"][0][0] == dt.date(1, 1, 1)
    latest, earliest, seen = cat.con.execute(
        "SELECT max(valid_to), min(birth_date), typeof(any_value(seen_ts)) FROM dim_customer").fetchone()
    assert latest < dt.datetime(2030, 1, 1) and earliest > dt.date(1900, 1, 1) and seen == "TIMESTAMP"
    model = discover(cat)
    table = model.tables["dim_customer"]
    assert table.created_at in ("valid_from", "seen_ts")  # a birth date is the last choice
    assert "9999-12-31 in" in table.column("valid_to").role_evidence["time"][1]
    assert model.ref_end is not None and model.ref_end < dt.datetime(2030, 1, 1)  # not stretched to the year 9999
    report = crunch(tmp_path)
    assert not [i for i in report.issues if i.rule_id in ("future_dates", "timeframe_start_leaks")]


def test_a_clamped_end_and_a_real_old_date_stay_values(tmp_path: Path) -> None:
    """Many rows at a window's last second sit next to the others; an old date among birth dates spread over
    decades is nearer than they spread; two plausible values are both values."""
    rnd = random.Random(2)
    end = dt.datetime(2024, 12, 31, 23, 59, 59)
    clamped = [min(end, dt.datetime(2024, 1, 1) + dt.timedelta(hours=rnd.randrange(12000))) for _ in range(2000)]
    births = [dt.date(1900, 1, 1)] * 30 + [dt.date(1935, 1, 1) + dt.timedelta(days=rnd.randrange(25000))
                                           for _ in range(1970)]
    pair = [dt.date(2020, 1, 1), dt.date(2021, 1, 1)] * 1000
    pq.write_table(pa.table({"id": list(range(2000)), "closed_at": pa.array(clamped, pa.timestamp("us")),
                             "birth_date": pa.array(births, pa.date32()), "season": pa.array(pair, pa.date32())}),
                   tmp_path / "t.parquet")
    assert sum(t == end for t in clamped) > 100
    assert open_catalog(tmp_path).tables["t"].sentinels == {}


def test_a_csv_table_reads_its_placeholder_as_no_value(tmp_path: Path) -> None:
    lines = ["id,valid_to"] + [f"{i},{'9999-12-31' if i % 3 else f'2024-0{1 + i % 9}-1{i % 10}'}" for i in range(300)]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    cat = open_catalog(tmp_path)
    assert [v.year for v, _ in cat.tables["t"].sentinels["valid_to"]] == [9999]
    assert cat.con.execute("SELECT count(valid_to), max(valid_to) FROM t").fetchone()[0] == 100


def test_a_placeholder_is_not_counted_as_a_null(tmp_path: Path) -> None:
    """The view reads 9999-12-31 as no value for the time analyses, but the file holds a value there: the NULL
    checks count only real NULLs (``valid_to`` is half open-ended, ``birth_date`` has 0001-01-01 placeholders),
    while a real NULL beside them still counts."""
    _dimension(tmp_path / "dim_customer.parquet")
    table = pq.read_table(tmp_path / "dim_customer.parquet")
    valid_to = table["valid_to"].to_pylist()
    open_ended = sum(v == OPEN for v in valid_to)
    assert open_ended > 0.5 * len(valid_to)  # the null_rate check's low line, had placeholders counted
    report = crunch(tmp_path)
    nulls = {r.column: r for r in report.checks.results if r.rule_id == "null_rate"}
    assert nulls["valid_to"].status == "passed" and nulls["birth_date"].status == "passed"
    assert report.metrics.null_rate == 0.0
    blanked = table.set_column(table.schema.get_field_index("valid_to"), "valid_to",
                               pa.array([None if i % 10 == 0 else v for i, v in enumerate(valid_to)], pa.timestamp("us")))
    pq.write_table(blanked, tmp_path / "dim_customer.parquet")
    real = sum(v is None for v in blanked["valid_to"].to_pylist())
    again = crunch(tmp_path)  # the metric: NULL cells over all cells, placeholders not among them
    assert real > 0 and again.metrics.null_rate == round(100.0 * real / (blanked.num_rows * blanked.num_columns), 4)
