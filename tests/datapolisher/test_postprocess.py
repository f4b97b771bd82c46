from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from datagen_contracts import load_metadata
from datagen_contracts.fingerprint import file_sha256
from datapolisher.errors import InputError, OutputExistsError, ScriptError
from datapolisher.inputs import load_inputs
from datapolisher.issues import read_findings
from datapolisher.model import build_model
from datapolisher.postprocess import python as py_render
from datapolisher.postprocess import sql as sql_render
from datapolisher.postprocess.apply import apply_plan, default_output
from datapolisher.postprocess.metadata import template
from datapolisher.postprocess.plan import Plan, Step, build_plan
from datapolisher.problems.data.code_variants import code_mapping

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("DATAPOLISHER_UPDATE_GOLDEN") == "1"


def _plan(report: Path, add: tuple[str, ...] = ()) -> tuple[Plan, object, object]:
    inputs = load_inputs(report)
    model = build_model(inputs.data_dir, inputs.metadata, inputs.report)
    return build_plan(model, read_findings(inputs.report), add=add), model, inputs


def _sql(report: Path, src: str, out: str, add: tuple[str, ...] = (), plan: Plan | None = None, **kw: object) -> str:
    """The SQL script for ``report``'s plan (or ``plan``), reading ``src`` and writing ``out``."""
    built, model, inputs = _plan(report, add)
    plan = plan or built
    return sql_render.render(plan, src, out, metadata=template(plan, model, inputs.metadata, "shop"), **kw)


def _apply(report: Path, out: Path, add: tuple[str, ...] = ()) -> object:
    plan, model, inputs = _plan(report, add)
    return apply_plan(plan, model, data_dir=inputs.data_dir, output_dir=out, script_dir=report.parent,
                      source_meta=inputs.metadata, dataset_name="shop")


def test_plan_orders_every_fix(shop_report: Path) -> None:
    plan, _, _ = _plan(shop_report)
    assert [s.op for s in plan.steps] == [
        "cast", "normalize_codes", "trim_whitespace", "fill_default", "round_money", "dedupe_key",
        "swap_interval", "drop_orphans", "clamp_to_parent_time",
    ]
    assert plan.unhandled == []
    clamp = plan.steps[-1]
    assert clamp.params["shift"] == ["shipped_at"] and clamp.params["parent_time"] == "created_at"


def test_code_mapping_folds_country_spellings_to_the_majority() -> None:
    assert code_mapping([("USA", 9), ("US", 3), (" us", 1), ("Germany", 2), ("DE", 5)], country=True) == {
        " us": "USA", "Germany": "DE", "US": "USA"}
    assert code_mapping([("Pro", 5), ("pro ", 1), ("PRO", 1)], country=False) == {"PRO": "Pro", "pro ": "Pro"}


def test_code_mapping_folds_dotted_abbreviations_like_datacruncher() -> None:
    # datacruncher's format_inconsistency drops the dots of short values: D.E. and DE are one spelling group
    values = [("DE", 50), ("D.E.", 3), ("UK", 9), ("U.K.", 2), ("GBR", 1), ("Great Britain", 1), ("CZX", 5)]
    assert code_mapping(values, country=True) == {"D.E.": "DE", "GBR": "UK", "Great Britain": "UK", "U.K.": "UK"}
    assert code_mapping([("Pro", 5), ("P.R.O.", 1), ("Pro.Plus", 2)], country=False) == {"P.R.O.": "Pro"}


def test_golden_scripts(shop_report: Path) -> None:
    add = ("is_active=user", "lifetime_value=user")
    plan, model, inputs = _plan(shop_report, add=add)
    meta = template(plan, model, inputs.metadata, "shop")
    for name, text in (("postprocess.sql", sql_render.render(plan, "output", "output_polished", metadata=meta)),
                       ("postprocess.py", py_render.render(plan, "output", "output_polished", metadata=meta))):
        if UPDATE:
            (GOLDEN / name).write_text(text)
        assert text == (GOLDEN / name).read_text(), f"{name} changed; DATAPOLISHER_UPDATE_GOLDEN=1 to accept"


