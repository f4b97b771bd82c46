"""Structural facts of a generated dataset, measured independently with pyarrow/numpy (no engine code)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from datagen_contracts import dsl
from datagen_contracts._dsl_rules import parse_timestamp


def load(out: Path) -> tuple[dict, dict[str, pa.Table]]:
    meta = json.loads((out / ".metadata.json").read_text())
    return meta, {t["name"]: pq.read_table(out / t["files"][0]["path"]) for t in meta["tables"]}


def _us(table: pa.Table, col: str) -> np.ndarray:
    arr = table[col]
    if pa.types.is_date32(arr.type):
        arr = pc.cast(arr, pa.timestamp("us"))
    return pc.cast(arr, pa.int64()).to_numpy(zero_copy_only=False)


def problems(schema: dsl.Schema, out: Path) -> list[str]:
    """Every violated structural fact, as text (empty = all hold)."""
    meta, tables = load(out)
    found: list[str] = []
    tf = (int(np.datetime64(parse_timestamp(schema.timeframe.start), "us").astype(np.int64)),
          int(np.datetime64(parse_timestamp(schema.timeframe.end), "us").astype(np.int64)))
    info = {t["name"]: t for t in meta["tables"]}
    for name, t in tables.items():
        ti = info[name]
        assert ti["rows"] == t.num_rows
        pk = ti.get("primary_key")
        if pk and t.num_rows and (t[pk].null_count or len(pc.unique(t[pk])) != t.num_rows):
            found.append(f"{name}.{pk}: primary key not unique/non-null")
        for fk in ti.get("foreign_keys", []):
            parent = tables[fk["references_table"]]
            child = t[fk["column"]].drop_null()
            missing = pc.sum(pc.invert(pc.is_in(child, value_set=parent[fk["references_column"]]))).as_py() or 0
            if missing:
                found.append(f"{name}.{fk['column']}: {missing} orphan values")
        node = schema.node(name)
        if node is None:
            continue
        for col in node.columns:
            typ = t.schema.field(col.name).type
            want = {"int": pa.int64(), "float": pa.float64(), "string": pa.string(), "bool": pa.bool_(),
                    "date": pa.date32(), "datetime": pa.timestamp("us")}[col.type]
            if typ != want:
                found.append(f"{name}.{col.name}: arrow type {typ}, expected {want}")
            g = col.generator
            if col.type in ("date", "datetime") and g.datetime_series and g.datetime_series.within == "timeframe" and t.num_rows:
                v = _us(t, col.name)
                v = v[~np.asarray(t[col.name].is_null())]
                if len(v) and (v.min() < tf[0] - 86_400_000_000 * (col.type == "date") or v.max() > tf[1]):
                    found.append(f"{name}.{col.name}: outside the timeframe")
        if node.parents and t.num_rows:
            parent = schema.node(node.parents[0])
            pinfo = info[parent.id]
            created = pinfo.get("created_at_column")
            fk_col = next((c.name for c in node.columns if c.generator.lookup
                           and c.generator.lookup.from_ == f"{parent.id}.{parent.pk}"), None)
            if created and fk_col:
                ptab = tables[parent.id]
                order = np.argsort(ptab[parent.pk].to_numpy())
                keys = ptab[parent.pk].to_numpy()[order]
                pc_us = _us(ptab, created)[order]
                rows = np.searchsorted(keys, t[fk_col].to_numpy())
                for col in node.columns:
                    if col.type in ("date", "datetime") and col.after_parent and (col.generator.datetime_series or col.generator.diffusion_curve):
                        v = _us(t, col.name)
                        bad = int((v < pc_us[rows]).sum())
                        if bad:
                            found.append(f"{name}.{col.name}: {bad} rows before the parent's {created}")
    found += _reference_times(info, tables)
    found += _start_end_pairs(schema, tables)
    for r in schema.constraints.ranges:
        tname, _, c = r.attr.partition(".")
        v = tables[tname][c].drop_null().to_numpy()
        if len(v) and ((r.min is not None and v.min() < r.min) or (r.max is not None and v.max() > r.max)):
            found.append(f"{r.attr}: outside [{r.min}, {r.max}]")
    for q in schema.constraints.inequalities:
        lt, _, lc = q.left.partition(".")
        rt, _, rc = q.right.partition(".")
        if lt == rt:
            t = tables[lt]
            a, b = (_us(t, lc), _us(t, rc)) if pa.types.is_temporal(t[lc].type) else (t[lc].to_numpy(), t[rc].to_numpy())
            ok = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b, "!=": a != b}[q.op]
            ok |= np.asarray(t[lc].is_null()) | np.asarray(t[rc].is_null())  # SQL: a null side is no violation
            if not ok.all():
                found.append(f"{q.left} {q.op} {q.right}: {int((~ok).sum())} violations")
    return found


def _reference_times(info: dict, tables: dict[str, pa.Table]) -> list[str]:
    """Every foreign key with a time order holds it: the row's created_at_column is at or after (``after``) or at
    or before (``before``) the referenced row's created_at_column — secondary parents and lookups included."""
    found = []
    for name, ti in info.items():
        own = ti.get("created_at_column")
        for fk in ti.get("foreign_keys", []):
            order = fk.get("time_order", "after")
            ref = info[fk["references_table"]].get("created_at_column")
            if order == "none" or not own or not ref or not tables[name].num_rows:
                continue
            parent = tables[fk["references_table"]]
            idx = pc.index_in(tables[name][fk["column"]], value_set=parent[fk["references_column"]])
            ok_rows = pc.is_valid(idx).to_numpy(zero_copy_only=False) & ~np.asarray(tables[name][own].is_null())
            mine = _us(tables[name], own)[ok_rows]
            theirs = _us(parent, ref)[pc.fill_null(idx, 0).to_numpy()[ok_rows]]
            bad = int((mine < theirs).sum() if order == "after" else (mine > theirs).sum())
            if bad:
                found.append(f"{name}.{own}: {bad} rows {'before' if order == 'after' else 'after'} their "
                             f"{fk['references_table']}.{ref} (via {fk['column']}, time_order {order})")
    return found


