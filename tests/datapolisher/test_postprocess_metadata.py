"""The polished ``.metadata.json``: written by the scripts themselves, so every way of running them agrees.

datapolisher's own apply (the SQL through the DuckDB module), ``duckdb < postprocess.sql`` (the DuckDB shell)
and ``python postprocess.py IN OUT`` each describe the data they wrote: files, rows and types as on disk,
the input's fingerprint and the sha256 of the script that ran.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import msgspec
import pytest

from datagen_contracts import load_metadata
from datagen_contracts.fingerprint import file_sha256
from datagen_contracts.metadata import DatasetMetadata
from datapolisher.approval.manifest_build import arrow_type
from datapolisher.dataset import fingerprint
from datapolisher.inputs import load_inputs
from datapolisher.issues import read_findings
from datapolisher.model import build_model
from datapolisher.postprocess import sql as sql_render
from datapolisher.postprocess.apply import apply_plan
from datapolisher.postprocess.metadata import template
from datapolisher.postprocess.plan import Plan, Step, build_plan

ADD = ("is_active=user", "lifetime_value=user")


@pytest.fixture
def duckdb_shell() -> str:
    """The DuckDB command-line shell (pip install duckdb-cli), on PATH or beside this interpreter."""
    exe = shutil.which("duckdb") or shutil.which("duckdb", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("the duckdb command-line shell is not installed (pip install duckdb-cli)")
    return exe


def _apply(report: Path, out: Path) -> DatasetMetadata:
    inputs = load_inputs(report)
    model = build_model(inputs.data_dir, inputs.metadata, inputs.report)
    plan = build_plan(model, read_findings(inputs.report), add=ADD)
    return apply_plan(plan, model, data_dir=inputs.data_dir, output_dir=out, script_dir=report.parent,
                      source_meta=inputs.metadata, dataset_name="shop").metadata


def _shell(exe: str, script: Path) -> subprocess.CompletedProcess[str]:
    with script.open() as stdin:  # literally `duckdb < postprocess.sql`, from the script's directory
        return subprocess.run([exe], stdin=stdin, cwd=script.parent, capture_output=True, text=True, check=False)


def _describes_itself(out: Path, meta: DatasetMetadata) -> None:
    """Every file listed with its real bytes, sha256 and rows; every column with its real type."""
    con = duckdb.connect()
    try:
        for table in meta.tables:
            assert table.files and sum(f.rows for f in table.files) == table.rows
            for f in table.files:
                path = out / f.path
                assert (f.bytes, f.sha256) == (path.stat().st_size, file_sha256(path))
                assert f.rows == con.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchall()[0][0]
                actual = con.execute("DESCRIBE SELECT * FROM read_parquet(?, hive_partitioning = false)",
                                     [str(path)]).fetchall()
                assert [(c.name, c.arrow_type) for c in table.columns] == [(n, arrow_type(t)) for n, t, *_ in actual]
    finally:
        con.close()


def _declared(meta: DatasetMetadata) -> dict:
    """What must agree between runs: everything but when, which files' bytes and which script."""
    doc = msgspec.to_builtins(meta)
    doc.pop("generated_at")
    for t in doc["tables"]:
        t["files"] = [{"path": f["path"], "rows": f["rows"]} for f in t["files"]]
    for key in ("script", "script_sha256", "derived_from"):
        doc["lineage"].pop(key, None)
    return doc


