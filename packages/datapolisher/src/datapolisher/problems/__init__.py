"""The problems datapolisher fixes: one module per problem, holding everything about it — the fix hints that
describe it (``FIXES``, and ``DRIFT_METRICS`` for ``review_drift``), the DSL defect kinds that inject it
(``DEFECTS``), the paths that can fix it (``PATHS``), its schema edit (``edit_schema``) and its post-processing
plan (``plan``, made of the operations in :mod:`datapolisher.postprocess.ops`).

:data:`PROBLEMS` lists them; a new fix is a module in ``data/`` (fixed in the values) or ``schema/`` (fixed in
how the data is generated), added here.

>>> from datagen_contracts.fixes import DedupeOnKey, ReviewDrift
>>> problem_of(DedupeOnKey(path="postprocess", table="orders", key="order_id"))
'duplicate_key'
>>> problem_of(ReviewDrift(path="schema", metric="fanout_mean")), problem_of(ReviewDrift(path="none", metric="psi"))
('fanout', None)
"""

from __future__ import annotations

from types import ModuleType

from datagen_contracts import fixes

from .data import (
    code_variants,
    duplicate_key,
    duplicate_rows,
    inverted_interval,
    money_precision,
    negative_amounts,
    non_finite,
    nullable,
    orphans,
    temporal_parent,
    type_drift,
    whitespace,
)
from .schema import fanout, future_dates, generator, outliers, retention, seasonality, segments, weights

#: every problem datapolisher knows
PROBLEMS: tuple[ModuleType, ...] = (
    orphans, temporal_parent, inverted_interval, duplicate_key, duplicate_rows, money_precision, whitespace,
    type_drift, code_variants, nullable, non_finite, negative_amounts,
    fanout, segments, retention, generator, future_dates, outliers, weights, seasonality,
)
BY_PROBLEM: dict[str, ModuleType] = {m.PROBLEM: m for m in PROBLEMS}
#: the problem each fix action describes (actions not listed are for a human: review, scenarios, trends)
BY_FIX: dict[type[fixes.FixHint], str] = {fix: m.PROBLEM for m in PROBLEMS for fix in m.FIXES}
#: drift of these metrics (``review_drift``) is a problem the schema path can correct
BY_DRIFT_METRIC: dict[str, str] = {metric: m.PROBLEM for m in PROBLEMS for metric in getattr(m, "DRIFT_METRICS", ())}
SCHEMA_PROBLEMS = frozenset(m.PROBLEM for m in PROBLEMS if "schema" in m.PATHS)
POSTPROCESS_PROBLEMS = frozenset(m.PROBLEM for m in PROBLEMS if "postprocess" in m.PATHS)


def problem_of(fix: fixes.FixHint) -> str | None:
    """The problem a fix hint describes, or ``None`` when it is for a human."""
    if isinstance(fix, fixes.ReviewDrift):
        return BY_DRIFT_METRIC.get(fix.metric or "")
    return BY_FIX.get(type(fix))
