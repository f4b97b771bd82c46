"""Check results, the validation report and the quality score (documented in ``docs/validate.md``).

Each category scores the share of its applicable checks that pass (an error counts as a failure); a category
with no applicable check is "n/a" and left out of the weighted mean, so a category can never be vacuously 100.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

#: category -> weight in the overall score
CATEGORY_WEIGHTS: dict[str, float] = {
    "structural": 0.35, "value": 0.25, "temporal": 0.15, "behavioural": 0.15, "realism": 0.10,
}
STATUSES = ("pass", "fail", "error", "warn", "skipped")


@dataclass
class Check:
    """One check's result."""

    id: str  # stable: "<check>:<target>"
    category: str
    check: str
    target: str
    status: str  # pass | fail | error | warn | skipped
    measured: Any = None
    expected: Any = None
    failing_rows: int | None = None
    rows: int | None = None
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("id", "category", "check", "target", "status", "measured",
                                               "expected", "failing_rows", "rows", "message")}


@dataclass
class CategoryScore:
    name: str
    weight: float
    applicable: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    warnings: int = 0

    @property
    def score(self) -> float | None:
        """100 × passed / applicable, ``None`` ("n/a") when nothing applied."""
        return None if self.applicable == 0 else 100.0 * self.passed / self.applicable

    def to_dict(self) -> dict[str, Any]:
        score = self.score
        return {"score": "n/a" if score is None else round(score, 2), "weight": self.weight,
                "applicable": self.applicable, "passed": self.passed, "failed": self.failed,
                "errors": self.errors, "warnings": self.warnings, "skipped": self.skipped}


@dataclass
class ValidationReport:
    schema: str
    data_dir: str
    checks: list[Check]
    categories: dict[str, CategoryScore]
    score: float | None

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.status in ("fail", "error")]

    @property
    def ok(self) -> bool:
        return not self.failed

    def counts(self) -> dict[str, int]:
        """Checks per status, every status listed (in ``STATUSES`` order)."""
        return {s: sum(1 for c in self.checks if c.status == s) for s in STATUSES}

    def to_dict(self) -> dict[str, Any]:
        return {
            "tool": "datagen validate",
            "schema": self.schema,
            "data_dir": self.data_dir,
            "ok": self.ok,
            "score": None if self.score is None else round(self.score, 2),
            "categories": {k: v.to_dict() for k, v in self.categories.items()},
            "summary": {"checks": len(self.checks), **self.counts()},
            "checks": [c.to_dict() for c in self.checks],
        }


def score_checks(checks: list[Check]) -> tuple[dict[str, CategoryScore], float | None]:
    """Category scores and the overall score: the weight-averaged category scores, n/a categories left out.

    >>> cats, total = score_checks([Check("a", "structural", "a", "t", "pass"),
    ...                             Check("b", "structural", "b", "t", "fail"),
    ...                             Check("c", "value", "c", "t", "pass"),
    ...                             Check("d", "value", "d", "t", "skipped")])
    >>> cats["structural"].score, cats["value"].score, cats["temporal"].score, round(total, 2)
    (50.0, 100.0, None, 70.83)
    """
    cats = {name: CategoryScore(name, w) for name, w in CATEGORY_WEIGHTS.items()}
    for c in checks:
        cat = cats.setdefault(c.category, CategoryScore(c.category, 0.0))
        if c.status == "skipped":
            cat.skipped += 1
            continue
        if c.status == "warn":  # not a failure of the data; left out of the score like a skipped check
            cat.warnings += 1
            continue
        cat.applicable += 1
        if c.status == "pass":
            cat.passed += 1
        elif c.status == "fail":
            cat.failed += 1
        else:
            cat.errors += 1
    scored = [(cat.weight, cat.score) for cat in cats.values() if cat.score is not None and cat.weight > 0]
    total_w = sum(w for w, _ in scored)
    overall = None if total_w == 0 else sum(w * s for w, s in scored) / total_w
    return cats, overall


# ------------------------------------------------------------------------------------ building results


def result(category: str, name: str, target: str, ok: bool, **kw: Any) -> Check:
    """A pass/fail check with the stable id ``<name>:<target>``.

    >>> result("value", "range", "t.c", False, measured=3).to_dict()["status"]
    'fail'
    """
    return Check(id=f"{name}:{target}", category=category, check=name, target=target,
                 status="pass" if ok else "fail", **kw)


def skipped(category: str, name: str, target: str, why: str) -> Check:
    return Check(id=f"{name}:{target}", category=category, check=name, target=target, status="skipped", message=why)


F = TypeVar("F", bound=Callable[..., Any])


def category(name: str) -> Callable[[F], F]:
    """Mark a check function with the category its errors are reported under (see ``validate``)."""

    def mark(fn: F) -> F:
        fn.category = name  # type: ignore[attr-defined]
        return fn

    return mark


def split_ref(ref: str) -> tuple[str, str]:
    """``"table.column"`` → ``("table", "column")``."""
    t, _, c = ref.partition(".")
    return t, c


def as_json_value(value: Any) -> Any:
    """A measured value as the report prints it: dates as ISO text, floats rounded to 6 places."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float):
        return rounded(value)
    return value


def rounded(value: float | None) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), 6)
