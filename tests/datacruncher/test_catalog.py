from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datacruncher.errors import InputError
from datacruncher.model.catalog import find_tables, open_catalog

from .conftest import write


def test_hostile_names_are_quoted(tmp_path):
    write(tmp_path, "order", {"select": [1, 2, 3], "my col": ["a", "b", None], 'quo"te': [1.0, 2.0, 3.0]})
    write(tmp_path, "überhaupt table", {"ключ": [1, 2]})
    with open_catalog(tmp_path) as cat:
        assert sorted(cat.tables) == ["order", "überhaupt table"]
        assert cat.tables["order"].rows == 3
        assert [c.name for c in cat.tables["order"].columns] == ["select", "my col", 'quo"te']
        assert cat.scalar('SELECT sum("quo""te") FROM "order"') == 6.0
        assert cat.scalar('SELECT max("ключ") FROM "überhaupt table"') == 2


def test_part_files_and_hive_partitions(tmp_path):
    parts = tmp_path / "events"
    parts.mkdir()
    for i in range(3):
        pq.write_table(pa.table({"id": [i * 10 + k for k in range(10)]}), parts / f"part-{i}.parquet")
    for region in ("eu", "us"):
        d = tmp_path / "sales" / f"region={region}"
        d.mkdir(parents=True)
        pq.write_table(pa.table({"amount": [1.0, 2.0]}), d / "data.parquet")
    (tmp_path / ".hidden").mkdir()
    pq.write_table(pa.table({"x": [1]}), tmp_path / ".hidden" / "x.parquet")
    with open_catalog(tmp_path) as cat:
        assert sorted(cat.tables) == ["events", "sales"]
        assert cat.tables["events"].rows == 30
        assert cat.tables["sales"].hive
        assert cat.query('SELECT region, count(*) FROM sales GROUP BY 1 ORDER BY 1')[1] == [("eu", 2), ("us", 2)]


def test_one_file_tables_with_other_parquet_suffixes(tmp_path):
    """``orders.PARQUET`` (a Windows export), ``.parq`` and ``.pq`` are tables as ``.parquet`` is; a ``.txt`` is not."""
    for name in ("orders.PARQUET", "users.parq", "items.pq", "notes.parquet.txt"):
        pq.write_table(pa.table({"id": [1, 2, 3]}), tmp_path / name)
    assert [t.name for t in find_tables(tmp_path)] == ["items", "orders", "users"]
    with open_catalog(tmp_path) as cat:
        assert {name: t.rows for name, t in cat.tables.items()} == {"items": 3, "orders": 3, "users": 3}


def test_a_delta_lake_table_is_read_at_its_current_version(tmp_path):
    """A table the deltalake package wrote, then appended to, deleted from and overwrote: its folder keeps all
    four files (no vacuum), and only the current one is read, with its partition column from the path."""
    import deltalake  # a test dependency (noxfile TEST_DEPS)

    lake = tmp_path / "lake"
    orders = str(lake / "orders")
    deltalake.write_deltalake(orders, pa.table({"order_id": [1, 2, 3], "region": ["eu", "us", "eu"]}),
                              partition_by=["region"])
    deltalake.write_deltalake(orders, pa.table({"order_id": [4, 5], "region": ["us", "us"]}), mode="append")
    deltalake.DeltaTable(orders).delete("order_id = 2")
    deltalake.write_deltalake(orders, pa.table({"order_id": [10, 11, 12], "region": ["eu", "eu", "us"]}),
                              mode="overwrite")
    assert len(list((lake / "orders").rglob("*.parquet"))) == 5  # the files of past versions are still there
    with open_catalog(lake) as cat:
        assert cat.tables["orders"].rows == 3
        assert cat.query("SELECT order_id, region FROM orders ORDER BY 1")[1] == [(10, "eu"), (11, "eu"), (12, "us")]


