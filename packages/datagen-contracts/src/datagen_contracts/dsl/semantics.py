"""What a schema says about its data, derived once, as plain data, for every stage that checks data against it.

datagen-core's ``validate`` (polars) and datacruncher's schema expectations (DuckDB SQL) measure in their own
engines, but read the claims from here: which values a column may hold (ranges, enums, patterns), which
columns are unique, which pairs of columns are ordered, and which realism targets the data should meet. A claim
says where it comes from (``source``): the top-level ``constraints``, a column's own ``constraints``, or — for
ranges — what generation implies (a last ``clamp`` modifier, a distribution's ``clamp``); ``declared`` tells
the two apart. It also lists, per column, whether nulls are allowed, the window a generated time column draws
from, which event times follow their parent's creation (``after_parent``) and which dates are declared attributes
exempt from it, and, per child table, the rows per parent its ``fanout`` implies (the figures from
:mod:`~datagen_contracts.dsl.interpret`, which datagen-core generates to).

The input is a loaded :class:`~datagen_contracts.dsl.Schema` or its JSON form; a malformed document (one a
reader of older data falls back to) yields what can be read from it and skips the rest.

>>> from datagen_contracts.dsl import loads_schema
>>> s = loads_schema('''{"version": "1.0", "metadata": {"name": "d"},
...   "timeframe": {"start": "2024-01-01", "end": "2024-12-31"},
...   "constraints": {"unique": ["u.email"], "ranges": [{"attr": "u.age", "min": 18}]},
...   "nodes": [{"id": "u", "kind": "entity", "rows": 5, "pk": "id", "columns": [
...     {"name": "id", "type": "int", "generator": {"sequence": {}}},
...     {"name": "email", "type": "string", "generator": {"faker": {"method": "email"}}},
...     {"name": "age", "type": "int", "generator": {"distribution": {"type": "normal",
...        "params": {"mean": 40, "std": 9}, "clamp": [0, 99]}}},
...     {"name": "plan", "type": "string", "constraints": {"enum": ["free", "pro"]},
...      "generator": {"choice": {"choices": ["free", "pro"]}}}]}]}''')
>>> d = expectations(s)
>>> [(r.column, r.min, r.max, r.source) for r in d.ranges], [u.column for u in d.unique]
([('age', 18.0, None, 'constraints.ranges')], ['email'])
>>> [(e.column, e.values) for e in d.enums]
[('plan', ('free', 'pro'))]
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import msgspec

from .interpret import (
    column_window,
    explicit_within,
    fanout_mean,
    parse_timestamp,
    segment_multipliers,
    time_generated,
)
from .schema import Schema

DECLARED = ("constraints.ranges", "constraints.enum", "constraints.pattern", "column constraints")


@dataclass(frozen=True)
class Unique:
    table: str
    column: str


@dataclass(frozen=True)
class Enum:
    """Values of ``table.column`` are in ``values``, or among the values of ``ref`` (``"table.column"``)."""

    table: str
    column: str
    values: tuple[Any, ...] | None
    ref: str | None
    source: str


@dataclass(frozen=True)
class MaxLength:
    """Values of ``table.column`` hold at most ``chars`` characters."""

    table: str
    column: str
    chars: int
    source: str


@dataclass(frozen=True)
class Pattern:
    """Values of ``table.column``, as text, fully match ``regex``."""

    table: str
    column: str
    regex: str
    source: str


@dataclass(frozen=True)
class Range:
    """Values of ``table.column`` lie in ``[min, max]`` (either may be open)."""

    table: str
    column: str
    min: float | None
    max: float | None
    source: str

    @property
    def declared(self) -> bool:
        """Stated as a constraint (not implied by how the column is generated)."""
        return self.source in DECLARED


@dataclass(frozen=True)
class Inequality:
    """``left op right`` holds on every row (``"table.column"`` refs; across tables through their foreign key)."""

    left: str
    op: str
    right: str


@dataclass(frozen=True)
class Target:
    """A realism goal: ``weekend_share`` of a time column, or the ``mean_in_range`` of a column, in [min, max]."""

    metric: str
    table: str
    column: str
    min: float | None
    max: float | None


@dataclass(frozen=True)
class Nullability:
    """Whether ``table.column`` may hold nulls (the DSL's ``nullable``, false unless declared); ``key``: the column
    is the table's primary key."""

    table: str
    column: str
    nullable: bool
    key: bool


@dataclass(frozen=True)
class TimeWindow:
    """Generated values of ``table.column`` (a ``datetime_series`` or ``diffusion_curve``) lie in ``[start, end]``:
    the generator's own ``within`` window (``explicit``), else the timeframe."""

    table: str
    column: str
    start: datetime
    end: datetime
    explicit: bool


@dataclass(frozen=True)
class AfterParent:
    """A fact's time column ``table.column`` is at or after the creation time of its primary parent ``parent``
    (``after_parent``, true unless declared false; a ``lookup`` copies a parent's value and claims nothing)."""

    table: str
    column: str
    parent: str


@dataclass(frozen=True)
class Fanout:
    """Rows of ``table`` per row of its primary parent ``parent``: ``by_segment[""]`` is the expected mean, and
    with segments, ``by_segment`` maps each value of the parent's ``segment_column`` that has a fanout multiplier
    to its own mean (the other values keep ``by_segment[""]``). ``skip`` says why no mean is
    claimed — something other than the fanout shapes the counts, or the declared shape has no exact mean."""

    table: str
    parent: str
    by_segment: Mapping[str, float] = field(default_factory=dict)
    segment_column: str | None = None
    skip: str | None = None


@dataclass(frozen=True)
class Expectations:
    unique: tuple[Unique, ...]
    enums: tuple[Enum, ...]
    patterns: tuple[Pattern, ...]
    ranges: tuple[Range, ...]
    inequalities: tuple[Inequality, ...]
    targets: tuple[Target, ...]
    nullability: tuple[Nullability, ...] = ()
    windows: tuple[TimeWindow, ...] = ()
    after_parent: tuple[AfterParent, ...] = ()
    #: ``(table, column)`` of the dates declared ``after_parent: false``: attributes (a birth date), not events
    attribute_dates: tuple[tuple[str, str], ...] = ()
    fanouts: tuple[Fanout, ...] = ()
    lengths: tuple[MaxLength, ...] = ()


def expectations(schema: Schema | Mapping[str, Any]) -> Expectations:
    """Everything ``schema`` claims about its data (see the module's docstring)."""
    doc = msgspec.to_builtins(schema) if isinstance(schema, Schema) else schema
    cons = _mapping(doc.get("constraints"))
    columns = list(_columns(doc))
    ranges: dict[tuple[str, str], Range] = {}
    for r in _items(cons.get("ranges")):
        table, column = _split(r.get("attr"))
        if table and column:
            ranges[(table, column)] = Range(table, column, _num(r.get("min")), _num(r.get("max")), "constraints.ranges")
    for table, col in columns:
        own = _mapping(col.get("constraints"))
        key = (table, str(col.get("name")))
        if _num(own.get("min")) is not None or _num(own.get("max")) is not None:
            ranges.setdefault(key, Range(*key, _num(own.get("min")), _num(own.get("max")), "column constraints"))
        mods = _items(col.get("modifiers"))
        last = mods[-1] if mods else {}
        clamp = _mapping(_mapping(col.get("generator")).get("distribution")).get("clamp")
        if last.get("transform") == "clamp":
            args = _mapping(last.get("args"))
            ranges.setdefault(key, Range(*key, _num(args.get("min")), _num(args.get("max")), "clamp modifier"))
        elif isinstance(clamp, list) and len(clamp) == 2:
            ranges.setdefault(key, Range(*key, _num(clamp[0]), _num(clamp[1]), "distribution clamp"))
    enums = [Enum(*_split(e.get("attr")), _values(e.get("values")), _ref(e.get("enum_ref")), "constraints.enum")
             for e in _items(cons.get("enum"))]
    patterns = [Pattern(*_split(p.get("attr")), str(p.get("regex")), "constraints.pattern")
                for p in _items(cons.get("pattern")) if isinstance(p.get("regex"), str)]
    lengths: list[MaxLength] = []
    for table, col in columns:
        own = _mapping(col.get("constraints"))
        if own.get("enum") is not None or own.get("enum_ref") is not None:
            enums.append(Enum(table, str(col.get("name")), _values(own.get("enum")), _ref(own.get("enum_ref")),
                              "column constraints"))
        if isinstance(own.get("pattern"), str) and own.get("pattern"):
            patterns.append(Pattern(table, str(col.get("name")), own["pattern"], "column constraints"))
        if isinstance(n := own.get("max_length"), int) and not isinstance(n, bool) and n >= 1:
            lengths.append(MaxLength(table, str(col.get("name")), n, "column constraints"))
    unique = [Unique(*_split(a)) for a in (cons.get("unique") or []) if isinstance(a, str)]
    inequalities = [Inequality(str(q.get("left")), str(q.get("op")), str(q.get("right")))
                    for q in _items(cons.get("inequalities"))]
    targets = _mapping(doc.get("targets"))
    found = []
    for metric, named in (("weekend_share", "timestamp"), ("mean_in_range", "column")):
        for t in _items(targets.get(metric)):
            if isinstance(t.get(named), str):
                found.append(Target(metric, str(t.get("table")), t[named], _num(t.get("min")), _num(t.get("max"))))
    return Expectations(
        unique=tuple(u for u in _once(unique) if u.table and u.column),
        enums=tuple(e for e in _once(enums) if e.table and e.column),
        patterns=tuple(p for p in _once(patterns) if p.table and p.column),
        ranges=tuple(ranges.values()),
        inequalities=tuple(_once(inequalities)),
        targets=tuple(found),
        lengths=tuple(lengths),
        **_columns_and_rows(doc),
    )


def _columns_and_rows(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Nullability, time windows, time order and fanout means (the :class:`Expectations` fields of the same names)."""
    tf = _mapping(doc.get("timeframe"))
    start, end = parse_timestamp(str(tf.get("start"))), parse_timestamp(str(tf.get("end")))
    timeframe = (start, end) if start is not None and end is not None else None
    nodes = {str(n.get("id")): n for n in _items(doc.get("nodes"))}
    nullability, windows, after, attributes, fanouts = [], [], [], [], []
    for table, col in _columns(doc):
        node, name = nodes[table], str(col.get("name"))
        nullability.append(Nullability(table, name, col.get("nullable") is True, node.get("pk") == name))
        window = column_window(col, timeframe) if time_generated(col) else None
        if window is not None:
            windows.append(TimeWindow(table, name, window[0], window[1], explicit_within(col) is not None))
        parents = [str(p) for p in node.get("parents") or [] if isinstance(p, str)]
        if col.get("type") in ("date", "datetime") and col.get("after_parent") is False:
            attributes.append((table, name))
        elif (col.get("type") in ("date", "datetime") and parents and node.get("kind") == "fact"
              and _mapping(col.get("generator")).get("lookup") is None):
            after.append(AfterParent(table, name, parents[0]))
    for node in nodes.values():
        parents = [str(p) for p in node.get("parents") or [] if isinstance(p, str)]
        if isinstance(node.get("fanout"), Mapping) and parents:
            fanouts.append(_fanout(node, nodes.get(parents[0], {}), parents[0]))
    return {"nullability": tuple(nullability), "windows": tuple(windows), "after_parent": tuple(after),
            "attribute_dates": tuple(attributes), "fanouts": tuple(fanouts)}


def _fanout(node: Mapping[str, Any], parent: Mapping[str, Any], pname: str) -> Fanout:
    """The rows per parent a child's fanout implies, or why none is claimed: a funnel, state model or attribution
    chain replaces the fanout; effect modifiers scale it over time windows; the parent's vintage curve changes it
    with age; a clamped heavy-tailed shape or a missing mean has no exact figure."""
    table = str(node.get("id"))
    for key in ("stage_config", "state_transition_model", "attribution_chain"):
        if node.get(key):
            return Fanout(table, pname, skip=f"{key} replaces the fanout")
    if any(m.get("transform") == "effect" for m in _items(node.get("modifiers"))):
        return Fanout(table, pname, skip="effect modifiers scale the fanout over time windows")
    vintage = _mapping(parent.get("vintage_behavior"))
    for name, m in _mapping(vintage.get("age_based_multipliers")).items():
        targets = m.get("applies_to") if isinstance(m, Mapping) else None
        if targets in ("fanout", "all") or (isinstance(targets, list) and {"fanout", "all"} & set(targets)):
            return Fanout(table, pname, skip=f"{pname}'s vintage curve {name!r} changes the fanout with age")
    column, mult = segment_multipliers(parent)
    by_segment = {}
    for segment, m in {"": 1.0, **mult}.items():
        mean, exact = fanout_mean(node["fanout"], m)
        if not exact:
            return Fanout(table, pname, skip="the fanout declares no exact mean (lambda without a clamp on a "
                                             "heavy-tailed shape, or uniform min/max)")
        by_segment[segment] = mean
    if mult and column is None:
        return Fanout(table, pname, skip=f"{pname}'s segment column is unknown")
    return Fanout(table, pname, by_segment, column if mult else None)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _items(value: Any) -> list[Mapping[str, Any]]:
    if isinstance(value, Mapping):
        return [value]
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _columns(doc: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for node in _items(doc.get("nodes")):
        for col in _items(node.get("columns")):
            if isinstance(col.get("name"), str):
                yield str(node.get("id")), col


def _split(attr: Any) -> tuple[str, str]:
    table, _, column = str(attr or "").partition(".")
    return table, column


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _values(value: Any) -> tuple[Any, ...] | None:
    return tuple(value) if isinstance(value, list) else None


def _ref(value: Any) -> str | None:
    return value if isinstance(value, str) and "." in value else None


def _once(items: list[Any]) -> list[Any]:
    seen: dict[str, Any] = {}
    for item in items:
        seen.setdefault(repr(item), item)
    return list(seen.values())
