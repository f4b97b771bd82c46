"""Ground truth: defects injected at exact counts are found with exact rates (well inside ±0.1 pp)."""

from __future__ import annotations

import datetime as dt

import pytest

from datacruncher import crunch

from .conftest import shop, write


def _issue(report, rule, table=None):
    found = [i for i in report.issues if i.rule_id == rule and (table is None or i.table == table)]
    assert found, f"no {rule} issue; got {[i.id for i in report.issues]}"
    return found[0]


@pytest.fixture(scope="module")
def defective(tmp_path_factory):
    d = shop(tmp_path_factory.mktemp("shop"), orphans=150, early=230, dup_rows=40, negatives=25, variants=300)
    return crunch(d, personas="Data Engineer,CFO")


def test_fk_orphans_exact_rate(defective):
    i = _issue(defective, "fk_orphans")
    assert i.id == "fk_orphans:orders.user_id -> users.user_id"
    assert (i.measure.failed_row_count, i.measure.row_count) == (150, 10040)
    assert i.measure.value == pytest.approx(150 / 10040)
    assert i.severity == "critical"
    assert i.sample_keys == list(range(3000, 3010))  # capped at 10, sorted
    assert i.fix.path == "schema" and i.fix.references == "users.user_id"


def test_temporal_fk_with_worst_offset(defective):
    i = _issue(defective, "temporal_fk")
    # orphans drop out of the join; the 230 early orders are at the end, away from the orphans
    assert i.measure.failed_row_count == 230
    assert i.measure.value == pytest.approx(230 / (10040 - 150), abs=1e-3)
    assert "worst by 7 days" in i.finding
    assert defective.metrics.temporal_violations == pytest.approx(100 * 230 / 9890, abs=1e-3)


def test_duplicates_and_pk(defective):
    dup = _issue(defective, "duplicate_rows", "orders")
    assert dup.measure.failed_row_count == 40
    assert "80 rows sit in 40 groups" in dup.finding
    pk = _issue(defective, "pk_duplicates", "orders")
    assert pk.measure.failed_row_count == 40
    assert defective.metrics.duplicate_rate == pytest.approx(100 * 40 / 12040, abs=1e-4)


def test_negative_amounts_and_variants(defective):
    neg = _issue(defective, "negative_amounts")
    assert neg.measure.failed_row_count == 25 and neg.severity == "high"
    fmt = _issue(defective, "format_inconsistency", "orders")
    # 300 injected plus the 20 variants among the 40 duplicated rows (rows 200..239, odd ones)
    assert fmt.column == "country" and fmt.measure.failed_row_count == 320
    assert fmt.sample_keys == ["US", "us "]


def test_metrics_are_real(defective):
    m = defective.metrics
    assert (m.tables_analyzed, m.total_rows) == (2, 12040)
    assert m.fk_integrity == pytest.approx(100 * (1 - 150 / 10040), abs=1e-4)
    assert m.null_rate == 0.0


def test_clean_data_has_no_critical_or_high(tmp_path):
    report = crunch(shop(tmp_path))
    assert report.summary.critical == 0 and report.summary.high == 0, [i.finding for i in report.issues]
    assert report.metrics.fk_integrity == 100.0 and report.metrics.temporal_violations == 0.0
    assert report.checks.errored == 0
    assert report.quality_score >= 90


def test_empty_and_all_null_tables(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"id": pa.array([], pa.int64()), "ts": pa.array([], pa.timestamp("us"))}),
                   tmp_path / "empty.parquet")
    write(tmp_path, "nulls", {"id": list(range(50)), "note": pa.array([None] * 50, pa.string())})
    report = crunch(tmp_path, personas="DE")
    assert report.checks.errored == 0
    nul = _issue(report, "null_rate", "nulls")
    assert nul.column == "note" and nul.measure.value == 1.0 and nul.severity == "medium"
    skipped = [r for r in report.checks.results if r.table == "empty"]
    assert skipped and all(r.status == "skipped" for r in skipped)