def test_corrupt_and_empty_files_name_the_file(tmp_path):
    write(tmp_path, "good", {"a": [1]})
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(InputError, match=r"broken\.parquet"):
        open_catalog(tmp_path)
    (tmp_path / "broken.parquet").write_bytes(b"")
    with pytest.raises(InputError, match=r"empty file .*broken.parquet"):
        open_catalog(tmp_path)


def test_missing_and_empty_dataset(tmp_path):
    with pytest.raises(InputError, match="not found"):
        find_tables(tmp_path / "nope")
    with pytest.raises(InputError, match="no parquet, CSV or JSON-lines files"):
        find_tables(tmp_path)


def test_empty_table_and_memory_limit(tmp_path):
    pq.write_table(pa.table({"id": pa.array([], pa.int64())}), tmp_path / "empty.parquet")
    with open_catalog(tmp_path, memory_limit="256MB") as cat:
        assert cat.tables["empty"].rows == 0
        assert cat.scalar("SELECT current_setting('memory_limit')").startswith("244")
        spill = cat.temp_dir
        assert spill.is_dir()
    assert not spill.exists()
    with pytest.raises(InputError, match="memory-limit"):
        open_catalog(tmp_path, memory_limit="lots")


def test_fingerprint_is_stable_and_content_sensitive(tmp_path):
    write(tmp_path, "t", {"a": [1, 2]})
    with open_catalog(tmp_path) as a, open_catalog(tmp_path) as b:
        assert a.fingerprint() == b.fingerprint()
        first = a.fingerprint()
    write(tmp_path, "t", {"a": [1, 3]})
    with open_catalog(tmp_path) as c:
        assert c.fingerprint() != first


def test_metadata_is_read_when_present(tmp_path):
    from datagen_contracts.metadata import DatasetMetadata, GeneratorInfo, TableInfo, dump_metadata

    write(tmp_path, "t", {"a": [dt.date(2024, 1, 1)]})
    meta = DatasetMetadata(dataset_name="x", generator=GeneratorInfo(name="g", version="1"),
                           generated_at="2024-01-01T00:00:00Z", tables=[TableInfo(name="t", primary_key="a")])
    dump_metadata(meta, tmp_path / ".metadata.json")
    with open_catalog(tmp_path) as cat:
        assert cat.metadata.tables[0].primary_key == "a"


def test_a_table_is_called_what_the_metadata_calls_it_not_its_file(tmp_path):
    """datagen writes a table named ``Kunden Liste`` as ``Kunden_Liste-<hash>.parquet``: the catalog (so the report)
    names it as the metadata and the schema do; a table the metadata does not record keeps its file's name."""
    from datagen_contracts.metadata import DatasetMetadata, FileInfo, GeneratorInfo, TableInfo, dump_metadata

    write(tmp_path, "Kunden_Liste-c4ffc7c2", {"kunden_id": [1, 2, 3]})
    write(tmp_path, "extra", {"x": [1]})
    meta = DatasetMetadata(dataset_name="x", generator=GeneratorInfo(name="g", version="1"),
                           generated_at="2024-01-01T00:00:00Z",
                           tables=[TableInfo(name="Kunden Liste", primary_key="kunden_id", files=[
                               FileInfo(path="Kunden_Liste-c4ffc7c2.parquet", rows=3, bytes=1, sha256="0" * 64)])])
    dump_metadata(meta, tmp_path / ".metadata.json")
    with open_catalog(tmp_path) as cat:
        assert sorted(cat.tables) == ["Kunden Liste", "extra"]
        assert cat.query('SELECT count(*) FROM "Kunden Liste"')[1] == [(3,)]


