"""The example schemas generate quickly, with their declared constraints holding (defects aside)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from datagen_contracts.dsl import load_schema
from datagen_core.engine import generate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "schemas"
sys.path.insert(0, str(Path(__file__).parent))
from structural import problems  # noqa: E402


@pytest.mark.parametrize("name", ["ecommerce", "saas_subscription", "support_desk"])
def test_example_generates_with_structure(name: str, tmp_path: Path) -> None:
    path = EXAMPLES / f"{name}.json"
    schema = load_schema(path)
    result = generate(path, tmp_path / "o", seed=42, scale=0.2)
    assert sum(result.rows.values()) > 10_000
    found = problems(schema, tmp_path / "o")
    meta = json.loads((tmp_path / "o" / ".metadata.json").read_text())
    if schema.defects:  # injected defects are the point: they are recorded as ground truth
        assert meta["defects"]
        defect_tables = {d["target"].partition(".")[0] for d in meta["defects"]}
        found = [f for f in found if f.partition(".")[0] not in defect_tables]
    assert found == []
