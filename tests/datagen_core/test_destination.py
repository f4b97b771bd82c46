"""``--output URI``: a dataset published to a pyarrow/fsspec filesystem has the very files a directory output has,
``.metadata.json`` is written last (the commit), an existing dataset is refused or replaced, and a failed upload
leaves no ``.metadata.json`` behind."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pyarrow.fs as pafs
import pytest
from click.testing import CliRunner

from datagen_core import fact_rows
from datagen_core.cli import main
from datagen_core.engine import generate
from datagen_core.errors import DatagenError, OutputExistsError
from datagen_core.output import destination

from .test_time_order import _doc

fsspec = pytest.importorskip("fsspec")  # a declared test dependency (noxfile TEST_DEPS); the [fsspec] extra


@pytest.fixture(autouse=True)
def _small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fact_rows, "CHUNK_ROWS", 1024)


@pytest.fixture
def schema(tmp_path: Path) -> Path:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(_doc(1500, 4)))
    return path


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _memory_files(base: str) -> dict[str, bytes]:
    mem = fsspec.filesystem("memory")
    return {p[len(base) + 1:]: mem.cat_file(p) for p in sorted(mem.find(base))}


def _meta(files: dict[str, bytes]) -> dict:
    meta = json.loads(files[".metadata.json"])
    meta.pop("duration_seconds")
    return meta


def test_a_file_uri_gets_the_files_a_directory_gets(tmp_path: Path, schema: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    generate(schema, tmp_path / "dir", seed=3, partition_rows=2500)
    generate(schema, (tmp_path / "uri").as_uri(), seed=3, partition_rows=2500, staging_dir=tmp_path / "stage")
    local, published = _files(tmp_path / "dir"), _files(tmp_path / "uri")
    assert len(local) > 4 and any(k.startswith("invoice/part-") for k in local)
    assert local.keys() == published.keys()
    assert {k: v for k, v in local.items() if k != ".metadata.json"} == \
        {k: v for k, v in published.items() if k != ".metadata.json"}
    assert _meta(local) == _meta(published)
    assert list((tmp_path / "stage").iterdir()) == []  # the staging directory is gone once published


def test_workers_upload_the_files_they_write(tmp_path: Path, schema: Path) -> None:
    """With worker processes, each part is uploaded by the worker that wrote it (the client uploads only the rest
    and the metadata): the published bytes are a directory output's."""
    generate(schema, tmp_path / "one", seed=3, partition_rows=2500)
    with ProcessPoolExecutor(2) as pool:
        result = generate(schema, (tmp_path / "uri").as_uri(), seed=3, partition_rows=2500, executor=pool,
                          staging_dir=tmp_path / "stage")
    one, spread = _files(tmp_path / "one"), _files(tmp_path / "uri")
    assert one.keys() == spread.keys()
    assert all(one[k] == spread[k] for k in one if k != ".metadata.json")
    parts = sorted(k for k in one if k.startswith(("invoice/", "line/")))
    assert len(parts) >= 3 and set(parts) <= set(result.published)  # the client skipped them: workers sent them
    assert ".metadata.json" not in result.published
    # replaced by another dataset with one file per table: the old parts go, the workers' files stay
    generate(schema, tmp_path / "other", seed=4, partition_rows=0)
    with ProcessPoolExecutor(2) as pool:
        again = generate(schema, (tmp_path / "uri").as_uri(), seed=4, partition_rows=0, executor=pool,
                         staging_dir=tmp_path / "stage", overwrite=True)
    assert again.published and _files(tmp_path / "uri").keys() == _files(tmp_path / "other").keys()
    assert not (tmp_path / "uri" / "invoice").exists()  # nor its empty folder


def test_a_filesystem_of_one_process_or_defects_leave_the_upload_to_the_client(tmp_path: Path, schema: Path) -> None:
    """``memory://`` exists in one process only, and defects rewrite files after the workers wrote them: then the
    client uploads every file."""
    generate(schema, tmp_path / "one", seed=3, partition_rows=2500)
    base = f"/dg-{uuid.uuid4().hex}"
    with ProcessPoolExecutor(2) as pool:
        result = generate(schema, f"memory://{base}", seed=3, partition_rows=2500, executor=pool,
                          staging_dir=tmp_path / "stage")
    assert result.published == []
    one, spread = _files(tmp_path / "one"), _memory_files(base)
    assert one.keys() == spread.keys() and all(one[k] == spread[k] for k in one if k != ".metadata.json")
    doc = json.loads(schema.read_text())
    doc["defects"] = [{"kind": "duplicate_rows", "target": "invoice", "rate": 0.01}]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(doc))
    generate(broken, tmp_path / "broken_dir", seed=3, partition_rows=2500)
    with ProcessPoolExecutor(2) as pool:
        result = generate(broken, (tmp_path / "broken_uri").as_uri(), seed=3, partition_rows=2500, executor=pool,
                          staging_dir=tmp_path / "stage")
    assert result.published == []
    local, published = _files(tmp_path / "broken_dir"), _files(tmp_path / "broken_uri")
    assert local.keys() == published.keys()
    assert all(local[k] == published[k] for k in local if k != ".metadata.json")