def test_a_statement_out_of_memory_beside_another_runs_again_alone(tmp_path):
    """Concurrent statements share --memory-limit: one that runs out of memory is retried alone; one that still
    cannot run is a ResourceError (exit code 3 from the CLI), never a traceback."""
    import duckdb

    from datacruncher.errors import ResourceError
    from datacruncher.model.catalog import open_catalog

    write(tmp_path / "d", "t", {"x": [1, 2, 3]})
    with open_catalog(tmp_path / "d", memory_limit="64MB") as cat:
        real = cat.con

        class Starved:  # cursors (the concurrent path) run out of memory; the connection itself does not
            def cursor(self):
                class Cursor:
                    def execute(self, sql):
                        raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block")

                    def close(self):
                        pass
                return Cursor()

            def execute(self, sql):
                return real.execute(sql)

        cat.con = Starved()
        assert cat.fetchone_each(["SELECT sum(x) FROM t", "SELECT max(x) FROM t"]) == [(6,), (3,)]
        Starved.execute = lambda self, sql: Starved.cursor(self).execute(sql)
        with pytest.raises(ResourceError, match="ran out of memory within --memory-limit 64MB"):
            cat.fetchone_each(["SELECT sum(x) FROM t", "SELECT max(x) FROM t"])
        cat.con = real


def test_symlinks_leaving_the_dataset_are_refused_unless_allowed(tmp_path) -> None:
    """A link to a file or a folder outside the dataset is never read by default: its columns (a password
    table, say) must not reach the report."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from datacruncher.errors import InputError
    from datacruncher.model.catalog import open_catalog

    data, outside = tmp_path / "data", tmp_path / "secrets"
    data.mkdir(), outside.mkdir()
    pq.write_table(pa.table({"id": [1, 2]}), data / "t.parquet")
    pq.write_table(pa.table({"password": ["a", "b"]}), outside / "users.parquet")
    (data / "users.parquet").symlink_to(outside / "users.parquet")
    with pytest.raises(InputError, match="symlink leading outside the dataset"):
        open_catalog(data)
    (data / "users.parquet").unlink()
    (data / "users").symlink_to(outside, target_is_directory=True)
    with pytest.raises(InputError, match="users"):
        open_catalog(data)
    with open_catalog(data, follow_symlinks=True) as cat:  # the explicit flag
        assert sorted(cat.tables) == ["t", "users"]
    (data / "users").unlink()
    (data / "inner").mkdir()
    (data / "inner" / "p.parquet").symlink_to(data / "t.parquet")  # a link that stays inside is fine
    with open_catalog(data) as cat:
        assert sorted(cat.tables) == ["inner", "t"]


def test_a_damaged_page_is_an_input_error_naming_the_file(tmp_path) -> None:
    """A valid footer over a corrupt data page: exit 2 with the file named, not a DuckDB traceback."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from datacruncher.crunch import crunch
    from datacruncher.errors import InputError

    f = tmp_path / "t.parquet"
    pq.write_table(pa.table({"id": list(range(50_000)), "amount": [i / 50_000 for i in range(50_000)]}), f,
                   compression="zstd")
    offset = pq.ParquetFile(f).metadata.row_group(0).column(1).data_page_offset
    data = bytearray(f.read_bytes())
    for i in range(offset + 30, offset + 200):
        data[i] ^= 0x5A
    f.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"cannot read .*t\.parquet: it is damaged"):
        crunch(tmp_path)


