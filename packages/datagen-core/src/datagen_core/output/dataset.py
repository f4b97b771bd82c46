"""The ``.metadata.json`` of a generated dataset: per-table files with sha256, arrow types, keys, time columns,
plus seed, scale, schema path + sha256, scenario, context and defects ground truth."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, cast

import pyarrow.parquet as pq

from datagen_contracts import clock, dsl
from datagen_contracts import metadata as md
from datagen_contracts.dsl import resolve_context

from ..__about__ import __version__
from ..columns.order import column_order
from ..columns.references import creation_column
from .tables import FileFacts, TableFacts


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_facts(path: Path) -> FileFacts:
    """A parquet file's rows, bytes and sha256."""
    return FileFacts(pq.ParquetFile(path).metadata.num_rows, path.stat().st_size, sha256_file(path))


def fk_time_order(schema: dsl.Schema, table: str, column: str, ref_table: str, facts: TableFacts) -> str:
    """How a row's creation time relates to the referenced row's, as the engine guarantees it: ``after`` (never
    before it), ``before`` (attribution touchpoints precede their conversion) or ``none`` (nothing promised: no
    time on either side, a time the engine does not draw against the parent, a key not written by a lookup)."""
    if facts.kind == "touchpoint":
        return "before" if ref_table == facts_owner(schema, table) else "after"
    node, ref = schema.node(table), schema.node(ref_table)
    time_col = creation_column(node) if node is not None else None
    if node is None or ref is None or time_col is None or creation_column(ref) is None:
        return "none"
    col, tcol = node.column(column), node.column(time_col)
    lookup = col.generator.lookup if col is not None else None
    if lookup is None or tcol is None or lookup.from_.partition(".")[0] != ref_table:
        return "none"  # a declared key the engine does not sample
    if node.parents and ref_table == node.parents[0] and not lookup.on:
        # the primary parent: children's times are drawn after its creation (or set by a funnel/state model)
        drawn = tcol.generator.datetime_series or tcol.generator.diffusion_curve
        behaviour = node.stage_config is not None or node.state_transition_model is not None
        return "after" if tcol.after_parent and (drawn or behaviour) else "none"
    # secondary parents, lookups and self-lookups pick rows created by the row's time, drawn first
    return "after" if column_order(node)[0].name == time_col else "none"


def build_metadata(schema: dsl.Schema, staging: Path, facts: dict[str, TableFacts], *, seed: int, scale: float,
                   source: str | None, scenario: str | None, overrides: dict[str, Any] | None,
                   defects: list[md.DefectRecord], duration: float, partition_rows: int = 0) -> md.DatasetMetadata:
    tables = []
    for name, f in facts.items():
        arrow = f.arrow if f.arrow is not None else pq.read_schema(staging / f.all_files[0])
        node = schema.node(name)  # None for a touchpoint table (derived, not declared)
        fk_of = {c: f"{t}.{pc}" for c, t, pc in f.foreign_keys}
        cols = []
        for field in arrow:
            col = node.column(field.name) if node is not None else None
            role = "created_at" if field.name == f.created_at_column else ("event_time" if field.name in f.time_columns else None)
            cols.append(md.ColumnInfo(name=field.name, arrow_type=str(field.type),
                                      nullable=bool(col.nullable) if col is not None else field.name != f.pk,
                                      primary_key=field.name == f.pk, foreign_key=fk_of.get(field.name), role=role))
        declared = f"attribution_chain of {facts_owner(schema, name)}" if f.kind == "touchpoint" else None
        files = [md.FileInfo(path=rel, rows=info.rows, bytes=info.bytes, sha256=info.sha256)
                 for rel in f.all_files for info in [f.written.get(rel) or file_facts(staging / rel)]]
        tables.append(md.TableInfo(
            name=name, kind=cast(Any, f.kind), rows=sum(fi.rows for fi in files), files=files,
            columns=cols, primary_key=f.pk,
            foreign_keys=[md.ForeignKey(column=c, references_table=t, references_column=pc,
                                        time_order=cast(Any, fk_time_order(schema, name, c, t, f)))
                          for c, t, pc in f.foreign_keys],
            parents=list(node.parents) if node is not None else [facts_owner(schema, name)],
            time_columns=list(f.time_columns), created_at_column=f.created_at_column, declared_by=declared,
        ))
    scen = None
    if scenario is not None:
        spec = schema.scenarios.get(scenario)
        if spec is not None:
            scen = md.ScenarioInfo(name=scenario, description=spec.description, expectations=[
                md.Expectation(id=e.id or f"{scenario}-{i}", kind=e.kind, description=e.description, params=e.params)
                for i, e in enumerate(spec.expect)])
    schema_ref = None
    if source is not None and Path(source).is_file():
        schema_ref = md.SchemaRef(path=str(source), sha256=sha256_file(Path(source)), name=schema.name)
    return md.DatasetMetadata(
        dataset_name=schema.name, generator=md.GeneratorInfo(name="datagen-core", version=__version__),
        generated_at=clock.utc_stamp(), duration_seconds=clock.duration(duration),
        seed=seed, scale=scale, partition_rows=partition_rows, schema=schema_ref, scenario=scen, context=_context(schema, scenario, overrides),
        timeframe=md.Timeframe(start=schema.timeframe.start, end=schema.timeframe.end), tables=tables, defects=defects,
    )


def _context(schema: dsl.Schema, scenario: str | None, overrides: dict[str, Any] | None) -> dict[str, Any]:
    try:
        return dict(resolve_context(schema, scenario, overrides))
    except Exception:  # the context is informative; the schema was already validated on load
        return {k: p.default for k, p in schema.parameters.items()}


def facts_owner(schema: dsl.Schema, table: str) -> str:
    return next((n.id for n in schema.nodes if n.touchpoint_table == table), table)


def write_metadata(meta: md.DatasetMetadata, directory: Path) -> None:
    md.dump_metadata(meta, directory / md.FILENAME)