class _Recording(pafs.FSSpecHandler):
    """An fsspec memory filesystem that records the files opened for writing and can fail on the n-th."""

    def __init__(self, fail_at: int | None = None) -> None:
        super().__init__(fsspec.filesystem("memory"))
        self.opened: list[str] = []
        self.fail_at = fail_at

    def open_output_stream(self, path, metadata):  # type: ignore[no-untyped-def]
        self.opened.append(path)
        if self.fail_at is not None and len(self.opened) == self.fail_at:
            raise OSError("simulated network failure")
        return super().open_output_stream(path, metadata)


def test_the_metadata_is_written_last_and_replaced_datasets_lose_their_stale_files(tmp_path: Path,
                                                                                   schema: Path) -> None:
    first = tmp_path / "first"
    generate(schema, first, seed=3, partition_rows=2500)
    handler = _Recording()
    base = f"/dg-{uuid.uuid4().hex}"
    dest = destination.Destination("memory://" + base, pafs.PyFileSystem(handler), base)
    destination.publish(first, dest, overwrite=False)
    assert handler.opened[-1] == f"{base}/.metadata.json" and len(handler.opened) == len(_files(first))
    with pytest.raises(OutputExistsError, match="already holds files"):
        destination.publish(first, dest, overwrite=False)

    second = tmp_path / "second"
    generate(schema, second, seed=4, partition_rows=0)  # one file per table: the parts become stale
    handler.opened.clear()
    destination.publish(second, dest, overwrite=True)
    assert handler.opened[-1] == f"{base}/.metadata.json"
    assert _memory_files(base) == _files(second)


def test_a_failed_upload_leaves_no_metadata(tmp_path: Path, schema: Path) -> None:
    out = tmp_path / "out"
    generate(schema, out, seed=3, partition_rows=2500)
    base = f"/dg-{uuid.uuid4().hex}"
    dest = destination.Destination("memory://" + base, pafs.PyFileSystem(_Recording(fail_at=3)), base)
    with pytest.raises(DatagenError, match=r"simulated network failure.*no .metadata.json was written"):
        destination.publish(out, dest, overwrite=False)
    left = _memory_files(base)
    assert ".metadata.json" not in left and 0 < len(left) < len(_files(out)) - 1  # the other uploads went on


def test_cli_publishes_to_a_uri_and_refuses_an_existing_one(tmp_path: Path, schema: Path) -> None:
    uri = f"memory:///dg-{uuid.uuid4().hex}"
    args = ["generate", str(schema), "-o", uri, "--staging-dir", str(tmp_path / "stage"), "-q", "--json"]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["output"] == uri
    meta = json.loads(_memory_files(uri.removeprefix("memory://"))[".metadata.json"])
    assert {t["name"] for t in meta["tables"]} == {"account", "invoice", "line"}
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2 and "already holds files (use --overwrite" in r.output
    assert CliRunner().invoke(main, [*args, "--overwrite"]).exit_code == 0


@pytest.mark.parametrize(("output", "extra", "message"), [
    ("nosuchscheme://bucket/x", [], "cannot open nosuchscheme://bucket/x"),
    ("memory://", [], "names no directory"),
    ("plain-dir", ["--staging-dir", "s"], "--staging-dir is for a URI --output"),
])
def test_cli_bad_destinations_are_usage_errors(tmp_path: Path, schema: Path, output: str, extra: list[str],
                                              message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["generate", str(schema), "-o", output, *extra, "-q"])
    assert r.exit_code == 2 and message in r.output, r.output
    assert not (tmp_path / "plain-dir").exists()


def test_a_run_that_fails_leaves_an_empty_destination_empty(tmp_path: Path, schema: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers upload parts while the run goes on; when it then fails, a destination that was empty is empty again
    (here the workers are threads, so the failure can be planted after every table is written)."""
    from concurrent.futures import ThreadPoolExecutor

    from datagen_core.output import dataset

    def fail(*_: object, **__: object) -> None:
        raise OSError("disk full while describing the dataset")

    monkeypatch.setattr(dataset, "build_metadata", fail)
    uploaded: list[str] = []
    real = destination.upload
    monkeypatch.setattr(destination, "upload", lambda local, dest, rel: (uploaded.append(rel), real(local, dest, rel)))
    from datagen_core.output import scaleout

    monkeypatch.setattr(scaleout, "upload", destination.upload)
    with ThreadPoolExecutor(2) as pool, pytest.raises(OSError, match="disk full"):
        generate(schema, (tmp_path / "uri").as_uri(), seed=3, partition_rows=2500, executor=pool,
                 staging_dir=tmp_path / "stage")
    assert any(rel.startswith("invoice/part-") for rel in uploaded)  # the workers had uploaded parts
    assert not [p for p in (tmp_path / "uri").rglob("*") if p.is_file()]
    assert list((tmp_path / "stage").iterdir()) == []
