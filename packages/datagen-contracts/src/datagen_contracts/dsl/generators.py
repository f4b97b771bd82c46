"""Column generators and modifiers: how one column's values are made, then shaped."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from .base import Dimension, Spec

# ---------------------------------------------------------------------------------------------- generators


class SequenceGen(Spec, kw_only=True):
    start: int = 1
    step: int = 1


class ChoiceGen(Spec, kw_only=True):
    choices: list[Any] | None = None
    choices_ref: str | None = None
    weights: list[float] | None = None
    weights_kind: str | None = None  # "uniform" | "zipf@<alpha>" | "head_tail@{<h>,<alpha>}"


class NormalParams(Spec, kw_only=True):
    mean: float
    std: float
    __aliases__ = {"mu": "mean", "sigma": "std", "sd": "std", "stddev": "std", "loc": "mean", "scale": "std"}


class LognormalParams(Spec, kw_only=True):
    mean: float  # of the underlying normal (log space)
    sigma: float
    __aliases__ = {"mu": "mean", "std": "sigma"}


class UniformParams(Spec, kw_only=True):
    low: float
    high: float
    __aliases__ = {"min": "low", "max": "high"}


class PoissonParams(Spec, kw_only=True):
    lam: float = msgspec.field(name="lambda")
    __aliases__ = {"lam": "lambda", "mean": "lambda", "mu": "lambda"}


class ExponentialParams(Spec, kw_only=True):
    scale: float  # mean of the distribution
    __aliases__ = {"mean": "scale", "beta": "scale"}


class _Dist(Spec, kw_only=True, tag_field="type"):
    clamp: list[float] | None = None


class NormalDist(_Dist, kw_only=True, tag="normal"):
    params: NormalParams


class LognormalDist(_Dist, kw_only=True, tag="lognormal"):
    params: LognormalParams


class UniformDist(_Dist, kw_only=True, tag="uniform"):
    params: UniformParams


class PoissonDist(_Dist, kw_only=True, tag="poisson"):
    params: PoissonParams


class ExponentialDist(_Dist, kw_only=True, tag="exponential"):
    params: ExponentialParams


Distribution = NormalDist | LognormalDist | UniformDist | PoissonDist | ExponentialDist


class Window(Spec, kw_only=True):
    start: str
    end: str


class Pattern(Spec, kw_only=True):
    dimension: Dimension
    weights: list[float]
    __aliases__ = {"dim": "dimension"}


class DatetimeSeriesGen(Spec, kw_only=True):
    within: Literal["timeframe"] | Window = "timeframe"
    freq: str | None = None
    pattern: Pattern | list[Pattern] | None = None

    def patterns(self) -> list[Pattern]:
        if self.pattern is None:
            return []
        return list(self.pattern) if isinstance(self.pattern, list) else [self.pattern]


class FakerGen(Spec, kw_only=True):
    method: str
    locale: str | None = None
    locale_from: str | None = None
    text: str | None = None  # the template of bothify / numerify
    #: the method's keyword arguments, as Faker takes them (``{"max_value": 9}`` for ``pyint``)
    args: dict[str, Any] | None = None
    __aliases__ = {"provider": "method", "pattern": "text", "kwargs": "args", "params": "args"}


class LookupGen(Spec, kw_only=True):
    from_: str = msgspec.field(name="from")
    on: dict[str, str] | None = None  # {this_table_column: other_table_column}
    __aliases__ = {"source": "from", "ref": "from"}


class ExpressionGen(Spec, kw_only=True):
    code: str
    __aliases__ = {"expr": "code", "formula": "code"}


class EnumListGen(Spec, kw_only=True):
    values: list[Any]


class DiffusionCurveGen(Spec, kw_only=True):
    within: Literal["timeframe"] | Window = "timeframe"
    curve_type: Literal["logistic", "exponential", "linear"] = "logistic"
    inflection_point: float = 0.5
    steepness: float = 10.0
    __aliases__ = {"type": "curve_type", "curve": "curve_type"}


class Generator(Spec, kw_only=True):
    """Exactly one of the fields is set (checked on load)."""

    sequence: SequenceGen | None = None
    choice: ChoiceGen | None = None
    distribution: Distribution | None = None
    datetime_series: DatetimeSeriesGen | None = None
    faker: FakerGen | None = None
    lookup: LookupGen | None = None
    expression: ExpressionGen | None = None
    enum_list: EnumListGen | None = None
    diffusion_curve: DiffusionCurveGen | None = None

    @property
    def kind(self) -> str:
        return next(name for name in GENERATOR_KINDS if getattr(self, name) is not None)

    @property
    def spec(self) -> Any:
        return getattr(self, self.kind)


GENERATOR_KINDS: tuple[str, ...] = (
    "sequence", "choice", "distribution", "datetime_series", "faker", "lookup", "expression", "enum_list",
    "diffusion_curve",
)

# ----------------------------------------------------------------------------------------------- modifiers


class MultiplyArgs(Spec, kw_only=True):
    factor: float
    __aliases__ = {"value": "factor", "by": "factor"}


class AddArgs(Spec, kw_only=True):
    value: float
    __aliases__ = {"amount": "value"}


class ClampArgs(Spec, kw_only=True):
    min: float | None = None
    max: float | None = None


class JitterArgs(Spec, kw_only=True):
    std: float
    mode: Literal["add", "mul"] = "add"
    __aliases__ = {"scale": "std", "sigma": "std"}


class TimeJitterArgs(Spec, kw_only=True):
    std_minutes: float | None = None
    std: float | None = None  # seconds
    __aliases__ = {"std_seconds": "std"}


class MapValuesArgs(Spec, kw_only=True):
    mapping: dict[str, Any]
    __aliases__ = {"map": "mapping", "values": "mapping"}


class SeasonalityArgs(Spec, kw_only=True):
    dimension: Dimension
    weights: list[float]
    __aliases__ = {"dim": "dimension"}


class CurveParams(Spec, kw_only=True):
    a: float = 1.0
    b: float = 0.0


class TrendArgs(Spec, kw_only=True):
    type: Literal["exponential", "linear", "logarithmic"] = "linear"
    growth_rate: float | None = None  # per year
    time_reference: str | None = None
    params: CurveParams | None = None
    __aliases__ = {"curve_type": "type", "rate": "growth_rate", "time_column": "time_reference"}


class EffectWindow(Spec, kw_only=True):
    start_col: str
    end_col: str
    __aliases__ = {"start": "start_col", "end": "end_col", "start_column": "start_col", "end_column": "end_col"}


class EffectMap(Spec, kw_only=True):
    field: str
    op: Literal["mul", "add"] = "mul"
    default: float = 1.0
    __aliases__ = {"column": "field"}


class EffectArgs(Spec, kw_only=True):
    effect_table: str
    on: dict[str, str] = msgspec.field(default_factory=dict)  # {local column: effect-table column}
    window: EffectWindow | None = None
    map: EffectMap
    __aliases__ = {"table": "effect_table"}


class OutliersArgs(Spec, kw_only=True):
    rate: float
    mode: Literal["spike", "drop"] = "spike"
    magnitude_dist: Distribution | None = None
    magnitude: float | None = None


class _Modifier(Spec, kw_only=True, tag_field="transform"):
    pass


class MultiplyModifier(_Modifier, kw_only=True, tag="multiply"):
    args: MultiplyArgs


class AddModifier(_Modifier, kw_only=True, tag="add"):
    args: AddArgs


class ClampModifier(_Modifier, kw_only=True, tag="clamp"):
    args: ClampArgs


class JitterModifier(_Modifier, kw_only=True, tag="jitter"):
    args: JitterArgs


class TimeJitterModifier(_Modifier, kw_only=True, tag="time_jitter"):
    args: TimeJitterArgs


class MapValuesModifier(_Modifier, kw_only=True, tag="map_values"):
    args: MapValuesArgs


class SeasonalityModifier(_Modifier, kw_only=True, tag="seasonality"):
    args: SeasonalityArgs


class TrendModifier(_Modifier, kw_only=True, tag="trend"):
    args: TrendArgs


class EffectModifier(_Modifier, kw_only=True, tag="effect"):
    args: EffectArgs


class OutliersModifier(_Modifier, kw_only=True, tag="outliers"):
    args: OutliersArgs


Modifier = (
    MultiplyModifier | AddModifier | ClampModifier | JitterModifier | TimeJitterModifier | MapValuesModifier
    | SeasonalityModifier | TrendModifier | EffectModifier | OutliersModifier
)