def test_applied_fixes_are_real(shop: Path, shop_report: Path) -> None:
    before = {f.name: file_sha256(f) for f in shop.iterdir()}
    result = _apply(shop_report, default_output(shop), add=("is_active=user", "lifetime_value=user"))
    out = result.output_dir
    assert out.name == "output_polished" and out.parent == shop.parent.resolve()
    assert {f.name: file_sha256(f) for f in shop.iterdir()} == before  # the input is never modified
    order = pl.read_parquet(out / "order.parquet")
    user = pl.read_parquet(out / "user.parquet")
    assert order.schema["user_id"] == pl.Int64
    assert order["order_id"].to_list() == [10, 11, 12, 14, 15]  # duplicate 12 and 15 gone, orphan 13 dropped
    assert order["unit price"].to_list() == [10.0, 5.5, 3.14, 2.01, 7.78]
    assert order["status"].to_list() == ["paid", "pending", "paid", "pending", "paid"]
    joined = order.join(user, on="user_id")
    assert (joined["placed_at"] >= joined["created_at"]).all()
    assert (order["placed_at"] <= order["shipped_at"]).all()
    assert order.filter(pl.col("order_id") == 11)["shipped_at"].dt.day().item() == 12  # shifted with its start
    assert user["country"].to_list() == ["US", "US", "US", "DE", "US"]
    assert user["name"].to_list() == ["Ann", "Bob", "Cy", "Di", "Ed"]
    assert user["is_active"].to_list() == [False, True, False, True, False]
    assert user["lifetime_value"].to_list() == [10.0, 5.5, 3.14, 2.01, 7.78]
    meta = load_metadata(out)
    assert meta.lineage is not None and meta.lineage.derived_from == str(shop)
    assert meta.lineage.script_sha256 == file_sha256(shop_report.parent / "postprocess.sql")
    assert [f.sha256 for t in meta.tables for f in t.files] == [file_sha256(out / "order.parquet"),
                                                                 file_sha256(out / "user.parquet")]
    assert meta.table("order").rows == 5 and meta.table("order").primary_key == "order_id"
    assert sorted(p.name for p in out.iterdir()) == [".metadata.json", "order.parquet", "user.parquet"]


def test_python_script_matches_the_sql_and_is_idempotent(shop: Path, shop_report: Path, tmp_path: Path) -> None:
    result = _apply(shop_report, tmp_path / "output_polished", add=("is_active=user", "lifetime_value=user"))
    script = shop_report.parent / "postprocess.py"
    again = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=False)
    assert again.returncode == 0 and "already up to date" in again.stdout
    other = tmp_path / "py_out"
    run = subprocess.run([sys.executable, str(script), str(shop), str(other)], capture_output=True, text=True,
                         check=False)
    assert run.returncode == 0, run.stderr
    for table in ("order", "user"):
        assert pl.read_parquet(other / f"{table}.parquet").equals(
            pl.read_parquet(result.output_dir / f"{table}.parquet"))
    (other / "user.parquet").write_bytes(b"tampered")
    refused = subprocess.run([sys.executable, str(script), str(shop), str(other)], capture_output=True, text=True,
                             check=False)
    assert refused.returncode == 1 and "--overwrite" in refused.stderr


def test_sql_script_runs_standalone(shop_report: Path, tmp_path: Path) -> None:
    cwd = shop_report.parent
    text = _sql(shop_report, "output", "fresh_out", shell=False)
    con = duckdb.connect()
    old = Path.cwd()
    os.chdir(cwd)
    try:
        con.execute(text)  # what `duckdb < postprocess.sql` runs, from the script's directory
    finally:
        os.chdir(old)
        con.close()
    assert pl.read_parquet(cwd / "fresh_out" / "order.parquet").height == 5


def test_quoted_identifiers(tmp_path: Path) -> None:
    from polisher_builders import issue, write_report

    data = tmp_path / "d"
    data.mkdir()
    pl.DataFrame({"select": [1, 1, 2], "from": [" a", " a", "b "]}).write_parquet(data / "order.parquet")
    report = write_report(data, tmp_path / "r.json", [
        issue("duplicate_rows", "dedupe_rows", table="order"),
        issue("whitespace", "trim_whitespace", table="order", column="from"),
    ])
    out = _apply(report, tmp_path / "out").output_dir
    assert pl.read_parquet(out / "order.parquet").to_dict(as_series=False) == {"select": [1, 2], "from": ["a", "b"]}


