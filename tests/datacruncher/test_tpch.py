"""Unknown data: a TPC-H-shaped dataset (built in code, see ``tpch.py``) with no metadata and no schema.

Clean: every true foreign key is discovered with coverage 1.0, no false one; single and composite primary keys
are found; nothing critical or high is reported. With defects injected at known counts (orphans, duplicate rows,
float ids, case variants), each is found at its exact rate.
"""

from __future__ import annotations

import pytest

from datacruncher import crunch

from . import tpch

ORPHANS, DUP_ORDERS, DUP_LINES, VARIANTS = 79, 25, 12, 30


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    return crunch(tpch.write(tmp_path_factory.mktemp("tpch") / "clean", tpch.tables()))


@pytest.fixture(scope="module")
def defective(tmp_path_factory):
    data = tpch.tables()
    li, orders, cust = data["lineitem"], data["orders"], data["customer"]
    for i in range(ORPHANS):  # keys beyond every order: no parent
        li["l_orderkey"][i * 500] = 10**9 + i
    for col in li.values():
        col.extend(col[1001:1001 + DUP_LINES])
    for col in orders.values():
        col.extend(col[5000:5000 + DUP_ORDERS])
    orders["o_custkey"] = [float(k) for k in orders["o_custkey"]]
    for i in range(VARIANTS):
        cust["c_mktsegment"][i * 50] = cust["c_mktsegment"][i * 50].lower()
    return crunch(tpch.write(tmp_path_factory.mktemp("tpch") / "defects", data)), data


def test_every_true_foreign_key_and_no_false_one(clean):
    single = [f for f in clean.model.foreign_keys if not f.from_columns]
    found = {(f.from_table, f.from_column): (f.to_table, f.to_column) for f in single}
    assert found == tpch.FOREIGN_KEYS
    assert all(f.coverage == 1.0 and f.source == "discovered" for f in clean.model.foreign_keys)
    # the composite FK found from values: a line item's (part, supplier) is a partsupp row
    composite = {(f.from_table, tuple(f.from_columns)): (f.to_table, tuple(f.to_columns))
                 for f in clean.model.foreign_keys if f.from_columns}
    assert composite == {("lineitem", ("l_partkey", "l_suppkey")): ("partsupp", ("ps_partkey", "ps_suppkey"))}


def test_single_and_composite_keys(clean):
    tables = {t.name: t for t in clean.model.tables}
    assert {n: t.primary_key for n, t in tables.items() if t.primary_key} == tpch.PRIMARY_KEYS
    assert {n: tuple(t.composite_key) for n, t in tables.items() if t.composite_key} == tpch.COMPOSITE_KEYS


def test_clean_data_has_no_critical_or_high_finding(clean):
    assert [i.id for i in clean.issues if i.severity in ("critical", "high")] == []
    assert clean.checks.errored == 0
    assert clean.metrics.fk_integrity == 100.0 and clean.metrics.temporal_violations == 0.0
    # the order total follows TPC-H's formula (net of discount, plus tax) and is checked, not skipped
    (totals,) = [r for r in clean.checks.results if r.rule_id == "header_line_totals"]
    assert totals.status == "passed"


def _issue(report, rule, table, column=None):
    found = [i for i in report.issues if i.rule_id == rule and i.table == table and (column is None or i.column == column)]
    assert len(found) == 1, [i.id for i in report.issues if i.rule_id == rule]
    return found[0]


def test_injected_defects_at_exact_rates(defective):
    report, data = defective
    lines = len(data["lineitem"]["l_orderkey"])
    orphans = _issue(report, "fk_orphans", "lineitem", "l_orderkey")
    assert (orphans.measure.failed_row_count, orphans.measure.row_count) == (ORPHANS, lines)
    assert orphans.measure.value == pytest.approx(ORPHANS / lines, abs=1e-12) and orphans.severity == "high"

    orders = len(data["orders"]["o_orderkey"])
    dup = _issue(report, "duplicate_rows", "orders")
    assert (dup.measure.failed_row_count, dup.measure.row_count) == (DUP_ORDERS, orders)
    pk = _issue(report, "pk_duplicates", "orders")
    assert pk.measure.failed_row_count == DUP_ORDERS and pk.severity == "critical"
    # the composite key of lineitem catches its duplicates too
    line_pk = _issue(report, "pk_duplicates", "lineitem")
    assert line_pk.id == "pk_duplicates:lineitem.(l_orderkey, l_linenumber)"
    assert line_pk.measure.failed_row_count == DUP_LINES and len(line_pk.sample_keys) == 10

    floats = _issue(report, "ids_as_float", "orders", "o_custkey")
    assert floats.measure.row_count == orders and floats.measure.value == 1.0
    fk = [f for f in report.model.foreign_keys if f.from_column == "o_custkey"]
    assert [(f.to_table, f.coverage) for f in fk] == [("customer", 1.0)]  # float ids still join their parent

    variants = _issue(report, "format_inconsistency", "customer", "c_mktsegment")
    assert variants.measure.failed_row_count == VARIANTS
    assert variants.measure.value == pytest.approx(VARIANTS / len(data["customer"]["c_custkey"]))