def test_part_files_that_disagree_on_a_type_are_refused_with_both_schemas(tmp_path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from datacruncher.errors import InputError
    from datacruncher.model.catalog import open_catalog

    (tmp_path / "orders").mkdir()
    pq.write_table(pa.table({"id": [1, 2], "v": [1.0, 2.0]}), tmp_path / "orders" / "part-0.parquet")
    pq.write_table(pa.table({"id": ["3", "4"], "v": [3.0, 4.0]}), tmp_path / "orders" / "part-1.parquet")
    with pytest.raises(InputError) as err:
        open_catalog(tmp_path)
    text = str(err.value)
    assert "disagree on column 'id'" in text and "part-0.parquet holds int64" in text
    assert "part-1.parquet holds string" in text and "(id int64, v double) vs (id string, v double)" in text


def test_an_empty_table_is_analysed_with_checks_skipped_for_a_reason(tmp_path) -> None:
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    from datacruncher.crunch import crunch

    pq.write_table(pa.table({"id": pa.array([], pa.int64()), "created_at": pa.array([], pa.timestamp("us")),
                             "amount": pa.array([], pa.float64())}), tmp_path / "orders.parquet")
    pq.write_table(pa.table({"id": [1, 2, 3], "created_at": [dt.datetime(2024, 1, d) for d in (1, 2, 3)]}),
                   tmp_path / "users.parquet")
    report = crunch(tmp_path)
    assert report.checks.errored == 0
    on_empty = [r for r in report.checks.results if r.table == "orders"]
    assert on_empty and all(r.status == "skipped" and r.reason == "table orders has no rows" for r in on_empty)


def test_column_names_sql_cannot_keep_apart_are_recorded_and_reported(tmp_path) -> None:
    """``id`` beside ``ID``, a repeated name and an empty one: DuckDB reads them as ``ID_1``, ``x_1``, ``C…``; the
    catalog maps each back to its name in the file, and crunch raises one medium issue per such table."""
    from datacruncher.crunch import crunch

    n = 300
    pq.write_table(pa.Table.from_arrays(
        [pa.array(range(n)), pa.array(range(n, 0, -1)), pa.array(["a"] * n), pa.array([1.0] * n),
         pa.array([2.0] * n)], names=["id", "ID", "x", "x", ""]), tmp_path / "users.parquet")
    pq.write_table(pa.table({"user_id": [i % n for i in range(900)], "Amount": [1.5] * 900}), tmp_path / "events.parquet")
    with open_catalog(tmp_path) as cat:
        renamed = cat.tables["users"].renamed
        assert renamed == {"ID_1": "ID", "x_1": "x", next(r for r, w in renamed.items() if w == ""): ""}
        assert cat.tables["events"].renamed == {}
    report = crunch(tmp_path, personas="Data Engineer")
    named = [i for i in report.issues if i.rule_id == "column_names"]
    assert [(i.table, i.severity, i.fix.action, i.measure.value) for i in named] == [("users", "medium", "review", 3.0)]
    assert "'ID' (read as 'ID_1')" in named[0].finding and "'' (read as " in named[0].finding


def test_keys_found_from_values_say_so_in_their_role_evidence(tmp_path) -> None:
    """A key nothing in its name marks (``code``) and a reference to it get the role ``id`` from the structure;
    the evidence says why, not "named so"."""
    from datacruncher.crunch import crunch

    n = 300
    pq.write_table(pa.table({"code": list(range(1000, 1000 + n)), "label": [f"l{i % 7}" for i in range(n)]}),
                   tmp_path / "plans.parquet")
    pq.write_table(pa.table({"plan_code": [1000 + i % n for i in range(900)], "qty": [i % 5 for i in range(900)]}),
                   tmp_path / "subs.parquet")
    report = crunch(tmp_path, personas="Data Engineer")
    evidence = {(t.name, c.name): {e.role: e.reason for e in c.role_evidence}
                for t in report.model.tables for c in t.columns}
    assert evidence[("plans", "code")]["id"] == "the table's primary key (unique, never null)"
    assert evidence[("subs", "plan_code")]["id"] == "a key or a reference between tables"


def test_csv_files_are_read_in_their_own_encoding(tmp_path) -> None:
    """A Latin-1 CSV from a spreadsheet and a UTF-16 one read with their accents (DuckDB alone reads UTF-8 only)."""
    rows = "id;name;city\n1;José;Zürich\n2;Åsa;Malmö\n"
    (tmp_path / "latin.csv").write_bytes(rows.encode("latin-1"))
    (tmp_path / "wide.csv").write_bytes(rows.replace(";", ",").encode("utf-16"))
    (tmp_path / "plain.csv").write_bytes(rows.encode("utf-8"))
    with open_catalog(tmp_path) as cat:
        for table in ("latin", "wide", "plain"):
            assert cat.query(f'SELECT name, city FROM "{table}" ORDER BY id')[1] == [("José", "Zürich"), ("Åsa", "Malmö")]


def test_a_windows_1252_csv_reads_its_euro_signs_and_curly_quotes(tmp_path) -> None:
    """Excel on Windows saves CSV in Windows-1252: € is 0x80 and „“ are 0x84/0x93, bytes DuckDB's Latin-1 refuses
    (it stopped the crunch with "File is not latin-1 encoded"). The table reads them, also gzipped, and also in the
    agents' sandbox, which reads the files again."""
    import gzip

    from datacruncher.agents.sandbox import Sandbox

    rows = "id;price;note\n" + "".join(f"{i};{i} €;„quoted“ – {i}\n" for i in range(1, 41))
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "prices.csv").write_bytes(rows.encode("cp1252"))
    (tmp_path / "shop" / "zipped.csv.gz").write_bytes(gzip.compress(rows.encode("cp1252")))
    # 0x81 is undefined in Windows-1252: read as Latin-1 reads it, not an error
    (tmp_path / "shop" / "odd.csv").write_bytes(b"id;v\n" + b"".join(b"%d;\x80\x81\n" % i for i in range(30)))
    with open_catalog(tmp_path / "shop") as cat:
        assert cat.query('SELECT DISTINCT v FROM odd')[1] == [("€\x81",)]
        for table in ("prices", "zipped"):
            got = cat.query(f'SELECT price, note FROM "{table}" WHERE id = 7')[1]
            assert got == [("7 €", "„quoted“ – 7")], table
    with Sandbox(find_tables(tmp_path / "shop")) as box:
        assert box.run("SELECT count(*) FROM prices WHERE price LIKE '%€'").rows == [[40]]


