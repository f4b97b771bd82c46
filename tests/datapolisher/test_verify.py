from __future__ import annotations

import random
from pathlib import Path

import polars as pl
import pytest
from polisher_builders import write_report

from datapolisher.approve import approve
from datapolisher.errors import InputError
from datapolisher.inputs import load_inputs
from datapolisher.verify import verify


@pytest.fixture
def approved(shop: Path) -> Path:
    approve(load_inputs(write_report(shop, shop.parent / "crunch_report.json", [])))
    return shop


def test_intact_dataset_verifies(approved: Path) -> None:
    result = verify(approved)
    assert result.ok and result.files_checked == 3


def test_one_byte_of_a_parquet_file(approved: Path) -> None:
    f = approved / "order.parquet"
    data = bytearray(f.read_bytes())
    data[len(data) // 2] ^= 0x01
    f.write_bytes(bytes(data))
    assert verify(approved).problems == ["checksum mismatch: order.parquet"]


def test_one_byte_of_the_manifest(approved: Path) -> None:
    m = approved / ".manifest.yaml"
    m.write_text(m.read_text().replace("rows: 8", "rows: 9"))
    assert verify(approved).problems == ["approval hash mismatch: the manifest's content was edited after approval",
                                         "manifest says order has 9 rows, the data has 8"]


def test_an_edit_yaml_reads_the_same_still_fails_and_is_named(approved: Path) -> None:
    m = approved / ".manifest.yaml"
    text = m.read_text()
    m.write_text(text.replace("nullable: false", "nullable: False", 1))  # YAML 1.1 reads both as false
    line = text[:text.index("nullable: false")].count("\n") + 1
    assert verify(approved).problems == [
        f"manifest edited at line {line}: 'nullable: False' (approval wrote 'nullable: false')"]
    m.write_text(text + "\n")
    assert verify(approved).problems == [
        f"manifest edited at line {text.count(chr(10)) + 1}: '' (approval wrote '<end of file>')"]


def test_a_claim_about_types_is_checked_against_the_data(approved: Path) -> None:
    m = approved / ".manifest.yaml"
    m.write_text(m.read_text().replace("type: int64", "type: double", 1))
    problems = verify(approved).problems
    assert problems[0].startswith("approval hash mismatch") and len(problems) == 2
    assert problems[1].startswith("manifest types ") and problems[1].endswith("as double, the data holds int64")


def test_any_one_byte_edit_of_the_manifest_fails(approved: Path) -> None:
    m = approved / ".manifest.yaml"
    signed = m.read_bytes()
    rng = random.Random(5)
    for at in sorted(rng.sample(range(len(signed)), 150)):
        edited = bytearray(signed)
        edited[at] ^= 0x20 if chr(edited[at]).isalpha() else 0x01  # a case flip, or the next character
        m.write_bytes(bytes(edited))
        assert not verify(approved).ok, f"byte {at} ({signed[at:at + 1]!r} → {bytes(edited[at:at + 1])!r}) passed"
    m.write_bytes(signed)
    assert verify(approved).ok


def test_missing_and_unlisted_files(approved: Path) -> None:
    (approved / "user.parquet").unlink()
    pl.DataFrame({"a": [1]}).write_parquet(approved / "sneaky.parquet")
    assert verify(approved).problems == ["missing file: user.parquet", "unlisted file: sneaky.parquet"]


def test_broken_or_absent_manifest(approved: Path, tmp_path: Path) -> None:
    (approved / ".manifest.yaml").write_text("contract: datagen.manifest/1\nsurprise: 1\n")
    assert not verify(approved).ok
    with pytest.raises(InputError, match=r"no \.manifest\.yaml"):
        verify(tmp_path)
