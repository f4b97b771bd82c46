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

Each kind is one module of this package — its ``KIND``, its ``apply(job, schema, tables, root, touched)``, the
column a bare table target means (``default_column``; ``NEEDS_COLUMN = False`` when none is needed) and the
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
        records.append(BY_KIND[spec.kind].apply(job, schema, tables, staging_dir, touched.setdefault(job.table, set())))
    return records


def _job(staging_dir: Path, schema: dsl.Schema, seed: int, tables: dict[str, TableFacts], index: int,
         spec: dsl.DefectSpec) -> Job:
    table, _, column = spec.target.partition(".")
    if spec.kind not in BY_KIND:
        raise DefectError(f"defects[{index}]: unknown kind {spec.kind!r}")
    facts = tables.get(table)
    if facts is None:
        raise DefectError(f"defects[{index}]: table {table!r} was not generated")
    paths = tuple(staging_dir / f for f in facts.all_files)  # one file, or the parts in order
    names = pq.read_schema(paths[0]).names
    kind = BY_KIND[spec.kind]
    default = getattr(kind, "default_column", None)
    col = column or (default(facts, schema) if default is not None else None)
    if col is not None and col not in names:
        raise DefectError(f"defects[{index}]: {table!r} has no column {col!r}")
    if col is None and getattr(kind, "NEEDS_COLUMN", True):
        raise DefectError(f"defects[{index}]: {spec.kind} needs a column target ('{table}.<column>')")
    return Job(index, spec, table, col, facts, paths, seed)


#: every defect kind, one module each, in the order docs/defects.md lists them
KINDS = (orphan_fk, temporal_violation, duplicate_rows, duplicate_pk, nulls, outliers, negative_amounts, future_dates,
         inverted_interval, float_ids, format_variants, whitespace, case_variants)
BY_KIND = {kind.KIND: kind for kind in KINDS}