def test_mixed_timestamp_types(tmp_path):
    import pyarrow as pa

    write(tmp_path, "accounts", {
        "account_id": [1, 2, 3, 4],
        "created_at": pa.array([dt.datetime(2024, 1, d, tzinfo=dt.UTC) for d in (1, 2, 3, 4)], pa.timestamp("ms", "UTC")),
    })
    write(tmp_path, "payments", {
        "payment_id": list(range(8)),
        "account_id": [1, 2, 3, 4, 1, 2, 3, 4],
        "paid_on": [dt.date(2024, 1, d) for d in (5, 6, 7, 8, 9, 10, 11, 1)],  # the last is before account 4
    })
    report = crunch(tmp_path, personas="Data Engineer")
    i = _issue(report, "temporal_fk")
    assert (i.measure.failed_row_count, i.measure.row_count) == (1, 8)
    assert report.checks.errored == 0


def test_query_failure_is_an_error_not_a_pass(tmp_path):
    persona = tmp_path / "bad.yaml"
    persona.write_text(
        "id: bad\nname: Bad\nfocus: x\nchecks:\n  - id: boom\n    title: boom\n    over: table\n"
        "    sql: SELECT no_such_column AS value FROM {table}\n    metric: m\n    severity: {high: '> 0'}\n"
        "    finding: x\n    fix: {path: none, action: review}\n"
    )
    write(tmp_path / "data", "t", {"a": [1, 2]})
    report = crunch(tmp_path / "data", personas="bad", persona_files=[persona])
    assert report.checks.errored == 1 and report.checks.passed == 0
    assert "no_such_column" in report.checks.results[0].reason
    assert report.quality_score == 0.0


