"""The semantic model of a dataset: tables, columns with roles, keys, foreign keys and time columns.

It is built by :mod:`datacruncher.model.discovery` (declared facts first, discovered ones for the rest) and converted
to the report contract's ``DataModel`` with :meth:`Model.to_contract`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, cast

from datagen_contracts.report import (
    DataModel,
    KeyEvidence,
    ModelColumn,
    ModelForeignKey,
    ModelTable,
    RoleEvidence,
    SamplingNote,
)
from datagen_contracts.text import quote_ident

_KINDS = (
    (re.compile(r"^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$"), "integer"),
    (re.compile(r"^(FLOAT|DOUBLE|REAL)$"), "float"),
    (re.compile(r"^DECIMAL"), "decimal"),
    (re.compile(r"^(VARCHAR|TEXT|STRING)"), "string"),
    (re.compile(r"^BOOLEAN$"), "bool"),
    (re.compile(r"^DATE$"), "date"),
    (re.compile(r"^TIMESTAMP"), "timestamp"),
    (re.compile(r"^UUID$"), "uuid"),
)


def type_kind(duck_type: str) -> str:
    """Coarse class of a DuckDB type.

    >>> type_kind("BIGINT"), type_kind("DECIMAL(12,2)"), type_kind("TIMESTAMP WITH TIME ZONE"), type_kind("INTEGER[]")
    ('integer', 'decimal', 'timestamp', 'other')
    >>> type_kind("VARCHAR[]"), type_kind("TIMESTAMP[3]"), type_kind("STRUCT(city VARCHAR)"), type_kind("VARCHAR")
    ('other', 'other', 'other', 'string')
    """
    if duck_type.rstrip().endswith("]"):  # a list or array of the type: no check on the type applies to it
        return "other"
    for pattern, kind in _KINDS:
        if pattern.match(duck_type.upper()):
            return kind
    return "other"


@dataclass
class Column:
    name: str
    type: str
    kind: str
    roles: list[str] = field(default_factory=list)
    nullable: bool | None = None  # declared nullability; None when nothing was declared
    non_null: int = 0
    distinct: int = 0  # approximate
    #: the generator's own declared window (schema ``within: {start, end}``), when it names one
    window: tuple[dt.datetime, dt.datetime] | None = None
    after_parent: bool | None = None  # schema ``after_parent`` (False: an attribute date, not an event)
    #: a time column's own robust end (99th percentile plus a margin), set when no time window is declared
    own_end: dt.datetime | None = None
    #: rows holding a placeholder time (9999-12-31, 1900-01-01) the table's view reads as NULL: not NULL in the file
    placeholders: int = 0
    #: numeric shape from the column's profile: 95% non-negative and right-skewed (Bowley or Kelly skewness > 0.2), so that
    #: outliers are judged on a log scale; None before profiling
    skewed: bool | None = None
    #: at most this many robust deviations between the median and the farthest value (profiles.robust_reach,
    #: exact quantiles only); None when unknown
    reach: float | None = None
    lo: Any = None  # smallest and largest value (key-like and numeric columns), from the profiling pass
    hi: Any = None
    negatives: int = 0  # numeric columns: values below zero (profiling pass)
    avg_length: float = 0.0  # text columns: mean length of the values (profiling pass)
    leading_zeros: int = 0  # text columns: values that are digits with a leading zero ("02134": a code)
    #: per role, how sure discovery is (high: declared; medium: name and values agree; low: the values argue
    #: against the name) and why; a low-confidence role never yields a critical or high finding
    role_evidence: dict[str, tuple[str, str]] = field(default_factory=dict)

    def confidence(self, role: str) -> str:
        return self.role_evidence.get(role, ("medium", ""))[0]

    @property
    def sql(self) -> str:
        return quote_ident(self.name)

    @property
    def finite_sql(self) -> str:
        """The column as values to compute with: a float's NaN and infinities read as NULL (a NaN makes every sum
        and mean NaN, sorts above every number and compares equal to a NaN sum; ``non_finite_numbers`` counts
        them)."""
        return f"(CASE WHEN isfinite({self.sql}) THEN {self.sql} END)" if self.kind == "float" else self.sql

    @property
    def numeric(self) -> bool:
        return self.kind in ("integer", "float", "decimal")

    @property
    def temporal(self) -> bool:
        return self.kind in ("date", "timestamp")


#: rows of the seeded reservoir sample (seed 42) discovery measures a large table on first
SAMPLE_ROWS = 50_000
#: what each discovery step measured on the sample (and what it then measured exactly)
SAMPLING = {
    "foreign_keys": "candidate foreign keys of this table were first measured on a seeded sample; the pairs "
                    "within 5 points of the containment rule were then measured over every row",
    "composite_key": "column pairs that repeat a value in a seeded sample were ruled out as its composite key; "
                     "the remaining pairs were counted over every row",
    "composite_foreign_keys": "candidate composite foreign keys were first measured on a seeded sample; the kept "
                              "ones were then measured over every row",
}


@dataclass
class Table:
    name: str
    rows: int
    columns: list[Column]
    kind: str = "unknown"  # entity | event | vocab | unknown
    primary_key: str | None = None
    composite_key: tuple[str, ...] = ()  # discovered when no single column is a key (lineitem, partsupp)
    created_at: str | None = None
    time_pairs: list[tuple[str, str]] = field(default_factory=list)  # (earlier, later) columns
    source: str = "discovered"
    touchpoint: bool = False  # declared a touchpoint table, or the child of a time_order "before" edge
    candidate_keys: list[str] = field(default_factory=list)  # complete columns unique by an exact count
    #: discovery steps that measured a seeded sample of this table first (see ``SAMPLING``)
    sampled: list[str] = field(default_factory=list)

    @property
    def sql(self) -> str:
        return quote_ident(self.name)

    def column(self, name: str | None) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    def with_role(self, role: str) -> list[Column]:
        return [c for c in self.columns if role in c.roles]

    @property
    def key_sql(self) -> str | None:
        """The key as one SQL expression: a quoted column, or a row ``("a", "b")`` for a composite key."""
        if self.primary_key:
            return quote_ident(self.primary_key)
        return "(" + ", ".join(quote_ident(c) for c in self.composite_key) + ")" if self.composite_key else None

    @property
    def key_label(self) -> str | None:
        return self.primary_key or (", ".join(self.composite_key) if self.composite_key else None)

    @property
    def time_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.temporal]


@dataclass
class ForeignKey:
    child: str
    child_column: str
    parent: str
    parent_column: str
    coverage: float = 1.0
    rows: int = 0  # non-null child values
    orphans: int = 0
    source: str = "discovered"
    #: how the child's time relates to the parent's creation: after (default) | before (touchpoints) | none
    time_order: str = "after"
    evidence: Any = None  # keys.Evidence for an FK found from values

    @property
    def label(self) -> str:
        return f"{self.child}.{self.child_column} -> {self.parent}.{self.parent_column}"


@dataclass
class CompositeForeignKey:
    """Several child columns referencing a composite key together (``store_returns(sr_item_sk, sr_ticket_number)
    → store_sales(ss_item_sk, ss_ticket_number)``)."""

    child: str
    child_columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]
    coverage: float = 1.0
    rows: int = 0
    orphans: int = 0
    evidence: Any = None


@dataclass
class Model:
    tables: dict[str, Table]
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    composite_foreign_keys: list[CompositeForeignKey] = field(default_factory=list)
    ref_start: dt.datetime | None = None  # declared timeframe start, when any
    ref_end: dt.datetime | None = None  # declared timeframe end, or the data's own robust end
    ref_declared: bool = False

    def table(self, name: str) -> Table | None:
        return self.tables.get(name)

    def referenced(self, table: str) -> bool:
        return any(fk.parent == table for fk in self.foreign_keys)

    def to_contract(self) -> DataModel:
        kinds = {"entity", "event", "vocab"}
        return DataModel(
            tables=[
                ModelTable(
                    name=t.name,
                    rows=t.rows,
                    kind=cast(Any, t.kind if t.kind in kinds else "unknown"),
                    primary_key=t.primary_key,
                    composite_key=list(t.composite_key),
                    candidate_keys=list(t.candidate_keys),
                    created_at_column=t.created_at,
                    time_columns=t.time_columns,
                    columns=[ModelColumn(name=c.name, type=c.type, roles=list(c.roles), role_evidence=[
                        RoleEvidence(role=r, confidence=cast(Any, c.confidence(r)), reason=c.role_evidence.get(r, ("", ""))[1]
                                     or "named so") for r in c.roles]) for c in t.columns],
                    source="declared" if t.source == "declared" else "discovered",
                )
                for t in self.tables.values()
            ],
            foreign_keys=[
                ModelForeignKey(
                    from_table=fk.child,
                    from_column=fk.child_column,
                    to_table=fk.parent,
                    to_column=fk.parent_column,
                    coverage=round(fk.coverage, 6),
                    source="declared" if fk.source == "declared" else "discovered",
                    time_order=cast(Any, fk.time_order if fk.time_order in ("before", "none") else "after"),
                    orphan_rows=fk.orphans, orphan_values=_ev(fk.evidence, "orphan_values"),
                    evidence=_evidence(fk.evidence),
                )
                for fk in self.foreign_keys
            ] + [
                ModelForeignKey(
                    from_table=fk.child, from_column=fk.child_columns[0], to_table=fk.parent,
                    to_column=fk.parent_columns[0], from_columns=list(fk.child_columns),
                    to_columns=list(fk.parent_columns), coverage=round(fk.coverage, 6), time_order="none",
                    orphan_rows=fk.orphans, orphan_values=_ev(fk.evidence, "orphan_values"),
                    evidence=_evidence(fk.evidence),
                )
                for fk in self.composite_foreign_keys
            ],
            sampling=[SamplingNote(table=t.name, step=step, rows=t.rows, sampled_rows=SAMPLE_ROWS, note=SAMPLING[step])
                      for t in self.tables.values() for step in dict.fromkeys(t.sampled)],
        )


def _ev(evidence: Any, name: str) -> Any:
    return getattr(evidence, name, None) if evidence is not None else None


def _evidence(evidence: Any) -> KeyEvidence | None:
    if evidence is None:
        return None
    return KeyEvidence(
        containment=None if evidence.containment is None else round(evidence.containment, 6),
        child_distinct=evidence.child_distinct, key_distinct=evidence.key_distinct,
        key_coverage=None if evidence.key_coverage is None else round(evidence.key_coverage, 6),
        name_score=evidence.name_score, reasons=list(evidence.reasons))