def test_a_sqlite_database_is_a_dataset_read_without_duckdbs_extension(tmp_path) -> None:
    """Each table and view of a SQLite file is a table (DuckDB's sqlite extension downloads at run time; this reads
    with Python's sqlite3, read-only): a column of whole and real numbers is a double, one mixing numbers and text is
    text, a date stored as text stays text; odd table names are quoted; the file is never modified; the agents'
    sandbox sees the same tables."""
    import hashlib
    import sqlite3

    from datacruncher.agents.sandbox import Sandbox

    db = tmp_path / "app.db"
    src = sqlite3.connect(db)
    src.execute('CREATE TABLE "order items" (id INTEGER PRIMARY KEY, qty, price REAL, code, placed TEXT, raw BLOB)')
    src.executemany('INSERT INTO "order items" VALUES (?, ?, ?, ?, ?, ?)',
                    [(i, i if i % 2 else i + 0.5, i * 1.25, i if i % 3 else f"X{i}", f"2024-01-{i % 28 + 1:02d}",
                      bytes([i % 256])) for i in range(1, 201)])
    src.execute('CREATE VIEW "big ""ones""" AS SELECT * FROM "order items" WHERE qty > 150')
    src.commit()
    src.close()
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with open_catalog(db) as cat:
        assert sorted(cat.tables) == ['big "ones"', "order items"]
        kinds = {c.name: c.type for c in cat.tables["order items"].columns}
        assert kinds == {"id": "BIGINT", "qty": "DOUBLE", "price": "DOUBLE", "code": "VARCHAR", "placed": "VARCHAR",
                         "raw": "BLOB"}
        assert cat.tables["order items"].rows == 200 and cat.tables['big "ones"'].rows == 51
        assert cat.query('SELECT code FROM "order items" WHERE id IN (3, 4) ORDER BY id')[1] == [("X3",), ("4",)]
        with Sandbox(list(cat.tables.values())) as box:  # as the agents get them
            assert box.run('SELECT count(*), sum(price) FROM "order items"').rows == [[200, 25125.0]]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    (tmp_path / "empty.db").write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    with pytest.raises(InputError, match="SQLite database"):
        open_catalog(tmp_path / "empty.db")


