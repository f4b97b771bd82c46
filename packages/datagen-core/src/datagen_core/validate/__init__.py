"""Confirm that a generated dataset holds every declared constraint: ``validate(schema, data_dir)``.

Each check is a plain function ``(ValidationContext) -> iterable of Check``, one module per concern
(``structural``, ``values``, ``temporal``, ``behavioural``, ``realism``); ``CHECKS`` lists the built-ins in
order and callers may pass their own tuple. Every check reports a status (pass / fail / error / skipped /
warn — a behavioural target the schema itself cannot reach, while the data follows the declaration), the
measured value and the failing-row count. Data access (``reading``) is through polars lazy scans of the
parquet files, so memory stays bounded by the widest aggregation, not by the dataset. The quality score
(``report``) is documented in ``docs/validate.md``.

>>> [rule.__name__ for rule in CHECKS][:3]
['check_tables_present', 'check_row_counts', 'check_types']
>>> sorted({rule.category for rule in CHECKS})
['behavioural', 'realism', 'structural', 'temporal', 'value']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from datagen_contracts import dsl

from ..errors import DatasetReadError
from .behavioural import check_targets
from .reading import TableData, ValidationContext, collect
from .realism import CONSTANT_CHANCE, check_not_constant
from .report import CATEGORY_WEIGHTS, CategoryScore, Check, ValidationReport, score_checks
from .seasonality import declared_weights, hour_jitter_kernel, implied_weekend_share
from .structural import (
    EXPECTED_ARROW,
    STRING_ARROW,
    check_foreign_keys,
    check_keys,
    check_nullability,
    check_row_counts,
    check_tables_present,
    check_types,
)
from .temporal import check_after_parent, check_sequences, check_touchpoints, count_before_parent
from .values import (
    check_enums,
    check_inequalities,
    check_lengths,
    check_patterns,
    check_ranges,
    check_time_bounds,
)

Rule = Callable[[ValidationContext], Iterable[Check]]

#: the built-in checks, in the order they run and are reported
CHECKS: tuple[Rule, ...] = (
    check_tables_present, check_row_counts, check_types, check_keys, check_foreign_keys, check_nullability,
    check_ranges, check_inequalities, check_patterns, check_lengths, check_enums, check_time_bounds, check_after_parent,
    check_touchpoints, check_sequences, check_targets, check_not_constant,
)

__all__ = [
    "CATEGORY_WEIGHTS", "CHECKS", "CONSTANT_CHANCE", "EXPECTED_ARROW", "STRING_ARROW", "CategoryScore", "Check",
    "Rule", "TableData", "ValidationContext", "ValidationReport", "check_after_parent", "check_enums",
    "check_foreign_keys", "check_inequalities", "check_keys", "check_lengths", "check_not_constant", "check_nullability",
    "check_patterns", "check_ranges", "check_row_counts", "check_sequences", "check_tables_present",
    "check_targets", "check_time_bounds", "check_touchpoints", "check_types", "collect", "count_before_parent",
    "declared_weights", "hour_jitter_kernel", "implied_weekend_share", "score_checks", "validate",
]


def validate(
    schema: dsl.Schema,
    data_dir: str | Path,
    *,
    schema_path: str = "",
    checks: tuple[Rule, ...] = CHECKS,
) -> ValidationReport:
    """Run every check of ``checks`` over the dataset in ``data_dir`` and score the result.

    A check that raises is reported as an ``error`` in its function's ``category`` (``structural`` for a
    function without one). Raises :class:`DatasetReadError` when the directory is missing or a parquet file
    is damaged.
    """
    from datagen_contracts.errors import ContractError
    from datagen_contracts.metadata import FILENAME, load_metadata

    root = Path(data_dir)
    if not root.is_dir():
        raise DatasetReadError(f"data directory not found: {root}")
    metadata = None
    if (root / FILENAME).is_file():
        try:
            metadata = load_metadata(root)
        except ContractError as exc:
            raise DatasetReadError(f"cannot read {root / FILENAME}: {exc}") from None
    ctx = ValidationContext(schema, root, metadata)
    results: list[Check] = []
    for rule in checks:
        try:
            results.extend(rule(ctx))
        except Exception as exc:  # one broken check is reported as an error, never as a pass
            name = rule.__name__.removeprefix("check_")
            results.append(Check(id=f"{name}:*", category=getattr(rule, "category", "structural"), check=name,
                                 target="*", status="error", message=f"{type(exc).__name__}: {exc}"))
    categories, score = score_checks(results)
    return ValidationReport(schema=schema_path, data_dir=str(root), checks=results, categories=categories,
                            score=score)
