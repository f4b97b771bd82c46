"""A corpus of bad schemas through ``datagen generate``: exit 2, every problem listed with its JSON path, no
traceback, nothing written. And hostile table names: generated, every file inside the output."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PATH = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
pytestmark = pytest.mark.skipif(shutil.which("datagen", path=PATH) is None, reason="the datagen CLI is not installed")

GOOD = {"version": "1.0", "metadata": {"name": "x"}, "timeframe": {"start": "2024-01-01", "end": "2024-12-31"},
        "constraints": {}, "nodes": [
            {"id": "user", "kind": "entity", "rows": 10, "pk": "user_id", "columns": [
                {"name": "user_id", "type": "int", "generator": {"sequence": {}}},
                {"name": "created_at", "type": "datetime", "generator": {"datetime_series": {}}}]},
            {"id": "order", "kind": "fact", "parents": ["user"], "pk": "order_id", "fanout": {"lambda": 2}, "columns": [
                {"name": "order_id", "type": "int", "generator": {"sequence": {}}},
                {"name": "user_id", "type": "int", "generator": {"lookup": {"from": "user.user_id"}}}]}]}


def _edit(*changes: tuple[str, object]) -> dict:
    """GOOD with each (dotted path, value) set; a path ending in '+' appends."""
    doc = copy.deepcopy(GOOD)
    for path, value in changes:
        *head, last = path.split(".")
        node: object = doc
        for part in head:
            node = node[int(part)] if isinstance(node, list) else node[part]  # type: ignore[index]
        if last == "+":
            node.append(value)  # type: ignore[union-attr]
        elif isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value  # type: ignore[index]
    return doc


CORPUS = {
    "absurd rows": (_edit(("nodes.0.rows", 10**15)), ["$.nodes[0].rows"]),
    "negative rows": (_edit(("nodes.0.rows", -5)), ["$.nodes[0].rows"]),
    "five problems at once": (_edit(
        ("timeframe", {"start": "2025-01-01", "end": "2024-01-01"}),
        ("nodes.0.columns.1.generator", {"faker": {"method": "licence_plate"}}),
        ("nodes.1.fanout", {"lambda": -1, "dispersion": 0.5}),
        ("nodes.1.columns.1.generator", {"lookup": {"from": "usr.user_id"}})),
        ["$.timeframe", "$.nodes[0].columns[1].generator.faker.method", "$.nodes[1].fanout.dispersion",
         "$.nodes[1].fanout.lambda", "$.nodes[1].columns[1].generator.lookup.from", "did you mean 'license_plate'",
         "did you mean 'user'"]),
    "duplicate column": (_edit(("nodes.0.columns.+", {"name": "user_id", "type": "int", "generator": {"sequence": {}}})),
                         ["$.nodes[0].columns[2].name"]),
    "unknown key": (_edit(("nodes.0.colums", [])), ["$.nodes[0]", "colums"]),
    "bad types": (_edit(("nodes.0.columns.1.type", "datetim"), ("nodes.0.columns.0.null_rate", 2)),
                  ["$.nodes[0].columns[1].type"]),
    "no generator": (_edit(("nodes.0.columns.1.generator", {})), ["$.nodes[0].columns[1].generator"]),
    "money decimals on an int": (_edit(("nodes.0.columns.0.decimals", 2)), ["$.nodes[0].columns[0].decimals"]),
    "dormant with a minimum": (_edit(("nodes.1.fanout", {"lambda": 2, "min": 1, "dormant": 0.3})),
                               ["$.nodes[1].fanout.dormant"]),
    "hostile unknown parent": (_edit(("nodes.1.parents", ["us\ner\x1b[2J"])), ["$.nodes[1].parents[0]"]),
}


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env={**os.environ, "PATH": PATH}, capture_output=True, text=True, check=False)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_bad_schema_exits_2_listing_every_problem_and_writes_nothing(tmp_path: Path, name: str) -> None:
    doc, expected = CORPUS[name]
    (tmp_path / "s.json").write_text(json.dumps(doc))
    proc = _run(["datagen", "generate", "s.json", "-o", "out"], tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "\x1b" not in proc.stderr
    for text in expected:
        assert text in proc.stderr, (text, proc.stderr)
    assert not (tmp_path / "out").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]


@pytest.mark.parametrize("table", ["../escaped", "a/b", 'order "x"', "Ünïcode tåble", "select"])
def test_hostile_table_names_stay_inside_the_output(tmp_path: Path, table: str) -> None:
    doc = _edit(("nodes.0.id", table), ("nodes.1.parents", [table]),
                ("nodes.1.columns.1.generator", {"lookup": {"from": f"{table}.user_id"}}))
    if "." in table or "/" in table:  # a dotted reference cannot name it: the entity alone
        doc["nodes"] = doc["nodes"][:1]
    (tmp_path / "s.json").write_text(json.dumps(doc))
    proc = _run(["datagen", "generate", "s.json", "-o", "out"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all(p.resolve().is_relative_to((tmp_path / "out").resolve()) or p.name == "s.json" for p in files)
    meta = json.loads((tmp_path / "out" / ".metadata.json").read_text())
    assert table in [t["name"] for t in meta["tables"]]


@pytest.mark.skipif(shutil.which("datapolisher", path=PATH) is None, reason="the datapolisher CLI is not installed")
@pytest.mark.parametrize("table", ["../escaped", 'order "x"', "Ünïcode tåble"])
def test_a_table_whose_file_is_not_named_after_it_keeps_its_name_through_crunch_and_polish(tmp_path: Path,
                                                                                          table: str) -> None:
    """datagen writes such a table as ``<safe>-<hash>.parquet``; crunch and polish call it what the schema and the
    metadata call it (so a schema fix names a table that exists), and polish writes its file under the input's
    file name — never a path made from the table's name."""
    doc = _edit(("nodes.0.id", table), ("nodes.0.rows", 200), ("nodes.1.parents", [table]),
                ("nodes.1.columns.1.generator", {"lookup": {"from": f"{table}.user_id"}}))
    if "." in table or "/" in table:
        doc["nodes"] = doc["nodes"][:1]
    if "." not in table:  # a defect's target is "table" or "table.column"
        doc["defects"] = [{"kind": "duplicate_rows", "target": table, "rate": 0.05}]
    (tmp_path / "s.json").write_text(json.dumps(doc))
    assert _run(["datagen", "generate", "s.json", "-o", "out"], tmp_path).returncode == 0
    crunched = _run(["datacruncher", "crunch", "out", "--schema", "s.json", "--json"], tmp_path)
    assert crunched.returncode == 0, crunched.stderr
    report = json.loads((tmp_path / "crunch_report.json").read_text())
    assert table in [t["name"] for t in report["model"]["tables"]]
    assert "." in table or any(i["table"] == table and i["rule_id"] == "duplicate_rows" for i in report["issues"])
    for path in ("postprocess", "schema") if "." not in table else ("postprocess",):  # no issue: no regeneration
        polished = _run(["datapolisher", "polish", "crunch_report.json", "--path", path, "-o", f"pol_{path}"], tmp_path)
        assert polished.returncode == 0, polished.stderr
        assert sorted(p.name for p in (tmp_path / f"pol_{path}").glob("*.parquet")) == sorted(
            p.name for p in (tmp_path / "out").glob("*.parquet"))
        meta = json.loads((tmp_path / f"pol_{path}" / ".metadata.json").read_text())
        assert table in [t["name"] for t in meta["tables"]]
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all(p.resolve().is_relative_to(tmp_path.resolve()) for p in files)
