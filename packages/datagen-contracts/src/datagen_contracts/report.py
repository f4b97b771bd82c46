"""``crunch_report.json`` — datacruncher's findings, read by datapolisher, CI and humans.

Machine-written, so unknown fields are tolerated (forward compatible within a major version).
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from . import files
from .fixes import AnyFix

CONTRACT = "datagen.crunch_report/2"  # /2: ``fix`` is a typed action (datagen_contracts.fixes)
FILENAME = "crunch_report.json"

Severity = Literal["critical", "high", "medium", "low"]
SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low")
CheckStatus = Literal["passed", "failed", "error", "skipped"]


class _Machine(msgspec.Struct, kw_only=True, omit_defaults=True):
    pass


class ToolInfo(_Machine, kw_only=True):
    name: str
    version: str


class DatasetRef(_Machine, kw_only=True):
    path: str
    fingerprint: str  # sha256 over the files' names, sizes and checksums
    metadata_found: bool = False
    files: int = 0


class Measure(_Machine, kw_only=True):
    metric: str
    value: float | None = None
    threshold: float | None = None
    row_count: int | None = None
    failed_row_count: int | None = None
    unit: str | None = None


class LlmProvenance(_Machine, kw_only=True):
    """Where a finding proposed by a model came from; its SQL (``Issue.sql``) was re-run to confirm it."""

    model: str  # the model id as given (a litellm model string or an endpoint URL)
    prompt_sha256: str  # sha256 of the request whose reply proposed the finding (the cache key)
    proposed_severity: str | None = None  # what the model asked for, before the cap


class Issue(_Machine, kw_only=True):
    id: str  # stable across runs on the same data: rule + target
    fingerprint: str  # sha256 of rule, target and measured values
    rule_id: str
    severity: Severity
    category: str
    persona: str
    finding: str
    measure: Measure
    fix: AnyFix
    table: str | None = None
    column: str | None = None
    sample_keys: list[Any] = msgspec.field(default_factory=list)
    sql: str | None = None
    recommendation: str = ""
    provenance: Literal["builtin", "user", "llm"] = "builtin"
    llm: LlmProvenance | None = None  # only for provenance "llm"


class CheckResult(_Machine, kw_only=True):
    rule_id: str
    persona: str
    status: CheckStatus
    table: str | None = None
    column: str | None = None
    reason: str | None = None  # why skipped, or the error message
    duration_ms: float | None = None


class CheckCounts(_Machine, kw_only=True, omit_defaults=False):
    evaluated: int = 0
    passed: int = 0
    failed: int = 0
    errored: int = 0
    skipped: int = 0
    results: list[CheckResult] = msgspec.field(default_factory=list)


class RoleEvidence(_Machine, kw_only=True):
    """How sure discovery is of one role of a column, and why."""

    role: str
    confidence: Literal["high", "medium", "low"] = "medium"  # high: declared or shown by the values; low: they argue against it
    reason: str = ""


class ModelColumn(_Machine, kw_only=True):
    name: str
    type: str
    roles: list[str] = msgspec.field(default_factory=list)
    role_evidence: list[RoleEvidence] = msgspec.field(default_factory=list)


class ModelTable(_Machine, kw_only=True):
    name: str
    rows: int
    kind: Literal["entity", "event", "vocab", "unknown"] = "unknown"
    primary_key: str | None = None
    #: columns unique together, when no single column is the key (e.g. lineitem(l_orderkey, l_linenumber))
    composite_key: list[str] = msgspec.field(default_factory=list)
    #: every complete column unique by an exact count (the key, and alternate keys such as a natural code)
    candidate_keys: list[str] = msgspec.field(default_factory=list)
    created_at_column: str | None = None
    time_columns: list[str] = msgspec.field(default_factory=list)
    columns: list[ModelColumn] = msgspec.field(default_factory=list)
    source: Literal["declared", "discovered"] = "discovered"


class KeyEvidence(_Machine, kw_only=True):
    """Why a foreign key was found from values: what was measured, and the reasons in words."""

    containment: float | None = None  # share of the child's non-null values found in the key
    child_distinct: int | None = None
    key_distinct: int | None = None
    key_coverage: float | None = None  # share of the key's values the child uses
    name_score: int = 0  # 0 none … 4 same name
    reasons: list[str] = msgspec.field(default_factory=list)


class ModelForeignKey(_Machine, kw_only=True):
    from_table: str
    from_column: str
    to_table: str
    to_column: str
    coverage: float  # share of non-null child values found in the parent
    source: Literal["declared", "discovered"] = "discovered"
    #: the temporal relation checked on this edge (see metadata ``ForeignKey.time_order``)
    time_order: Literal["after", "before", "none"] = "after"
    #: a composite FK: every child column and the key columns they reference, in order (from/to_column are the first)
    from_columns: list[str] = msgspec.field(default_factory=list)
    to_columns: list[str] = msgspec.field(default_factory=list)
    orphan_rows: int | None = None  # child rows whose value is not in the key
    orphan_values: int | None = None  # distinct such values
    evidence: KeyEvidence | None = None  # for an FK found from values


class SamplingNote(_Machine, kw_only=True):
    """Where discovery measured a seeded sample instead of every row (what it kept was then measured exactly)."""

    table: str
    step: str  # "foreign_keys" | "composite_key"
    rows: int  # the table's rows
    sampled_rows: int  # the reservoir sample's size (seed 42)
    note: str = ""


class DataModel(_Machine, kw_only=True):
    tables: list[ModelTable] = msgspec.field(default_factory=list)
    foreign_keys: list[ModelForeignKey] = msgspec.field(default_factory=list)
    #: where discovery sampled because exactness over every row cost too much
    sampling: list[SamplingNote] = msgspec.field(default_factory=list)


class DriftResult(_Machine, kw_only=True):
    kind: Literal["schema", "baseline", "scenario"]
    metric: str
    status: Literal["ok", "drift", "error", "skipped"]
    table: str | None = None
    column: str | None = None
    expected: Any = None
    observed: Any = None
    value: float | None = None
    threshold: float | None = None
    message: str = ""


class ColumnProfile(_Machine, kw_only=True):
    """A compact distribution summary of one column, so a later run can measure drift against this report."""

    table: str
    column: str
    kind: Literal["categorical", "numeric", "temporal", "other"]
    rows: int
    nulls: int = 0
    distinct: int | None = None
    #: categorical: the most frequent values with their counts (values as strings), most frequent first
    top: list[tuple[str, int]] = msgspec.field(default_factory=list)
    #: numeric / temporal (epoch seconds): the 0th, 5th, …, 100th percentiles
    quantiles: list[float] = msgspec.field(default_factory=list)
    mean: float | None = None
    std: float | None = None
    #: a table's creation column: rows per calendar month ("YYYY-MM", count), oldest first — its time coverage
    months: list[tuple[str, int]] = msgspec.field(default_factory=list)
    #: a table's creation column (timestamps): rows per ISO weekday (1 = Monday … 7) × hour (0–23), 7 rows of 24
    week_hours: list[list[int]] = msgspec.field(default_factory=list)


class Series(_Machine, kw_only=True):
    """A curve datacruncher measured, for readers and charts (the HTML report draws it).

    ``retention``: for the entities of ``parent`` (by their creation time), the share with at least one ``table``
    row in their k-th 30-day period of life (``x`` = k), among those whose life reaches the end of that period.
    ``funnel``: a funnel the schema declares (``stage_config``): rows of ``table`` per stage (``n``, ``x`` the
    stages in their declared order) and the share of the first stage that reaches each (``y``).
    """

    kind: Literal["retention", "funnel"]
    table: str
    parent: str | None = None
    title: str = ""
    x: list[str] = msgspec.field(default_factory=list)
    y: list[float] = msgspec.field(default_factory=list)
    #: how many entities each point is measured over
    n: list[int] = msgspec.field(default_factory=list)


class AgentProposal(_Machine, kw_only=True):
    title: str
    status: Literal["confirmed", "rejected"]
    reason: str = ""  # why it was rejected
    sql: str | None = None


class AgentRun(_Machine, kw_only=True):
    """One persona agent's run: its budget use and what became of each finding it proposed."""

    persona: str
    model: str
    calls: int = 0  # model calls made (including cached ones)
    cached_calls: int = 0
    tokens: int = 0
    queries: int = 0  # run_sql calls
    refused_queries: int = 0  # refused by the sandbox or failed
    stopped: str = ""  # why the loop ended: answered, budget, step limit, error …
    proposals: list[AgentProposal] = msgspec.field(default_factory=list)


