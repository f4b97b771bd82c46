"""The DSL v1 schema as msgspec Structs, and its reader/writer.

A schema is read in three steps (``dsl.context``, ``dsl.decode``, ``dsl.rules``): parameters and the selected scenario
are resolved on the raw document; a walk over the document normalizes every alias to its canonical name and
collects *every* structural problem with its JSON path and a "did you mean"; then cross-reference rules (tables,
columns, cycles, weights…) run on the typed schema. Only a schema with no problem is returned.

>>> schema = loads_schema(b'''{"version": "1.0", "metadata": {"name": "demo"},
...   "timeframe": {"start": "2024-01-01", "end": "2024-12-31"}, "constraints": {},
...   "nodes": [{"id": "user", "kind": "entity", "rows": 10, "pk": "user_id", "columns": [
...     {"name": "user_id", "type": "int", "generator": {"sequence": {}}},
...     {"name": "age", "type": "int", "generator": {"distribution": {"type": "normal",
...        "params": {"mu": 35, "sigma": 9}}}}]}]}''')
>>> schema.nodes[0].columns[1].generator.distribution.params
NormalParams(comment=None, mean=35.0, std=9.0)
"""

from __future__ import annotations

from typing import Any

import msgspec

from .. import files
from ..errors import Problem
from .base import (
    DEFECT_KINDS,
    FAKER_METHODS,
    SCHEMA_VERSION,
    ColumnType,
    Dimension,
    NodeKind,
    Spec,
    TimeUnit,
)
from .context import merge_patch, resolve_context
from .decode import decode_schema
from .generators import (
    GENERATOR_KINDS,
    AddArgs,
    AddModifier,
    ChoiceGen,
    ClampArgs,
    ClampModifier,
    CurveParams,
    DatetimeSeriesGen,
    DiffusionCurveGen,
    Distribution,
    EffectArgs,
    EffectMap,
    EffectModifier,
    EffectWindow,
    EnumListGen,
    ExponentialDist,
    ExponentialParams,
    ExpressionGen,
    FakerGen,
    Generator,
    JitterArgs,
    JitterModifier,
    LognormalDist,
    LognormalParams,
    LookupGen,
    MapValuesArgs,
    MapValuesModifier,
    Modifier,
    MultiplyArgs,
    MultiplyModifier,
    NormalDist,
    NormalParams,
    OutliersArgs,
    OutliersModifier,
    Pattern,
    PoissonDist,
    PoissonParams,
    SeasonalityArgs,
    SeasonalityModifier,
    SequenceGen,
    TimeJitterArgs,
    TimeJitterModifier,
    TrendArgs,
    TrendModifier,
    UniformDist,
    UniformParams,
    Window,
)
from .interpret import (
    clamped_poisson_mean,
    clipped_normal_mean,
    clipped_poisson_affine_mean,
    column_window,
    dependencies,
    fanout_mean,
    infer_segment_column,
    kind_weights,
    parse_timestamp,
    parse_weights_kind,
    segment_multipliers,
)
from .nodes import (
    CURRENCIES,
    CURRENCY_DECIMALS,
    MIXED_FANOUTS,
    MONEY_WORDS,
    NOT_MONEY_WORDS,
    AgeMultiplier,
    AttributionChain,
    ChurnMultiplier,
    Column,
    ColumnConstraints,
    CurveFn,
    Fanout,
    Node,
    SegmentBehavior,
    SegmentEffect,
    SegmentShare,
    Stage,
    StageConfig,
    State,
    StateTransitionModel,
    TransitionMultiplier,
    VintageBehavior,
    VintageVariation,
    money_decimals,
)
from .rules import RULES, check_schema
from .schema import (
    CompositeEffectTarget,
    Constraints,
    DefectSpec,
    EnumSpec,
    ExpectSpec,
    ForeignKeySpec,
    InequalitySpec,
    Influence,
    MeanInRangeTarget,
    Parameter,
    Patch,
    PatternSpec,
    RangeSpec,
    Scenario,
    Schema,
    Targets,
    Timeframe,
    Tolerance,
    WeekendShareTarget,
)

