"""The schema's top level: constraints, targets, timeframe, defects, parameters, scenarios, ``Schema``."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from .base import Dimension, Spec
from .generators import Modifier
from .nodes import Node

# ------------------------------------------------------------------------------------- constraints, targets


class ForeignKeySpec(Spec, kw_only=True):
    from_: str = msgspec.field(name="from")
    to: str


class RangeSpec(Spec, kw_only=True):
    attr: str
    min: float | None = None
    max: float | None = None


class InequalitySpec(Spec, kw_only=True):
    left: str
    op: Literal["<", "<=", ">", ">=", "==", "!="]
    right: str


class PatternSpec(Spec, kw_only=True):
    attr: str
    regex: str
    __aliases__ = {"pattern": "regex"}


class EnumSpec(Spec, kw_only=True):
    attr: str
    values: list[Any] | None = None
    enum_ref: str | None = None


class Constraints(Spec, kw_only=True):
    unique: list[str] = msgspec.field(default_factory=list)
    foreign_keys: list[ForeignKeySpec] = msgspec.field(default_factory=list)
    ranges: list[RangeSpec] = msgspec.field(default_factory=list)
    inequalities: list[InequalitySpec] = msgspec.field(default_factory=list)
    pattern: list[PatternSpec] = msgspec.field(default_factory=list)
    enum: list[EnumSpec] = msgspec.field(default_factory=list)
    __aliases__ = {"fks": "foreign_keys", "foreign_key": "foreign_keys", "patterns": "pattern", "enums": "enum"}


class WeekendShareTarget(Spec, kw_only=True):
    table: str
    timestamp: str
    min: float
    max: float


class MeanInRangeTarget(Spec, kw_only=True):
    table: str
    column: str
    min: float
    max: float


class Influence(Spec, kw_only=True):
    kind: Literal["seasonality", "effect", "outliers", "trend"]
    dimension: Dimension | None = None
    weights: list[float] | None = None
    table: str | None = None
    on: dict[str, str] | None = None
    field: str | None = None
    default: float | None = None
    rate: float | None = None
    mode: Literal["spike", "drop"] | None = None


class Tolerance(Spec, kw_only=True):
    mae: float | None = None
    mape: float | None = None  # percent


class CompositeEffectTarget(Spec, kw_only=True):
    table: str
    metric: str
    influences: list[Influence] = msgspec.field(default_factory=list)
    tolerance: Tolerance = msgspec.field(default_factory=Tolerance)


class Targets(Spec, kw_only=True):
    weekend_share: WeekendShareTarget | None = None
    mean_in_range: MeanInRangeTarget | None = None
    composite_effect: CompositeEffectTarget | None = None


class Timeframe(Spec, kw_only=True):
    start: str
    end: str
    freq: str | None = None


# ----------------------------------------------------------------------------------------- our extensions


class DefectSpec(Spec, kw_only=True):
    kind: str  # one of DEFECT_KINDS (checked on load)
    target: str  # "table.column" (or "table" for row-level kinds)
    rate: float
    params: dict[str, Any] = msgspec.field(default_factory=dict)
    __aliases__ = {"type": "kind", "column": "target", "share": "rate"}


class Parameter(Spec, kw_only=True):
    default: Any
    choices: list[Any] | None = None
    description: str = ""


class Patch(Spec, kw_only=True):
    """A scenario's change: deep-merge ``merge`` into a node (or one of its columns) and/or add modifiers."""

    table: str
    column: str | None = None
    merge: dict[str, Any] = msgspec.field(default_factory=dict)
    add_modifiers: list[Modifier] = msgspec.field(default_factory=list)


class ExpectSpec(Spec, kw_only=True):
    """A claim about the generated data that datacruncher verifies (kinds documented in docs/dsl.md)."""

    kind: str
    id: str | None = None
    description: str = ""
    params: dict[str, Any] = msgspec.field(default_factory=dict)


class Scenario(Spec, kw_only=True):
    description: str = ""
    set: dict[str, Any] = msgspec.field(default_factory=dict)
    patches: list[Patch] = msgspec.field(default_factory=list)
    expect: list[ExpectSpec] = msgspec.field(default_factory=list)


class Schema(Spec, kw_only=True):
    version: str
    metadata: dict[str, Any]
    timeframe: Timeframe
    nodes: list[Node]
    constraints: Constraints = msgspec.field(default_factory=Constraints)
    targets: Targets | None = None
    dag: list[list[str]] | None = None
    defects: list[DefectSpec] = msgspec.field(default_factory=list)
    parameters: dict[str, Parameter] = msgspec.field(default_factory=dict)
    scenarios: dict[str, Scenario] = msgspec.field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.metadata.get("name", "dataset"))

    def node(self, node_id: str) -> Node | None:
        """The table ``node_id``, or ``None``."""
        return next((n for n in self.nodes if n.id == node_id), None)

    def table(self, node_id: str) -> Node:
        """The table ``node_id`` of a loaded schema, where the rules guarantee it exists (``KeyError`` if not)."""
        found = self.node(node_id)
        if found is None:
            raise KeyError(f"no table {node_id!r} in the schema")
        return found
