"""Inputs built in code: a small shop dataset with known defects, its metadata, and crunch reports about it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl

from datagen_contracts import dump_metadata, dump_report
from datagen_contracts.fixes import make_fix
from datagen_contracts.metadata import (
    ColumnInfo,
    DatasetMetadata,
    ForeignKey,
    GeneratorInfo,
    SchemaRef,
    TableInfo,
)
from datagen_contracts.report import (
    CrunchReport,
    DatasetRef,
    Issue,
    Measure,
    Metrics,
    SeveritySummary,
    ToolInfo,
)
from datapolisher.dataset import fingerprint
from datapolisher.issues import count_by_severity

T0 = dt.datetime(2024, 1, 1)


def day(n: float) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


def write_shop(root: Path, *, metadata: bool = True, schema_path: str | None = None) -> Path:
    """user (5 rows) and "order" (8 rows, with every defect the postprocess path fixes)."""
    root.mkdir(parents=True, exist_ok=True)
    pl.DataFrame({
        "user_id": [1, 2, 3, 4, 5],
        "name": [" Ann", "Bob ", "Cy", "Di\t", "Ed"],
        "country": ["US", "USA", "us ", "DE", "US"],
        "created_at": [day(0), day(10), day(20), day(30), day(40)],
        "last_login": [day(5), day(100), None, day(95), day(60)],
    }).write_parquet(root / "user.parquet")
    pl.DataFrame({
        "order_id": [10, 11, 12, 12, 13, 14, 15, 15],
        "user_id": [1.0, 2.0, 3.0, 3.0, 99.0, 4.0, 5.0, 5.0],  # ids stored as float; 99 is an orphan
        "unit price": [9.999, 5.5, 3.14159, 3.14159, 1.0, 2.005, 7.777, 8.0],
        "placed_at": [day(1), day(5), day(25), day(25), day(2), day(31), day(50), day(51)],  # user 2: before
        "shipped_at": [day(2), day(6), day(24), day(24), day(3), day(32), day(52), day(53)],  # order 12 inverted
        "status": ["paid", None, "paid", "paid", "paid", None, "paid", "paid"],
    }).write_parquet(root / "order.parquet")
    if metadata:
        schema = SchemaRef(path=schema_path, sha256="0" * 64) if schema_path else None
        meta = DatasetMetadata(
            dataset_name="shop", generator=GeneratorInfo(name="datagen-core", version="0.1.0"),
            generated_at="2024-11-10T12:00:00Z", seed=42, schema=schema,
            tables=[
                TableInfo(name="user", kind="entity", rows=5, primary_key="user_id", created_at_column="created_at",
                          columns=[ColumnInfo(name="user_id", arrow_type="int64", nullable=False, primary_key=True),
                                   ColumnInfo(name="country", arrow_type="string", role="country")]),
                TableInfo(name="order", kind="fact", rows=8, primary_key="order_id", created_at_column="placed_at",
                          foreign_keys=[ForeignKey(column="user_id", references_table="user",
                                                   references_column="user_id")],
                          columns=[ColumnInfo(name="unit price", arrow_type="double", role="money")]),
            ],
        )
        dump_metadata(meta, root / ".metadata.json")
    return root


def issue(
    rule_id: str, action: str, *, table: str | None = None, column: str | None = None, severity: str = "high",
    path: str = "postprocess", params: dict[str, Any] | None = None, category: str = "data_quality",
    metric: str = "rate", value: float = 0.1,
) -> Issue:
    target = ".".join(p for p in (table, column) if p)
    return Issue(
        id=f"{rule_id}:{target}", fingerprint=f"fp-{rule_id}-{target}", rule_id=rule_id, severity=severity,
        category=category, persona="Data Engineer", finding=f"{rule_id} on {target}",
        measure=Measure(metric=metric, value=value), fix=make_fix(action, path, params or {}),
        table=table, column=column, sql=f"SELECT 1 -- {rule_id}",
    )


SHOP_ISSUES = (
    ("ids_as_float", "cast", "order", "user_id", "medium"),
    ("fk_orphans", "fk_lookup", "order", "user_id", "critical"),
    ("temporal_fk", "parent_time_order", "order", "placed_at", "critical"),
    ("temporal_within", "inequality", "order", "placed_at", "high"),
    ("pk_duplicates", "dedupe_on_key", "order", "order_id", "critical"),
    ("money_precision", "round", "order", "unit price", "low"),
    ("format_inconsistency", "normalize_categories", "user", "country", "medium"),
    ("whitespace", "trim_whitespace", "user", "name", "low"),
    ("null_violations", "fill_nulls", "order", "status", "medium"),
)


def shop_issues() -> list[Issue]:
    """The issues datacruncher's built-in personas raise on the shop data, with their fix hints."""
    params: dict[str, dict[str, Any]] = {
        "ids_as_float": {"type": "BIGINT"},
        "fk_orphans": {"references": "user.user_id"},
        "temporal_fk": {"parent": "user", "parent_column": "created_at", "time_order": "after"},
        "temporal_within": {"left": "placed_at", "op": "<=", "right": "shipped_at"},
        "money_precision": {"decimals": 2},
        "null_violations": {"default": "pending"},
    }
    schema_level = {"fk_orphans", "temporal_fk", "temporal_within"}
    return [
        issue(rule, action, table=table, column=column, severity=sev, params=params.get(rule, {}),
              path="schema" if rule in schema_level else "postprocess")
        for rule, action, table, column, sev in SHOP_ISSUES
    ]


def write_report(data_dir: Path, path: Path, issues: list[Issue], *, dataset_path: str | None = None) -> Path:
    counts = count_by_severity(issues)
    report = CrunchReport(
        tool=ToolInfo(name="datacruncher", version="0.1.0"), analysis_date="2024-11-10T12:01:00Z",
        dataset=DatasetRef(path=dataset_path or str(data_dir), fingerprint=fingerprint(data_dir), files=2),
        personas=["Data Engineer", "VP Growth"], issues=issues,
        metrics=Metrics(tables_analyzed=2, total_rows=13, fk_integrity=87.5, null_rate=2.5, temporal_violations=12.5),
        summary=SeveritySummary(**counts), quality_score=72.0,
    )
    dump_report(report, path)
    return path


