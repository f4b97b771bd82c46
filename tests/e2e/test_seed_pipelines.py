"""The pipelines of the seed ``three_system_architecture.md``, with its command lines as written.

Each runs in a fresh directory on a copy of ``examples/schemas/ecommerce.json`` scaled down (row counts only)
with defects injected, through the installed CLIs exactly as a new user types them in an activated
environment (the interpreter's own ``bin`` first on ``PATH``). Skipped, with the reason, unless the ``datagen``
and ``datacruncher`` CLIs are installed (they are in the full workspace run).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from datagen_contracts import load_manifest, load_metadata
from datagen_contracts.fingerprint import file_sha256

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "schemas" / "ecommerce.json"
ENV_BIN = str(Path(sys.executable).parent)
PATH = os.pathsep.join([ENV_BIN, os.environ.get("PATH", "")])

pytestmark = [
    pytest.mark.skipif(shutil.which("datagen", path=PATH) is None, reason="the datagen CLI (datagen-core) is not installed"),
    pytest.mark.skipif(shutil.which("datacruncher", path=PATH) is None, reason="the datacruncher CLI is not installed"),
    pytest.mark.skipif(not EXAMPLE.is_file(), reason=f"{EXAMPLE} is not there"),
]

INJECTED = [
    {"kind": "temporal_violation", "target": "order.ordered_at", "rate": 0.05},
    {"kind": "duplicate_pk", "target": "order.order_id", "rate": 0.01},
]
# what the injected and the example's own defects make datacruncher report, and the polish must remove
FIXED = {"pk_duplicates", "temporal_fk", "duplicate_rows", "fk_orphans", "negative_amounts", "format_inconsistency"}


def _schema(path: Path, *, defects: list[dict] | None = None, keep_example_defects: bool = True) -> Path:
    schema = json.loads(EXAMPLE.read_text())
    for node in schema["nodes"]:
        if node.get("rows"):
            node["rows"] = min(node["rows"], 300)
    own = schema.get("defects", []) if keep_example_defects else []
    schema["defects"] = [*own, *(INJECTED if defects is None else defects)]
    path.write_text(json.dumps(schema, indent=2))
    return path


def run(cwd: Path, line: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
    """One command line of the seed, run by a shell in ``cwd`` (so ``duckdb < postprocess.sql`` works too)."""
    env = {**os.environ, "PATH": PATH}
    proc = subprocess.run(line, shell=True, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode in ok, f"{line} → exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def _report(cwd: Path, name: str = "crunch_report.json") -> dict:
    return json.loads((cwd / name).read_text())


def _rules(report: dict, severity: str | None = None) -> set[str]:
    return {i["rule_id"] for i in report["issues"] if severity is None or i["severity"] == severity}


def _assert_polished(data: Path) -> None:
    """The polished .metadata.json describes the files actually there (whichever tool wrote them)."""
    meta = load_metadata(data)
    assert meta.lineage is not None and meta.lineage.steps
    for table in meta.tables:
        for f in table.files:
            assert file_sha256(data / f.path) == f.sha256, f"{data / f.path} differs from its .metadata.json"


def _assert_exports_validate(cwd: Path, data: str) -> None:
    """Each export of the approved data, checked by the standard's own library."""
    frictionless = pytest.importorskip("frictionless")
    mlc = pytest.importorskip("mlcroissant")
    jsonschema = pytest.importorskip("jsonschema")
    odcs = pytest.importorskip("open_data_contract_standard")
    from ruamel.yaml import YAML

    for fmt in ("frictionless", "croissant", "odcs"):
        run(cwd, f"datapolisher export {data} --format {fmt}")
    package = json.loads((cwd / data / "datapackage.json").read_text())
    assert [e.message for e in frictionless.Package.metadata_validate(package)] == []
    order = next(r for r in package["resources"] if r["name"] == "order")
    assert {f["name"]: f["type"] for f in order["schema"]["fields"]}["order_id"] == "integer"
    croissant = mlc.Dataset(jsonld=str(cwd / data / "croissant.json"))
    assert croissant.metadata.ctx.issues.errors == set()
    signed_rows = {t.name: t.rows for t in load_manifest(cwd / data).schema.tables}
    assert sum(1 for _ in croissant.records("order")) == signed_rows["order"]
    contract = YAML(typ="safe").load((cwd / data / "datacontract.odcs.yaml").read_text())
    schema = json.loads((Path(odcs.__file__).parent / "schema.json").read_text())
    assert list(jsonschema.Draft201909Validator(schema).iter_errors(contract)) == []