def test_times_stored_as_epoch_numbers_are_read_as_timestamps(tmp_path) -> None:
    """Seconds, milliseconds, microseconds, nanoseconds (and fractional seconds) since 1970 in columns named like a
    time become TIMESTAMP columns of the view; numbers whose name or range says otherwise stay numbers."""
    from datacruncher.crunch import crunch  # (no numpy: the isolated datacruncher install has none)

    base = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    secs = [int(base.timestamp()) + 3600 * i for i in range(400)]
    pq.write_table(pa.table({
        "user_id": [1_600_000_000 + i for i in range(400)],  # in the seconds range, but an id
        "created_ts": [s * 1000 for s in secs], "updated_at": [s * 1_000_000 for s in secs],
        "deleted_time": [s * 1_000_000_000 for s in secs], "seen_epoch": [s + 0.25 for s in secs],
        "duration_seconds": secs, "phone": secs, "created_by": secs,
    }), tmp_path / "users.parquet")
    events = [i % 400 for i in range(2000)]
    when = [secs[u] + 60 - (7 * 86400 if i < 40 else 0) for i, u in enumerate(events)]  # 40 a week before the user
    pq.write_table(pa.table({"event_id": list(range(2000)), "user_id": [1_600_000_000 + u for u in events],
                             "event_time": when}), tmp_path / "events.parquet")
    (tmp_path / "visits.csv").write_text("visit_id,visited_at\n" + "".join(f"{i},{s}\n" for i, s in enumerate(secs[:50])))
    with open_catalog(tmp_path) as cat:
        users = cat.tables["users"]
        assert users.epochs == {"created_ts": "ms", "updated_at": "us", "deleted_time": "ns", "seen_epoch": "s"}
        assert cat.tables["events"].epochs == {"event_time": "s"} and cat.tables["visits"].epochs == {"visited_at": "s"}
        types = {c.name: c.type for c in users.columns}
        assert types["created_ts"] == types["deleted_time"] == "TIMESTAMP" and types["phone"] == "BIGINT"
        assert types["user_id"] == types["duration_seconds"] == types["created_by"] == "BIGINT"
        first = cat.query('SELECT created_ts, updated_at, deleted_time, seen_epoch FROM users ORDER BY user_id LIMIT 1')[1]
        naive = base.replace(tzinfo=None)
        assert first == [(naive, naive, naive, naive + dt.timedelta(seconds=0.25))]
        assert cat.query("SELECT min(visited_at) FROM visits")[1] == [(naive,)]
    report = crunch(tmp_path, personas="Data Engineer")
    late = [i for i in report.issues if i.rule_id == "temporal_fk"]
    assert len(late) == 1 and late[0].measure.failed_row_count == 40, [i.finding for i in report.issues]
    evidence = {(t.name, c.name): {e.role: e.reason for e in c.role_evidence} for t in report.model.tables
                for c in t.columns}
    assert evidence[("users", "created_ts")]["time"].startswith("milliseconds since 1970")


def test_part_files_that_widen_a_type_or_add_columns_are_read_as_one_table(tmp_path) -> None:
    """int32 parts beside int64 ones, float beside double, ms beside µs timestamps, a column added later: read as
    the wider type (DuckDB's union by name); a time zone beside none is still refused."""
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    from datacruncher.errors import InputError
    from datacruncher.model.catalog import open_catalog

    (tmp_path / "events").mkdir()
    when = dt.datetime(2024, 5, 1)
    pq.write_table(pa.table({"id": pa.array([1, 2], pa.int32()), "v": pa.array([1.0, 2.0], pa.float32()),
                             "at": pa.array([when] * 2, pa.timestamp("ms"))}), tmp_path / "events" / "part-0.parquet")
    pq.write_table(pa.table({"id": pa.array([2**40], pa.int64()), "v": pa.array([3.0]),
                             "at": pa.array([when], pa.timestamp("us")), "note": ["late"]}),
                   tmp_path / "events" / "part-1.parquet")
    cat = open_catalog(tmp_path)
    table = cat.tables["events"]
    assert {c.name: c.type for c in table.columns} == {"id": "BIGINT", "v": "DOUBLE", "at": "TIMESTAMP",
                                                        "note": "VARCHAR"}
    assert cat.con.execute(f"SELECT max(id), count(note) FROM {table.sql}").fetchall() == [(2**40, 1)]
    pq.write_table(pa.table({"id": pa.array([5], pa.int64()), "v": pa.array([3.0]),
                             "at": pa.array([when], pa.timestamp("us", "UTC"))}), tmp_path / "events" / "part-2.parquet")
    with pytest.raises(InputError, match="disagree on column 'at'"):
        open_catalog(tmp_path)


