"""Every upstream schema generates with seed 42 and the structural facts hold, measured independently."""

from __future__ import annotations

from pathlib import Path

from datagen_contracts.dsl import load_schema
from datagen_core.engine import generate

_HERE = Path(__file__).parent
import sys  # noqa: E402

sys.path.insert(0, str(_HERE))
from structural import constant_columns, load, problems  # noqa: E402

SCALES = {"gov_scaled": 0.1, "ecomm": 0.1}
#: columns constant by declaration (a single-value choice, or a generator that cannot vary at this size)
DECLARED_CONSTANT: set[str] = set()


def test_conformance_schema_generates_with_structural_facts(conformance_schema: Path, tmp_path: Path) -> None:
    path = conformance_schema
    schema = load_schema(path)
    out = tmp_path / "out"
    result = generate(path, out, seed=42, scale=SCALES.get(path.stem, 1.0), yes=True)
    assert sum(result.rows.values()) > 0
    assert problems(schema, out) == []
    _, tables = load(out)
    assert [c for c in constant_columns(tables) if c not in DECLARED_CONSTANT] == []
    for node in schema.nodes:  # an attribution chain's minimum touches hold for every conversion
        ac = node.attribution_chain
        if ac is None or not ac.min_touches:
            continue
        touches = tables[node.touchpoint_table].column(node.pk).to_pylist()
        per = {k: touches.count(k) for k in set(touches)}
        counts = [per.get(k, 0) for k in tables[node.id].column(node.pk).to_pylist()]
        assert min(counts) >= ac.min_touches and max(counts) <= ac.max_touches
