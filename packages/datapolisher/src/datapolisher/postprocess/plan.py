"""A post-processing plan: the ordered data fixes for a dataset, independent of the script language.

``build_plan`` turns the report's findings (plus requested computed columns and declared defaults) into
``Step``s; ``sql.render`` and ``python.render`` turn one plan into two equivalent, standalone scripts.
Steps run in a fixed order — types, codes, text, defaults, rounding, dedupe, intervals, orphans (parents
before children, cascading), parent times, computed columns — so each fix sees the previous ones' result.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from datagen_contracts import fixes

from ..errors import InputError
from ..issues import Finding, param
from ..model import CompositeEdge, DatasetModel, Edge, TableModel, distinct_values
from .ops import OPS
from .step import ACTIVE_DAYS, Step

#: the operations in the order a plan applies them (see :mod:`.ops`)
OP_ORDER = tuple(op.OP for op in OPS)
COMPUTED = ("is_active", "lifetime_value")
CAST_TYPES = ("BIGINT", "DOUBLE", "TIMESTAMP")

# Common spellings of the same country, so "US", "USA" and " us" become one form (the most frequent one).
COUNTRY_ALIASES = {
    "USA": "US", "UNITED STATES": "US", "UNITED STATES OF AMERICA": "US", "UK": "GB", "GBR": "GB",
    "UNITED KINGDOM": "GB", "GREAT BRITAIN": "GB", "DEU": "DE", "GERMANY": "DE", "DEUTSCHLAND": "DE",
    "FRA": "FR", "FRANCE": "FR", "CAN": "CA", "CANADA": "CA", "ESP": "ES", "SPAIN": "ES", "ITA": "IT",
    "ITALY": "IT", "JPN": "JP", "JAPAN": "JP", "AUS": "AU", "AUSTRALIA": "AU", "BRA": "BR", "BRAZIL": "BR",
    "IND": "IN", "INDIA": "IN", "MEX": "MX", "MEXICO": "MX", "NLD": "NL", "NETHERLANDS": "NL", "CHN": "CN",
    "CHINA": "CN",
}


@dataclass
class Plan:
    steps: list[Step]
    tables: dict[str, str]  # table -> source relative to the input dir, e.g. "order.parquet"
    columns: dict[str, list[str]]  # table -> column names, for dedupe over whole rows
    unhandled: list[Finding] = field(default_factory=list)

    @property
    def fixes(self) -> list[str]:
        """One line per step, for manifests and summaries."""
        return [describe(s) for s in self.steps]

    @property
    def rounds_money(self) -> bool:
        """Whether a step rounds amounts: the scripts then define ``round_half_away`` once, at the top."""
        return any(s.op in ("round_money", "add_lifetime_value") for s in self.steps)


def describe(step: Step) -> str:
    p = step.params
    col = p.get("column")
    text = {
        "cast": f"cast {step.table}.{col} to {p.get('type')}",
        "clamp_min": f"raise {step.table}.{col} values below {p.get('min')} to {p.get('min')}",
        "normalize_codes": f"normalize {len(p.get('mapping', {}))} variant(s) of {step.table}.{col}",
        "trim_whitespace": f"trim whitespace in {step.table}.{col}",
        "fill_default": f"fill nulls of {step.table}.{col} with {p.get('value')!r}",
        "round_money": f"round {step.table}.{col} to {p.get('decimals', 2)} decimals",
        "dedupe_rows": f"drop duplicate rows of {step.table}",
        "dedupe_key": f"keep the first row per {step.table}.{p.get('key')}",
        "swap_interval": f"swap {step.table}.{p.get('start')}/{p.get('end')} where start > end",
        "drop_orphans": f"drop {step.table} rows whose ({', '.join(p['columns'])}) is no "
                        f"{p.get('parent')}.({', '.join(p.get('parent_columns', []))})" if "columns" in p else
                        f"drop {step.table} rows whose {col} has no {p.get('parent')}.{p.get('parent_column')}",
        "null_orphans": f"set {step.table}.{col} to NULL where it has no {p.get('parent')}.{p.get('parent_column')}",
        "clamp_to_parent_time": f"move {step.table}.{col} to at/after {p.get('parent')}.{p.get('parent_time')}"
        + "".join(f" (shifting {step.table}.{e} by the same amount)" for e in p.get("shift", [])),
        "add_is_active": f"add {step.table}.is_active (activity in the last {ACTIVE_DAYS} days of the data)",
        "add_lifetime_value": f"add {step.table}.lifetime_value (sum of {p.get('child')}.{p.get('amount')})",
    }
    return text[step.op]


def _why(f: Finding) -> str:
    return " ".join(f"{f.issue.id} [{f.issue.severity}] {f.issue.finding}".split())


def _norm_key(value: str, country: bool) -> str:
    """The spelling group of a value, as datacruncher's format_inconsistency groups them (so what it counts as
    a variant is what gets normalized): whitespace collapsed, case folded, dots dropped from short values
    (``D.E.`` is ``DE``), then country aliases."""
    key = re.sub(r"\s+", " ", value.strip()).upper()
    if len(key) <= 8:
        key = key.replace(".", "")
    return COUNTRY_ALIASES.get(key, key) if country else key


def code_mapping(values: list[tuple[str, int]], country: bool) -> dict[str, str]:
    """Variant -> canonical (the group's most frequent spelling); only values that change are listed.

    >>> code_mapping([("US", 50), ("USA", 5), ("us ", 2), ("DE", 9)], country=True)
    {'USA': 'US', 'us ': 'US'}
    """
    groups: dict[str, list[tuple[str, int]]] = {}
    for v, n in values:
        groups.setdefault(_norm_key(v, country), []).append((v, n))
    mapping = {}
    for members in groups.values():
        canonical = max(members, key=lambda m: (m[1], m[0] == m[0].strip(), m[0]))[0].strip()
        mapping.update({v: canonical for v, _ in members if v != canonical})
    return dict(sorted(mapping.items()))


class _Builder:
    def __init__(self, model: DatasetModel, defaults: dict[str, Any]) -> None:
        self.model = model
        self.defaults = defaults
        self.steps: dict[tuple[str, str, str], Step] = {}
        self.unhandled: list[Finding] = []

    def add(self, op: str, table: str, params: dict[str, Any], why: str) -> None:
        key = (op, table, str(params.get("column") or params.get("key") or params.get("start")
                              or ", ".join(params.get("columns", ()))))
        old = self.steps.get(key)
        whys = (*old.why, why) if old is not None and why not in old.why else (why,) if old is None else old.why
        self.steps[key] = Step(op, table, params, whys)

    def finding(self, f: Finding) -> None:
        t = self.model.table(f.table)
        handler = getattr(self, f"_{f.problem}", None)
        if t is None or handler is None or not handler(f, t):
            self.unhandled.append(f)

    def _type_drift(self, f: Finding, t: TableModel) -> bool:
        target = str(param(f.params, "type", "to_type", default="BIGINT" if t.is_float(f.column or "") else "")).upper()
        if f.column not in t.columns or target not in CAST_TYPES:
            return False
        self.add("cast", t.name, {"column": f.column, "type": target, "from": t.columns[f.column]}, _why(f))
        return True

    def _negative_amounts(self, f: Finding, t: TableModel) -> bool:
        if f.column not in t.columns or (not t.is_float(f.column) and "INT" not in t.columns[f.column].upper()):
            return False
        low = float(param(f.params, "min", default=0))
        # an integer column stays integer (a 0.0 literal would make DuckDB write DECIMAL and Polars Float64)
        self.add("clamp_min", t.name, {"column": f.column, "min": low if t.is_float(f.column) else math.ceil(low)},
                 _why(f))
        return True

    def _code_variants(self, f: Finding, t: TableModel) -> bool:
        if f.column not in t.columns:
            return False
        mapping = param(f.params, "mapping", "variants")
        if not isinstance(mapping, dict):
            country = bool(re.search(r"country|nation", f.column, re.I)) or "country" in t.roles.get(f.column, ())
            mapping = code_mapping(distinct_values(self.model.root, t, f.column), country)
        if mapping:
            self.add("normalize_codes", t.name, {"column": f.column, "mapping": mapping}, _why(f))
        return True

    def _whitespace(self, f: Finding, t: TableModel) -> bool:
        if f.column not in t.columns or not t.columns[f.column].upper().startswith("VARCHAR"):
            return False
        self.add("trim_whitespace", t.name, {"column": f.column}, _why(f))
        return True

    def _nullable(self, f: Finding, t: TableModel) -> bool:
        value = param(f.params, "default", "fill_value", "value")
        value = self.defaults.get(f"{t.name}.{f.column}", value)
        if f.column not in t.columns or value is None:
            return False
        self.add("fill_default", t.name, {"column": f.column, "value": value}, _why(f))
        return True

    def _money_precision(self, f: Finding, t: TableModel) -> bool:
        if f.column not in t.columns or not t.is_float(f.column):
            return False
        decimals = int(param(f.params, "decimals", "scale", default=2))
        self.add("round_money", t.name, {"column": f.column, "decimals": decimals}, _why(f))
        return True

    def _duplicate_rows(self, f: Finding, t: TableModel) -> bool:
        self.add("dedupe_rows", t.name, {}, _why(f))
        return True

    def _duplicate_key(self, f: Finding, t: TableModel) -> bool:
        key = param(f.params, "key", "pk", "column") or f.column or t.pk
        if key not in t.columns:
            return False
        self.add("dedupe_key", t.name, {"key": key}, _why(f))
        return True

    def _inverted_interval(self, f: Finding, t: TableModel) -> bool:
        start = param(f.params, "start", "start_column", "left", default=f.column)
        end = param(f.params, "end", "end_column", "right")
        if end is None:
            times = [c for c in t.columns if t.is_time(c) and c != start]
            end = next((c for c in times if re.search(r"end|finish|close|stop|until|to\b", c, re.I)), None)
        if start not in t.columns or end not in t.columns:
            return False
        self.add("swap_interval", t.name, {"start": start, "end": end}, _why(f))
        return True

    def _edge_for(self, f: Finding, t: TableModel) -> Edge | None:
        parent = param(f.params, "parent", "parent_table", "to_table", "references_table")
        refs = str(param(f.params, "references", default=""))
        if parent is None and "." in refs:
            parent = refs.partition(".")[0]
        fk = param(f.params, "fk", "fk_column", "foreign_key")
        for column in (fk, f.column, None):
            edge = self.model.edge(t.name, column, parent)
            if edge is not None:
                return edge
        return None

    def _orphans(self, f: Finding, t: TableModel) -> bool:
        if param(f.params, "columns") is not None:
            return self._composite_orphans(f, t)
        edge = self._edge_for(f, t)
        if edge is None:
            return False
        op = "null_orphans" if isinstance(f.issue.fix, fixes.NullOrphans) and t.nullable.get(edge.column, False) else "drop_orphans"
        params = {"column": edge.column, "parent": edge.parent, "parent_column": edge.parent_column}
        self.add(op, t.name, params, _why(f))
        return True

    def _composite_orphans(self, f: Finding, t: TableModel) -> bool:
        """Rows whose tuple of columns is no parent key (a tuple with a NULL part refers to nothing: kept)."""
        columns = tuple(c.strip() for c in str(param(f.params, "columns")).split(","))
        parent = param(f.params, "parent")
        wanted = tuple(c.strip() for c in str(param(f.params, "parent_columns", default="")).split(","))
        for e in self.model.composite_edges:
            if e.table == t.name and e.columns == columns and (parent is None or e.parent == parent) and (
                    wanted == ("",) or e.parent_columns == wanted):
                self._drop_composite(e, _why(f))
                return True
        return False

    def _drop_composite(self, e: CompositeEdge, why: str) -> None:
        self.add("drop_orphans", e.table, {"columns": list(e.columns), "parent": e.parent,
                                           "parent_columns": list(e.parent_columns)}, why)

    def _temporal_parent(self, f: Finding, t: TableModel) -> bool:
        edge = self._edge_for(f, t)
        column = f.column if f.column in t.columns and t.is_time(f.column) else t.created_at
        if edge is None or column is None:
            return False
        parent = self.model.tables[edge.parent]
        hinted = param(f.params, "parent_time", "parent_created_at", "parent_column")
        ptime = hinted if hinted in parent.columns and parent.is_time(hinted) else parent.created_at
        if ptime not in parent.columns or not parent.is_time(ptime):
            return False
        params = {"column": column, "type": t.columns[column], "fk": edge.column, "parent": edge.parent,
                  "parent_column": edge.parent_column, "parent_time": ptime}
        self.add("clamp_to_parent_time", t.name, params, _why(f))
        return True

    def carry_interval_ends(self) -> None:
        """A start time moved after its parent's creation takes its interval's end along (same shift)."""
        for key, step in list(self.steps.items()):
            if step.op != "clamp_to_parent_time":
                continue
            t = self.model.tables[step.table]
            ends = [s.params["end"] for s in self.steps.values()
                    if s.op == "swap_interval" and s.table == step.table and s.params["start"] == step.params["column"]
                    and t.columns.get(s.params["end"]) == step.params["type"]]
            if ends:
                self.steps[key] = Step(step.op, step.table, {**step.params, "shift": ends}, step.why)

    def cascade_orphans(self) -> None:
        """A parent that loses rows leaves orphans below it: drop those too, down the FK graph."""
        dropped = [s.table for s in self.steps.values() if s.op == "drop_orphans"]
        while dropped:
            parent = dropped.pop()
            for e in self.model.edges_to(parent):
                if ("drop_orphans", e.table, e.column) in self.steps or ("null_orphans", e.table, e.column) in self.steps:
                    continue
                params = {"column": e.column, "parent": e.parent, "parent_column": e.parent_column}
                self.add("drop_orphans", e.table, params, f"cascade: {parent} rows were dropped as orphans")
                dropped.append(e.table)
            for ce in self.model.composite_edges:
                if ce.parent == parent and ("drop_orphans", ce.table, ", ".join(ce.columns)) not in self.steps:
                    self._drop_composite(ce, f"cascade: {parent} rows were dropped as orphans")
                    dropped.append(ce.table)


def _computed(model: DatasetModel, spec: str) -> tuple[str, str, dict[str, Any]]:
    """Parse ``is_active=user[.last_login]`` or ``lifetime_value=user[:order.amount]``."""
    name, _, target = spec.partition("=")
    if name not in COMPUTED or not target:
        raise InputError(f"--add {spec!r}: expected is_active=TABLE[.COLUMN] or lifetime_value=TABLE[:CHILD.COLUMN]")
    if name == "is_active":
        table, _, column = target.partition(".")
        t = model.table(table)
        if t is None:
            raise InputError(f"--add {spec}: no table {table!r}")
        if column:
            if not t.is_time(column):
                raise InputError(f"--add {spec}: {table}.{column} is not a date/time column")
            return name, table, {"source": column}
        named = [c for c in t.columns if t.is_time(c) and re.search(r"last|seen|login|active", c, re.I)]
        if named:
            return name, table, {"source": named[0]}
        for e in model.edges_to(table):
            child = model.tables[e.table]
            time = child.created_at or next((c for c in child.columns if child.is_time(c)), None)
            if time:
                return name, table, {"child": e.table, "fk": e.column, "key": e.parent_column, "time": time}
        raise InputError(f"--add {spec}: no last-activity column in {table} nor a child table with a time column")
    table, _, child_ref = target.partition(":")
    t = model.table(table)
    if t is None:
        raise InputError(f"--add {spec}: no table {table!r}")
    for e in model.edges_to(table):
        child = model.tables[e.table]
        if child_ref:
            ctable, _, amount = child_ref.partition(".")
            if e.table != ctable:
                continue
            if amount not in child.columns:
                raise InputError(f"--add {spec}: no column {child_ref}")
        else:
            amount = next((c for c in child.columns if child.is_money(c)), "")
        if amount:
            return name, table, {"child": e.table, "fk": e.column, "key": e.parent_column, "amount": amount}
    raise InputError(f"--add {spec}: no child table of {table} with an amount column (name one: TABLE:CHILD.COLUMN)")


def build_plan(
    model: DatasetModel,
    findings: list[Finding],
    *,
    add: tuple[str, ...] = (),
    defaults: dict[str, Any] | None = None,
) -> Plan:
    """The ordered steps fixing every data-level finding it can; the rest is listed in ``unhandled``."""
    b = _Builder(model, defaults or {})
    for f in findings:
        b.finding(f)
    b.cascade_orphans()
    b.carry_interval_ends()
    for spec in add:
        name, table, params = _computed(model, spec)
        if name in model.tables[table].columns:
            raise InputError(f"--add {spec}: {table} already has a column {name!r}")
        b.add(f"add_{name}", table, params, f"requested: --add {spec}")
    order = {t: i for i, t in enumerate(model.topological())}
    steps = sorted(b.steps.values(), key=lambda s: (OP_ORDER.index(s.op), order[s.table], str(s.params)))
    return Plan(
        steps=steps,
        tables={name: t.source.relative_source(model.root) for name, t in sorted(model.tables.items())},
        columns={name: list(t.columns) for name, t in sorted(model.tables.items())},
        unhandled=b.unhandled,
    )
