"""Every conformance schema, generated through the `datagen` CLI, measured independently with DuckDB.

The generator's own tests check these facts with pyarrow; here a different engine re-measures them on the files
a user gets: unique PKs, no orphan FKs, no child before the row it references (as `.metadata.json` promises it
through `time_order`), int ids stay BIGINT, dates are DATE, timestamps are TIMESTAMP and stay in the timeframe,
and the same seed gives the same bytes (also with another worker count).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

duckdb = pytest.importorskip("duckdb")
pytest.importorskip("datagen_core")

SCALE = {"gov_scaled": 0.05, "ecomm": 0.2}
SQL_TYPES = {"int": "BIGINT", "float": "DOUBLE", "string": "VARCHAR", "bool": "BOOLEAN", "date": "DATE", "datetime": "TIMESTAMP"}


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def datagen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "datagen_core", *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory):
    cache: dict[Path, Path] = {}

    def get(schema: Path) -> Path:
        if schema not in cache:
            out = tmp_path_factory.mktemp(schema.stem) / "out"
            scale = str(SCALE.get(schema.stem, 1.0))
            done = datagen("generate", str(schema), "--seed", "42", "-o", str(out), "--scale", scale, "--quiet")
            assert done.returncode == 0, done.stderr
            cache[schema] = out
        return cache[schema]

    return get


def connect(out: Path):
    con = duckdb.connect()
    meta = json.loads((out / ".metadata.json").read_text())
    for table in meta["tables"]:
        files = [str(out / f["path"]) for f in table["files"]]
        con.execute(f"CREATE VIEW {q(table['name'])} AS SELECT * FROM read_parquet({files!r})")
    return con, meta


def test_structural_facts_hold_in_duckdb(conformance_schema: Path, generated) -> None:
    out = generated(conformance_schema)
    con, meta = connect(out)
    schema = json.loads(conformance_schema.read_text())
    tables = {t["name"]: t for t in meta["tables"]}
    start, end = meta["timeframe"]["start"], meta["timeframe"]["end"]
    problems: list[str] = []
    for t in meta["tables"]:
        name = q(t["name"])
        rows = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        if rows != t["rows"]:
            problems.append(f"{t['name']}: {rows} rows, metadata says {t['rows']}")
        if t.get("primary_key"):
            pk = q(t["primary_key"])
            dup, nulls = con.execute(f"SELECT count(*) - count(DISTINCT {pk}), count(*) - count({pk}) FROM {name}").fetchone()
            if dup or nulls:
                problems.append(f"{t['name']}.{t['primary_key']}: {dup} duplicate and {nulls} null keys")
        for fk in t.get("foreign_keys", []):
            parent = tables[fk["references_table"]]
            orphans = con.execute(
                f"SELECT count(*) FROM {name} c WHERE c.{q(fk['column'])} IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM {q(parent['name'])} p WHERE p.{q(fk['references_column'])} = c.{q(fk['column'])})"
            ).fetchone()[0]
            if orphans:
                problems.append(f"{t['name']}.{fk['column']}: {orphans} orphans")
            order = fk.get("time_order", "after")
            child_t, parent_t = t.get("created_at_column"), parent.get("created_at_column")
            if order == "none" or not child_t or not parent_t:
                continue
            op = "<" if order == "after" else ">"
            bad = con.execute(
                f"SELECT count(*) FROM {name} c JOIN {q(parent['name'])} p ON p.{q(fk['references_column'])} = c.{q(fk['column'])} "
                f"WHERE CAST(c.{q(child_t)} AS TIMESTAMP) {op} CAST(p.{q(parent_t)} AS TIMESTAMP)"
            ).fetchone()[0]
            if bad:
                problems.append(f"{t['name']}.{child_t} vs {parent['name']}.{parent_t} ({order}): {bad} rows violate")
    for node in schema["nodes"]:
        if node["id"] not in tables:
            problems.append(f"table {node['id']} missing from metadata")
            continue
        types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {q(node['id'])})").fetchall())
        for col in node["columns"]:
            want = SQL_TYPES[col["type"] if col["type"] in SQL_TYPES else "string"]
            if types.get(col["name"]) != want:
                problems.append(f"{node['id']}.{col['name']}: {types.get(col['name'])}, declared {col['type']} → {want}")
            gen = col["generator"].get("datetime_series") or col["generator"].get("diffusion_curve")
            if gen and gen.get("within", "timeframe") == "timeframe" and not col.get("modifiers"):
                outside = con.execute(
                    f"SELECT count(*) FROM {q(node['id'])} WHERE CAST({q(col['name'])} AS TIMESTAMP) "
                    f"NOT BETWEEN CAST(? AS TIMESTAMP) AND CAST(? AS TIMESTAMP)",
                    [start.replace("Z", ""), end.replace("Z", "")],
                ).fetchone()[0]
                if outside:
                    problems.append(f"{node['id']}.{col['name']}: {outside} values outside the timeframe")
    for ineq in schema.get("constraints", {}).get("inequalities", []):
        (lt, lc), (rt, rc) = ineq["left"].split(".", 1), ineq["right"].split(".", 1)
        if lt == rt:
            bad = con.execute(
                f"SELECT count(*) FROM {q(lt)} WHERE NOT ({q(lc)} {ineq['op']} {q(rc)})"
            ).fetchone()[0]
            if bad:
                problems.append(f"{ineq['left']} {ineq['op']} {ineq['right']}: {bad} rows violate")
    assert problems == []


def _hashes(out: Path) -> dict[str, str]:
    meta = json.loads((out / ".metadata.json").read_text())
    return {f["path"]: f["sha256"] for t in meta["tables"] for f in t["files"]}


@pytest.mark.parametrize("name", ["simple_users_events", "saas_subscription_churn", "marketing_attribution", "gov_scaled"])
def test_same_seed_same_bytes_whatever_the_workers(name: str, conformance_root: Path, tmp_path: Path, generated) -> None:
    schema = conformance_root / f"{name}.json"
    first = generated(schema)
    again = tmp_path / "again"
    scale = str(SCALE.get(name, 1.0))
    done = datagen("generate", str(schema), "--seed", "42", "-o", str(again), "--scale", scale, "--workers", "2", "--quiet")
    assert done.returncode == 0, done.stderr
    assert _hashes(again) == _hashes(first)
    for path in _hashes(first):
        assert (again / path).read_bytes() == (first / path).read_bytes()
    other = tmp_path / "other_seed"
    done = datagen("generate", str(schema), "--seed", "43", "-o", str(other), "--scale", scale, "--quiet")
    assert done.returncode == 0, done.stderr
    assert _hashes(other) != _hashes(first)
