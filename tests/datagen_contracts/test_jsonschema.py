"""Generated JSON Schemas: committed, current, and they accept what our writers write."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from datagen_contracts import dsl
from datagen_contracts.jsonschema import SCHEMA_DIR, render_json_schemas, stale_json_schemas


def test_committed_json_schemas_match_the_structs() -> None:
    stale = stale_json_schemas()
    assert stale == [], f"regenerate with: python -m datagen_contracts schemas --write ({stale})"


def test_drift_is_detected(tmp_path: Path) -> None:
    for name, data in render_json_schemas().items():
        (tmp_path / name).write_bytes(data)
    assert stale_json_schemas(tmp_path) == []
    (tmp_path / "manifest-v1.schema.json").write_text("{}")
    assert stale_json_schemas(tmp_path) == ["manifest-v1.schema.json"]


def test_canonical_conformance_schemas_validate_against_the_dsl_json_schema(conformance_schema: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json.loads((SCHEMA_DIR / "dsl-v1.schema.json").read_text()))
    canonical = json.loads(dsl.dumps_schema(dsl.load_schema(conformance_schema)))
    errors = sorted(validator.iter_errors(canonical), key=str)
    assert errors == []


def test_module_cli_checks_for_stale_schemas() -> None:
    done = subprocess.run([sys.executable, "-m", "datagen_contracts", "schemas", "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_import_is_light() -> None:
    code = (
        "import sys, datagen_contracts, datagen_contracts.dsl;"
        "heavy = [m for m in ('ruamel', 'ruamel.yaml', 'numpy', 'polars', 'pyarrow', 'duckdb') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
