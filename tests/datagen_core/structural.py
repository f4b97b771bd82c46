"""Structural facts of a generated dataset, measured independently with pyarrow/numpy (no engine code)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from datagen_contracts import dsl
from datagen_contracts.dsl import parse_timestamp


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
                fk_values = t[fk_col].to_numpy()
                rows = np.minimum(np.searchsorted(keys, fk_values), max(len(keys) - 1, 0))
                known = keys[rows] == fk_values  # an orphan (an injected defect) has no parent time
                for col in node.columns:
                    if col.type in ("date", "datetime") and col.after_parent and (col.generator.datetime_series or col.generator.diffusion_curve):
                        v = _us(t, col.name)
                        bad = int(((v < pc_us[rows]) & known).sum())
                        if bad:
                            found.append(f"{name}.{col.name}: {bad} rows before the parent's {created}")
    found += _reference_times(info, tables)
    found += behaviour_problems(schema, tables)
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
    valid_to …): end >= start (> for two datetimes) in every row where both are set — unless an inequality
    declares the pair (checked as declared)."""
    found = []
    declared = {frozenset((q.left, q.right)) for q in schema.constraints.inequalities}
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
                    if b is None or frozenset((f"{node.id}.{a}", f"{node.id}.{b}")) in declared:
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


def _col_np(t: pa.Table, col: str) -> np.ndarray:
    return _us(t, col) if pa.types.is_temporal(t[col].type) else t[col].to_numpy(zero_copy_only=False)


def _rows_of(parent: pa.Table, key: str, values: pa.ChunkedArray) -> np.ndarray:
    """Row index in ``parent`` of each value (-1 when absent)."""
    return pc.fill_null(pc.index_in(values, value_set=parent[key]), -1).to_numpy(zero_copy_only=False)


def _issue_creation(node: dsl.Node) -> str | None:
    """Issue 3's creation column, read independently: ``created_at_column``, else the first datetime column."""
    if node.vintage_behavior is not None:
        return node.vintage_behavior.created_at_column
    dts = [c.name for c in node.columns if c.type == "datetime"]
    times = [c.name for c in node.columns if c.type in ("date", "datetime")]
    return (dts or times or [None])[0]


def behaviour_problems(schema: dsl.Schema, tables: dict[str, pa.Table]) -> list[str]:
    """Facts of the behaviours and lookups, measured on the tables alone: rows after the parent's creation (issue
    3's reading of it), lookups of one table reading one row, `on` keys matching, self-lookups pointing at an
    earlier row, funnels contiguous and increasing, state transitions allowed and increasing, touchpoints between
    the parent's creation and their conversion with credits (and attributed amounts) adding up."""
    found: list[str] = []
    for node in schema.nodes:
        t = tables.get(node.id)
        if t is None or not t.num_rows:
            continue
        primary = schema.node(node.parents[0]) if node.parents else None
        fk = next((c.name for c in node.columns if primary is not None and c.generator.lookup
                   and c.generator.lookup.from_ == f"{primary.id}.{primary.pk}"), None)
        created = _issue_creation(primary) if primary is not None else None
        if fk and created:
            prow = _rows_of(tables[primary.id], primary.pk, t[fk])
            born = _us(tables[primary.id], created)[prow]
            for col in node.columns:
                g = col.generator
                if col.type == "datetime" and col.after_parent and (g.datetime_series or g.diffusion_curve):
                    v = _us(t, col.name)
                    ok = np.asarray(t[col.name].is_null()) | (prow < 0) | (v >= born)
                    if not ok.all():
                        found.append(f"{node.id}.{col.name}: {int((~ok).sum())} rows before {primary.id}.{created}")
        groups: dict[tuple, list[tuple[str, str]]] = {}
        for col in node.columns:
            lk = col.generator.lookup
            if lk is None:
                continue
            src, _, scol = lk.from_.partition(".")
            other = tables.get(src)
            if other is None:
                continue
            if src == node.id:
                rows = _rows_of(t, scol, t[col.name])
                me = np.arange(t.num_rows)
                has = ~np.asarray(t[col.name].is_null())
                own = _issue_creation(node)
                if (rows[has] == me[has]).any():
                    found.append(f"{node.id}.{col.name}: a row references itself")
                if own:
                    tt = _us(t, own)
                    later = has & ((tt[np.maximum(rows, 0)] > tt) | ((tt[np.maximum(rows, 0)] == tt) & (rows > me)))
                    if later.any():
                        found.append(f"{node.id}.{col.name}: {int(later.sum())} rows reference a later row")
                continue
            if node.parents and src == node.parents[0] and not lk.on:
                continue
            if not col.modifiers:  # a jittered copy differs on purpose
                groups.setdefault((src, tuple(sorted((lk.on or {}).items()))), []).append((col.name, scol))
            if lk.on:  # the picked row's keys equal the row's
                keyed = dict(lk.on)
                snode = schema.node(src)
                if snode is not None and scol == snode.pk:
                    rows = _rows_of(other, scol, t[col.name])
                    for local, remote in keyed.items():
                        a, b = _col_np(t, local), _col_np(other, remote)[np.maximum(rows, 0)]
                        bad = (rows >= 0) & (a != b)
                        if bad.any():
                            found.append(f"{node.id}.{col.name}: {int(bad.sum())} rows whose {local} differs")
        for (src, _), cols in groups.items():
            snode, other = schema.node(src), tables[src]
            key = next(((a, b) for a, b in cols if snode is not None and b == snode.pk), None)
            if key is None or len(cols) < 2:
                continue
            rows = _rows_of(other, key[1], t[key[0]])
            for a, b in cols:
                if (a, b) != key:
                    mine, theirs = t[a].to_pylist(), other[b].take(pa.array(np.maximum(rows, 0))).to_pylist()
                    bad = sum(1 for r, x, y in zip(rows, mine, theirs, strict=True) if r >= 0 and x != y)
                    if bad:
                        found.append(f"{node.id}.{a}: {bad} rows not from the {src} row of {key[0]}")
        found += _sequence_problems(node, t, fk)
        if node.attribution_chain is not None and fk:
            found += _touchpoint_problems(schema, node, tables, fk)
    return found


