"""Tables (``Node``): columns, money, fanout, segments, vintages, stages, state models, attribution."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from ..text import name_words
from .base import ColumnType, NodeKind, Spec, TimeUnit
from .generators import CurveParams, Generator, Modifier

# ---------------------------------------------------------------------------------------------------- nodes


class ColumnConstraints(Spec, kw_only=True):
    pattern: str | None = None
    enum: list[Any] | None = None
    enum_ref: str | None = None
    min: float | None = None
    max: float | None = None
    #: the most characters a text value holds (SQL ``VARCHAR(40)``, JSON Schema ``maxLength``): longer generated
    #: values are cut there, and validate and crunch --schema check it
    max_length: int | None = None


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
    words = set(name_words(col.name))
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