def test_apply_shell_and_python_describe_what_they_wrote(shop: Path, shop_report: Path, duckdb_shell: str) -> None:
    work = shop_report.parent
    applied = _apply(shop_report, work / "output_polished")
    sql_script, py_script = work / "postprocess.sql", work / "postprocess.py"
    assert applied.lineage is not None
    assert applied.lineage.script == "postprocess.sql" and applied.lineage.script_sha256 == file_sha256(sql_script)
    assert applied.lineage.derived_from_fingerprint == fingerprint(shop)
    _describes_itself(work / "output_polished", applied)

    shutil.rmtree(work / "output_polished")
    ran = _shell(duckdb_shell, sql_script)
    assert ran.returncode == 0, ran.stderr
    by_shell = load_metadata(work / "output_polished")
    assert by_shell.lineage is not None and by_shell.lineage.script_sha256 == file_sha256(sql_script)
    assert by_shell.lineage.derived_from == "output"
    _describes_itself(work / "output_polished", by_shell)

    done = subprocess.run([sys.executable, str(py_script), str(shop), str(work / "py_out")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    by_python = load_metadata(work / "py_out")
    assert by_python.lineage is not None and by_python.lineage.script == "postprocess.py"
    assert by_python.lineage.script_sha256 == file_sha256(py_script)
    _describes_itself(work / "py_out", by_python)

    assert _declared(applied) == _declared(by_shell) == _declared(by_python)
    assert applied.dataset_name == "shop" and applied.seed == 42 and applied.generator.name == "datapolisher"
    assert applied.table("order").foreign_keys[0].references_table == "user"


def test_shell_refuses_an_output_it_did_not_write(shop_report: Path, duckdb_shell: str) -> None:
    work = shop_report.parent
    _apply(shop_report, work / "output_polished")
    (work / "output_polished").rename(work / "first")
    taken = work / "output_polished"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine")
    refused = _shell(duckdb_shell, work / "postprocess.sql")
    assert refused.returncode != 0 and "already exists and was not written by this script" in refused.stderr
    assert [p.name for p in taken.iterdir()] == ["notes.txt"]
    assert refused.stderr.count("Error") == 1  # .bail on: the first error ends the script

    shutil.rmtree(taken)
    (work / "first").rename(taken)
    again = _shell(duckdb_shell, work / "postprocess.sql")  # over its own output: written again, consistently
    assert again.returncode == 0, again.stderr
    _describes_itself(taken, load_metadata(taken))


def test_shell_failure_halfway_leaves_no_output(shop_report: Path, duckdb_shell: str) -> None:
    inputs = load_inputs(shop_report)
    model = build_model(inputs.data_dir, inputs.metadata, inputs.report)
    plan = build_plan(model, read_findings(inputs.report))
    bad = Plan([*plan.steps, Step("fill_default", "order", {"column": "no_such_column", "value": 1}, ("x",))],
               plan.tables, plan.columns)
    script = shop_report.parent / "postprocess.sql"
    script.write_text(sql_render.render(bad, "output", "broken_out", metadata=template(bad, model, None, "shop")))
    ran = _shell(duckdb_shell, script)
    assert ran.returncode != 0 and "no_such_column" in ran.stderr
    assert not (shop_report.parent / "broken_out").exists()


def test_python_script_failure_halfway_leaves_no_output(shop: Path, shop_report: Path, tmp_path: Path) -> None:
    _apply(shop_report, tmp_path / "first")
    script = shop_report.parent / "postprocess.py"
    text = script.read_text().replace("def fix(t: dict[str, pl.DataFrame]) -> None:\n",
                                      "def fix(t: dict[str, pl.DataFrame]) -> None:\n    raise RuntimeError('halfway')\n")
    script.write_text(text)
    done = subprocess.run([sys.executable, str(script), str(shop), str(tmp_path / "out")], capture_output=True,
                          text=True, check=False)
    assert done.returncode != 0 and "halfway" in done.stderr
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".out*"))


