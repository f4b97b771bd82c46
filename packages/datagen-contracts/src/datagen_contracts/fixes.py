"""Fix hints: what would fix an issue of a crunch report — a closed set of actions, one struct each.

An issue's ``fix`` is one of :data:`FIX_TYPES`, told apart by its ``action`` tag; every action says on which
``path`` it applies (``schema``: edit the DSL; ``postprocess``: transform the data; ``none``: a human decides),
the ``table`` and ``column`` it is about, and its own typed parameters. datapolisher dispatches on the type,
never on text. Persona files name an action and its parameters; :func:`make_fix` turns them into the struct
(numbers given as text are converted) and lists every problem with a "did you mean".

>>> fix = make_fix("dedupe_on_key", "postprocess", {"table": "orders", "key": "order_id"})
>>> fix, fix.action
(DedupeOnKey(path='postprocess', table='orders', column=None, key='order_id'), 'dedupe_on_key')
>>> make_fix("clamp_outliers", "postprocess", {"table": "t", "column": "x", "z": "3.5"}).z
3.5
>>> make_fix("dedup_on_key", "postprocess", {})
Traceback (most recent call last):
  ...
ValueError: unknown fix action 'dedup_on_key' (did you mean 'dedupe_on_key'?)
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from .paths import did_you_mean

FixPath = Literal["schema", "postprocess", "none"]


class FixHint(msgspec.Struct, kw_only=True, omit_defaults=True, tag_field="action"):
    """Base of every fix action: where it applies and what it is about."""

    path: FixPath
    table: str | None = None
    column: str | None = None

    @property
    def action(self) -> str:
        """The action's name (the ``action`` tag in the file)."""
        return str(self.__struct_config__.tag)


# ----------------------------------------------------------------------------------- keys and references


class DropOrphans(FixHint, kw_only=True, tag="drop_orphans"):
    """Rows whose composite foreign key has no parent row: dropped (``columns`` → ``parent.parent_columns``)."""

    parent: str | None = None
    columns: str | None = None  # comma-separated
    parent_columns: str | None = None  # comma-separated


class NullOrphans(FixHint, kw_only=True, tag="null_orphans"):
    """Foreign keys with no parent row: set to null where the column may be null (dropped otherwise)."""


class FkLookup(FixHint, kw_only=True, tag="fk_lookup"):
    """A foreign key whose values must come from its parent's key: generate it as a lookup of ``references``."""

    references: str | None = None  # "parent.column"


class DedupeOnKey(FixHint, kw_only=True, tag="dedupe_on_key"):
    """Rows that repeat a key: keep one per ``key``."""

    key: str | None = None


class DedupeRows(FixHint, kw_only=True, tag="dedupe_rows"):
    """Rows written twice: keep one."""


# ------------------------------------------------------------------------------------------------ time


class ParentTimeOrder(FixHint, kw_only=True, tag="parent_time_order"):
    """A child's time on the wrong side of its parent's (``parent.parent_column``): ``before`` or ``after``."""

    parent: str | None = None
    parent_column: str | None = None
    time_order: str | None = None


class Inequality(FixHint, kw_only=True, tag="inequality"):
    """Two columns of a row out of order (an interval's end before its start): ``left op right``."""

    left: str | None = None
    op: str | None = None
    right: str | None = None


class WithinTimeframe(FixHint, kw_only=True, tag="within_timeframe"):
    """Times outside the schema's timeframe."""


class AttributionChain(FixHint, kw_only=True, tag="attribution_chain"):
    """Touchpoints out of order with their ``conversion``."""

    conversion: str | None = None


class TouchBeforeConversion(FixHint, kw_only=True, tag="touch_before_conversion"):
    """Touches that should come before the conversion in ``parent``."""

    parent: str | None = None


# ----------------------------------------------------------------------------------------------- values


class FillNulls(FixHint, kw_only=True, tag="fill_nulls"):
    """Nulls where a column should have values: filled with ``default`` when given."""

    default: Any = None


class NullNonFinite(FixHint, kw_only=True, tag="null_non_finite"):
    """NaN or ±infinity among a column's numbers (a missing value written as NaN, a division by zero): made null."""


