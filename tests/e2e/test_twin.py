"""``datacruncher draft`` → ``datagen generate``: the synthetic twin keeps the key structure and the marginals.

Each example schema is generated, drafted back from its data (no model), the draft generated with another seed,
and both datasets crunched. The twin must have the same tables, primary keys and foreign keys, and its
marginals must follow the original within the tolerances below.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from datacruncher import discover_dataset
from datacruncher.crunch import crunch

REPO = Path(__file__).resolve().parents[2]
ROW_TOLERANCE = 0.10  # rows of a fact table (children per parent are sampled)
SHARE_TOLERANCE = 0.05  # total variation distance between category shares
QUANTILE_TOLERANCE = 0.20  # quartiles and median, as a share of the original's interquartile range (or median)
NULL_TOLERANCE = 0.02  # share of nulls
MIN_ROWS = 200  # shares and quantiles are compared on columns with at least this many values (fewer are noise)


def _run(*args: str) -> None:
    res = subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]


def _structure(path: Path) -> tuple[dict, set]:
    model = discover_dataset(path)
    keys = {t.name: t.primary_key for t in model.tables}
    fks = {(f.from_table, f.from_column, f.to_table, f.to_column) for f in model.foreign_keys}
    return keys, fks


@pytest.mark.parametrize("example, scale", [("ecommerce.json", 0.25), ("saas_subscription.json", 0.2)])
def test_the_twin_keeps_keys_and_marginals(tmp_path: Path, example: str, scale: float) -> None:
    original, twin, schema = tmp_path / "original", tmp_path / "twin", tmp_path / "twin.json"
    _run("datagen_core", "generate", str(REPO / "examples" / "schemas" / example), "-o", str(original),
         "--scale", str(scale), "--seed", "3")
    from click.testing import CliRunner

    from datacruncher.cli import main

    res = CliRunner().invoke(main, ["draft", str(original), "-o", str(schema)])
    assert res.exit_code == 0, res.output
    _run("datagen_core", "check", str(schema))
    _run("datagen_core", "generate", str(schema), "-o", str(twin), "--seed", "11")

    assert _structure(twin) == _structure(original)

    a, b = crunch(original, personas="Data Engineer"), crunch(twin, personas="Data Engineer")
    rows_a = {t.name: t.rows for t in a.model.tables}
    rows_b = {t.name: t.rows for t in b.model.tables}
    for name, n in rows_a.items():
        assert abs(rows_b[name] - n) <= ROW_TOLERANCE * n + 1, (name, n, rows_b[name])
    prof_b = {(p.table, p.column): p for p in b.profiles}
    checked = 0
    for p in a.profiles:
        q = prof_b[(p.table, p.column)]
        where = f"{p.table}.{p.column}"
        assert abs(q.nulls / max(q.rows, 1) - p.nulls / max(p.rows, 1)) <= NULL_TOLERANCE, where
        if p.rows - p.nulls < MIN_ROWS:
            continue
        if p.kind == "categorical" and p.top:
            share_a = {v: n / (p.rows - p.nulls) for v, n in p.top}
            share_b = {v: n / (q.rows - q.nulls) for v, n in q.top}
            tvd = 0.5 * sum(abs(share_a.get(v, 0) - share_b.get(v, 0)) for v in set(share_a) | set(share_b))
            assert tvd <= SHARE_TOLERANCE, (where, tvd)
            checked += 1
        elif p.kind == "numeric" and p.quantiles and q.quantiles:
            iqr = p.quantiles[15] - p.quantiles[5]
            scale_ = iqr if iqr > 0 else max(abs(p.quantiles[10]), 1.0)
            for i in (5, 10, 15):
                assert abs(q.quantiles[i] - p.quantiles[i]) <= QUANTILE_TOLERANCE * scale_, (where, i, p.quantiles[i], q.quantiles[i])
            checked += 1
    assert checked >= 8
    drafted = json.loads(schema.read_text())
    assert drafted["metadata"]["name"].endswith("_twin")


def test_the_warehouse_twin_keeps_every_key_reference(tmp_path: Path) -> None:
    """Data no schema wrote: surrogate keys named unlike their targets, role-playing dates, a reference to a code
    column, a composite key. Every single-column reference into a key or a unique column survives the twin."""
    original, twin, schema = tmp_path / "wh", tmp_path / "twin", tmp_path / "twin.json"
    res = subprocess.run([sys.executable, str(REPO / "examples" / "warehouse" / "build_warehouse.py"), str(original)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    from click.testing import CliRunner

    from datacruncher.cli import main

    assert CliRunner().invoke(main, ["draft", str(original), "-o", str(schema)]).exit_code == 0
    _run("datagen_core", "generate", str(schema), "-o", str(twin))
    keys_a, fks_a = _structure(original)
    keys_b, fks_b = _structure(twin)
    assert keys_a == keys_b
    composite = {t.name for t in discover_dataset(original).tables if t.composite_key}
    assert {fk for fk in fks_a if fk[2] not in composite} <= fks_b
    assert fks_b <= fks_a


def test_the_twin_of_types_the_dsl_lacks_generates(tmp_path: Path) -> None:
    """Lists, structs, maps, bytes, a UBIGINT past int64, an all-null column, INT96 times and an empty table:
    the draft generates, with the original's tables and row counts of its entities."""
    import pyarrow.parquet as pq

    from datacruncher.twin import draft_schema

    from ..datacruncher import nested_types

    original = nested_types.write(tmp_path / "data")
    schema, twin = tmp_path / "twin.json", tmp_path / "twin"
    schema.write_text(json.dumps(draft_schema(original)))
    _run("datagen_core", "generate", str(schema), "-o", str(twin))
    customers = pq.read_table(twin / "customers.parquet")
    assert customers.num_rows == 600 and customers["never"].null_count == 600
    assert all(len(v) >= 19 and v.isdigit() for v in customers["hash"].to_pylist())
    assert all(isinstance(json.loads(v), list) for v in customers["tags"].to_pylist())
    assert pq.read_table(twin / "empty.parquet").num_rows == 0
    assert pq.read_table(twin / "orders.parquet").num_rows > 0