_EARLY_LATE = (("start", "end"), ("starts", "ends"), ("started", "ended"), ("begin", "end"), ("opened", "closed"),
               ("from", "to"))


def _start_end_pairs(schema: dsl.Schema, tables: dict[str, pa.Table]) -> list[str]:
    """Same-table start/end pairs named alike (start_x/end_x, x_start/x_end, opened_x/closed_x, valid_from/
    valid_to …): end >= start (> for two datetimes) in every row where both are set."""
    found = []
    for node in schema.nodes:
        t = tables.get(node.id)
        if t is None or not t.num_rows:
            continue
        times = {c.name: c.type for c in node.columns if c.type in ("date", "datetime")}
        for a in times:
            words = a.lower().split("_")
            for i, w in enumerate(words):
                for early, late in _EARLY_LATE:
                    if w != early:
                        continue
                    b = next((n for n in times if n.lower() == "_".join([*words[:i], late, *words[i + 1:]])), None)
                    if b is None:
                        continue
                    both = ~(np.asarray(t[a].is_null()) | np.asarray(t[b].is_null()))
                    va, vb = _us(t, a)[both], _us(t, b)[both]
                    strict = times[a] == times[b] == "datetime"
                    bad = int((vb <= va).sum() if strict else (vb < va).sum())
                    if bad:
                        found.append(f"{node.id}.{b}: {bad} rows not after {a}")
    return found


def constant_columns(tables: dict[str, pa.Table], min_rows: int = 50) -> list[str]:
    out = []
    for name, t in tables.items():
        if t.num_rows < min_rows:
            continue
        for col in t.column_names:
            if len(pc.unique(t[col].drop_null())) <= 1:
                out.append(f"{name}.{col}")
    return out