class SetNullRate(FixHint, kw_only=True, tag="set_null_rate"):
    """A column's share of nulls is not what it should be (``null_rate`` when known)."""

    null_rate: float | None = None


class TrimWhitespace(FixHint, kw_only=True, tag="trim_whitespace"):
    """Text with leading or trailing spaces."""


class Round(FixHint, kw_only=True, tag="round"):
    """Amounts with more decimals than their currency has."""

    decimals: int = 2


class Cast(FixHint, kw_only=True, tag="cast"):
    """Values stored as the wrong type (numbers as text, ids as floats): cast to ``type`` (a DuckDB type).
    ``parse: formatted``: numbers written for people (``$1,234.56``, ``1.234,56 €``, ``57%``) lose their currency
    symbol, thousands separators and percent sign first."""

    type: str | None = None
    parse: str | None = None


class NormalizeCategories(FixHint, kw_only=True, tag="normalize_categories"):
    """One value written several ways (case, spacing, codes); ``mapping`` spells out variant → value if known."""

    mapping: dict[str, str] | None = None


class NormalizeToEnum(FixHint, kw_only=True, tag="normalize_to_enum"):
    """Values outside the declared ``values``."""

    values: list[Any] = msgspec.field(default_factory=list)


class NormalizeFormat(FixHint, kw_only=True, tag="normalize_format"):
    """Values that do not match the declared ``regex``."""

    regex: str | None = None


class ClampOutliers(FixHint, kw_only=True, tag="clamp_outliers"):
    """Values more than ``z`` robust deviations from the median."""

    z: float | None = None


class Clamp(FixHint, kw_only=True, tag="clamp"):
    """Values beyond a bound (negative amounts): clamped to ``min``/``max``."""

    min: float | None = None
    max: float | None = None


class ClampToRange(FixHint, kw_only=True, tag="clamp_to_range"):
    """Values outside the schema's declared range ``[min, max]``."""

    min: float | None = None
    max: float | None = None


class RecomputeTotal(FixHint, kw_only=True, tag="recompute_total"):
    """A header's total that is not the sum of its ``lines``."""

    lines: str | None = None


class PriceLookup(FixHint, kw_only=True, tag="price_lookup"):
    """A line's price that should be its product's price (``references``)."""

    references: str | None = None


class VaryColumn(FixHint, kw_only=True, tag="vary_column"):
    """A column with one value."""


# ------------------------------------------------------------------------------------------ distributions


class ChoiceWeights(FixHint, kw_only=True, tag="choice_weights"):
    """A categorical column's shares are not what they should be."""


class Seasonality(FixHint, kw_only=True, tag="seasonality"):
    """Times without the expected pattern over ``dimension`` (hour, dow, month), or a share outside [min, max]."""

    dimension: str | None = None
    min: float | None = None
    max: float | None = None


class ShiftMean(FixHint, kw_only=True, tag="shift_mean"):
    """A column's mean outside the schema's target ``[min, max]``."""

    min: float | None = None
    max: float | None = None


class HeavyTailedFanout(FixHint, kw_only=True, tag="heavy_tailed_fanout"):
    """Children per ``parent`` without the heavy tail real engagement has."""

    parent: str | None = None


class SegmentBehavior(FixHint, kw_only=True, tag="segment_behavior"):
    """Segments of ``parent`` (by its ``segment`` column) that do not behave as declared."""

    parent: str | None = None
    segment: str | None = None


class FunnelStages(FixHint, kw_only=True, tag="funnel_stages"):
    """A funnel of events per ``parent`` whose stages do not narrow."""

    parent: str | None = None


class RetentionCurve(FixHint, kw_only=True, tag="retention_curve"):
    """The share of ``parent`` entities still active on ``day``."""

    parent: str | None = None
    day: int | None = None


class ChurnCurve(FixHint, kw_only=True, tag="churn_curve"):
    """The share of ``parent`` entities gone after ``days``."""

    parent: str | None = None
    days: int | None = None


class RaiseEarlyActivity(FixHint, kw_only=True, tag="raise_early_activity"):
    """Too few ``parent`` entities active within their first ``days``."""

    parent: str | None = None
    days: int | None = None


