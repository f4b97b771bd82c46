"""``--staging-dir URI``: workers that share no filesystem with the client pass each other their files through
object storage — spilled chunks, parent columns, part files — and the published dataset is byte-identical to a
directory output's. A worker never opens a path of the client's."""

from __future__ import annotations

import json
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from datagen_core import fact_rows
from datagen_core.engine import generate
from datagen_core.errors import DatagenError
from datagen_core.output import destination, store
from datagen_core.output.stage import SCRATCH, Stage, drop_scratch, scratch
from datagen_core.output.store import KeptTable, Spool, share

from .test_time_order import _doc


@pytest.fixture(autouse=True)
def _small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fact_rows, "CHUNK_ROWS", 1024)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _meta(files: dict[str, bytes]) -> dict:
    meta = json.loads(files[".metadata.json"])
    meta.pop("duration_seconds")
    meta.pop("generated_at")
    return meta


def _same(a: dict[str, bytes], b: dict[str, bytes]) -> None:
    assert a.keys() == b.keys()
    assert [k for k in a if k != ".metadata.json" and a[k] != b[k]] == []
    assert _meta(a) == _meta(b)


def test_a_worker_elsewhere_reaches_the_staging_only_through_object_storage(tmp_path: Path) -> None:
    bucket = destination.open_destination((tmp_path / "bucket" / "run").as_uri())
    (tmp_path / "client").mkdir()  # the run's staging directory: its name names the run (and workers' directories)
    client = Stage(str(tmp_path / "client"), bucket)  # this process is the client
    worker = Stage(str(tmp_path / "client"), bucket, client="another-host:1")  # ...or a worker on another machine
    assert not client.foreign and worker.foreign
    assert client.root() == tmp_path / "client" and tmp_path not in worker.root().parents

    worker.dump(".kept/t.c000001.pieces", {"rows": 3})  # round 1 on one worker ...
    assert not (tmp_path / "client" / ".kept").exists() and (tmp_path / "bucket" / "run" / ".kept").is_dir()
    assert worker.load(".kept/t.c000001.pieces") == {"rows": 3}  # ... round 2 on another
    worker.drop(".kept/t.c000001.pieces")
    assert list((tmp_path / "bucket" / "run" / ".kept").iterdir()) == []

    spool = Spool(client.root() / ".kept" / "t.0.col", limit=0, stage=client)  # a parent column the client spilled
    for part in (np.arange(5), np.arange(5, 12)):
        spool.append(part)
    col = share(KeptTable("t", 12, {"id": spool.finish()})).columns["id"]
    elsewhere = replace(col, stage=worker)  # the same column, as a worker's chunk job carries it
    assert elsewhere.values().tolist() == list(range(12)) and elsewhere.slice(10, 20).tolist() == [10, 11]
    assert (worker.root() / col.key).is_file()  # downloaded once, memory-mapped from the worker's own directory

    back = Spool(worker.root() / ".kept" / "t.part-00001.0.col", limit=0, stage=worker)  # a worker's kept column
    back.append(np.arange(3, dtype=np.int32))
    mine = share(KeptTable("t", 3, {"id": back.finish()})).columns["id"]
    assert replace(mine, stage=client).values().tolist() == [0, 1, 2]  # the client fetches it
    assert (tmp_path / "client" / mine.key).is_file()

    scratch = worker.root()
    assert drop_scratch(Path(client.local).name) == 1 and not scratch.exists()
    client.discard()
    assert not (tmp_path / "bucket" / "run").exists()


def _no_client_paths(client_tmp: str, worker_tmp: str) -> None:
    """In each pool worker: its own temporary directory, and no file of the client's ever opened."""
    tempfile.tempdir = worker_tmp

    def audit(event: str, args: tuple) -> None:
        if event == "open" and isinstance(args[0], str | bytes | Path) and str(args[0]).startswith(client_tmp):
            raise PermissionError(f"a worker opened the client's file {args[0]}")

    sys.addaudithook(audit)
    fromfile = np.fromfile
    np.fromfile = lambda file, *a, **k: audit("open", (file,)) or fromfile(file, *a, **k)  # type: ignore[assignment]


def test_workers_with_object_storage_for_staging_publish_a_directory_outputs_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setattr(store, "SPILL_BYTES", 1024)  # every kept column spills: workers must download them
    doc = _doc(1500, 4)  # a line also picks any account: its chunks read the account table whole
    doc["nodes"][2]["columns"].append({"name": "account_ref", "type": "int",
                                       "generator": {"lookup": {"from": "account.account_id"}}})
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps(doc))
    generate(schema, tmp_path / "dir", seed=3, partition_rows=2500)
    client_tmp, worker_tmp = tmp_path / "client_tmp", tmp_path / "worker_tmp"
    client_tmp.mkdir()
    worker_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(client_tmp))  # the client's staging lives here
    staged: list[list[str]] = []
    publish = destination.publish

    def watched(staging: Path, *args, **kw):  # type: ignore[no-untyped-def]
        staged.append(sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file()))
        return publish(staging, *args, **kw)

    monkeypatch.setattr(destination, "publish", watched)
    bucket = (tmp_path / "bucket").as_uri()
    with ProcessPoolExecutor(2, initializer=_no_client_paths, initargs=(str(client_tmp), str(worker_tmp))) as pool:
        result = generate(schema, (tmp_path / "uri").as_uri(), seed=3, partition_rows=2500, executor=pool,
                          staging_dir=bucket)
        _same(_files(tmp_path / "dir"), _files(tmp_path / "uri"))
        parts = [f for f in result.published if f.startswith(("invoice/", "line/"))]
        assert len(parts) >= 3
        assert not set(parts) & set(staged[0])  # written and uploaded by the workers, never on the client's disk

        doc["defects"] = [{"kind": "duplicate_rows", "target": "line", "rate": 0.01}]
        broken = tmp_path / "broken.json"
        broken.write_text(json.dumps(doc))
        generate(broken, tmp_path / "broken_dir", seed=3, partition_rows=2500)
        again = generate(broken, (tmp_path / "broken_uri").as_uri(), seed=3, partition_rows=2500, executor=pool,
                         staging_dir=bucket)
    assert again.published == []
    _same(_files(tmp_path / "broken_dir"), _files(tmp_path / "broken_uri"))
    assert list((tmp_path / "bucket").iterdir()) == []  # each run removed its objects
    # the workers' copies of parent columns: removed by the client where it shares their temporary directory (not
    # in this test), on every Dask worker (test_scaleout), else by the first run on that machine once they are gone
    left = [p for p in worker_tmp.iterdir() if p.name.startswith(SCRATCH)]
    assert any(f.name.startswith("account.") for p in left for f in p.rglob("*"))
    monkeypatch.setattr(tempfile, "tempdir", str(worker_tmp))
    mine = scratch("next")  # a later run here: the dead workers' directories go
    assert [p.name for p in worker_tmp.iterdir() if p.name.startswith(SCRATCH)] == [mine.name]


def test_staging_only_one_process_sees_is_refused(tmp_path: Path) -> None:
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps(_doc(100, 2)))
    with pytest.raises(DatagenError, match="exists in this process only"):
        generate(schema, (tmp_path / "uri").as_uri(), staging_dir="memory://stage")
    with pytest.raises(DatagenError, match="is for a URI --output"):
        generate(schema, tmp_path / "dir", staging_dir=(tmp_path / "bucket").as_uri())
    assert not (tmp_path / "uri").exists() and not (tmp_path / "dir").exists()
