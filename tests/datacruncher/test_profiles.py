"""Column profiles: quantiles from value counts are the numbers ``quantile_cont`` gives (to the last place)."""

from __future__ import annotations

import datetime as dt
import random

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datacruncher.model.catalog import open_catalog
from datacruncher.model.discovery import discover
from datacruncher.report import profiles


def _columns(rows: int) -> dict[str, list]:
    rng = random.Random(5)
    start = dt.datetime(2024, 1, 1)
    return {
        "id": list(range(rows)),
        "cents": [round(rng.uniform(-50, 400), 2) if rng.random() > 0.1 else None for _ in range(rows)],
        "count": [rng.choice([0, 1, 1, 2, 3, 5, 8, 13, 1000]) for _ in range(rows)],
        "day": [start + dt.timedelta(days=rng.randrange(40)) for _ in range(rows)],
        "same": [7.5] * rows,
        "empty": pa.nulls(rows, pa.float64()),
        "one": [None] * (rows - 1) + [3.0],
        "wide": [rng.random() for _ in range(rows)],  # distinct values: the sort path
    }


def test_grouped_quantiles_match_quantile_cont():
    con = duckdb.connect()
    con.register("t", pa.table(_columns(5000)))
    for column in ("cents", "count", "day", "same", "empty", "one", "wide"):
        value = f"epoch(CAST({column} AS TIMESTAMP))" if column == "day" else f"CAST({column} AS DOUBLE)"
        (grouped,) = con.execute(profiles._grouped_quantiles(value, "t")).fetchone()
        (quantiles, mean, std) = con.execute(
            f"SELECT quantile_cont({value}, {profiles.QUANTILES + profiles.TAILS}), avg({value}), stddev_samp({value})"
            " FROM t").fetchone()
        # the same ranks and the same interpolation; DuckDB's own arithmetic may round the last place otherwise
        if mean is None:  # no values at all
            assert grouped == [None, [None, None]], column
            continue
        assert grouped[0] == pytest.approx(quantiles, rel=1e-14), column
        assert grouped[0][0] == quantiles[0] and grouped[0][20] == quantiles[20], column  # minimum and maximum
        assert grouped[1][0] == pytest.approx(mean, rel=1e-12), column
        assert (grouped[1][1] is None) == (std is None) and (std is None or grouped[1][1] == pytest.approx(std, rel=1e-12)), column


def test_profiles_take_the_grouped_path_only_where_values_repeat(tmp_path, monkeypatch):
    pq.write_table(pa.table(_columns(5000)), tmp_path / "t.parquet")
    used = []
    real = profiles._grouped_quantiles
    monkeypatch.setattr(profiles, "_grouped_quantiles", lambda v, s: used.append(v) or real(v, s))
    with open_catalog(tmp_path) as cat:
        model = discover(cat)
        by_name = {p.column: p for p in profiles.profile_columns(cat, model)}
        for name in ("cents", "count", "day", "wide"):
            value = profiles._value_expr(model.tables["t"].column(name), by_name[name].kind)
            expected = cat.con.execute(f"SELECT quantile_cont({value}, {profiles.QUANTILES}) FROM t").fetchone()[0]
            assert by_name[name].quantiles == pytest.approx(expected, rel=1e-14), name
    assert any("count" in v for v in used) and any("day" in v for v in used)
    assert not any('"wide"' in v or "wide AS" in v for v in used)  # 5000 distinct values in 5000 rows: sorted


def test_infinite_values_are_left_out_of_the_quantiles_and_the_report_still_loads(tmp_path) -> None:
    """JSON has no infinity, and a quantile of ``inf`` is none a reader of the contract (``list[float]``) could
    load: a column holding some is profiled over its finite values (non_finite_numbers reports the others)."""
    from datacruncher import crunch
    from datagen_contracts.report import dump_report, load_report

    data = tmp_path / "d"
    data.mkdir()
    pq.write_table(pa.table({"id": list(range(200)), "x": [float("inf")] * 3 + [float(i) for i in range(197)],
                             "y": [float(i) for i in range(200)]}), data / "t.parquet")
    report = crunch(data, personas="Data Engineer")
    dump_report(report, tmp_path / "out")
    loaded = load_report(tmp_path / "out")
    by_column = {p.column: p for p in loaded.profiles}
    assert len(by_column["y"].quantiles) == 21
    assert len(by_column["x"].quantiles) == 21 and by_column["x"].quantiles[-1] == 196.0


def test_histograms_in_batches_give_the_profiles_of_one_query(tmp_path, monkeypatch) -> None:
    """A table's categorical columns are profiled HIST_BATCH at a time (800 in one query ran out of 2 GB): the
    profiles are those of one query over them all."""
    import msgspec

    from datacruncher.crunch import crunch

    rnd = random.Random(4)
    pq.write_table(pa.table({f"c{i}": [rnd.choice(["x", "y", "z", str(i)]) for _ in range(300)] for i in range(9)}),
                   tmp_path / "t.parquet")
    monkeypatch.setattr(profiles, "HIST_BATCH", 1000)
    whole = msgspec.to_builtins(crunch(tmp_path).profiles)
    monkeypatch.setattr(profiles, "HIST_BATCH", 2)
    batched = msgspec.to_builtins(crunch(tmp_path).profiles)
    assert batched == whole and len(whole) == 9 and all(p["top"] for p in whole)
