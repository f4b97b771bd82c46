"""Resource bounds of a run, known before anything is allocated: memory, int64 ranges, and a sample run.

A tiny schema can ask for a lot: a timeframe from year 1 to 9999 makes every time column sample over 87 million
hour slots (~9 GB), a sequence with a huge step leaves int64. ``plan`` reports the estimate, ``check`` reports
what cannot work at scale 1, and ``generate`` refuses a run whose estimate exceeds the memory budget (by default
a quarter of the machine's RAM; ``--max-memory``) before it allocates anything.

>>> from datagen_contracts.dsl import loads_schema
>>> s = loads_schema('''{"version": "1.0", "metadata": {"name": "t"}, "constraints": {},
...   "timeframe": {"start": "0001-01-01", "end": "9999-12-31"},
...   "nodes": [{"id": "u", "rows": 300, "pk": "id", "columns": [
...     {"name": "id", "type": "int", "generator": {"sequence": {}}},
...     {"name": "at", "type": "datetime", "generator": {"datetime_series": {"within": "timeframe"}}}]}]}''')
>>> estimate(s, 1.0).slot_bytes > 5 * 1024**3
True
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from datagen_contracts import dsl
from datagen_contracts.errors import Problem

INT64 = 2**63
SLOT_BYTES = 140  # peak bytes (measured: 11.7 GB for 87.6M slots) per hour slot of a time column's sampler (slots, weights, cdf, guide, temporaries)
CHUNK_FACTOR = 6  # working copies of a chunk while its columns are generated and written
SAMPLE_ROWS = 40  # rows of the largest entity in check's sample run


@dataclass(frozen=True)
class MemoryEstimate:
    slot_bytes: int  # time samplers (cached for the whole run)
    chunk_bytes: int  # the widest table's chunk in flight
    kept_bytes: int  # parent keys and times kept for children's lookups

    @property
    def total(self) -> int:
        return self.slot_bytes + self.chunk_bytes + self.kept_bytes


def machine_memory() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not on every platform
        return 8 * 1024**3


def default_budget() -> int:
    """A quarter of the machine's RAM (generation normally needs a few hundred MB)."""
    return machine_memory() // 4


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)\s*$", re.I)


def parse_size(text: str) -> int:
    """``"4GB"`` → bytes (k/M/G/T, decimal or binary, case-insensitive); ValueError on anything else.

    >>> parse_size("4GB"), parse_size("512MiB"), parse_size("1000")
    (4000000000, 536870912, 1000)
    """
    m = _SIZE.match(text)
    if m is None:
        raise ValueError(f"not a size: {text!r} (e.g. 4GB, 512MiB)")
    unit = m.group(2).lower().rstrip("b")
    power = "kmgt".index(unit[0]) + 1 if unit else 0
    base = 1024 if unit.endswith("i") else 1000
    return int(float(m.group(1)) * base**power)


def _hours(window: tuple[datetime, datetime] | None) -> int:
    if window is None:
        return 0
    return max(int((window[1] - window[0]).total_seconds() // 3600) + 1, 1)


def estimate(schema: dsl.Schema, scale: float, plan: Any = None) -> MemoryEstimate:
    """Peak memory of ``generate`` at ``scale``, before it runs (``plan``: its ``make_plan``, when at hand)."""
    from datagen_contracts.dsl import parse_timestamp

    from .means import column_window
    from .plan import make_plan
    from .widths import row_width

    start, end = parse_timestamp(schema.timeframe.start), parse_timestamp(schema.timeframe.end)
    tf = (start, end) if start is not None and end is not None else None
    slots = 0
    for node in schema.nodes:
        for col in node.columns:
            if col.type in ("datetime", "date"):
                slots += _hours((column_window(col, tf) if tf else None) or tf)
    plan = plan if plan is not None else make_plan(schema, scale)
    from ..frame import CHUNK_ROWS

    nodes = [(t, n) for t in plan.tables if (n := schema.node(t.name)) is not None]
    chunk = max((min(t.rows, CHUNK_ROWS) * row_width(schema, n) for t, n in nodes), default=0)
    parents = {p for n in schema.nodes for p in n.parents}
    kept = sum(t.rows * 24 for t in plan.tables if t.name in parents)  # key, creation time, multipliers
    return MemoryEstimate(int(slots * SLOT_BYTES), int(chunk * CHUNK_FACTOR), int(kept))


def sequence_problems(schema: dsl.Schema, scale: float, plan: Any = None) -> list[Problem]:
    """Sequences whose last expected value leaves int64 (they would wrap to negative ids)."""
    from .plan import make_plan

    plan = plan if plan is not None else make_plan(schema, scale)
    out = []
    for i, node in enumerate(schema.nodes):
        rows = plan.table(node.id).rows if plan.table(node.id) is not None else 0
        for j, col in enumerate(node.columns):
            seq = col.generator.sequence
            if seq is None or rows == 0:
                continue
            last = seq.start + (rows - 1) * seq.step
            if not -INT64 <= last < INT64:
                out.append(Problem(f"$.nodes[{i}].columns[{j}].generator.sequence", (
                    f"start {seq.start} + step {seq.step} × ~{rows:,} rows (scale {scale:g}) reaches {last:.3e}, "
                    "beyond int64: the ids would wrap to negative values")))
    return out


def memory_problem(schema: dsl.Schema, scale: float, budget: int, plan: Any = None) -> str | None:
    """A sentence when the run's estimate exceeds ``budget`` bytes, else None."""
    from .plan import format_bytes

    est = estimate(schema, scale, plan)
    if est.total <= budget:
        return None
    parts = [f"time samplers {format_bytes(est.slot_bytes)}", f"chunks {format_bytes(est.chunk_bytes)}",
             f"kept parent keys {format_bytes(est.kept_bytes)}"]
    hint = " (a timeframe or window spanning centuries samples over millions of hour slots)" \
        if est.slot_bytes > budget // 2 else ""
    return (f"this run needs about {format_bytes(est.total)} of memory ({', '.join(parts)}){hint}, over the budget "
            f"of {format_bytes(budget)}; lower --scale, narrow the time windows, or raise --max-memory")