def test_column_names_duckdb_cannot_keep_apart_stop_the_postprocess_path(tmp_path: Path) -> None:
    """``id`` beside ``ID`` and an empty name: DuckDB reads (and would write) them as ``ID_1``, ``C2`` — the script
    would rename the user's columns. The path refuses, naming each, and writes nothing."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from polisher_builders import issue, write_report

    from datapolisher.model import file_columns
    from datapolisher.paths import postprocess_path

    data = tmp_path / "d"
    data.mkdir()
    pq.write_table(pa.Table.from_arrays([pa.array([1, 1, 2]), pa.array([3, 3, 4]), pa.array(["x", "x", "y"])],
                                        names=["id", "ID", ""]), data / "users.parquet")
    pq.write_table(pa.table({"user_id": [1, 2], "n": [{"a": 1}, {"a": 2}]}), data / "events.parquet")
    assert file_columns(duckdb.connect(), data / "users.parquet") == ["id", "ID", ""]
    model = build_model(data)
    assert model.tables["users"].renamed == {"ID_1": "ID", next(iter(set(model.tables["users"].columns) - {"id", "ID_1"})): ""}
    assert model.tables["events"].renamed == {}
    report = write_report(data, tmp_path / "r.json", [issue("duplicate_rows", "dedupe_rows", table="users")])
    with pytest.raises(InputError, match=r"users: 'ID' \(read as 'ID_1'\), '' \(read as '\w+'\)\. postprocess"):
        postprocess_path(load_inputs(report), output=tmp_path / "out", recrunch_after=False)
    assert not (tmp_path / "out").exists()


def test_failure_halfway_leaves_no_output(shop: Path, shop_report: Path, tmp_path: Path) -> None:
    plan, model, _ = _plan(shop_report)
    bad = Plan([*plan.steps, Step("fill_default", "order", {"column": "no_such_column", "value": 1}, ("x",))],
               plan.tables, plan.columns)
    with pytest.raises(ScriptError, match="no output written"):
        apply_plan(bad, model, data_dir=shop, output_dir=tmp_path / "out", script_dir=tmp_path,
                   source_meta=None, dataset_name="shop")
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_existing_output_and_same_dir_are_refused(shop: Path, shop_report: Path, tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    with pytest.raises(OutputExistsError):
        _apply(shop_report, tmp_path / "taken")
    with pytest.raises(ScriptError, match="must differ"):
        _apply(shop_report, shop)


def test_bad_computed_column_requests(shop_report: Path) -> None:
    with pytest.raises(InputError, match="expected is_active"):
        _plan(shop_report, add=("score=user",))
    with pytest.raises(InputError, match="no table"):
        _plan(shop_report, add=("lifetime_value=nobody",))


def test_sql_script_runs_in_the_duckdb_cli(shop_report: Path, tmp_path: Path) -> None:
    """`duckdb < postprocess.sql`, literally, with the DuckDB command-line shell (pip install duckdb-cli)."""
    import shutil

    exe = shutil.which("duckdb") or (shutil.which("duckdb", path=str(Path(sys.executable).parent)))
    if exe is None:
        pytest.skip("the duckdb command-line shell is not installed (pip install duckdb-cli)")
    cwd = shop_report.parent
    (cwd / "postprocess.sql").write_text(_sql(shop_report, "output", "cli_out"))
    with open(cwd / "postprocess.sql", "rb") as script:
        done = subprocess.run([exe], stdin=script, cwd=cwd, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode()
    assert pl.read_parquet(cwd / "cli_out" / "order.parquet").height == 5
    module_text = _sql(shop_report, "output", "module_out", shell=False)
    con, old = duckdb.connect(), Path.cwd()
    os.chdir(cwd)
    try:
        con.execute(module_text)
    finally:
        os.chdir(old)
        con.close()
    for table in ("order", "user"):
        assert pl.read_parquet(cwd / "cli_out" / f"{table}.parquet").equals(
            pl.read_parquet(cwd / "module_out" / f"{table}.parquet"))


def _depots(root: Path) -> Path:
    """shipments keyed by (depot, day); parcels referencing them by (hub, sent_on), with orphans and a NULL part;
    labels referencing parcels (dropped along when their parcel goes)."""
    import datetime as dt

    from polisher_builders import issue

    from datagen_contracts import dump_report
    from datagen_contracts.report import (
        CrunchReport,
        DataModel,
        DatasetRef,
        Metrics,
        ModelForeignKey,
        ModelTable,
        SeveritySummary,
        ToolInfo,
    )
    from datapolisher.dataset import fingerprint

    data = root / "depots"
    data.mkdir(parents=True)
    d = [dt.date(2024, 1, n) for n in (1, 2, 3)]
    pl.DataFrame({"depot": ["AB", "AB", "CD"], "day": [d[0], d[1], d[0]], "kg": [1.0, 2.0, 3.0]}).write_parquet(
        data / "shipments.parquet")
    pl.DataFrame({"parcel_id": [1, 2, 3, 4, 5, 6], "hub": ["AB", "CD", "CD", None, "AB", "ZZ"],
                  "sent_on": [d[1], d[0], d[2], d[2], d[0], d[0]]}).write_parquet(data / "parcels.parquet")
    pl.DataFrame({"label_id": [7, 8, 9], "parcel_id": [1, 3, 6]}).write_parquet(data / "labels.parquet")
    fk = ModelForeignKey(from_table="parcels", from_column="hub", to_table="shipments", to_column="depot",
                         coverage=0.6, from_columns=["hub", "sent_on"], to_columns=["depot", "day"], time_order="none")
    single = ModelForeignKey(from_table="labels", from_column="parcel_id", to_table="parcels", to_column="parcel_id",
                             coverage=1.0)
    found = issue("composite_fk_orphans", "drop_orphans", table="parcels", column="hub", severity="critical",
                  params={"table": "parcels", "columns": "hub, sent_on", "parent": "shipments",
                          "parent_columns": "depot, day"})
    report = CrunchReport(
        tool=ToolInfo(name="datacruncher", version="0.1.1"), analysis_date="2024-11-10T12:01:00Z",
        dataset=DatasetRef(path=str(data), fingerprint=fingerprint(data), files=3), personas=["Data Engineer"],
        model=DataModel(tables=[ModelTable(name="shipments", rows=3, composite_key=["depot", "day"]),
                                ModelTable(name="parcels", rows=6, primary_key="parcel_id"),
                                ModelTable(name="labels", rows=3, primary_key="label_id")],
                        foreign_keys=[fk, single]),
        issues=[found], metrics=Metrics(tables_analyzed=3, total_rows=12), summary=SeveritySummary(critical=1),
        quality_score=60.0)
    dump_report(report, root / "crunch_report.json")
    return root / "crunch_report.json"


def test_composite_orphans_are_dropped_by_both_scripts_and_cascade(tmp_path: Path) -> None:
    report = _depots(tmp_path)
    plan, _, _ = _plan(report)
    assert plan.fixes == ["drop parcels rows whose (hub, sent_on) is no shipments.(depot, day)",
                          "drop labels rows whose parcel_id has no parcels.parcel_id"]
    result = _apply(report, tmp_path / "out")
    parcels = pl.read_parquet(result.output_dir / "parcels.parquet")
    # 3 (CD on the 3rd) and 6 (ZZ) are orphans; 4 has a NULL hub and refers to nothing: kept, as SQL's MATCH SIMPLE
    assert parcels["parcel_id"].to_list() == [1, 2, 4, 5]
    assert pl.read_parquet(result.output_dir / "labels.parquet")["label_id"].to_list() == [7]
    other = tmp_path / "py_out"
    run = subprocess.run([sys.executable, str(report.parent / "postprocess.py"), str(tmp_path / "depots"),
                          str(other)], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    for table in ("parcels", "labels", "shipments"):
        assert pl.read_parquet(other / f"{table}.parquet").equals(pl.read_parquet(result.output_dir / f"{table}.parquet"))


def test_types_duckdb_lacks_are_named_and_a_lossy_one_is_marked(tmp_path: Path) -> None:
    """DuckDB writes every output table: a decimal past 38 digits comes back as a double (rounded), fixed-size
    binary as binary. The step says so per table, and marks the lossy change; a time zone's name (an Arrow
    annotation, not a parquet type) goes unsaid, and its instants are kept."""
    import decimal

    import pyarrow as pa
    import pyarrow.parquet as pq
    from polisher_builders import issue, write_report

    from datapolisher.paths import postprocess_path

    data = tmp_path / "d"
    data.mkdir()
    pq.write_table(pa.table({"id": [1, 1, 2], "v": [1, 1, 2]}), data / "users.parquet")
    big = [decimal.Decimal("1234567890123456789012345678901234567890"), decimal.Decimal(1), decimal.Decimal(2)]
    pq.write_table(pa.table({
        "ref": pa.array([1, 2, 2]),
        "big": pa.array(big, pa.decimal256(40, 0)),
        "at": pa.array([0, 1, 2], pa.timestamp("us", tz="Europe/Paris")),
        "code": pa.array([b"ab", b"cd", b"ef"], pa.binary(2)),
        "plain": pa.array(["a", "b", "c"]),
    }), data / "ledger.parquet")
    report = write_report(data, tmp_path / "r.json", [issue("duplicate_rows", "dedupe_rows", table="users")])
    result = postprocess_path(load_inputs(report), output=tmp_path / "out", recrunch_after=False)
    (note,) = result.notes
    assert note == ("ledger: 2 column(s) stored under DuckDB's types (same values unless marked): big "
                    "DECIMAL(40,0) → DOUBLE (LOSSY: rounded to a double); code FIXED_LEN_BYTE_ARRAY(2) → BYTE_ARRAY")
    assert pq.read_table(tmp_path / "out" / "ledger.parquet")["at"].cast(pa.int64()).to_pylist() == [0, 1, 2]
    # the Polars twin cannot hold 40 digits either: it says so and points to the SQL one, without a traceback
    twin = subprocess.run([sys.executable, str(result.written[1]), str(data), str(tmp_path / "py")],
                          capture_output=True, text=True, cwd=result.written[1].parent)
    assert twin.returncode == 1 and "Traceback" not in twin.stderr
    assert "Polars cannot read" in twin.stderr and "ledger.parquet" in twin.stderr and "postprocess.sql" in twin.stderr
    assert not (tmp_path / "py").exists()


def test_nan_and_infinity_become_null_in_both_scripts_and_keep_the_column_type(tmp_path: Path) -> None:
    """``non_finite_numbers`` (a NaN written for a missing value, an infinity from a division by zero): both
    scripts make those values NULL, keep every finite value and NULL, and keep FLOAT a FLOAT."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from polisher_builders import issue, write_report

    data = tmp_path / "sensors"
    data.mkdir()
    nan, inf = float("nan"), float("inf")
    pq.write_table(pa.table({
        "reading_id": pa.array([1, 2, 3, 4, 5, 6], pa.int64()),
        "ratio": pa.array([0.5, nan, inf, None, -inf, 2.0], pa.float64()),
        "gain": pa.array([1.5, -inf, 3.0, nan, 4.0, 0.0], pa.float32()),
    }), data / "readings.parquet")
    report = write_report(data, tmp_path / "report" / "crunch_report.json", [
        issue("non_finite_numbers", "null_non_finite", table="readings", column=col, params={})
        for col in ("ratio", "gain")])
    plan, _, _ = _plan(report)
    assert sorted(plan.fixes) == ["set NaN and infinite readings.gain values to NULL",
                                  "set NaN and infinite readings.ratio values to NULL"] and plan.unhandled == []
    result = _apply(report, tmp_path / "out")
    fixed = pl.read_parquet(result.output_dir / "readings.parquet")
    assert fixed["ratio"].to_list() == [0.5, None, None, None, None, 2.0]
    assert fixed["gain"].to_list() == [1.5, None, 3.0, None, 4.0, 0.0]
    assert fixed.schema["ratio"] == pl.Float64 and fixed.schema["gain"] == pl.Float32
    other = tmp_path / "py_out"
    run = subprocess.run([sys.executable, str(report.parent / "postprocess.py"), str(data), str(other)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert pl.read_parquet(other / "readings.parquet").equals(fixed)


def test_numbers_written_for_people_become_numbers_in_both_scripts(tmp_path: Path) -> None:
    """``formatted_numbers`` (a CRM export's "$1,234.56", "1.234,56 €", "57%"): both scripts drop the currency symbol,
    the thousands separators and the percent sign and keep the number; what is no number becomes NULL."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from polisher_builders import issue, write_report

    data = tmp_path / "crm"
    data.mkdir()
    pq.write_table(pa.table({
        "deal_id": pa.array([1, 2, 3, 4, 5, 6, 7], pa.int64()),
        "amount": ["$1,234.56", "-$5.00", "1.234,56 €", "€ 12,5", "£1,000,000", "99", None],
        "share": ["57%", "0%", " 12.5 % ", "100%", "3", "n/a", "7%"],
    }), data / "deals.parquet")
    report = write_report(data, tmp_path / "report" / "crunch_report.json", [
        issue("formatted_numbers", "cast", table="deals", column=col,
              params={"type": "DOUBLE", "parse": "formatted"}) for col in ("amount", "share")])
    plan, _, _ = _plan(report)
    assert "cast deals.amount to DOUBLE (its currency symbols, separators and % signs removed)" in plan.fixes
    result = _apply(report, tmp_path / "out")
    fixed = pl.read_parquet(result.output_dir / "deals.parquet")
    assert fixed["amount"].to_list() == [1234.56, -5.0, 1234.56, 12.5, 1000000.0, 99.0, None]
    assert fixed["share"].to_list() == [57.0, 0.0, 12.5, 100.0, 3.0, None, 7.0]
    other = tmp_path / "py_out"
    run = subprocess.run([sys.executable, str(report.parent / "postprocess.py"), str(data), str(other)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert pl.read_parquet(other / "deals.parquet").equals(fixed)