def test_a_wide_table_is_loaded_once_and_crunches_as_its_view_did(tmp_path, monkeypatch) -> None:
    """Past WIDE columns a parquet table is loaded into DuckDB's storage (a view over a wide scan is bound again
    for every query: 30 s of binding for 1,200 columns). The report is the same as over the view, epoch times
    included."""
    import datetime as dt
    import random

    import msgspec
    import pyarrow as pa
    import pyarrow.parquet as pq

    from datacruncher.crunch import crunch
    from datacruncher.model import mount
    from datacruncher.model.catalog import open_catalog

    rnd = random.Random(3)
    rows = 400
    start = int(dt.datetime(2024, 1, 1, tzinfo=dt.UTC).timestamp())
    columns = {"id": list(range(rows)), "created_at": [start + rnd.randrange(10**7) for _ in range(rows)]}
    columns |= {f"m{i}": [rnd.random() for _ in range(rows)] for i in range(12)}
    columns |= {f"c{i}": [rnd.choice("abc") for _ in range(rows)] for i in range(6)}
    pq.write_table(pa.table(columns), tmp_path / "wide.parquet")

    def report() -> dict:
        got = msgspec.to_builtins(crunch(tmp_path))
        return {k: got[k] for k in ("issues", "checks", "profiles", "model")}

    viewed = report()
    monkeypatch.setattr(mount, "WIDE", 10)
    cat = open_catalog(tmp_path)
    assert cat.con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'wide'").fetchone() == (1,)
    assert cat.tables["wide"].epochs == {"created_at": "s"}
    loaded = report()
    for result in (*viewed["checks"]["results"], *loaded["checks"]["results"]):
        result["duration_ms"] = None
    assert loaded == viewed


def test_a_csv_with_decimal_commas_reads_its_numbers_as_numbers(tmp_path) -> None:
    """A European spreadsheet's export: ``;`` between fields, ``1234,56`` for numbers, ``dd.mm.yyyy`` dates, Latin-1.
    The amounts used to be text (no numeric check ran on them); a column of codes with commas stays text, and a
    file whose decimals use a point keeps its text columns."""
    from datacruncher.model.catalog import open_catalog

    rows = [f"{i};Müller {i};{1000 + i},{i % 100:02d};{1 + i % 28:02d}.03.2024;{i},{i + 1},{i + 2}" for i in range(200)]
    rows[7] = "7;Müller 7;1.007,07;08.03.2024;7,8,9"  # thousands grouped by a point, as spreadsheets write them
    (tmp_path / "kunden.csv").write_bytes(("kunde_id;name;umsatz;datum;codes\n" + "\n".join(rows) + "\n").encode("latin-1"))
    point = tmp_path / "point"
    point.mkdir()
    (point / "t.csv").write_text("id,price,note\n" + "".join(f'{i},{i}.5,"{i},5"\n' for i in range(50)))
    cat = open_catalog(tmp_path)
    kunden = cat.tables["kunden"]
    assert {c.name: c.type for c in kunden.columns} == {"kunde_id": "BIGINT", "name": "VARCHAR", "umsatz": "DOUBLE",
                                                         "datum": "DATE", "codes": "VARCHAR"}
    assert kunden.decimal_comma == ["umsatz"]
    total = sum(1000 + i + (i % 100) / 100 for i in range(200))
    assert cat.con.execute("SELECT sum(umsatz) FROM kunden").fetchone()[0] == pytest.approx(total)
    assert {c.name: c.type for c in open_catalog(point).tables["t"].columns}["note"] == "VARCHAR"


