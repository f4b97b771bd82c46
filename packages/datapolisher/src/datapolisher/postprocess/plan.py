"""A post-processing plan: the ordered data fixes for a dataset, independent of the script language.

``build_plan`` turns the report's findings (plus requested computed columns and declared defaults) into
``Step``s; ``sql.render`` and ``python.render`` turn one plan into two equivalent, standalone scripts.
Steps run in a fixed order — types, codes, text, defaults, rounding, dedupe, intervals, orphans (parents
before children, cascading), parent times, computed columns — so each fix sees the previous ones' result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from ..issues import Finding
from ..model import CompositeEdge, DatasetModel, Edge, TableModel
from ..problems import BY_PROBLEM
from .ops import OPS
from .step import ACTIVE_DAYS, Step

#: the operations in the order a plan applies them (see :mod:`.ops`)
OP_ORDER = tuple(op.OP for op in OPS)
COMPUTED = ("is_active", "lifetime_value")


@dataclass
class Plan:
    steps: list[Step]
    tables: dict[str, str]  # table -> source relative to the input dir, e.g. "order.parquet"
    columns: dict[str, list[str]]  # table -> column names, for dedupe over whole rows
    unhandled: list[Finding] = field(default_factory=list)
    #: a table stored as a folder of parts -> its parts relative to the input dir, in order: the output keeps them
    #: (each row is written back to the part it came from)
    parts: dict[str, list[str]] = field(default_factory=dict)

    def output_files(self, table: str) -> list[str]:
        """The files the output holds for ``table``, relative to it: its parts, or its one file, named as in the
        input (never after the table's name, which may be anything a schema allows)."""
        return self.parts.get(table, [self.tables[table]])

    def hive_keys(self, table: str) -> list[str]:
        """The ``key=value`` folder names of a table's parts (columns readers take from the path, not the file)."""
        keys = {seg.split("=", 1)[0] for rel in self.parts.get(table, ()) for seg in rel.split("/")[1:-1] if "=" in seg}
        return sorted(keys)

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
        "cast": f"cast {step.table}.{col} to {p.get('type')}"
                + (" (its currency symbols, separators and % signs removed)" if p.get("parse") == "formatted" else ""),
        "clamp_min": f"raise {step.table}.{col} values below {p.get('min')} to {p.get('min')}",
        "normalize_codes": f"normalize {len(p.get('mapping', {}))} variant(s) of {step.table}.{col}",
        "trim_whitespace": f"trim whitespace in {step.table}.{col}",
        "null_non_finite": f"set NaN and infinite {step.table}.{col} values to NULL",
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


class PlanBuilder:
    """The steps planned so far (one per operation, table and column), and the findings no step fixes."""

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

    def why(self, f: Finding) -> str:
        """A step's reason: the issue it fixes, on one line."""
        return " ".join(f"{f.issue.id} [{f.issue.severity}] {f.issue.finding}".split())

    def fix(self, f: Finding, op: str, table: str, params: dict[str, Any]) -> None:
        """Add a step that fixes ``f``."""
        self.add(op, table, params, self.why(f))

    def finding(self, f: Finding) -> None:
        """Plan the fix of one finding through its problem's ``plan``; without one it is left unhandled."""
        t = self.model.table(f.table)
        planner = getattr(BY_PROBLEM.get(f.problem or ""), "plan", None)
        if t is None or planner is None or not planner(self, f, t):
            self.unhandled.append(f)

    def edge_for(self, f: Finding, t: TableModel) -> Edge | None:
        """The foreign key of ``t`` the finding is about: to its hinted parent, through its hinted column."""
        parent = f.param("parent")
        refs = str(f.param("references", default=""))
        if parent is None and "." in refs:
            parent = refs.partition(".")[0]
        for column in (f.column, None):
            edge = self.model.edge(t.name, column, parent)
            if edge is not None:
                return edge
        return None

    def drop_composite(self, e: CompositeEdge, why: str) -> None:
        self.add("drop_orphans", e.table, {"columns": list(e.columns), "parent": e.parent,
                                           "parent_columns": list(e.parent_columns)}, why)

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
                    self.drop_composite(ce, f"cascade: {parent} rows were dropped as orphans")
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
    b = PlanBuilder(model, defaults or {})
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
        parts={name: [f.relative_to(model.root).as_posix() for f in t.source.files]
               for name, t in sorted(model.tables.items()) if t.source.directory is not None},
    )
