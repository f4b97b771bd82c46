"""The polished data's ``.metadata.json``, as far as it is known before a script runs.

Both scripts (and so datapolisher's own apply, which runs the SQL one) write the output's ``.metadata.json``
themselves, from this template: the source's declarations carried over (keys, FKs with their time order,
roles, kinds, seed, schema, scenario), the column types the plan leaves, and the steps. What only a run can
know is filled in by the script that runs: ``generated_at``, each table's rows and file (bytes, sha256), and
the lineage's ``derived_from`` (the input as given), ``derived_from_fingerprint`` (of the input as read),
``script`` and ``script_sha256`` (the script file that ran).
"""

from __future__ import annotations

from typing import Any

import msgspec

from datagen_contracts.metadata import (
    ColumnInfo,
    DatasetMetadata,
    ForeignKey,
    GeneratorInfo,
    Lineage,
    TableInfo,
)

from .. import __about__
from ..approval.manifest_build import arrow_type
from ..model import DatasetModel
from .plan import Plan

#: what each op leaves in the column it writes, when that differs from the column's input type
_CAST_ARROW = {"BIGINT": "int64", "DOUBLE": "double", "TIMESTAMP": "timestamp[us]"}
_ADDED = {"add_is_active": ("is_active", "bool"), "add_lifetime_value": ("lifetime_value", "double")}
_TIME_ARROW = ("timestamp", "date")


def output_types(plan: Plan, model: DatasetModel) -> dict[str, dict[str, str]]:
    """Table → column → Arrow type of the polished data, in column order (added columns last)."""
    types = {name: {c: arrow_type(t) for c, t in model.tables[name].columns.items()} for name in plan.tables}
    for step in plan.steps:
        cols = types[step.table]
        if step.op == "cast":
            cols[step.params["column"]] = _CAST_ARROW[step.params["type"]]
        elif step.op == "round_money":
            cols[step.params["column"]] = "double"  # round_half_away computes in DOUBLE (also for DECIMAL/FLOAT)
        elif step.op in _ADDED:
            name, typ = _ADDED[step.op]
            cols[name] = typ
    return types


def template(plan: Plan, model: DatasetModel, source: DatasetMetadata | None, dataset_name: str) -> dict[str, Any]:
    """``.metadata.json`` of the polished data with the run-time fields blank (see the module docstring)."""
    types = output_types(plan, model)
    tables = []
    for name in plan.tables:
        t = model.tables[name]
        old = source.table(name) if source is not None else None
        declared_fks = {fk.column: fk for fk in old.foreign_keys} if old is not None else {}
        fks = [declared_fks.get(e.column) or ForeignKey(column=e.column, references_table=e.parent,
                                                        references_column=e.parent_column)
               for e in model.edges_from(name)]
        fk_of = {f.column: f"{f.references_table}.{f.references_column}" for f in fks}
        roles = {c.name: c.role for c in old.columns} if old is not None else {}
        added = {n for op, (n, _) in _ADDED.items() if any(s.op == op and s.table == name for s in plan.steps)}
        columns = [
            ColumnInfo(name=c, arrow_type=typ, nullable=False if c in added else t.nullable.get(c, c != t.pk),
                       primary_key=c == t.pk, foreign_key=fk_of.get(c), role=roles.get(c))
            for c, typ in types[name].items()
        ]
        tables.append(TableInfo(
            name=name, kind=old.kind if old is not None else "table", columns=columns, primary_key=t.pk,
            foreign_keys=fks, parents=sorted({f.references_table for f in fks}),
            time_columns=[c for c, typ in types[name].items() if typ.startswith(_TIME_ARROW)],
            created_at_column=t.created_at, declared_by=old.declared_by if old is not None else None,
        ))
    carried: dict[str, Any] = {}
    if source is not None:
        carried = dict(seed=source.seed, scale=source.scale, partition_rows=source.partition_rows,
                       schema=source.schema, scenario=source.scenario,
                       context=source.context, timeframe=source.timeframe,
                       timestamp_convention=source.timestamp_convention)
    meta = DatasetMetadata(
        dataset_name=dataset_name, generator=GeneratorInfo(name="datapolisher", version=__about__.__version__),
        generated_at="", tables=tables, lineage=Lineage(derived_from="", steps=plan.fixes), **carried,
    )
    return msgspec.to_builtins(meta)
