"""The DSL v1 schema as msgspec Structs, and its reader/writer.

A schema is read in three steps (see ``_dsl_decode`` and ``_dsl_rules``): parameters and the selected scenario
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

import re
from typing import Any, ClassVar, Literal

import msgspec

from . import faker_vocabulary

SCHEMA_VERSION = "1.0"

ColumnType = Literal["int", "float", "string", "bool", "date", "datetime"]
NodeKind = Literal["entity", "fact", "vocab"]
Dimension = Literal["hour", "dow", "month"]
TimeUnit = Literal["day", "week", "month", "year"]

#: Faker-style method names the ``faker`` generator accepts (datagen-core maps each to a mimesis provider).
#: the faker methods: Faker's standard providers (``faker_vocabulary``, a generated snapshot) and our own names
FAKER_METHODS: tuple[str, ...] = tuple(sorted(set(faker_vocabulary.METHODS) | {
    "address", "bothify", "city", "color", "company", "company_suffix", "country", "country_code", "currency_code",
    "date_of_birth", "domain_name", "email", "first_name", "iban", "ipv4", "job", "language_code", "last_name",
    "latitude", "locale", "longitude", "name", "numerify", "paragraph", "phone_number", "postcode", "sentence",
    "slug", "state", "street_address", "text", "url", "user_agent", "user_name", "uuid4", "word", "zipcode",
}))

DEFECT_KINDS: tuple[str, ...] = (
    "orphan_fk", "temporal_violation", "duplicate_rows", "duplicate_pk", "nulls", "outliers", "format_variants",
    "negative_amounts", "future_dates", "inverted_interval", "float_ids", "whitespace", "case_variants",
)


class Spec(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """Base of every hand-written DSL object: unknown keys are errors; ``comment`` is allowed everywhere."""

    comment: str | None = None
    #: accepted spellings -> canonical field name (normalized on load)
    __aliases__: ClassVar[dict[str, str]] = {}


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

# ---------------------------------------------------------------------------------------------------- nodes


class ColumnConstraints(Spec, kw_only=True):
    pattern: str | None = None
    enum: list[Any] | None = None
    enum_ref: str | None = None
    min: float | None = None
    max: float | None = None


class Column(Spec, kw_only=True):
    name: str
    type: ColumnType
    nullable: bool = False
    null_rate: float | None = None
    after_parent: bool = True
    generator: Generator
    modifiers: list[Modifier] = msgspec.field(default_factory=list)
    constraints: ColumnConstraints | None = None
    #: what the numbers count: an ISO 4217 currency code (``USD``, ``JPY``, ``KWD``) rounds a float column to the
    #: currency's minor unit; any other unit (``kg``, ``ratio``, ``BTC``) is descriptive and turns off the money
    #: default
    unit: str | None = None
    #: round a float column to this many decimals (wins over ``unit`` and the money default)
    decimals: int | None = None
    #: the column holds a value only where other columns of its row hold one of the listed values, NULL elsewhere
    #: (``{"status": ["paid", "refunded"]}`` on ``paid_at``): fields that depend on a status agree with it
    present_if: dict[str, list[Any]] | None = None


#: the active ISO 4217 currency codes
CURRENCIES = frozenset(["AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG"])
#: ISO 4217 currencies whose minor unit is not two decimals (every other code has two)
CURRENCY_DECIMALS = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
                     "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    **dict.fromkeys(("CLF", "UYW"), 4),
}
#: name words of an amount of money: a float column named so is in cents unless its unit says otherwise
MONEY_WORDS = frozenset(("price", "amount", "fee", "fees", "cost", "costs", "total", "subtotal", "revenue", "spend",
                         "payment", "refund", "tax", "balance", "salary", "mrr", "arr", "gmv", "charge", "paid",
                         "usd", "eur", "gbp", "ltv"))
#: words that make such a name a ratio or a score, not an amount (``price_ratio``, ``fee_pct``, ``tax_rate``)
NOT_MONEY_WORDS = frozenset(("pct", "percent", "percentage", "ratio", "rate", "share", "score", "weight", "index",
                             "multiplier", "factor", "count", "qty", "quantity", "units", "days", "hours", "minutes"))


def money_decimals(col: Column) -> int | None:
    """The decimals a float column's values are rounded to, or None: ``decimals`` when given; else the minor unit
    of a currency ``unit``; else two for a column named like an amount (``unit_price``, ``fee``, ``total_amount``)
    without a unit of its own.

    >>> col = lambda name, **kw: Column(name=name, type="float", generator=Generator(faker="pyfloat"), **kw)
    >>> money_decimals(col("unit_price")), money_decimals(col("price", unit="JPY")), money_decimals(col("fee_pct"))
    (2, 0, None)
    >>> money_decimals(col("weight_kg")), money_decimals(col("total", unit="kg")), money_decimals(col("x", decimals=3))
    (None, None, 3)
    """
    if col.type != "float":
        return None
    if col.decimals is not None:
        return col.decimals
    if col.unit is not None:
        code = col.unit.strip().upper()
        return CURRENCY_DECIMALS.get(code, 2) if code in CURRENCIES else None
    words = {w.lower() for w in re.split(r"[^0-9A-Za-z]+|(?<=[a-z0-9])(?=[A-Z])", col.name) if w}
    return 2 if words & MONEY_WORDS and not words & NOT_MONEY_WORDS else None


#: fanouts whose per-parent rate is a mixture: Poisson(λ × g) with a random g of mean 1 (heavy tails)
MIXED_FANOUTS = ("negative_binomial", "lognormal", "zipf")


class Fanout(Spec, kw_only=True):
    """Children per parent: ``poisson`` (λ), ``uniform`` (min..max), or heavy-tailed with mean λ —
    ``negative_binomial`` (``dispersion`` k: variance λ + λ²/k), ``lognormal`` (``sigma`` of the rate in log space),
    ``zipf`` (``exponent`` a > 2: a power-law tail, smaller is heavier). ``dormant``: the share of parents with no
    children at all (the others carry the mean)."""

    distribution: Literal["poisson", "uniform", "negative_binomial", "lognormal", "zipf"] = "poisson"
    lam: float | None = msgspec.field(default=None, name="lambda")
    min: int | None = None
    max: int | None = None
    dispersion: float | None = None
    sigma: float | None = None
    exponent: float | None = None
    dormant: float | None = None
    __aliases__ = {"lam": "lambda", "mean": "lambda", "type": "distribution", "dist": "distribution",
                   "k": "dispersion", "shape": "dispersion", "a": "exponent", "alpha": "exponent",
                   "dormant_share": "dormant"}


class SegmentEffect(Spec, kw_only=True):
    fanout_multiplier: float = 1.0
    value_multiplier: float = 1.0
    decay_rate: float | None = None


class SegmentShare(Spec, kw_only=True):
    base_probability: float
    __aliases__ = {"probability": "base_probability", "share": "base_probability", "weight": "base_probability"}


class SegmentBehavior(Spec, kw_only=True):
    segment_column: str | None = None
    behaviors: dict[str, SegmentEffect] | None = None
    segments: dict[str, SegmentShare] | None = None
    applies_to_columns: list[str] | None = None


class CurveFn(Spec, kw_only=True):
    curve_type: Literal["exponential", "linear", "logarithmic"]
    params: CurveParams = msgspec.field(default_factory=CurveParams)
    __aliases__ = {"type": "curve_type"}


class AgeMultiplier(Spec, kw_only=True):
    curve: list[float] | CurveFn
    time_unit: TimeUnit = "month"
    applies_to: str | list[str] = "fanout"


class VintageBehavior(Spec, kw_only=True):
    created_at_column: str
    age_based_multipliers: dict[str, AgeMultiplier] = msgspec.field(default_factory=dict)
    churn_multiplier_curve: list[float] | CurveFn | None = None


class Stage(Spec, kw_only=True):
    stage_name: str
    transition_rate: float
    __aliases__ = {"name": "stage_name", "rate": "transition_rate"}


class TransitionMultiplier(Spec, kw_only=True):
    transition_multiplier: float = 1.0


class StageConfig(Spec, kw_only=True):
    stages: list[Stage]
    time_between_stages_hours: float | list[float] | None = None
    segment_variation: dict[str, TransitionMultiplier] | None = None


class State(Spec, kw_only=True):
    transition_prob_per_period: float = 0.0
    next_states: dict[str, float] = msgspec.field(default_factory=dict)
    terminal: bool = False


class ChurnMultiplier(Spec, kw_only=True):
    churn_multiplier: float = 1.0


class VintageVariation(Spec, kw_only=True):
    churn_multiplier_curve: list[float] | CurveFn


class StateTransitionModel(Spec, kw_only=True):
    initial_state: str
    states: dict[str, State]
    period_unit: TimeUnit = "month"
    max_transitions: int = 12
    segment_variation: dict[str, ChurnMultiplier] | None = None
    vintage_variation: VintageVariation | None = None


class AttributionChain(Spec, kw_only=True):
    channels: list[str]
    min_touches: int = 1
    max_touches: int = 5
    time_window_days: float = 30.0
    attribution_model: Literal["linear", "first_touch", "last_touch", "time_decay"] = "linear"
    time_decay_halflife_days: float = 7.0
    touchpoint_table_name: str | None = None


class Node(Spec, kw_only=True):
    id: str
    kind: NodeKind = "entity"
    pk: str | None = None
    rows: int | None = None
    parents: list[str] = msgspec.field(default_factory=list)
    fanout: Fanout | None = None
    columns: list[Column] = msgspec.field(default_factory=list)
    modifiers: list[Modifier] = msgspec.field(default_factory=list)
    segment_behavior: SegmentBehavior | None = None
    vintage_behavior: VintageBehavior | None = None
    stage_config: StageConfig | None = None
    state_transition_model: StateTransitionModel | None = None
    attribution_chain: AttributionChain | None = None
    __aliases__ = {"name": "id", "table": "id", "primary_key": "pk", "row_count": "rows", "count": "rows"}

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def touchpoint_table(self) -> str | None:
        if self.attribution_chain is None:
            return None
        return self.attribution_chain.touchpoint_table_name or f"{self.id}_touchpoint"


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
        return next((n for n in self.nodes if n.id == node_id), None)


# -------------------------------------------------------------------------------------------- read / write


def loads_schema(
    data: bytes | str,
    *,
    source: str = "schema",
    scenario: str | None = None,
    overrides: dict[str, Any] | None = None,
) -> Schema:
    """Parse a DSL schema from JSON (or YAML) text; raise :class:`SchemaError` listing every problem."""
    from ._dsl_decode import decode_schema

    return decode_schema(data, source=source, scenario=scenario, overrides=overrides)


def load_schema(path: Any, *, scenario: str | None = None, overrides: dict[str, Any] | None = None) -> Schema:
    """Read a DSL schema file (``.json``, or ``.yaml``/``.yml``)."""
    from . import _io

    return loads_schema(_io.read_bytes(path, "schema"), source=str(path), scenario=scenario, overrides=overrides)


def lint_schema(schema: Schema) -> list[Any]:
    """Warnings about a loaded schema: things that are legal but probably not what the author meant."""
    from ._dsl_rules import check_schema

    return [p for p in check_schema(schema) if p.severity == "warning"]


def dumps_schema(schema: Schema) -> bytes:
    """Canonical JSON: aliases resolved, defaults omitted, stable key order. ``loads(dumps(s)) == s``."""

    return msgspec.json.format(msgspec.json.encode(schema), indent=2) + b"\n"


def dump_schema(schema: Schema, path: Any) -> None:
    from . import _io

    _io.write_atomic(path, dumps_schema(schema))