def _sequence_problems(node: dsl.Node, t: pa.Table, fk: str | None) -> list[str]:
    """Funnel stages contiguous from the first with increasing times; state rows following allowed transitions."""
    found: list[str] = []
    times = [c.name for c in node.columns if c.type in ("date", "datetime") and c.generator.datetime_series]
    if fk is None or not times or (node.stage_config is None and node.state_transition_model is None):
        return found
    ev, key = times[0], t[fk].to_numpy()
    when = _us(t, ev)
    if node.stage_config is not None:
        names = [s.stage_name for s in node.stage_config.stages]
        scol = next(c.name for c in node.columns if c.type == "string" and c.generator.choice
                    and set(map(str, c.generator.choice.choices or [])) & set(names))
        stage = np.array([names.index(s) for s in t[scol].to_pylist()])
        order = np.lexsort((stage, key))
        k, s, w = key[order], stage[order], when[order]
        first = np.r_[True, k[1:] != k[:-1]]
        if (s[first] != 0).any() or (s[~first] != s[np.r_[~first[1:], False]] + 1).any():
            found.append(f"{node.id}: funnel stages not contiguous from {names[0]}")
        if (np.diff(w)[~first[1:]] <= 0).any():
            found.append(f"{node.id}: funnel stage times not increasing")
    else:
        m = node.state_transition_model
        scol = next(c.name for c in node.columns if c.type == "string" and c.generator.choice
                    and not c.name.lower().startswith("prev") and set(map(str, c.generator.choice.choices or [])) & set(m.states))
        order = np.lexsort((when, key))
        k, w = key[order], when[order]
        s = np.array(t[scol].to_pylist(), dtype=object)[order]
        first = np.r_[True, k[1:] != k[:-1]]
        if (s[first] != m.initial_state).any():
            found.append(f"{node.id}: a lifecycle does not start in {m.initial_state}")
        if (np.diff(w)[~first[1:]] <= 0).any():
            found.append(f"{node.id}: state times not increasing")
        allowed = {(a, b) for a, st in m.states.items() for b, p in st.next_states.items() if p > 0}
        steps = [(a, b) for a, b, f in zip(s[:-1], s[1:], first[1:], strict=True) if not f]
        if any(step not in allowed for step in steps):
            found.append(f"{node.id}: transitions outside next_states")
    return found


def _touchpoint_problems(schema: dsl.Schema, node: dsl.Node, tables: dict[str, pa.Table], fk: str) -> list[str]:
    found: list[str] = []
    tp, conv = tables.get(node.touchpoint_table), tables[node.id]
    if tp is None:
        return [f"{node.id}: touchpoint table {node.touchpoint_table} missing"]
    ev = next(c.name for c in node.columns if c.type in ("date", "datetime") and c.generator.datetime_series)
    rows = _rows_of(conv, node.pk, tp[node.pk])
    primary = schema.node(node.parents[0])
    prow = _rows_of(tables[primary.id], primary.pk, conv[fk].take(pa.array(np.maximum(rows, 0))))
    touched = _us(tp, "touched_at")
    if (rows < 0).any() or (touched >= _us(conv, ev)[rows]).any():
        found.append(f"{node.touchpoint_table}: touches at or after their conversion")
    if (touched < _us(tables[primary.id], _issue_creation(primary))[prow]).any():
        found.append(f"{node.touchpoint_table}: touches before the converting {primary.id} existed")
    credit = np.bincount(rows, weights=tp["attribution_credit"].to_numpy(), minlength=conv.num_rows)
    has = np.bincount(rows, minlength=conv.num_rows) > 0
    if (np.abs(credit[has] - 1) > 1e-5).any():
        found.append(f"{node.touchpoint_table}: credits do not add up to 1")
    for name in tp.column_names:
        if name.startswith("attributed_"):
            value = conv[name.removeprefix("attributed_")].to_numpy(zero_copy_only=False).astype(np.float64)
            share = np.bincount(rows, weights=np.nan_to_num(tp[name].to_numpy(zero_copy_only=False).astype(np.float64)),
                                minlength=conv.num_rows)
            if (np.abs(share[has] - np.nan_to_num(value[has])) > 1e-6 * np.maximum(1, np.abs(np.nan_to_num(value[has])))).any():
                found.append(f"{node.touchpoint_table}.{name}: does not add up to the conversion's value")
    return found