def test_a_frictionless_export_imports_back_to_the_same_structure(tmp_path: Path) -> None:
    """datagen generate → datapolisher approve + export a Frictionless Data Package → datagen import → generate:
    the round trip through the standard keeps every table, primary key, foreign key and entity row count."""
    import pyarrow.parquet as pq

    original = tmp_path / "shop"
    _run("datagen_core", "generate", str(REPO / "examples" / "schemas" / "ecommerce.json"), "-o", str(original),
         "--scale", "0.05", "--seed", "4")
    _run("datapolisher", "polish", "--data", str(original), "--path", "approve", "--force", "--reason", "round trip",
         str(_report(original, tmp_path)))
    _run("datapolisher", "export", str(original), "--format", "frictionless")  # beside the files it describes
    _run("datagen_core", "import", str(original / "datapackage.json"), "-o", str(tmp_path / "back.json"))
    _run("datagen_core", "generate", str(tmp_path / "back.json"), "-o", str(tmp_path / "back"))
    declared = json.loads((tmp_path / "back.json").read_text())
    source = json.loads((REPO / "examples" / "schemas" / "ecommerce.json").read_text())
    assert {n["id"]: n["pk"] for n in declared["nodes"]} == {n["id"]: n["pk"] for n in source["nodes"]}
    entities = {n["id"]: n["rows"] for n in declared["nodes"] if n["kind"] == "entity"}
    assert entities and all(rows == pq.read_metadata(original / f"{t}.parquet").num_rows for t, rows in entities.items())
    keys_a, fks_a = _structure(original)
    keys_b, fks_b = _structure(tmp_path / "back")
    assert keys_a == keys_b and fks_a <= fks_b
    for node in source["nodes"]:  # the columns' names and order survive
        assert pq.read_schema(tmp_path / "back" / f"{node['id']}.parquet").names == \
            pq.read_schema(original / f"{node['id']}.parquet").names


def test_an_odcs_export_imports_back_with_its_keys_and_references(tmp_path: Path) -> None:
    """datagen generate → approve → export an ODCS data contract (YAML) → datagen import → generate: the contract
    keeps every table, its columns in order, its primary key and its foreign keys (ODCS v3.0 has no field for
    them: the export writes "references table.column" in the description, which the import reads back)."""
    import pyarrow.parquet as pq

    original = tmp_path / "shop"
    _run("datagen_core", "generate", str(REPO / "examples" / "schemas" / "ecommerce.json"), "-o", str(original),
         "--scale", "0.05", "--seed", "4")
    _run("datapolisher", "polish", "--data", str(original), "--path", "approve", "--force", "--reason", "round trip",
         str(_report(original, tmp_path)))
    _run("datapolisher", "export", str(original), "--format", "odcs", "-o", str(tmp_path / "contract.yaml"))
    _run("datagen_core", "import", str(tmp_path / "contract.yaml"), "-o", str(tmp_path / "back.json"))
    _run("datagen_core", "generate", str(tmp_path / "back.json"), "-o", str(tmp_path / "back"))
    declared = json.loads((tmp_path / "back.json").read_text())
    source = json.loads((REPO / "examples" / "schemas" / "ecommerce.json").read_text())
    assert {n["id"]: n["pk"] for n in declared["nodes"]} == {n["id"]: n["pk"] for n in source["nodes"]}
    keys_a, fks_a = _structure(original)
    keys_b, fks_b = _structure(tmp_path / "back")
    assert keys_a == keys_b and fks_a and fks_a <= fks_b
    for node in source["nodes"]:
        assert pq.read_schema(tmp_path / "back" / f"{node['id']}.parquet").names == \
            pq.read_schema(original / f"{node['id']}.parquet").names


def _report(data: Path, tmp_path: Path) -> Path:
    report = tmp_path / "crunch_report.json"
    _run("datacruncher", "crunch", str(data), "-o", str(report))
    return report