def test_scenario_1_issues_found_auto_fix_approve(tmp_path: Path) -> None:
    _schema(tmp_path / "schema.json")
    run(tmp_path, "datagen generate schema.json --seed 42 -o output/")
    run(tmp_path, "datagen crunch output/ --schema schema.json -o crunch_report.json")
    before = _report(tmp_path)
    assert {"pk_duplicates", "temporal_fk"} <= _rules(before, "critical")
    run(tmp_path, "datagen polish crunch_report.json --auto -o polished/")
    assert (tmp_path / "schema_improved.json").is_file() and (tmp_path / "polish_summary.json").is_file()
    first = json.loads((tmp_path / "polish_summary.json").read_text())["rounds"][0]
    # an issue the round had no fix for is "not addressed" only while the re-crunch still finds it: the unique
    # drift of order_id came with the injected duplicate keys and went with that defect
    assert any("schema_drift.unique:order.order_id" in g for g in first["also_gone"])
    assert not any("schema_drift.unique:order.order_id" in u for u in first["unhandled"])
    run(tmp_path, "datagen crunch polished/ --schema schema.json")
    after = _report(tmp_path)
    assert after["dataset"]["path"].rstrip("/") == "polished"
    assert not _rules(after) & FIXED and _rules(before) & FIXED
    assert after["summary"].get("critical", 0) == 0
    run(tmp_path, "datagen polish crunch_report.json --path approve")
    assert (tmp_path / "polished" / ".manifest.yaml").is_file()
    run(tmp_path, "datapolisher verify polished")
    assert not (tmp_path / "output" / ".manifest.yaml").exists()  # the input was never touched
    _assert_exports_validate(tmp_path, "polished")


def test_scenario_2_iterative_refinement(tmp_path: Path) -> None:
    _schema(tmp_path / "schema_v1.json")
    run(tmp_path, "datagen generate schema_v1.json -o output_v1/")
    run(tmp_path, 'datagen crunch output_v1/ --personas "VP Growth,CFO"')
    v1 = _report(tmp_path)
    assert v1["dataset"]["path"].rstrip("/") == "output_v1" and v1["issues"]
    # the manual fix: schema_v2 is schema_v1 without the defects behind v1's findings
    _schema(tmp_path / "schema_v2.json", defects=[], keep_example_defects=False)
    run(tmp_path, "datagen generate schema_v2.json -o output_v2/")
    run(tmp_path, 'datagen crunch output_v2/ --personas "VP Growth,CFO"')
    v2 = _report(tmp_path)
    assert v2["dataset"]["path"].rstrip("/") == "output_v2"
    assert v2["summary"].get("critical", 0) == 0 and not _rules(v2) & _rules(v1) & FIXED
    run(tmp_path, "datagen polish crunch_report.json --path approve")
    run(tmp_path, "datapolisher verify output_v2")
    manifest = load_manifest(tmp_path / "output_v2")
    assert manifest.validation.analyzed_by == ["VP Growth", "Finance VP"]
    assert manifest.validation.crunch_report_sha256 == file_sha256(tmp_path / "crunch_report.json")


@pytest.mark.parametrize("apply", ["python postprocess.py", "duckdb < postprocess.sql"])
def test_scenario_3_postprocessing_only(tmp_path: Path, apply: str) -> None:
    if apply.startswith("duckdb") and shutil.which("duckdb", path=PATH) is None:
        pytest.skip("the duckdb command-line shell is not installed (pip install duckdb-cli)")
    _schema(tmp_path / "schema.json")
    run(tmp_path, "datagen generate schema.json -o output/")
    run(tmp_path, "datagen crunch output/")
    before = _report(tmp_path)
    assert {"pk_duplicates", "temporal_fk"} <= _rules(before, "critical")
    refused = run(tmp_path, "datagen polish crunch_report.json --path approve", ok=(1,))
    assert "critical issue(s) remain" in refused.stderr
    run(tmp_path, "datagen polish crunch_report.json --path postprocess")
    assert (tmp_path / "postprocess.sql").is_file() and (tmp_path / "output_polished").is_dir()
    run(tmp_path, apply)  # over the output the polish step wrote: a no-op for Python, rewritten by DuckDB
    _assert_polished(tmp_path / "output_polished")
    assert not (tmp_path / "output_polished" / ".manifest.yaml").exists()
    run(tmp_path, "datagen crunch output_polished/")
    after = _report(tmp_path)
    assert not _rules(after) & FIXED and _rules(before) & FIXED
    assert after["summary"].get("critical", 0) == 0
    run(tmp_path, "datagen polish crunch_report.json --path approve")
    run(tmp_path, "datapolisher verify output_polished")


def test_scenario_3_applying_the_scripts_yourself(tmp_path: Path) -> None:
    """The seed's reading of Scenario 3: the scripts applied by hand into a fresh output, with the same result."""
    if shutil.which("duckdb", path=PATH) is None:
        pytest.skip("the duckdb command-line shell is not installed (pip install duckdb-cli)")
    _schema(tmp_path / "schema.json")
    run(tmp_path, "datagen generate schema.json -o output/")
    run(tmp_path, "datagen crunch output/")
    run(tmp_path, "datagen polish crunch_report.json --path postprocess")
    (tmp_path / "output_polished").rename(tmp_path / "by_polish")
    run(tmp_path, "duckdb < postprocess.sql")
    _assert_polished(tmp_path / "output_polished")
    run(tmp_path, "python postprocess.py output/ by_python/")
    _assert_polished(tmp_path / "by_python")
    for data in ("output_polished", "by_python"):
        run(tmp_path, f"datagen crunch {data}/ -o {data}.json")
        assert not _rules(_report(tmp_path, f"{data}.json")) & FIXED


