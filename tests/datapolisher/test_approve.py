from __future__ import annotations

from pathlib import Path

import pytest
from polisher_builders import issue, write_report

from datagen_contracts import load_manifest
from datagen_contracts.fingerprint import file_sha256
from datagen_contracts.manifest import approval_hash
from datapolisher.approval.approve import approve
from datapolisher.errors import CriticalIssuesError, InputError
from datapolisher.inputs import load_inputs


def test_refuses_while_critical_issues_remain(shop_report: Path) -> None:
    with pytest.raises(CriticalIssuesError, match="3 critical issue"):
        approve(load_inputs(shop_report))
    with pytest.raises(InputError, match="--reason"):
        approve(load_inputs(shop_report), force=True)


def test_forced_approval_is_recorded(shop: Path, shop_report: Path) -> None:
    res = approve(load_inputs(shop_report), force=True, reason="demo data for a workshop")
    m = load_manifest(shop)
    assert m.approval is not None and m.approval.forced and m.approval.force_reason == "demo data for a workshop"
    assert "critical" in m.approval.notes
    assert res.manifest_path == shop / ".manifest.yaml"


def test_manifest_carries_everything(shop: Path) -> None:
    report = write_report(shop, shop.parent / "crunch_report.json", [issue("x", "review", severity="medium")])
    approve(load_inputs(report), license="CC-BY-4.0", fixes=["rounded prices"])
    m = load_manifest(shop)
    assert m.dataset_name == "shop" and m.generated_at == "2024-11-10T12:00:00Z" and m.generator_version == "0.1.0"
    assert m.quality_score == "72/100" and m.license == "CC-BY-4.0" and m.schema.seed == 42
    order = next(t for t in m.schema.tables if t.name == "order")
    assert order.rows == 8
    cols = {c.name: c for c in order.columns}
    assert cols["order_id"].pk and cols["user_id"].fk == "user.user_id" and cols["placed_at"].type == "timestamp[us]"
    assert {f.path: f.sha256 for f in m.files} == {p: file_sha256(shop / p) for p in
                                                     (".metadata.json", "order.parquet", "user.parquet")}
    assert [s.stage for s in m.provenance.stages] == ["generate", "crunch", "approve"]
    assert m.validation.crunch_report_sha256 == file_sha256(report)
    assert m.validation.findings.medium == 1 and m.validation.metrics["fk_integrity"] == "87.5%"
    assert m.validation.analyzed_by == ["Data Engineer", "VP Growth"]
    assert m.fixes_applied == ["rounded prices"]
    assert m.approval is not None and m.approval.hash == approval_hash(m)


def test_approve_into_a_new_directory_copies_verified_data(shop: Path, tmp_path: Path) -> None:
    report = write_report(shop, tmp_path / "crunch_report.json", [])
    res = approve(load_inputs(report), output_dir=tmp_path / "approved")
    assert res.manifest_path == tmp_path / "approved" / ".manifest.yaml"
    assert not (shop / ".manifest.yaml").exists()
    assert file_sha256(tmp_path / "approved" / "order.parquet") == file_sha256(shop / "order.parquet")
