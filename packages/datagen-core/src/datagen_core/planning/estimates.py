"""Wall-time, memory-per-worker and disk estimates for ``datagen plan`` at any scale.

The rate is measured, not guessed: two samples of the schema (about ``SAMPLE_ROWS`` rows, and a quarter of that)
are generated into a temporary directory by the one-process engine and timed table by table (generation and
writing together); the difference gives each table's cost per row, the rest is its fixed cost (pools, samplers).
A table at the target scale takes its fixed cost plus its cost per row × its planned rows; with N workers a table's work spreads over
at most as many workers as it has files — chunks are generated on all of them, but a file is written by one (see
``scaleout``) — so the estimate is, per table, ``fixed + per-row seconds / min(N, files)``, summed over the tables (they run one
after another). It ignores the scheduler's latency and a cluster's network and storage, and assumes workers as fast
as this machine; read it as the order of magnitude, checked against a run at a small scale.

>>> spread_seconds(10.0, files=4, workers=8), spread_seconds(10.0, files=4, workers=2)
(2.5, 5.0)
"""

from __future__ import annotations

import math
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datagen_contracts import dsl

WORKERS = (1, 2, 8, 64)
SAMPLE_ROWS = 200_000


@dataclass
class Estimate:
    sample_scale: float
    sample_seconds: float
    #: seconds per row of each table, from two timed samples (what a row costs beyond the table's fixed cost)
    per_row: dict[str, float] = field(default_factory=dict)
    #: workers -> estimated seconds at the planned scale
    wall: dict[int, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"sample_scale": self.sample_scale, "sample_seconds": round(self.sample_seconds, 3),
                "seconds_per_row": self.per_row, "wall_seconds": {str(k): round(v, 2) for k, v in self.wall.items()}}


def spread_seconds(seconds: float, *, files: int, workers: int) -> float:
    return seconds / max(1, min(workers, files))


def files_of(rows: int, partition_rows: int | None) -> int:
    return math.ceil(rows / partition_rows) if partition_rows and rows > partition_rows else 1


def estimate(schema: dsl.Schema, plan: Any, partition_rows: int | None) -> Estimate:
    """Time two samples of ``schema`` here and extrapolate to ``plan`` (see the module doc)."""
    sample_scale = plan.scale * min(1.0, SAMPLE_ROWS / max(plan.total_rows, 1))
    started = time.perf_counter()
    small = _timed(schema, sample_scale / 4)
    large = _timed(schema, sample_scale)
    out = Estimate(sample_scale, time.perf_counter() - started)
    rows = {t: large[t][0] - small[t][0] for t in large if t in small}
    # all tables together — those with rows in both samples: a table empty in the small one (the tail of a chain
    # of references at a tiny scale) pays its fixed cost (pools, samplers) in the large one only, not per row
    both = [t for t in rows if small[t][0] > 0 and large[t][0] > 0] or list(rows)
    marginal = sum(large[t][1] - small[t][1] for t in both) / max(sum(rows[t] for t in both), 1)
    fixed: dict[str, float] = {}
    for t, (n, secs) in large.items():
        # a table's own cost per row where its two samples tell it apart, else the run's; the rest is fixed cost
        per = (secs - small[t][1]) / rows[t] if rows.get(t, 0) >= 2_000 else marginal
        out.per_row[t] = max(per, 0.0)
        fixed[t] = max(secs - out.per_row[t] * n, 0.0)
    for workers in WORKERS:
        out.wall[workers] = sum(fixed.get(t.name, 0.0) + spread_seconds(out.per_row.get(t.name, marginal) * t.rows,
                                                                        files=files_of(t.rows, partition_rows),
                                                                        workers=workers)
                                for t in plan.tables)
    return out


def _timed(schema: dsl.Schema, scale: float) -> dict[str, tuple[int, float]]:
    """(rows, seconds) per table of one run of the one-process engine at ``scale``. A table's seconds run from its
    start to the next one's (a time-ordered fact is written after its report, see time_ranks), scaled so that they
    add up to the run; a touchpoint table shares its owner's time by rows."""
    from ..engine import generate

    seconds: dict[str, float] = {}

    def progress(table: str, rows: int, elapsed: float) -> None:
        if rows < 0:
            seconds[table] = elapsed

    with tempfile.TemporaryDirectory(prefix="datagen-plan-") as tmp:
        result = generate(schema, Path(tmp) / "sample", seed=1, scale=scale, yes=True, progress=progress,
                          partition_rows=0)
    stretch = result.duration_seconds / max(sum(seconds.values()), 1e-9)
    out: dict[str, tuple[int, float]] = {}
    for node in schema.nodes:
        tables = [node.id] + ([node.touchpoint_table] if node.touchpoint_table else [])
        total = sum(result.rows.get(t, 0) for t in tables)
        for t in tables:
            share = result.rows.get(t, 0) / total if total else 1 / len(tables)
            out[t] = (result.rows.get(t, 0), seconds.get(node.id, 0.0) * stretch * share)
    return out


def free_bytes(output: Path) -> int | None:
    """Free space where ``output`` would be written (its nearest existing parent), or None when unknown."""
    here = output.absolute()
    while not here.exists() and here != here.parent:
        here = here.parent
    try:
        return shutil.disk_usage(here).free
    except OSError:
        return None