class SeveritySummary(_Machine, kw_only=True, omit_defaults=False):  # zero counts are information
    critical: int = 0
    high: int = 0
    medium: int = 0
    low: int = 0


class Gate(_Machine, kw_only=True):
    fail_on: Severity | None = None
    triggered: bool = False
    reason: str = ""


class Metrics(_Machine, kw_only=True):
    tables_analyzed: int = 0
    total_rows: int = 0
    fk_integrity: float | None = None  # percent of FK values that resolve
    null_rate: float | None = None  # percent of null cells
    temporal_violations: float | None = None  # percent of FK-edge rows before their parent
    duplicate_rate: float | None = None  # percent of surplus duplicate rows
    other: dict[str, float | None] = msgspec.field(default_factory=dict)


class CrunchReport(_Machine, kw_only=True, omit_defaults=False):
    contract: str = CONTRACT
    tool: ToolInfo
    analysis_date: str  # ISO-8601 UTC
    dataset: DatasetRef
    schema_used: str | None = None
    personas: list[str] = msgspec.field(default_factory=list)
    model: DataModel = msgspec.field(default_factory=DataModel)
    issues: list[Issue] = msgspec.field(default_factory=list)
    checks: CheckCounts = msgspec.field(default_factory=CheckCounts)
    metrics: Metrics = msgspec.field(default_factory=Metrics)
    drift: list[DriftResult] = msgspec.field(default_factory=list)
    profiles: list[ColumnProfile] = msgspec.field(default_factory=list)
    series: list[Series] = msgspec.field(default_factory=list)
    agents: list[AgentRun] = msgspec.field(default_factory=list)  # persona agents (``--llm-model``) when they ran
    summary: SeveritySummary = msgspec.field(default_factory=SeveritySummary)
    quality_score: float = 0.0
    gate: Gate = msgspec.field(default_factory=Gate)


def loads_report(data: bytes) -> CrunchReport:
    return files.load_tagged(data, CrunchReport, CONTRACT, FILENAME)


def dumps_report(report: CrunchReport) -> bytes:
    return files.encode_json(report)


def load_report(path: files.PathLike) -> CrunchReport:
    return files.load_tagged(path, CrunchReport, CONTRACT, "crunch report")


def dump_report(report: CrunchReport, path: files.PathLike) -> None:
    files.write_atomic(path, dumps_report(report))