def test_a_csv_column_of_numbers_and_null_tokens_reads_as_numbers(tmp_path) -> None:
    """``12.5``, ``N/A``, ``NULL``, ``-`` in one column (a database dump's, R's, Excel's way of saying "no value"):
    read as numbers and NULL, said in the column's evidence; a text column holding ``NA`` (Namibia) among other
    words stays text, and the agents' sandbox reads the table the same way."""
    from datacruncher.agents.sandbox import Sandbox
    from datacruncher.model.catalog import open_catalog
    from datacruncher.model.discovery import discover

    tokens = ["N/A", "NULL", " - "]
    rows = [f"{i};{tokens[i % 3] if i % 4 == 0 else f'{i}.25'};{['DE', 'NA', 'FR'][i % 3]};{i if i % 5 else 'n/a'}"
            for i in range(120)]
    (tmp_path / "orders.csv").write_text("id;amount;country;qty\n" + "\n".join(rows) + "\n")
    cat = open_catalog(tmp_path)
    types = {c.name: c.type for c in cat.tables["orders"].columns}
    assert types == {"id": "BIGINT", "amount": "DOUBLE", "country": "VARCHAR", "qty": "BIGINT"}
    nulls, total, namibia = cat.con.execute(
        "SELECT count(*) - count(amount), sum(amount), count(*) FILTER (WHERE country = 'NA') FROM orders").fetchone()
    assert nulls == 30 and total == pytest.approx(sum(i + 0.25 for i in range(120) if i % 4)) and namibia == 40
    assert cat.tables["orders"].null_tokens["amount"] == ("DOUBLE", [("-", 10), ("N/A", 10), ("NULL", 10)])
    model = discover(cat)
    amount = next(c for c in model.tables["orders"].columns if c.name == "amount")
    assert any("'N/A' in 10 rows" in why for _, why in amount.role_evidence.values())
    with Sandbox(list(cat.tables.values())) as box:
        assert box.run("SELECT count(amount), sum(qty) FROM orders").rows == [[90, sum(i for i in range(120) if i % 5)]]


def test_a_workbook_is_a_dataset_of_its_sheets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each sheet with a header row is a table (an empty sheet is none); whole-number columns are integers (a
    workbook stores every number as a double: ids are not 'integers stored as floats'), and keys are found across
    sheets. Without the [excel] extra, and for a damaged file, a clear error."""
    from datacruncher import crunch

    from .workbooks import write_xlsx

    book = tmp_path / "shop.xlsx"
    write_xlsx(book, {"Orders": [["order_id", "customer_id", "amount", "note"]]
                      + [[i, i % 40 + 1, round(i * 1.37, 2), "ok" if i % 9 else None] for i in range(1, 301)],
                      "Kunden Liste": [["customer_id", "name"]] + [[i, f"Customer {i}"] for i in range(1, 41)],
                      "Leer": []})
    before = book.read_bytes()
    report = crunch(book, personas="Data Engineer")
    assert {t.name: t.rows for t in report.model.tables} == {"Orders": 300, "Kunden Liste": 40}
    (fk,) = report.model.foreign_keys
    assert (fk.from_table, fk.from_column, fk.to_table) == ("Orders", "customer_id", "Kunden Liste")
    assert not [i for i in report.issues if i.rule_id == "ids_as_float"]
    with open_catalog(book) as cat:
        kinds = dict(cat.con.execute("SELECT column_name, data_type FROM information_schema.columns "
                                     "WHERE table_name = 'Orders'").fetchall())
    assert kinds == {"order_id": "BIGINT", "customer_id": "BIGINT", "amount": "DOUBLE", "note": "VARCHAR"}
    assert book.read_bytes() == before
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    with pytest.raises(InputError, match=r"cannot read the workbook .*bad\.xlsx"):
        open_catalog(tmp_path / "bad.xlsx")
    monkeypatch.setitem(__import__("sys").modules, "fastexcel", None)
    with pytest.raises(InputError, match=r"spreadsheet workbook; reading one needs the \[excel\] extra"):
        open_catalog(book)