class AdoptionCurve(FixHint, kw_only=True, tag="adoption_curve"):
    """A feature's adoption over time without its S-curve."""


class CreationTrend(FixHint, kw_only=True, tag="creation_trend"):
    """New rows per period without a trend."""


class RevenueTrend(FixHint, kw_only=True, tag="revenue_trend"):
    """Revenue per period without a trend."""


# ------------------------------------------------------------------------------------ drift and review


class PatchScenario(FixHint, kw_only=True, tag="patch_scenario"):
    """A scenario's ``expectation`` not met: patch the ``scenario`` as ``suggestion`` says."""

    scenario: str | None = None
    expectation: str | None = None
    kind: str | None = None
    expected: Any = None
    observed: Any = None
    suggestion: str | None = None


class ReviewDrift(FixHint, kw_only=True, tag="review_drift"):
    """The data drifted from the schema or a baseline on ``metric`` (``expected`` is what was declared)."""

    metric: str | None = None
    expected: Any = None


class Review(FixHint, kw_only=True, tag="review"):
    """A human decides (a model's finding, or anything no action describes)."""


#: every fix action: the type of ``Issue.fix``
FIX_TYPES: tuple[type[FixHint], ...] = (
    DropOrphans, NullOrphans, FkLookup, DedupeOnKey, DedupeRows, ParentTimeOrder, Inequality, WithinTimeframe, AttributionChain,
    TouchBeforeConversion, FillNulls, NullNonFinite, SetNullRate, TrimWhitespace, Round, Cast, NormalizeCategories, NormalizeToEnum, NormalizeFormat,
    ClampOutliers, Clamp, ClampToRange, RecomputeTotal, PriceLookup, VaryColumn, ChoiceWeights, Seasonality,
    ShiftMean, HeavyTailedFanout, SegmentBehavior, FunnelStages, RetentionCurve, ChurnCurve, RaiseEarlyActivity, AdoptionCurve,
    CreationTrend, RevenueTrend, PatchScenario, ReviewDrift, Review,
)
AnyFix = (DropOrphans | NullOrphans | FkLookup | DedupeOnKey | DedupeRows | ParentTimeOrder | Inequality | WithinTimeframe
          | AttributionChain | TouchBeforeConversion | FillNulls | NullNonFinite | SetNullRate | TrimWhitespace | Round | Cast | NormalizeCategories
          | NormalizeToEnum | NormalizeFormat | ClampOutliers | Clamp | ClampToRange | RecomputeTotal | PriceLookup
          | VaryColumn | ChoiceWeights | Seasonality | ShiftMean | HeavyTailedFanout | SegmentBehavior | FunnelStages | RetentionCurve
          | ChurnCurve | RaiseEarlyActivity | AdoptionCurve | CreationTrend | RevenueTrend | PatchScenario
          | ReviewDrift | Review)
#: action name -> its struct
ACTIONS: dict[str, type[FixHint]] = {str(t.__struct_config__.tag): t for t in FIX_TYPES}


def fields_of(action: str) -> tuple[str, ...]:
    """The parameter names an action takes (``table`` and ``column`` included, ``path`` not)."""
    return tuple(f for f in ACTIONS[action].__struct_fields__ if f != "path")


def fix_problems(action: str, params: dict[str, Any]) -> list[str]:
    """What is wrong with an action name and its parameter names (empty when they make a fix)."""
    if action not in ACTIONS:
        return [f"unknown fix action {action!r}{did_you_mean(action, list(ACTIONS))}"]
    known = fields_of(action)
    return [f"{action!r} has no parameter {name!r}{did_you_mean(name, list(known))}"
            for name in params if name not in known]


def make_fix(action: str, path: str, params: dict[str, Any]) -> AnyFix:
    """The fix struct for an action, its path and its parameters (text converted to numbers where typed)."""
    problems = fix_problems(action, params)
    if problems:
        raise ValueError("; ".join(problems))
    clean = {k: v for k, v in params.items() if v is not None and v != ""}
    try:
        return msgspec.convert({"action": action, "path": path, **clean}, AnyFix, strict=False)
    except msgspec.ValidationError as exc:
        raise ValueError(f"fix {action!r}: {exc}") from None