def test_seed_ci_example(tmp_path: Path) -> None:
    """The seed's CI steps, verbatim: the gates pass once the polish has fixed what the crunch found."""
    _schema(tmp_path / "schema.json", defects=[])
    schema = json.loads((tmp_path / "schema.json").read_text())
    schema["defects"] = [d for d in schema["defects"] if d["kind"] != "duplicate_rows"]  # a duplicate PK is critical
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    run(tmp_path, "datagen generate schema.json")
    run(tmp_path, "datagen crunch output/ --fail-on-critical")
    found = _rules(_report(tmp_path), "high")
    assert "fk_orphans" in found
    run(tmp_path, "datagen polish --auto")
    run(tmp_path, "datagen crunch output_polished/ --fail-on-high")
    assert not _rules(_report(tmp_path)) & FIXED
    run(tmp_path, "datapolisher verify output_polished")


def test_seed_ci_gate_stops_on_critical_findings(tmp_path: Path) -> None:
    _schema(tmp_path / "schema.json")
    run(tmp_path, "datagen generate schema.json")
    gate = run(tmp_path, "datagen crunch output/ --fail-on-critical", ok=(1,))
    assert "critical" in gate.stdout + gate.stderr
    assert {"pk_duplicates", "temporal_fk"} <= _rules(_report(tmp_path), "critical")  # the report is still written


def test_readme_main_job_runs_again(tmp_path: Path) -> None:
    """The README's main-job line, twice in the same directory (its --overwrite flags make it re-runnable)."""
    _schema(tmp_path / "ecommerce.json", defects=[])
    job = ("datagen generate ecommerce.json --seed 42 -o output/ --overwrite && datagen crunch output/ --schema "
           "ecommerce.json && datagen polish --auto --overwrite && datapolisher verify output_polished/")
    first = run(tmp_path, job)
    again = run(tmp_path, job)
    assert "verified: output_polished (" in first.stdout and "verified: output_polished (" in again.stdout
    summary = json.loads((tmp_path / "polish_summary.json").read_text())
    # one schema round fixes everything (money is generated in cents: no post-processing round to round it)
    assert [r["path"] for r in summary["rounds"]] == ["schema"] and summary["final"]["critical"] == 0
    assert summary["final"] == {"critical": 0, "high": 0, "medium": 0, "low": 0} | {
        k: v for k, v in summary["final"].items() if k not in ("critical", "high", "medium", "low")}


def test_source_date_epoch_makes_every_written_file_byte_identical(tmp_path: Path, monkeypatch) -> None:
    """The reproducible-builds convention: with SOURCE_DATE_EPOCH set, generate → crunch → polish --auto (with
    its post-processing scripts and approval) twice in the same directory writes the same bytes, timestamps
    included; without it, generated_at is the wall clock."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")  # 2025-01-01T00:00:00Z
    work = tmp_path / "w"

    def pipeline() -> dict[str, bytes]:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        _schema(work / "schema.json")
        run(work, "datagen generate schema.json --seed 42 -o output/")
        run(work, "datagen crunch output/ --schema schema.json -o crunch_report.json", ok=(0, 1))
        run(work, "datagen polish crunch_report.json --auto -o polished/")
        return {p.relative_to(work).as_posix(): p.read_bytes() for p in sorted(work.rglob("*")) if p.is_file()}

    first, second = pipeline(), pipeline()
    assert first.keys() == second.keys()
    assert [(k, _json_diff(first[k], second[k])) for k in first if first[k] != second[k]] == []
    assert {"output/.metadata.json", "crunch_report.json", "polished/.manifest.yaml"} <= first.keys()
    meta = json.loads(first["output/.metadata.json"])
    assert meta["generated_at"] == "2025-01-01T00:00:00Z" and meta["duration_seconds"] is None
    assert json.loads(first["crunch_report.json"])["analysis_date"] == "2025-01-01T00:00:00Z"
    assert load_manifest(work / "polished").generated_at == "2025-01-01T00:00:00Z"
    # a malformed value is a user error (exit 2, one line), not a traceback
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    bad = run(work, "datagen generate schema.json --seed 42 -o again/", ok=(2,))
    assert "SOURCE_DATE_EPOCH" in bad.stderr and "Traceback" not in bad.stderr and not (work / "again").exists()


def _json_diff(a: bytes, b: bytes) -> list[str]:
    """Where two JSON documents differ (paths and both values), for a readable failure."""
    try:
        x, y = json.loads(a), json.loads(b)
    except ValueError:
        return ["not JSON"]
    out: list[str] = []

    def walk(p, q, path):
        if isinstance(p, dict) and isinstance(q, dict):
            for k in sorted(set(p) | set(q)):
                walk(p.get(k), q.get(k), f"{path}.{k}")
        elif isinstance(p, list) and isinstance(q, list) and len(p) == len(q):
            for i, (u, v) in enumerate(zip(p, q, strict=True)):
                walk(u, v, f"{path}[{i}]")
        elif p != q:
            out.append(f"{path}: {str(p)[:80]} | {str(q)[:80]}")

    walk(x, y, "$")
    return out[:10]
