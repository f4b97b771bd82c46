"""Defect injection: known data-quality problems at exact, recorded rates (the ground truth in ``.metadata.json``).

The engine writes clean tables into a staging directory, then calls :func:`inject_defects`, which applies the
schema's ``defects`` in order. Each defect:

1. picks its rows deterministically from ``(seed, defect index)`` — ``count = round(rate × rows)`` rows drawn
   without replacement, only among rows the defect can really change (a null cannot become null again) and
   not already changed by an earlier defect on the same table, so every recorded row is a real defect;
2. rewrites the parquet file row group by row group (replacement values drawn from
   ``(seed, defect index, row group)``) into a temporary file that replaces the original (``os.replace``);
3. returns a :class:`DefectRecord`: kind, target, rate, the exact count, affected primary-key values (capped
   at 1000, ``keys_truncated``) and details (the offsets, key ranges or variants used).

Memory stays bounded: a pass reads one row group (and only the columns it needs) at a time; the parent side of
a temporal violation is read only for the parent keys of the chosen rows. ``docs/defects.md`` describes each
kind exactly.

Each kind is one module of this package — its ``KIND``, its ``apply(job, schema, tables, root, touched)`` and the
helpers only it uses — listed once in :data:`KINDS`; :mod:`.job` holds what they share (row choice, the row-group
rewrite, the record). A new kind is a new module here, added to ``KINDS`` and to ``dsl.DEFECT_KINDS``.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from datagen_contracts import dsl
from datagen_contracts.metadata import DefectRecord

from ..output.tables import TableFacts
from . import (
    case_variants,
    duplicate_pk,
    duplicate_rows,
    float_ids,
    format_variants,
    future_dates,
    inverted_interval,
    negative_amounts,
    nulls,
    orphan_fk,
    outliers,
    temporal_violation,
    whitespace,
)
from .job import DefectError, Job

__all__ = ["KINDS", "DefectError", "inject_defects"]


def inject_defects(staging_dir: Path, schema: dsl.Schema, seed: int, tables: dict[str, TableFacts]) -> list[DefectRecord]:
    """Apply ``schema.defects`` in order to the parquet files under ``staging_dir``; return the ground truth."""
    touched: dict[str, set[int]] = {}
    records = []
    for index, spec in enumerate(schema.defects):
        job = _job(staging_dir, schema, seed, tables, index, spec)
        records.append(_APPLY[spec.kind](job, schema, tables, staging_dir, touched.setdefault(job.table, set())))
    return records


def _job(staging_dir: Path, schema: dsl.Schema, seed: int, tables: dict[str, TableFacts], index: int,
         spec: dsl.DefectSpec) -> Job:
    table, _, column = spec.target.partition(".")
    if spec.kind not in _APPLY:
        raise DefectError(f"defects[{index}]: unknown kind {spec.kind!r}")
    facts = tables.get(table)
    if facts is None:
        raise DefectError(f"defects[{index}]: table {table!r} was not generated")
    path = staging_dir / facts.path
    names = pq.read_schema(path).names
    col = column or _default_column(spec.kind, facts, schema, names)
    if col is not None and col not in names:
        raise DefectError(f"defects[{index}]: {table!r} has no column {col!r}")
    if col is None and spec.kind not in ("duplicate_rows", "duplicate_pk"):
        raise DefectError(f"defects[{index}]: {spec.kind} needs a column target ('{table}.<column>')")
    return Job(index, spec, table, col, facts, path, seed)


def _default_column(kind: str, facts: TableFacts, schema: dsl.Schema, names: list[str]) -> str | None:
    if kind == "orphan_fk":
        return facts.foreign_keys[0][0] if facts.foreign_keys else None
    if kind in ("temporal_violation", "future_dates"):
        return facts.created_at_column or (facts.time_columns[0] if facts.time_columns else None)
    if kind in ("duplicate_pk", "float_ids"):
        return facts.pk
    if kind == "inverted_interval":
        pair = inverted_interval.interval_columns(schema, facts.name, None, {})
        return pair[0] if pair else None
    return None


#: every defect kind, one module each, in the order docs/defects.md lists them
KINDS = (orphan_fk, temporal_violation, duplicate_rows, duplicate_pk, nulls, outliers, negative_amounts, future_dates,
         inverted_interval, float_ids, format_variants, whitespace, case_variants)
_APPLY = {kind.KIND: kind.apply for kind in KINDS}
