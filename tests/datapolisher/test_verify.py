from __future__ import annotations

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
    assert verify(approved).problems == ["approval hash mismatch: the manifest was edited after approval"]


def test_missing_and_unlisted_files(approved: Path) -> None:
    (approved / "user.parquet").unlink()
    pl.DataFrame({"a": [1]}).write_parquet(approved / "sneaky.parquet")
    assert verify(approved).problems == ["missing file: user.parquet", "unlisted file: sneaky.parquet"]


def test_broken_or_absent_manifest(approved: Path, tmp_path: Path) -> None:
    (approved / ".manifest.yaml").write_text("contract: datagen.manifest/1\nsurprise: 1\n")
    assert not verify(approved).ok
    with pytest.raises(InputError, match=r"no \.manifest\.yaml"):
        verify(tmp_path)
