"""Red-team tests of the agents' SQL tool: everything but one SELECT over the dataset is refused or contained."""

from __future__ import annotations

import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datacruncher.agents.sandbox import Sandbox
from datacruncher.model.catalog import find_tables


@pytest.fixture
def box(tmp_path: Path):
    data = tmp_path / "data"
    data.mkdir()
    pq.write_table(pa.table({"id": list(range(1, 101)), "amount": [float(i) for i in range(100)]}), data / "orders.parquet")
    pq.write_table(pa.table({"x": [1]}), tmp_path / "outside.parquet")  # beside the dataset, not in it
    (tmp_path / "secret.csv").write_text("token\nhunter2\n")
    with Sandbox(find_tables(data), timeout=2.0, max_rows=50) as sandbox:
        yield sandbox


def test_a_select_over_the_dataset_runs(box: Sandbox) -> None:
    r = box.run('SELECT count(*) AS n, sum(amount) AS s FROM "orders"')
    assert r.error is None and r.columns == ["n", "s"] and r.rows == [[100, 4950.0]]


@pytest.mark.parametrize("sql, why", [
    ("COPY orders TO '{tmp}/leak.csv'", "refused: only one SELECT"),
    ("ATTACH '{tmp}/other.duckdb' AS o", "refused: only one SELECT"),
    ("INSTALL httpfs", "refused: only one SELECT"),
    ("LOAD httpfs", "refused: only one SELECT"),
    ("PRAGMA enable_external_access", "refused: only one SELECT"),
    ("SET enable_external_access = true", "refused: only one SELECT"),
    ("CREATE TABLE t AS SELECT 1", "refused: only one SELECT"),
    ("DROP VIEW orders", "refused: only one SELECT"),
    ("EXPLAIN SELECT 1", "refused: only one SELECT"),
    ("SELECT 1; SELECT 2", "refused: exactly one statement"),
    ("SELECT 1; COPY orders TO 'x.csv'", "refused: exactly one statement"),
    ("", "refused: empty SQL"),
])
def test_statements_other_than_one_select_are_refused(box: Sandbox, tmp_path: Path, sql: str, why: str) -> None:
    r = box.run(sql.format(tmp=tmp_path))
    assert r.error is not None and r.error.startswith(why), r.error
    assert not (tmp_path / "leak.csv").exists()


@pytest.mark.parametrize("sql", [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_csv('{tmp}/secret.csv')",
    "SELECT * FROM read_text('{tmp}/secret.csv')",
    "SELECT * FROM read_parquet('{tmp}/outside.parquet')",
    "SELECT * FROM read_parquet('{tmp}/data/../outside.parquet')",
    "SELECT * FROM glob('{tmp}/*')",
    "SELECT * FROM query('COPY orders TO ''{tmp}/leak.csv''')",
])
def test_files_outside_the_dataset_cannot_be_read_or_written(box: Sandbox, tmp_path: Path, sql: str) -> None:
    r = box.run(sql.format(tmp=tmp_path))
    assert r.error is not None and not r.rows, r
    assert "hunter2" not in str(r.to_tool())
    assert not (tmp_path / "leak.csv").exists()


def test_the_configuration_is_locked(box: Sandbox) -> None:
    import duckdb

    with pytest.raises(duckdb.Error, match="locked"):
        box.con.execute("SET enable_external_access = true")
    assert box.run("SELECT current_setting('threads') AS t").rows == [[1]]


def test_huge_results_are_capped(box: Sandbox) -> None:
    r = box.run("SELECT * FROM range(1000000000)")
    assert r.error is None and len(r.rows) == 50 and r.truncated
    long = box.run("SELECT repeat('x', 100000) AS v")
    assert len(long.rows[0][0]) <= 201


def test_endless_queries_are_stopped(box: Sandbox) -> None:
    started = time.monotonic()
    r = box.run("WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT count(*) FROM r")
    assert r.error is not None and r.error.startswith("stopped"), r.error
    assert time.monotonic() - started < 30
    assert box.run("SELECT 1 AS one").rows == [[1]]  # the connection still works afterwards


def test_syntax_errors_come_back_as_results(box: Sandbox) -> None:
    r = box.run("SELEC nonsense")
    assert r.error is not None and r.error.startswith("syntax error")
    assert box.run("SELECT missing_column FROM orders").error is not None