__all__ = [
    "CURRENCIES",
    "CURRENCY_DECIMALS",
    "DEFECT_KINDS",
    "FAKER_METHODS",
    "GENERATOR_KINDS",
    "MIXED_FANOUTS",
    "MONEY_WORDS",
    "NOT_MONEY_WORDS",
    "RULES",
    "SCHEMA_VERSION",
    "AddArgs",
    "AddModifier",
    "AgeMultiplier",
    "AttributionChain",
    "ChoiceGen",
    "ChurnMultiplier",
    "ClampArgs",
    "ClampModifier",
    "Column",
    "ColumnConstraints",
    "ColumnType",
    "CompositeEffectTarget",
    "Constraints",
    "CurveFn",
    "CurveParams",
    "DatetimeSeriesGen",
    "DefectSpec",
    "DiffusionCurveGen",
    "Dimension",
    "Distribution",
    "EffectArgs",
    "EffectMap",
    "EffectModifier",
    "EffectWindow",
    "EnumListGen",
    "EnumSpec",
    "ExpectSpec",
    "ExponentialDist",
    "ExponentialParams",
    "ExpressionGen",
    "FakerGen",
    "Fanout",
    "ForeignKeySpec",
    "Generator",
    "InequalitySpec",
    "Influence",
    "JitterArgs",
    "JitterModifier",
    "LognormalDist",
    "LognormalParams",
    "LookupGen",
    "MapValuesArgs",
    "MapValuesModifier",
    "MeanInRangeTarget",
    "Modifier",
    "MultiplyArgs",
    "MultiplyModifier",
    "Node",
    "NodeKind",
    "NormalDist",
    "NormalParams",
    "OutliersArgs",
    "OutliersModifier",
    "Parameter",
    "Patch",
    "Pattern",
    "PatternSpec",
    "PoissonDist",
    "PoissonParams",
    "RangeSpec",
    "Scenario",
    "Schema",
    "SeasonalityArgs",
    "SeasonalityModifier",
    "SegmentBehavior",
    "SegmentEffect",
    "SegmentShare",
    "SequenceGen",
    "Spec",
    "Stage",
    "StageConfig",
    "State",
    "StateTransitionModel",
    "Targets",
    "TimeJitterArgs",
    "TimeJitterModifier",
    "TimeUnit",
    "Timeframe",
    "Tolerance",
    "TransitionMultiplier",
    "TrendArgs",
    "TrendModifier",
    "UniformDist",
    "UniformParams",
    "VintageBehavior",
    "VintageVariation",
    "WeekendShareTarget",
    "Window",
    "check_schema",
    "clamped_poisson_mean",
    "clipped_normal_mean",
    "clipped_poisson_affine_mean",
    "column_window",
    "dependencies",
    "dump_schema",
    "dumps_schema",
    "fanout_mean",
    "infer_segment_column",
    "kind_weights",
    "lint_schema",
    "load_schema",
    "loads_schema",
    "merge_patch",
    "money_decimals",
    "parse_timestamp",
    "parse_weights_kind",
    "resolve_context",
    "segment_multipliers",
]


def loads_schema(
    data: bytes | str,
    *,
    source: str = "schema",
    scenario: str | None = None,
    overrides: dict[str, Any] | None = None,
) -> Schema:
    """Parse a DSL schema from JSON (or YAML) text; raise :class:`SchemaError` listing every problem."""
    return decode_schema(data, source=source, scenario=scenario, overrides=overrides)


def load_schema(path: Any, *, scenario: str | None = None, overrides: dict[str, Any] | None = None) -> Schema:
    """Read a DSL schema file (``.json``, or ``.yaml``/``.yml``)."""
    return loads_schema(files.read_bytes(path, "schema"), source=str(path), scenario=scenario, overrides=overrides)


def lint_schema(schema: Schema) -> list[Problem]:
    """Warnings about a loaded schema: things that are legal but probably not what the author meant."""
    return [p for p in check_schema(schema) if p.severity == "warning"]


def dumps_schema(schema: Schema) -> bytes:
    """Canonical JSON: aliases resolved, defaults omitted, stable key order. ``loads(dumps(s)) == s``."""
    return msgspec.json.format(msgspec.json.encode(schema), indent=2) + b"\n"


def dump_schema(schema: Schema, path: Any) -> None:
    """Write ``schema`` as canonical JSON, atomically."""
    files.write_atomic(path, dumps_schema(schema))