def _signups(directory, name, per_month):
    """An entity table whose rows sign up ``per_month[i]`` times in month i of 2024 (1st..28th, spread evenly)."""
    created = [dt.datetime(2024, m + 1, 1) + dt.timedelta(hours=(k * 672) // n)
               for m, n in enumerate(per_month) for k in range(n)]
    write(directory, name, {f"{name}_id": list(range(1, len(created) + 1)), "created_at": created})


def test_new_entity_trend_flags_a_drop_and_skips_tiny_tables(tmp_path):
    data = tmp_path / "d"
    _signups(data, "accounts", [400, 400, 400, 400, 200, 50])  # May halves against Feb–Apr; June is incomplete
    _signups(data, "promos", [6, 5, 6, 5, 3, 1])  # the same shape with a handful of rows: noise, not a trend
    report = crunch(data, personas="VP Growth")
    by = {(r.rule_id, r.table): r for r in report.checks.results}
    assert by[("new_entity_trend", "accounts")].status == "failed"
    issue = next(i for i in report.issues if i.rule_id == "new_entity_trend" and i.table == "accounts")
    assert issue.measure.value == pytest.approx(-0.5) and issue.severity == "medium"
    tiny = by[("new_entity_trend", "promos")]
    assert tiny.status == "skipped" and "too few" in tiny.reason


def test_outliers_keep_the_log_scale_despite_a_few_negative_amounts(tmp_path):
    """A lognormal price column with 0.2% negated values: the negatives are the outliers, not the long tail."""
    import math
    import random

    rng = random.Random(5)  # datacruncher's tests run without numpy (nox -s isolated)
    amount = [round(math.exp(rng.gauss(3.4, 0.8)), 2) for _ in range(20_000)]
    amount[:40] = [-a for a in amount[:40]]
    write(tmp_path / "d", "sales", {"sale_id": list(range(20_000)), "amount": amount})
    report = crunch(tmp_path / "d", personas="Data Engineer")
    issue = next(i for i in report.issues if i.rule_id == "outliers" and i.column == "amount")
    assert "a log scale" in issue.finding
    assert issue.measure.value == pytest.approx(40 / 20_000, abs=0.0006)
    assert issue.severity == "medium"


def test_duplicate_rows_scoped_by_the_key_count_exactly(tmp_path):
    """With a key, only rows whose key repeats or is NULL are grouped: identical twins (also with NULL keys) are
    counted, rows that merely share a key are not — the same numbers as grouping the whole table."""
    import duckdb

    ids = [*range(1, 1001), 5, 6, 6, None, None, None]
    note = ["a"] * 1000 + ["a", "a", "changed", "x", "x", "y"]  # id 5: twin; id 6: twin + a key-only repeat
    write(tmp_path / "d", "tickets", {"ticket_id": ids, "note": note})
    report = crunch(tmp_path / "d", personas="Data Engineer")
    (dup,) = [i for i in report.issues if i.rule_id == "duplicate_rows"]
    plain = duckdb.execute(
        f"SELECT sum(n) - count(*), sum(n) FILTER (WHERE n > 1), count(*) FILTER (WHERE n > 1) FROM "
        f"(SELECT *, count(*) n FROM '{tmp_path / 'd' / 'tickets.parquet'}' GROUP BY ALL)").fetchone()
    assert plain == (3, 6, 3)  # (5,a)x2, (6,a)x2, (NULL,x)x2
    assert dup.measure.failed_row_count == 3 and dup.measure.row_count == 1006
    assert "6 rows sit in 3 groups" in dup.finding
    assert '"ticket_id" IS NULL OR' in dup.sql  # the scoped form ran


def test_text_type_checks_count_what_a_plain_cast_counts(tmp_path):
    """The prefilter before TRY_CAST (first character) must not change a count: edge spellings included."""
    import duckdb

    odd = ["inf", "nan", "NaN", "Infinity", "+1", "-1", ".5", " 1", "\t1", "1e5", "0x10", "1_000", "e5", "1,5",
           "infinity", "-infinity", "epoch", "2024-01-01", " 2024-01-01", "\n2024-01-01", "INF", "EPOCH", "abc"]
    values = odd * 5
    write(tmp_path / "d", "t", {"t_id": list(range(len(values))), "raw": values})
    from datacruncher.checks.personas import Severity
    from datacruncher.checks.thresholds import Override

    every = Override(severity=Severity(medium=">= 0"))  # report the measure whatever it is
    report = crunch(tmp_path / "d", personas="Data Engineer",
                    thresholds={"numbers_as_strings": every, "dates_as_strings": every})
    got = {i.rule_id: i.measure.failed_row_count for i in report.issues
           if i.column == "raw" and i.rule_id.endswith("_as_strings")}
    path = tmp_path / "d" / "t.parquet"
    nums, dates = duckdb.execute(f"SELECT count(TRY_CAST(raw AS DOUBLE)), count(TRY_CAST(raw AS TIMESTAMP)) "
                                 f"FROM '{path}'").fetchone()
    assert got == {"numbers_as_strings": nums, "dates_as_strings": dates}


def test_advice_by_origin(tmp_path) -> None:
    """The same defect gets generator advice on datagen's data and owner advice on any other data."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from datacruncher.crunch import crunch
    from datagen_contracts.metadata import DatasetMetadata, GeneratorInfo, dump_metadata

    data = tmp_path / "d"
    data.mkdir()
    pq.write_table(pa.table({"id": [*range(1, 201), 7], "v": list(range(201))}), data / "t.parquet")
    external = crunch(data, personas="Data Engineer")
    (dup,) = [i for i in external.issues if i.rule_id == "pk_duplicates"]
    assert "at the source" in dup.recommendation or "where it is loaded" in dup.recommendation
    dump_metadata(DatasetMetadata(dataset_name="d", generator=GeneratorInfo(name="datagen-core", version="0"),
                                  generated_at="2024-01-01T00:00:00Z", seed=1), data / ".metadata.json")
    generated = crunch(data, personas="Data Engineer")
    (dup,) = [i for i in generated.issues if i.rule_id == "pk_duplicates"]
    assert "schema" in dup.recommendation


def test_sparse_nulls_in_an_otherwise_complete_column_are_found_with_the_count(tmp_path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from datacruncher.crunch import crunch

    data = tmp_path / "d"
    data.mkdir()
    segments = [["retail", "pro", "enterprise"][i % 3] for i in range(1000)]
    for i in range(0, 1000, 50):  # 2% NULLs injected into a categorical column
        segments[i] = None
    often = [None if i % 3 else "x" for i in range(1000)]  # mostly NULL: optional by nature, not a finding
    pq.write_table(pa.table({"id": list(range(1000)), "segment": segments, "note": often}), data / "c.parquet")
    report = crunch(data, personas="Data Engineer")
    (sparse,) = [i for i in report.issues if i.rule_id == "sparse_nulls"]
    assert sparse.column == "segment" and sparse.measure.failed_row_count == 20 and sparse.severity == "medium"
    assert "20 NULLs (2.00%)" in sparse.finding


def test_exact_duplicate_rows_in_a_table_without_any_key(tmp_path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from datacruncher.crunch import crunch

    data = tmp_path / "d"
    data.mkdir()
    rows = [(f"s{i % 7}", i % 13, float(i % 5)) for i in range(500)]  # no column nor pair is unique
    rows += rows[:12]  # 12 exact repeats
    station, hour, temp = (list(c) for c in zip(*rows, strict=True))
    pq.write_table(pa.table({"station": station, "hour": hour, "temp": temp}), data / "readings.parquet")
    report = crunch(data, personas="Data Engineer")
    (dup,) = [i for i in report.issues if i.rule_id == "duplicate_rows"]
    assert dup.table == "readings" and dup.measure.failed_row_count == len(rows) - len(set(rows))


def test_outliers_on_any_measure_and_impossible_values_stand_out(tmp_path) -> None:
    """A wind speed of 1,048 among values under 50 is found although no role names the column; a second mode
    (2-seat planes among airliners) is not called outliers; a measure with no known role never goes above medium."""
    import random

    import pyarrow as pa
    import pyarrow.parquet as pq

    from datacruncher.crunch import crunch

    rng = random.Random(3)
    data = tmp_path / "d"
    data.mkdir()
    wind = [round(rng.uniform(0, 30), 1) for _ in range(5000)]
    wind[1234] = 1048.0
    seats = [rng.choice([2] * 10 + [140, 150, 160, 170, 180, 190] * 15) for _ in range(5000)]
    pq.write_table(pa.table({"wind_speed": wind, "seats_installed": seats}), data / "obs.parquet")
    report = crunch(data, personas="Data Engineer")
    (extreme,) = [i for i in report.issues if i.rule_id == "outliers_any_measure"]
    assert extreme.column == "wind_speed" and extreme.measure.failed_row_count == 1 and extreme.severity == "medium"
    assert "likely impossible" in extreme.finding and extreme.measure.value > 30
    assert not [i for i in report.issues if i.column == "seats_installed" and "outlier" in i.rule_id]


def test_a_measure_of_unknown_role_with_a_few_moderate_outliers_is_low(tmp_path) -> None:
    import random

    import pyarrow as pa
    import pyarrow.parquet as pq

    from datacruncher.crunch import crunch

    rng = random.Random(4)
    data = tmp_path / "d"
    data.mkdir()
    temps = [round(rng.gauss(20, 2), 2) for _ in range(3000)]
    temps[:3] = [45.0, 46.0, -8.0]  # about 12-14 deviations away: outliers, not impossible
    pq.write_table(pa.table({"temp": temps}), data / "obs.parquet")
    (issue,) = [i for i in crunch(data, personas="Data Engineer").issues if i.rule_id == "outliers_any_measure"]
    assert issue.severity == "low" and issue.measure.failed_row_count == 3 and "impossible" not in issue.finding


def test_roles_are_weighed_against_the_values(tmp_path) -> None:
    """A column named like an amount but negative in 58% of its rows is a signed measure (no 'negative amounts'
    finding); one negative in 8% keeps the money role at low confidence, so its finding is never high; every
    role of every column carries a confidence and a reason in the report."""
    import random

    import pyarrow as pa
    import pyarrow.parquet as pq

    from datacruncher.crunch import crunch

    rng = random.Random(5)
    data = tmp_path / "d"
    data.mkdir()
    n = 2000
    pq.write_table(pa.table({
        "id": list(range(n)),
        "delay_cost": [round(rng.uniform(-60, 40), 2) for _ in range(n)],  # named like money, signed by nature
        "fee_amount": [round(-rng.uniform(1, 5), 2) if i % 12 == 0 else round(rng.uniform(1, 50), 2)
                       for i in range(n)],
    }), data / "legs.parquet")
    report = crunch(data, personas="Finance VP,Data Engineer")
    cols = {c.name: c for t in report.model.tables for c in t.columns}
    assert "money" not in cols["delay_cost"].roles and "signed" in cols["delay_cost"].roles
    assert not [i for i in report.issues if i.column == "delay_cost" and i.rule_id == "negative_amounts"]
    (fee,) = [i for i in report.issues if i.column == "fee_amount" and i.rule_id == "negative_amounts"]
    assert fee.severity == "medium"  # 8% negative would be high, but the money role is doubtful
    money = next(e for e in cols["fee_amount"].role_evidence if e.role == "money")
    assert money.confidence == "low" and "negative" in money.reason
    assert all(len(c.role_evidence) == len(c.roles) for c in cols.values())


def test_counts_and_free_text_are_read_from_values(tmp_path) -> None:
    import random

    import pyarrow as pa
    import pyarrow.parquet as pq

    from datacruncher.crunch import crunch

    rng = random.Random(9)
    words = ["late", "delivery", "great", "service", "broken", "package", "would", "order", "again", "never"]
    data = tmp_path / "d"
    data.mkdir()
    n = 500
    pq.write_table(pa.table({
        "review_key": [f"R{i:05d}" for i in range(n)],
        "stars_given": [rng.randint(1, 5) for _ in range(n)],
        "body": [" ".join(rng.choice(words) for _ in range(rng.randint(6, 14))) + f" #{i}" for i in range(n)],
    }), data / "reviews.parquet")
    report = crunch(data, personas="Data Engineer")
    cols = {c.name: c for t in report.model.tables for c in t.columns}
    assert "count" in cols["stars_given"].roles and "text" in cols["body"].roles
    reasons = {e.role: (e.confidence, e.reason) for e in cols["stars_given"].role_evidence}
    assert reasons["count"][0] == "low" and "none negative" in reasons["count"][1]


def test_codes_and_durations(tmp_path) -> None:
    """Digit strings with leading zeros are codes (never "numbers stored as text"); a delay is a duration."""
    import random

    import pyarrow as pa
    import pyarrow.parquet as pq

    from datacruncher.crunch import crunch

    rng = random.Random(2)
    data = tmp_path / "d"
    data.mkdir()
    n = 400
    pq.write_table(pa.table({
        "id": list(range(n)),
        "area": [f"{rng.randint(0, 99999):05d}" for _ in range(n)],
        "dep_delay": [rng.randint(-15, 120) for _ in range(n)],
    }), data / "legs.parquet")
    report = crunch(data, personas="Data Engineer")
    cols = {c.name: c for t in report.model.tables for c in t.columns}
    assert "code" in cols["area"].roles and "duration" in cols["dep_delay"].roles
    assert not [i for i in report.issues if i.column == "area" and i.rule_id == "numbers_as_strings"]


def test_dates_written_in_several_formats_in_one_text_column(tmp_path):
    """A text column of dates written 2024-03-01, 2024/03/02 and 03/04/2024 (the time after a date does not make
    another format): the rows outside the most common format are counted. A column of ISO dates only, and free
    text, are not findings of this check."""
    mixed = (["2024-03-01"] * 30 + ["2024-03-05 10:00:00"] * 10 + ["2024/03/02"] * 15 + ["03/04/2024"] * 5
             + [" 07.12.2026 "] * 2)
    write(tmp_path / "d", "t", {"t_id": list(range(len(mixed))), "when": mixed, "iso": ["2024-01-02"] * len(mixed),
                                "note": [f"call back on {i}" for i in range(len(mixed))]})
    report = crunch(tmp_path / "d", personas="Data Engineer")
    found = [i for i in report.issues if i.rule_id == "mixed_date_formats"]
    assert [(i.column, i.measure.failed_row_count, i.measure.row_count) for i in found] == [("when", 22, 62)]
    assert "(4 formats)" in found[0].finding and found[0].fix.action == "review"


def test_nan_and_infinity_among_numbers_are_counted_apart_from_nulls(tmp_path):
    """NaN is not NULL in SQL (count() counts it, the null checks miss it) and one NaN or infinity makes a sum or a
    mean NaN or infinite: a float column holding them is a finding, with NaN and infinities counted apart; a float
    column of finite numbers and NULLs, and a whole-number column, are not."""
    import pyarrow as pa

    n = 200
    ratio = [float(i) / 7 for i in range(n)]
    for i in range(0, n, 20):
        ratio[i] = float("nan")  # 10 NaN
    ratio[3], ratio[5], ratio[7] = float("inf"), float("-inf"), None
    write(tmp_path / "d", "m", {"m_id": list(range(n)), "ratio": ratio,
                                "gain": pa.array([None if i % 9 == 0 else i / 3 for i in range(n)], pa.float32()),
                                "clicks": list(range(n))})
    report = crunch(tmp_path / "d", personas="Data Engineer")
    found = [i for i in report.issues if i.rule_id == "non_finite_numbers"]
    assert [(i.column, i.measure.failed_row_count, i.measure.row_count, i.severity) for i in found] == [
        ("ratio", 12, 199, "high")]
    assert "10 NaN, 2 infinite" in found[0].finding and found[0].fix.action == "null_non_finite"
    nulls = [i.measure.failed_row_count for i in report.issues if i.rule_id == "sparse_nulls" and i.column == "ratio"]
    assert nulls in ([], [1])  # the one NULL, never the NaN


def test_a_totals_row_is_found_from_the_values_alone(tmp_path):
    """A report exported with its "Total" row (in any language: the label is not read): the row whose amount is the
    sum of all the others, to the cent. Columns without such a row — a heavy-tailed one included, and a quantity
    column of the same table whose total row is blank — are not findings."""
    import random

    rnd = random.Random(4)
    amounts = [round(rnd.uniform(5, 500), 2) for _ in range(300)]
    visits = [int(rnd.paretovariate(1.2)) for _ in range(300)]
    data = tmp_path / "d"
    data.mkdir()
    lines = ["invoice,customer,amount,visits"] + [f"{i},C{i % 37},{a},{v}" for i, (a, v) in
                                                   enumerate(zip(amounts, visits, strict=True))]
    lines.append(f"Gesamtsumme,,{round(sum(amounts), 2)},")
    (data / "invoices.csv").write_text("\n".join(lines) + "\n")
    report = crunch(data, personas="Data Engineer")
    found = [i for i in report.issues if i.rule_id == "total_rows"]
    assert [(i.column, i.severity) for i in found] == [("amount", "high")]
    total = f"{round(sum(amounts), 2):,.2f}"
    assert found[0].finding == (f"invoices.amount: one row holds {total}, the sum of all 300 other rows ({total}): "
                                "a totals row exported with the data counts every sum twice")
    assert found[0].fix.action == "review"
    lines.pop()  # the same export without its totals row
    (data / "invoices.csv").write_text("\n".join(lines) + "\n")
    assert not [i for i in crunch(data, personas="Data Engineer").issues if i.rule_id == "total_rows"]


def test_a_sqlite_databases_declared_keys_find_orphans_named_unlike_their_target(tmp_path):
    """SQLite enforces no foreign key unless a connection asks, so orphans are common; ``billed_to REFERENCES
    customer`` names neither the table nor its key column, yet the declared key makes the edge, and its orphans are
    counted exactly."""
    import sqlite3

    db = tmp_path / "books.sqlite"
    src = sqlite3.connect(db)
    src.execute("CREATE TABLE customer (cust_no INTEGER PRIMARY KEY, name TEXT)")
    src.executemany("INSERT INTO customer VALUES (?, ?)", [(i, f"n{i}") for i in range(1, 201)])
    src.execute("CREATE TABLE invoice (inv INTEGER PRIMARY KEY, billed_to INTEGER REFERENCES customer, amount REAL)")
    src.executemany("INSERT INTO invoice VALUES (?, ?, ?)",
                    [(i, i % 200 + 1 if i % 4 else 900 + i, i * 1.5) for i in range(1, 1001)])
    src.commit()
    src.close()
    report = crunch(db, personas="Data Engineer")
    (edge,) = [f for f in report.model.foreign_keys if f.from_table == "invoice"]
    assert (edge.from_column, edge.to_table, edge.to_column) == ("billed_to", "customer", "cust_no")
    (orphans,) = [i for i in report.issues if i.rule_id == "fk_orphans"]
    assert orphans.measure.failed_row_count == 250


def test_header_lines_repeated_among_the_rows_are_found(tmp_path):
    """Three exports concatenated with their headers: the two header lines inside the data are counted (they are
    why every column reads as text). A text column that once holds its own name, beside others that do not, is no
    header row."""
    data = tmp_path / "d"
    data.mkdir()
    header = "order_id,customer,amount,note\n"
    rows = [f"{i},C{i % 40},{i * 1.5:.2f},{'note' if i == 7 else 'x'}\n" for i in range(1, 301)]
    (data / "orders.csv").write_text(header + "".join(rows[:100]) + header + "".join(rows[100:200]) + header
                                     + "".join(rows[200:]))
    (data / "clean.csv").write_text("a,b,c\n" + "".join(f"a,{i},c{i}\n" for i in range(50)))
    report = crunch(data, personas="Data Engineer")
    found = [(i.table, i.measure.failed_row_count, i.severity) for i in report.issues if i.rule_id == "header_rows"]
    assert found == [("orders", 2, "high")]


def test_the_totals_row_check_passes_an_all_null_column(tmp_path):
    """A numeric column with no value at all has no totals row: the check passes (0 rows), it neither fails nor
    errors."""
    import pyarrow as pa

    write(tmp_path / "d", "t", {"t_id": list(range(40)), "empty": pa.array([None] * 40, pa.float64())})
    report = crunch(tmp_path / "d", personas="Data Engineer")
    outcome = [c.status for c in report.checks.results if c.rule_id == "total_rows" and c.column == "empty"]
    assert outcome == ["passed"]


def test_a_nan_is_no_totals_row_but_a_real_total_beside_nans_is_found(tmp_path):
    """A NaN equals every sum in DuckDB's comparisons: NaN and infinities are left out, so a float column with NaNs
    (a taxi trip's passenger_count) is no totals row, while a total among NaNs is still one."""
    import pyarrow as pa

    counts = [float(1 + i % 4) if i % 30 else float("nan") for i in range(300)]
    amounts = [float(i % 50 + 1) if i % 40 else float("inf") for i in range(300)]
    amounts.append(sum(a for a in amounts if a != float("inf")))
    write(tmp_path / "d", "trips", {"trip_id": list(range(301)), "passenger_count": pa.array([*counts, 2.0]),
                                    "fare": pa.array(amounts)})
    report = crunch(tmp_path / "d", personas="Data Engineer")
    assert [i.column for i in report.issues if i.rule_id == "total_rows"] == ["fare"]


def test_nans_are_counted_once_and_left_out_of_every_computed_value(tmp_path):
    """A NaN compares above every number and equal to a NaN sum: left in, the outlier and money-precision checks
    counted each NaN as a finding of theirs, and a column's profile lost its quantiles. Only non_finite_numbers
    reports them now; the profile and the checks read the finite values, and a real outlier among NaNs is found."""
    import random

    import pyarrow as pa

    rnd = random.Random(1)  # (no numpy: datacruncher's own tests run without it)
    fare = [float("nan") if i % 50 == 0 else round(rnd.gammavariate(2, 8), 2) for i in range(3000)]
    score = [float("nan") if i % 40 == 0 else rnd.gauss(50, 10) for i in range(3000)]
    score[7] = 5000.0
    write(tmp_path / "d", "trips", {"trip_id": list(range(3000)), "fare_amount": pa.array(fare),
                                    "score": pa.array(score)})
    report = crunch(tmp_path / "d", personas="Data Engineer,Finance VP")
    found = sorted((i.rule_id, i.column) for i in report.issues)
    assert found == [("non_finite_numbers", "fare_amount"), ("non_finite_numbers", "score"),
                     ("outliers_any_measure", "score")]
    (profile,) = [p for p in report.profiles if p.column == "score"]
    assert len(profile.quantiles) == 21 and 40 < profile.quantiles[10] < 60
