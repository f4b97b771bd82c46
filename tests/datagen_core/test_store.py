"""Kept columns spilled to disk: the same bytes as in memory (one worker or two), and nothing left behind."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from datagen_core.engine import generate
from datagen_core.output import store
from datagen_core.output.store import KeptTable, SeqCol, SpilledCol, Spool

UPSTREAM = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "upstream"


def _shas(out: Path) -> dict[str, str]:
    meta = json.loads((out / ".metadata.json").read_text())
    return {t["name"]: t["files"][0]["sha256"] for t in meta["tables"]}


@pytest.mark.parametrize("schema", ["gov_scaled.json", "saas_subscription_vintage.json", "marketing_attribution.json"])
def test_spilling_every_kept_column_changes_no_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     schema: str) -> None:
    path, scale = UPSTREAM / schema, 0.05 if schema == "gov_scaled.json" else 0.2
    generate(path, tmp_path / "memory", seed=42, scale=scale, yes=True)
    monkeypatch.setattr(store, "SPILL_BYTES", 0)
    reads = []
    original = SpilledCol.slice
    monkeypatch.setattr(SpilledCol, "slice", lambda self, a, b: reads.append(a) or original(self, a, b))
    generate(path, tmp_path / "disk", seed=42, scale=scale, yes=True)
    assert reads  # children really read their parents' rows back from disk
    generate(path, tmp_path / "disk2", seed=42, scale=scale, yes=True, workers=2)
    assert _shas(tmp_path / "memory") == _shas(tmp_path / "disk") == _shas(tmp_path / "disk2")
    assert not list((tmp_path / "disk").glob(".*kept*")) and sorted(p.name for p in tmp_path.iterdir()) == [
        "disk", "disk2", "memory"]


def test_spool_keeps_small_parts_in_memory_and_reads_spilled_slices(tmp_path: Path) -> None:
    small = Spool(tmp_path / "a.bin", limit=1 << 20)
    for part in (np.arange(4), np.arange(4, 6)):
        small.append(part)
    assert isinstance(small.finish(), np.ndarray) and not (tmp_path / "a.bin").exists()
    big = Spool(tmp_path / "b.bin", limit=0)
    for part in (np.array([1.5, 2.5]), np.array([3.5])):
        big.append(part)
    col = big.finish()
    assert isinstance(col, SpilledCol) and col.slice(1, 3).tolist() == [2.5, 3.5]
    kept = KeptTable("t", 3, {"k": SeqCol(10, 1, 3), "v": col}, created=col)
    part = kept.slice(1, 3)
    assert part.columns["v"].tolist() == [2.5, 3.5] and part.created.tolist() == [2.5, 3.5]
    assert kept.loaded().columns["v"][0] == 1.5 and kept.loaded() is kept.loaded()
    mixed = Spool(tmp_path / "c.bin", limit=0)
    mixed.append(np.array([1, 2]))
    mixed.append(np.array([0.5]))  # another dtype after spilling: back to memory, promoted like np.concatenate
    assert mixed.finish().tolist() == [1.0, 2.0, 0.5] and not (tmp_path / "c.bin").exists()
