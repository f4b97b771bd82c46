from __future__ import annotations

import random
from pathlib import Path

import polars as pl
import pytest
from polisher_builders import write_report

from datapolisher.approval.approve import approve
from datapolisher.approval.verify import verify
from datapolisher.errors import InputError
from datapolisher.inputs import load_inputs


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


# --- signed approvals, forgery, confinement -------------------------------------------------------------------

def _forge(directory: Path, *, score: str = "99/100") -> None:
    """The attack: change a value, recompute every file hash and the approval hash with the library's own
    functions, raise the quality score, and write the manifest back as approval would."""
    import msgspec
    import pyarrow as pa
    import pyarrow.parquet as pq

    from datagen_contracts.fingerprint import file_sha256
    from datagen_contracts.manifest import approval_hash, dumps_manifest, load_manifest

    f = directory / "order.parquet"
    t = pq.read_table(f)
    pq.write_table(t.set_column(0, t.column_names[0], pa.array([v + 1000 for v in t.column(0).to_pylist()])), f)
    m = load_manifest(directory)
    files = [msgspec.structs.replace(x, bytes=(directory / x.path).stat().st_size,
                                     sha256=file_sha256(directory / x.path)) for x in m.files]
    m = msgspec.structs.replace(m, files=files, quality_score=score)
    m = msgspec.structs.replace(m, approval=msgspec.structs.replace(m.approval, hash=approval_hash(m)))
    (directory / ".manifest.yaml").write_bytes(dumps_manifest(m))


def test_an_unsigned_manifest_says_so_and_a_forgery_passes_only_the_hash(approved: Path) -> None:
    text = (approved / ".manifest.yaml").read_text()
    assert "protection: integrity hash, unsigned" in text and "signature" not in text
    assert verify(approved).protection.startswith("integrity hash, unsigned")
    _forge(approved)
    result = verify(approved)  # what an integrity hash can and cannot prove: the forgery is consistent
    assert result.ok and "unsigned" in result.protection


def test_a_signed_manifest_defeats_the_forgery(shop: Path, tmp_path: Path) -> None:
    from datapolisher.approval.signing import keygen

    private, public = keygen(tmp_path / "keys" / "team")
    assert oct(private.stat().st_mode & 0o777) == "0o600"
    approve(load_inputs(write_report(shop, shop.parent / "crunch_report.json", [])), sign_key=private)
    text = (shop / ".manifest.yaml").read_text()
    assert "protection: ed25519 signature" in text and "signature: " in text
    ok = verify(shop, public_key=public)
    assert ok.ok and ok.protection == "ed25519 signature verified with the given public key"
    _forge(shop)
    forged = verify(shop, public_key=public)
    assert not forged.ok
    assert forged.problems == ["signature invalid: the approval was not signed by the given public key"]
    # re-signing with the forger's own key (and embedding it) does not help either
    from datagen_contracts.manifest import dumps_manifest, load_manifest
    from datapolisher.approval.manifest_build import seal
    from datapolisher.approval.signing import load_private_key

    other, _ = keygen(tmp_path / "keys" / "forger")
    (shop / ".manifest.yaml").write_bytes(dumps_manifest(seal(load_manifest(shop), load_private_key(other))))
    assert verify(shop, public_key=public).problems == [
        "signature invalid: the approval was not signed by the given public key"]
    # and stripping the signature is seen as soon as a key is required
    (shop / ".manifest.yaml").write_bytes(dumps_manifest(seal(load_manifest(shop))))
    assert verify(shop, public_key=public).problems == [
        "--public-key given, but the approval is unsigned (integrity hash only)"]


def test_a_signature_claim_without_a_signature_is_named(approved: Path) -> None:
    m = approved / ".manifest.yaml"
    m.write_text(m.read_text().replace("protection: integrity hash, unsigned", "protection: ed25519 signature"))
    problems = verify(approved).problems
    assert problems[0].startswith("approval hash mismatch")


def test_bad_keys_are_input_errors(shop: Path, tmp_path: Path) -> None:
    (tmp_path / "junk.key").write_text("not a key")
    inputs = load_inputs(write_report(shop, shop.parent / "crunch_report.json", []))
    with pytest.raises(InputError, match="not an unencrypted PEM private key"):
        approve(inputs, sign_key=tmp_path / "junk.key")
    assert not (shop / ".manifest.yaml").exists()  # nothing written
    with pytest.raises(InputError, match="cannot read the signing key"):
        approve(inputs, sign_key=tmp_path / "missing.key")


def test_manifest_paths_outside_the_directory_are_refused_unread(approved: Path, tmp_path: Path) -> None:
    import msgspec

    from datagen_contracts.manifest import ManifestFile, dumps_manifest, load_manifest
    from datapolisher.approval.manifest_build import seal

    secret = tmp_path / "secret.txt"
    secret.write_text("x")
    m = load_manifest(approved)
    extra = [ManifestFile(path="../../etc/hostname", bytes=1, sha256="0" * 64),
             ManifestFile(path=str(secret), bytes=1, sha256="0" * 64)]
    m = seal(msgspec.structs.replace(m, files=[*m.files, *extra]))
    (approved / ".manifest.yaml").write_bytes(dumps_manifest(m))
    problems = verify(approved).problems
    assert problems == [
        "outside the directory: the manifest lists '../../etc/hostname'; it was not read",
        f"outside the directory: the manifest lists {str(secret)!r}; it was not read",
    ]


def test_unlisted_files_hidden_ones_and_symlinks_are_reported(approved: Path, tmp_path: Path) -> None:
    (approved / ".hidden").write_text("x")
    (approved / "_part").mkdir()
    (approved / "_part" / "a.parquet").write_bytes(b"x")
    (tmp_path / "elsewhere.parquet").write_bytes(b"y")
    (approved / "link.parquet").symlink_to(tmp_path / "elsewhere.parquet")
    assert verify(approved).problems == [
        "unlisted file: .hidden",
        "unlisted file: _part/a.parquet",
        "symlink in the approved directory: link.parquet (never followed)",
    ]


def test_approving_a_directory_with_a_symlink_is_refused(shop: Path, tmp_path: Path) -> None:
    inputs = load_inputs(write_report(shop, shop.parent / "crunch_report.json", []))
    (tmp_path / "elsewhere.parquet").write_bytes(b"y")
    (shop / "extra.parquet").symlink_to(tmp_path / "elsewhere.parquet")
    with pytest.raises(InputError, match="symlink leading outside the dataset"):
        approve(inputs)
    assert not (shop / ".manifest.yaml").exists()


def test_a_deeply_nested_manifest_is_unreadable_not_a_traceback(approved: Path) -> None:
    m = approved / ".manifest.yaml"
    m.write_text(m.read_text() + "extra: " + "[" * 20_000 + "]" * 20_000 + "\n")
    problems = verify(approved).problems
    assert len(problems) == 1 and "nested more than 64 levels deep" in problems[0]
