"""The machine-written contracts: tags, major versions, forward compatibility, deterministic output."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from datagen_contracts import fixes, manifest, metadata, report
from datagen_contracts.errors import ContractFileError, ContractVersionError


def sample_metadata() -> metadata.DatasetMetadata:
    return metadata.DatasetMetadata(
        dataset_name="shop",
        generator=metadata.GeneratorInfo(name="datagen-core", version="0.1.0"),
        generated_at="2026-01-01T00:00:00Z",
        seed=42,
        schema=metadata.SchemaRef(path="schema.json", sha256="ab" * 32),
        tables=[
            metadata.TableInfo(
                name="order", kind="fact", rows=3,
                files=[metadata.FileInfo(path="order.parquet", rows=3, bytes=100, sha256="cd" * 32)],
                columns=[metadata.ColumnInfo(name="order_id", arrow_type="int64", nullable=False, primary_key=True)],
                primary_key="order_id",
                foreign_keys=[metadata.ForeignKey(column="user_id", references_table="user", references_column="user_id")],
            )
        ],
        defects=[metadata.DefectRecord(kind="orphan_fk", target="order.user_id", rate=0.1, count=1, affected_keys=[7])],
    )


def sample_report() -> report.CrunchReport:
    return report.CrunchReport(
        tool=report.ToolInfo(name="datacruncher", version="0.1.0"),
        analysis_date="2026-01-01T00:00:00Z",
        dataset=report.DatasetRef(path="output", fingerprint="ef" * 32),
        issues=[
            report.Issue(
                id="fk_orphans:order.user_id", fingerprint="00" * 32, rule_id="fk_orphans", severity="critical",
                category="integrity", persona="Data Engineer", finding="1 of 3 orders reference no user",
                measure=report.Measure(metric="orphan_rate", value=33.3, threshold=0.0, row_count=3, failed_row_count=1),
                fix=fixes.DropOrphans(path="postprocess", table="order", parent="user"),
                table="order", column="user_id", sample_keys=[7],
            )
        ],
        summary=report.SeveritySummary(critical=1),
        quality_score=71.5,
    )


def sample_manifest() -> manifest.Manifest:
    m = manifest.Manifest(
        dataset_name="shop",
        generated_at="2026-01-01T00:00:00Z",
        quality_score="95/100",
        files=[manifest.ManifestFile(path="order.parquet", bytes=100, sha256="cd" * 32)],
        approval=manifest.Approval(approved=True, approved_by="datapolisher", approved_at="2026-01-01T00:05:00Z"),
    )
    approval = msgspec.structs.replace(m.approval, hash=manifest.approval_hash(m))
    return msgspec.structs.replace(m, approval=approval)


CASES = [
    (sample_metadata, metadata.dumps_metadata, metadata.loads_metadata, "datagen.metadata/1"),
    (sample_report, report.dumps_report, report.loads_report, "datagen.crunch_report/2"),
    (sample_manifest, manifest.dumps_manifest, manifest.loads_manifest, "datagen.manifest/1"),
]


@pytest.mark.parametrize(("make", "dumps", "loads", "tag"), CASES, ids=["metadata", "report", "manifest"])
def test_round_trip_is_exact_and_deterministic(make, dumps, loads, tag) -> None:
    obj = make()
    data = dumps(obj)
    assert loads(data) == obj
    assert dumps(loads(data)) == data
    assert tag in data.decode()


@pytest.mark.parametrize(("make", "dumps", "loads", "tag"), CASES, ids=["metadata", "report", "manifest"])
def test_unknown_major_is_refused_with_a_clear_message(make, dumps, loads, tag) -> None:
    major = int(tag.rpartition("/")[2])
    data = dumps(make()).decode().replace(tag, f"{tag[:-1]}{major + 1}").encode()
    with pytest.raises(ContractVersionError,
                       match=rf"has major version {major + 1}, this reader understands only major {major}"):
        loads(data)
    if major > 1:  # an older major is refused too, saying what to upgrade
        with pytest.raises(ContractVersionError, match=rf"has major version {major - 1}"):
            loads(dumps(make()).decode().replace(tag, f"{tag[:-1]}{major - 1}").encode())


@pytest.mark.parametrize(("make", "dumps", "loads", "tag"), CASES, ids=["metadata", "report", "manifest"])
def test_missing_or_foreign_tag_is_refused(make, dumps, loads, tag) -> None:
    text = dumps(make()).decode()
    with pytest.raises(ContractVersionError, match="missing 'contract' tag"):
        loads(text.replace("contract", "kontrakt", 1).encode())
    with pytest.raises(ContractVersionError, match=r"this is a 'datagen\.other' file"):
        loads(text.replace(tag, "datagen.other/1").encode())


def test_machine_written_files_tolerate_unknown_fields() -> None:
    raw = json.loads(metadata.dumps_metadata(sample_metadata()))
    raw["added_in_a_later_minor"] = {"x": 1}
    raw["tables"][0]["also_new"] = True
    assert metadata.loads_metadata(json.dumps(raw).encode()).tables[0].rows == 3


def test_hand_edited_manifest_rejects_unknown_keys() -> None:
    text = manifest.dumps_manifest(sample_manifest()).decode() + "approvd: true\n"
    with pytest.raises(ContractFileError, match=r"Object contains unknown field `approvd`"):
        manifest.loads_manifest(text.encode())


def test_wrong_field_type_names_the_path() -> None:
    raw = json.loads(metadata.dumps_metadata(sample_metadata()))
    raw["tables"][0]["rows"] = "three"
    with pytest.raises(ContractFileError, match=r"Expected `int`, got `str` - at `\$.tables\[0\].rows`"):
        metadata.loads_metadata(json.dumps(raw).encode())


def test_approval_hash_covers_every_field() -> None:
    m = sample_manifest()
    assert m.approval.hash == manifest.approval_hash(m)
    edited = msgspec.structs.replace(m, quality_score="99/100")
    assert manifest.approval_hash(edited) != m.approval.hash
    moved = msgspec.structs.replace(m, files=[msgspec.structs.replace(m.files[0], bytes=101)])
    assert manifest.approval_hash(moved) != m.approval.hash


def test_files_are_written_atomically_and_readable(tmp_path: Path) -> None:
    meta = sample_metadata()
    metadata.dump_metadata(meta, tmp_path / ".metadata.json")
    assert metadata.load_metadata(tmp_path) == meta
    assert [p.name for p in tmp_path.iterdir()] == [".metadata.json"]  # no temporary left behind
    manifest.dump_manifest(sample_manifest(), tmp_path / ".manifest.yaml")
    assert manifest.load_manifest(tmp_path).dataset_name == "shop"
    report.dump_report(sample_report(), tmp_path / "crunch_report.json")
    assert report.load_report(tmp_path / "crunch_report.json").summary.critical == 1


def test_reading_errors_are_contract_errors(tmp_path: Path) -> None:
    with pytest.raises(ContractFileError, match="dataset metadata not found"):
        metadata.load_metadata(tmp_path)
    (tmp_path / "crunch_report.json").write_text("[1, 2")
    with pytest.raises(ContractFileError, match="is not valid JSON"):
        report.load_report(tmp_path / "crunch_report.json")
    (tmp_path / ".manifest.yaml").write_text("- just\n- a list\n")
    with pytest.raises(ContractFileError, match="expected a mapping at the top level"):
        manifest.load_manifest(tmp_path)
