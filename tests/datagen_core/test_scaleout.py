"""Scale-out: chunks on worker processes or a Dask cluster, each worker writing its own files. The files are
byte-identical to the one-process engine's, and so is .metadata.json apart from timings."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from datagen_core import fact_rows
from datagen_core.cli import main
from datagen_core.engine import generate
from datagen_core.output.executors import open_executor

from .test_time_order import _doc


@pytest.fixture(autouse=True)
def _small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fact_rows, "CHUNK_ROWS", 1024)  # many chunks (and parts) from a small schema


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.parquet"))}


def _meta(out: Path) -> dict:
    meta = json.loads((out / ".metadata.json").read_text())
    meta.pop("duration_seconds", None)
    meta.pop("generated_at", None)
    return meta


def _write(tmp_path: Path, doc: dict) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "s.json").write_text(json.dumps(doc))
    return tmp_path / "s.json"


def _same(a: Path, b: Path) -> None:
    fa, fb = _files(a), _files(b)
    assert list(fa) == list(fb) and all(fa[k] == fb[k] for k in fa), [k for k in fa if fa[k] != fb.get(k)]
    assert _meta(a) == _meta(b)


@pytest.mark.parametrize("partition_rows", [0, 3000])
def test_process_workers_write_the_same_files(tmp_path: Path, partition_rows: int) -> None:
    schema = _write(tmp_path, _doc(2500, 4))
    one = generate(schema, tmp_path / "one", seed=3, partition_rows=partition_rows).output
    with open_executor("processes:2") as pool:
        two = generate(schema, tmp_path / "two", seed=3, executor=pool, partition_rows=partition_rows).output
    three = generate(schema, tmp_path / "three", seed=3, workers=3, partition_rows=partition_rows).output
    with open_executor("processes:1") as pool:  # the distributed path on one worker process
        assert type(pool).__name__ == "ProcessPoolExecutor"
        pooled = generate(schema, tmp_path / "pooled", seed=3, executor=pool, partition_rows=partition_rows).output
    _same(one, two)
    _same(one, three)
    _same(one, pooled)
    if partition_rows:
        assert len(list((two / "invoice").iterdir())) >= 3


def test_examples_with_workers_are_byte_identical(tmp_path: Path) -> None:
    """Every example schema (touchpoints and self-lookups fall back to the client's writer, the rest is written by
    workers), at a scale with several chunks per table."""
    repo = Path(__file__).resolve().parents[2]
    for schema in sorted((repo / "examples" / "schemas").glob("*.json")):
        parts = 0 if json.loads(schema.read_text()).get("defects") else 20_000  # defects: one file per table
        one = generate(schema, tmp_path / f"{schema.stem}1", seed=1, scale=0.2, partition_rows=parts).output
        two = generate(schema, tmp_path / f"{schema.stem}2", seed=1, scale=0.2, partition_rows=parts,
                       workers=2).output
        _same(one, two)


def test_on_a_dask_local_cluster(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    schema = _write(tmp_path, _doc(2500, 4))
    one = generate(schema, tmp_path / "one", seed=3, partition_rows=3000).output
    import dask

    # a LocalCluster otherwise sets MALLOC_TRIM_THRESHOLD_ (and thread counts) in this process's environment, which
    # every later subprocess of the test session would inherit (numpy then maps every array: several times slower)
    with dask.config.set({"distributed.nanny.pre-spawn-environ": {}}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            client.run(_small, 1024)  # the workers' chunk size, as this test's
            two = generate(schema, tmp_path / "two", seed=3, executor=client.get_executor(pure=False),
                           partition_rows=3000).output
        host_port = cluster.scheduler_address.removeprefix("tcp://")
        with distributed.Client(cluster) as client:
            client.run(_small, 1024)
            res = CliRunner().invoke(main, ["generate", str(schema), "-o", str(tmp_path / "three"), "-q", "--seed", "3",
                                            "--partition-rows", "3000", "--executor", f"dask://{host_port}"])
            # workers sharing no filesystem with the client: object storage for staging (a file:// bucket here)
            staged = CliRunner().invoke(main, [
                "generate", str(schema), "-o", (tmp_path / "four").as_uri(), "-q", "--seed", "3",
                "--partition-rows", "3000", "--executor", f"dask://{host_port}",
                "--staging-dir", (tmp_path / "bucket").as_uri()])
            left = client.run(_scratch_left)
    assert res.exit_code == 0, res.output
    assert staged.exit_code == 0, staged.output
    _same(one, two)
    _same(one, tmp_path / "three")
    _same(one, tmp_path / "four")
    assert list((tmp_path / "bucket").iterdir()) == [] and set(left.values()) == {0}  # nothing left behind


def _small(rows: int) -> None:
    fact_rows.CHUNK_ROWS = rows


def _scratch_left() -> int:
    import tempfile

    from datagen_core.output.stage import SCRATCH

    return len(list(Path(tempfile.gettempdir()).glob(f"{SCRATCH}*")))


def test_executor_errors_are_usage_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    schema = _write(tmp_path, _doc(100, 2))
    run = lambda *a: CliRunner().invoke(main, ["generate", str(schema), "-o", str(tmp_path / "o"), "-q", *a])  # noqa: E731
    unreachable = ("cannot reach the Dask scheduler" if importlib.util.find_spec("distributed")
                   else "pip install 'datagen-core[dask]'")  # the isolated session installs no extra
    for args, text in ((["--executor", "threads:2"], "--executor must be processes:N or dask://HOST:PORT"),
                       (["--executor", "processes:2", "--workers", "2"], "not both"),
                       (["--executor", "dask://127.0.0.1:9"], unreachable)):
        res = run(*args)
        assert res.exit_code == 2 and text in res.output, (args, res.output)
        assert not (tmp_path / "o").exists()
    res = run("--executor", "processes:2")
    assert res.exit_code == 0, res.output
    monkeypatch.setitem(sys.modules, "distributed", None)  # as without the [dask] extra
    res = CliRunner().invoke(main, ["generate", str(schema), "-o", str(tmp_path / "p"), "-q",
                                    "--executor", "dask://127.0.0.1:9"])
    assert res.exit_code == 2 and "pip install 'datagen-core[dask]'" in res.output, res.output


def test_a_table_of_many_chunks_uses_fewer_time_slices_in_both_engines(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Past 64 chunks the time slices shrink (the client keeps a histogram per file): both engines agree, the keys
    are still each value once and follow time."""
    import numpy as np
    import pyarrow.parquet as pq

    from datagen_contracts.dsl import loads_schema
    from datagen_core.output.time_ranks import BUCKETS, buckets_for

    monkeypatch.setattr(fact_rows, "CHUNK_ROWS", 128)
    doc = _doc(2500, 4)
    loaded = loads_schema(json.dumps(doc))
    chunk_count = -(-2500 // fact_rows.parents_per_chunk(loaded.node("invoice"), loaded))
    assert chunk_count > 64 and buckets_for(chunk_count) < BUCKETS
    schema = _write(tmp_path, doc)
    one = generate(schema, tmp_path / "one", seed=3, partition_rows=2000).output
    two = generate(schema, tmp_path / "two", seed=3, partition_rows=2000, workers=2).output
    _same(one, two)
    table = pq.read_table([str(p) for p in sorted((one / "invoice").iterdir())], columns=["invoice_id", "issued_at"])
    ids, times = table["invoice_id"].to_numpy(), table["issued_at"].to_numpy().astype(np.int64)
    assert sorted(ids.tolist()) == list(range(100, 100 + len(ids)))
    assert np.corrcoef(np.argsort(np.argsort(ids)), np.argsort(np.argsort(times)))[0, 1] > 0.999


def test_chunk_jobs_carry_the_tables_they_read_whole_by_path(tmp_path: Path) -> None:
    """A table a chunk reads whole goes to the workers as files (each worker maps one copy), not pickled into every
    chunk job: a job's size does not grow with that table."""
    import pickle
    from concurrent.futures import ThreadPoolExecutor

    class Pickling(ThreadPoolExecutor):  # pickles each task's arguments as a process pool does
        sizes: list[tuple[str, int]] = []

        def submit(self, fn, *args, **kw):  # type: ignore[no-untyped-def, override]
            blob = pickle.dumps(args, protocol=pickle.HIGHEST_PROTOCOL)
            if type(args[0]).__name__ == "ChunkJob":  # round 1 (round 2's jobs carry no table)
                self.sizes.append((args[0].table, len(blob)))
            return super().submit(fn, *pickle.loads(blob), **kw)

    doc = _doc(20_000, 1)  # a line also picks any account: its chunks read the account table whole
    doc["nodes"][2]["columns"].append({"name": "account_ref", "type": "int",
                                       "generator": {"lookup": {"from": "account.account_id"}}})
    schema = _write(tmp_path, doc)
    one = generate(schema, tmp_path / "one", seed=3).output
    with Pickling(2) as pool:
        two = generate(schema, tmp_path / "two", seed=3, executor=pool).output
    _same(one, two)
    lines = [size for table, size in Pickling.sizes if table == "line"]
    assert lines and max(lines) < 20_000 * 8 // 2  # less than half of one column of the account table


def test_a_worker_keeps_one_loaded_copy_of_each_finished_table() -> None:
    """Chunk jobs carry the tables they read whole; a worker process keeps its first loaded copy (and the samplers
    built on it) for the next chunks, keyed by the table's token. A table without a token is not kept."""
    import pickle

    import numpy as np

    from datagen_core.output.store import KeptTable, shared

    table = KeptTable("t", 3, {"k": np.arange(3)}, token="tok-1")
    first = shared(pickle.loads(pickle.dumps(table)))  # as a worker receives it, job after job
    assert shared(pickle.loads(pickle.dumps(table))) is first
    weighted = KeptTable("w", 3, {"k": np.arange(3)}, fanout_mult=np.ones(3))
    weighted.sample_rows(np.random.default_rng(0), 2)  # builds the sampler cache
    assert weighted._cum is not None and pickle.loads(pickle.dumps(weighted))._cum is None  # never shipped
    anonymous = KeptTable("u", 3, {"k": np.arange(3)})
    assert shared(pickle.loads(pickle.dumps(anonymous))) is not shared(pickle.loads(pickle.dumps(anonymous)))


def test_hostile_table_names_with_workers_and_parts(tmp_path: Path) -> None:
    """Unicode, spaces, quotes and a bidi control in table names: the parts' folder, the spills and the merged kept
    columns are named from the safe file name, and the files are the same as one process's."""
    doc = _doc(2500, 4)
    names = {"account": "compte été 'a'", "invoice": 'fac"ture v1 \u202e', "line": "line"}
    text = json.dumps(doc)
    for old, new in names.items():
        text = text.replace(f'"{old}"', json.dumps(new)).replace(f'"{old}.', json.dumps(new)[:-1] + ".")
    schema = _write(tmp_path, json.loads(text))
    one = generate(schema, tmp_path / "one", seed=3, partition_rows=3000).output
    two = generate(schema, tmp_path / "two", seed=3, partition_rows=3000, workers=2).output
    _same(one, two)
    meta = _meta(two)
    parted = [t for t in meta["tables"] if len(t["files"]) > 1]
    assert {t["name"] for t in meta["tables"]} == set(names.values()) and parted
    assert all("/" in f["path"] and ".." not in f["path"] for t in parted for f in t["files"])


def test_one_process_threads_write_the_same_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The one process generates chunks in threads and writes a time-ordered fact's parts in threads; any number
    of either gives the same files, and the fact's ids still follow time over every part."""
    import pyarrow.parquet as pq

    from datagen_core import engine
    from datagen_core.output import scaleout

    schema = _write(tmp_path, _doc(2500, 4))
    monkeypatch.setattr(engine, "GEN_THREADS", 1)
    monkeypatch.setattr(scaleout, "PART_THREADS", 1)
    one = generate(schema, tmp_path / "one", seed=3, partition_rows=3000).output
    monkeypatch.setattr(engine, "GEN_THREADS", 3)
    monkeypatch.setattr(scaleout, "PART_THREADS", 3)
    three = generate(schema, tmp_path / "three", seed=3, partition_rows=3000).output
    _same(one, three)
    parts = sorted((three / "invoice").iterdir())
    assert len(parts) >= 3
    table = pq.ParquetDataset(parts).read()
    ids, times = table["invoice_id"].to_numpy(), table["issued_at"].cast("int64").to_numpy()
    assert sorted(ids.tolist()) == list(range(100, 100 + len(ids)))
    ranks = np.corrcoef(ids.argsort().argsort(), times.argsort(kind="stable").argsort())[0, 1]  # Spearman's ρ
    assert ranks > 0.99