def test_clamping_an_integer_column_keeps_it_integer(tmp_path: Path, duckdb_shell: str) -> None:
    import polars as pl
    from polisher_builders import issue, write_report

    data = tmp_path / "output"
    data.mkdir()
    pl.DataFrame({"id": [1, 2, 3], "qty": [4, -2, 7]}).write_parquet(data / "stock.parquet")
    report = write_report(data, tmp_path / "crunch_report.json",
                          [issue("negative_amounts", "clamp", table="stock", column="qty", params={"min": 0})])
    inputs = load_inputs(report)
    model = build_model(inputs.data_dir, inputs.metadata, inputs.report)
    plan = build_plan(model, read_findings(inputs.report))
    applied = apply_plan(plan, model, data_dir=data, output_dir=tmp_path / "output_polished", script_dir=tmp_path,
                         source_meta=None, dataset_name="stock").metadata
    _describes_itself(tmp_path / "output_polished", applied)
    assert pl.read_parquet(tmp_path / "output_polished" / "stock.parquet")["qty"].to_list() == [4, 0, 7]
    done = subprocess.run([sys.executable, str(tmp_path / "postprocess.py"), str(data), str(tmp_path / "py_out")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    _describes_itself(tmp_path / "py_out", load_metadata(tmp_path / "py_out"))
    assert pl.read_parquet(tmp_path / "py_out" / "stock.parquet").schema["qty"] == pl.Int64


def test_a_table_of_part_files_is_fingerprinted_like_datacruncher(tmp_path: Path, duckdb_shell: str) -> None:
    import polars as pl
    from polisher_builders import issue, write_report

    data = tmp_path / "output"
    (data / "events" / "_tmp").mkdir(parents=True)
    pl.DataFrame({"id": [1, 2], "kind": [" a", "b "]}).write_parquet(data / "events" / "part-0.parquet")
    pl.DataFrame({"id": [3], "kind": ["c"]}).write_parquet(data / "events" / "part-1.parquet")
    pl.DataFrame({"id": [9], "kind": ["zz"]}).write_parquet(data / "events" / "_tmp" / "ignored.parquet")
    report = write_report(data, tmp_path / "crunch_report.json",
                          [issue("whitespace", "trim_whitespace", table="events", column="kind")])
    inputs = load_inputs(report)
    model = build_model(inputs.data_dir, inputs.metadata, inputs.report)
    plan = build_plan(model, read_findings(inputs.report))
    applied = apply_plan(plan, model, data_dir=data, output_dir=tmp_path / "output_polished", script_dir=tmp_path,
                         source_meta=None, dataset_name="events").metadata
    assert applied.lineage is not None and applied.lineage.derived_from_fingerprint == fingerprint(data)
    assert applied.table("events").rows == 3  # the hidden part under _tmp/ is not data
    parts = [("events/part-0.parquet", 2), ("events/part-1.parquet", 1)]  # the output keeps the input's parts
    assert [(f.path, f.rows) for f in applied.table("events").files] == parts
    _describes_itself(tmp_path / "output_polished", applied)
    shutil.rmtree(tmp_path / "output_polished")
    ran = _shell(duckdb_shell, tmp_path / "postprocess.sql")
    assert ran.returncode == 0, ran.stderr
    by_shell = load_metadata(tmp_path / "output_polished")
    assert by_shell.lineage is not None and by_shell.lineage.derived_from_fingerprint == fingerprint(data)
    assert [(f.path, f.rows) for f in by_shell.table("events").files] == parts
    _describes_itself(tmp_path / "output_polished", by_shell)
    done = subprocess.run([sys.executable, str(tmp_path / "postprocess.py"), str(data), str(tmp_path / "py")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    by_python = load_metadata(tmp_path / "py")
    assert by_python.lineage is not None and by_python.lineage.derived_from_fingerprint == fingerprint(data)
    assert [(f.path, f.rows) for f in by_python.table("events").files] == parts
    _describes_itself(tmp_path / "py", by_python)
    for part, _ in parts:  # the twins wrote the same values to each part
        assert pl.read_parquet(tmp_path / "py" / part).equals(pl.read_parquet(tmp_path / "output_polished" / part))
    assert pl.read_parquet(tmp_path / "py" / "events/part-0.parquet")["kind"].to_list() == ["a", "b"]


def test_parts_keep_their_rows_through_fixes_across_parts(tmp_path: Path) -> None:
    """A duplicate row in another part is dropped (dedupe is over the table, not per part) and the other rows stay
    in the part they came from; hive ``key=value`` folders are kept, their column left to the path (where a reader
    finds it again). The Polars twin writes the same values to each part."""
    import polars as pl
    from polisher_builders import issue, write_report

    data = tmp_path / "output"
    (data / "events").mkdir(parents=True)
    pl.DataFrame({"id": [1, 2], "kind": ["x", "y"]}).write_parquet(data / "events" / "part-0.parquet")
    pl.DataFrame({"id": [2, 3, 4], "kind": ["y", "z", "w"]}).write_parquet(data / "events" / "part-1.parquet")
    for key, kinds in (("a", [" p", "q"]), ("b", ["r "])):
        (data / "sales" / f"region={key}").mkdir(parents=True)
        pl.DataFrame({"sku": kinds}).write_parquet(data / "sales" / f"region={key}" / "part-0.parquet")
    report = write_report(data, tmp_path / "crunch_report.json", [
        issue("duplicate_rows", "dedupe_rows", table="events"),
        issue("whitespace", "trim_whitespace", table="sales", column="sku")])
    inputs = load_inputs(report)
    model = build_model(inputs.data_dir, inputs.metadata, inputs.report)
    plan = build_plan(model, read_findings(inputs.report))
    assert plan.hive_keys("sales") == ["region"] and plan.hive_keys("events") == []
    out = tmp_path / "output_polished"
    applied = apply_plan(plan, model, data_dir=data, output_dir=out, script_dir=tmp_path, source_meta=None,
                         dataset_name="d").metadata
    assert [(f.path, f.rows) for f in applied.table("events").files] == [
        ("events/part-0.parquet", 2), ("events/part-1.parquet", 2)]
    assert pl.read_parquet(out / "events/part-1.parquet").to_dicts() == [{"id": 3, "kind": "z"}, {"id": 4, "kind": "w"}]
    assert [(f.path, f.rows) for f in applied.table("sales").files] == [
        ("sales/region=a/part-0.parquet", 2), ("sales/region=b/part-0.parquet", 1)]
    assert pl.read_parquet(out / "sales/region=a/part-0.parquet", hive_partitioning=False).columns == ["sku"]
    assert not list(out.rglob("_postprocess*"))  # the folder-making markers are gone
    back = duckdb.connect().execute(f"SELECT region, sku FROM read_parquet('{out}/sales/**/*.parquet') ORDER BY sku")
    assert back.fetchall() == [("a", "p"), ("a", "q"), ("b", "r")]
    done = subprocess.run([sys.executable, str(tmp_path / "postprocess.py"), str(data), str(tmp_path / "py")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    for table in applied.tables:
        for f in table.files:
            assert pl.read_parquet(tmp_path / "py" / f.path, hive_partitioning=False).equals(
                pl.read_parquet(out / f.path, hive_partitioning=False)), f.path


def test_a_part_added_after_the_script_was_written_stops_both_scripts(tmp_path: Path) -> None:
    """The scripts list the parts they were written for: rows from a new part would have nowhere to go, so the
    SQL (through the module) and the Polars script stop, and no output is left."""
    import polars as pl
    from polisher_builders import issue, write_report

    from datapolisher.errors import ScriptError

    data = tmp_path / "output"
    (data / "events").mkdir(parents=True)
    pl.DataFrame({"id": [1, 2], "kind": [" a", "b"]}).write_parquet(data / "events" / "part-0.parquet")
    report = write_report(data, tmp_path / "crunch_report.json",
                          [issue("whitespace", "trim_whitespace", table="events", column="kind")])
    inputs = load_inputs(report)
    model = build_model(inputs.data_dir, inputs.metadata, inputs.report)
    plan = build_plan(model, read_findings(inputs.report))
    pl.DataFrame({"id": [3], "kind": ["c "]}).write_parquet(data / "events" / "part-1.parquet")  # arrives later
    with pytest.raises(ScriptError, match="events: rows from parts this script does not know"):
        apply_plan(plan, model, data_dir=data, output_dir=tmp_path / "polished", script_dir=tmp_path,
                   source_meta=None, dataset_name="events")
    assert not (tmp_path / "polished").exists()
    done = subprocess.run([sys.executable, str(tmp_path / "postprocess.py"), str(data), str(tmp_path / "py")],
                          capture_output=True, text=True, check=False)
    assert done.returncode != 0 and "parts this script does not know: events/part-1.parquet" in done.stderr
    assert not (tmp_path / "py").exists()


def test_parts_whose_schema_evolved_are_read_by_name_and_written_with_every_column(tmp_path: Path) -> None:
    """A later part adds a column and widens int32 to int64, another lacks a column (a lake written over time):
    both scripts read the parts by name, fix them, and write every part with the union of the columns (nulls
    where a part had none) — they used to stop on the first part that lacked a column."""
    import polars as pl
    from polisher_builders import issue, write_report

    data = tmp_path / "output"
    (data / "events").mkdir(parents=True)
    pl.DataFrame({"id": [1, 2], "kind": [" a", "b"]}, schema={"id": pl.Int32, "kind": pl.String}).write_parquet(
        data / "events" / "part-0.parquet")
    pl.DataFrame({"id": [3], "kind": ["c "], "score": [0.5]}).write_parquet(data / "events" / "part-1.parquet")
    pl.DataFrame({"id": [4], "score": [1.5]}).write_parquet(data / "events" / "part-2.parquet")
    report = write_report(data, tmp_path / "crunch_report.json",
                          [issue("whitespace", "trim_whitespace", table="events", column="kind")])
    inputs = load_inputs(report)
    model = build_model(inputs.data_dir, inputs.metadata, inputs.report)
    plan = build_plan(model, read_findings(inputs.report))
    out = tmp_path / "polished"
    apply_plan(plan, model, data_dir=data, output_dir=out, script_dir=tmp_path, source_meta=None,
               dataset_name="events")
    parts = [pl.read_parquet(out / "events" / f"part-{i}.parquet") for i in range(3)]
    assert [p.to_dicts() for p in parts] == [
        [{"id": 1, "kind": "a", "score": None}, {"id": 2, "kind": "b", "score": None}],
        [{"id": 3, "kind": "c", "score": 0.5}], [{"id": 4, "kind": None, "score": 1.5}]]
    assert parts[0].schema["id"] == pl.Int64
    done = subprocess.run([sys.executable, str(tmp_path / "postprocess.py"), str(data), str(tmp_path / "py")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    for i, part in enumerate(parts):
        assert pl.read_parquet(tmp_path / "py" / "events" / f"part-{i}.parquet").equals(part)
