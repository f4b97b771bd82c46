"""Defect injection on parquet files built in the test: exact counts, real defects, determinism, ground truth
that validate confirms."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from datagen_core.defects import DefectError, inject_defects
from datagen_core.defects.format_variants import format_variants_of
from datagen_core.output.tables import TableFacts
from datagen_core.validate import validate

from ._builders import schema_from, shop_doc, shop_tables, write_tables

N_USERS = 200


def facts() -> dict[str, TableFacts]:
    return {
        "status": TableFacts(name="status", kind="vocab", path="status.parquet", pk="code"),
        "user": TableFacts(name="user", kind="entity", path="user.parquet", pk="user_id",
                           created_at_column="created_at", time_columns=["created_at"]),
        "order": TableFacts(name="order", kind="fact", path="order.parquet", pk="order_id",
                            foreign_keys=[("user_id", "user", "user_id")], created_at_column="ordered_at",
                            time_columns=["ordered_at", "shipped_on"]),
    }


def setup(tmp_path: Path, defects: list[dict], seed: int = 7, doc: dict | None = None, name: str = "data"):
    doc = copy.deepcopy(doc or shop_doc(N_USERS))
    doc["defects"] = defects
    schema = schema_from(doc)
    root = write_tables(tmp_path / name, shop_tables(N_USERS), row_group_size=64)
    records = inject_defects(root, schema, seed, facts())
    return schema, root, records


def read(root: Path, table: str) -> pa.Table:
    return pq.read_table(root / f"{table}.parquet")


def check(report, check_id: str):
    return next(c for c in report.checks if c.id == check_id)


def n_orders() -> int:
    return len(shop_tables(N_USERS)["order"]["order_id"])


def test_orphan_fk_exact_count_keys_absent_from_parent(tmp_path):
    schema, root, [rec] = setup(tmp_path, [{"kind": "orphan_fk", "target": "order.user_id", "rate": 0.05}])
    n = n_orders()
    assert rec.count == round(0.05 * n) and rec.kind == "orphan_fk"
    lo, hi = rec.details["key_range"]
    assert lo == N_USERS + 1 and hi == N_USERS + rec.count
    assert rec.details["parent"] == "user.user_id"
    orders = read(root, "order")
    assert orders.num_rows == n
    orphan_rows = pc.sum(pc.greater(orders["user_id"], N_USERS)).as_py()
    assert orphan_rows == rec.count
    # affected keys are the pks of exactly those rows
    mask = pc.greater(orders["user_id"], N_USERS)
    assert sorted(orders.filter(mask)["order_id"].to_pylist()) == sorted(rec.affected_keys)
    report = validate(schema, root)
    assert check(report, "fk_containment:order.user_id->user.user_id").failing_rows == rec.count


def test_temporal_violation_children_strictly_before_their_parent(tmp_path):
    schema, root, [rec] = setup(tmp_path, [{"kind": "temporal_violation", "target": "order.ordered_at", "rate": 0.1}])
    assert rec.count == round(0.1 * n_orders())
    assert rec.details["parent"] == "user.created_at" and rec.details["offset_hours"] == [1.0, 720.0]
    orders, users = read(root, "order").to_pylist(), read(root, "user").to_pylist()
    created = {u["user_id"]: u["created_at"] for u in users}
    before = [o["order_id"] for o in orders if o["ordered_at"] < created[o["user_id"]]]
    assert sorted(before) == sorted(rec.affected_keys)
    gaps = [created[o["user_id"]] - o["ordered_at"] for o in orders if o["order_id"] in set(before)]
    assert all(3600 <= g.total_seconds() <= 720 * 3600 for g in gaps)
    report = validate(schema, root)
    assert check(report, "after_parent:order.ordered_at").failing_rows == rec.count


def test_duplicate_rows_appends_exact_copies(tmp_path):
    schema, root, [rec] = setup(tmp_path, [{"kind": "duplicate_rows", "target": "order", "rate": 0.02}])
    n = n_orders()
    orders = read(root, "order")
    assert orders.num_rows == n + rec.count and rec.count == round(0.02 * n)
    rows = [tuple(r.values()) for r in orders.to_pylist()]
    assert len(rows) - len(set(rows)) == rec.count
    report = validate(schema, root)
    assert check(report, "pk_unique:order.order_id").failing_rows == rec.count


def test_a_table_rewritten_by_a_defect_keeps_the_usual_file_mode(tmp_path):
    """The rewrite goes through a temporary sibling; the result must not be left 0600 (mkstemp's mode) while the
    untouched tables are 0644-like: readable by whoever can read the others."""
    _, root, _ = setup(tmp_path, [{"kind": "duplicate_rows", "target": "order", "rate": 0.02}])
    untouched, rewritten = (root / "user.parquet").stat().st_mode, (root / "order.parquet").stat().st_mode
    assert rewritten & 0o777 == untouched & 0o777
    assert not list(root.glob(".*.tmp"))


def test_duplicate_pk_keeps_every_key_and_varies_the_copy(tmp_path):
    schema, root, [rec] = setup(tmp_path, [{"kind": "duplicate_pk", "target": "user", "rate": 0.03}])
    users = read(root, "user")
    assert users.num_rows == N_USERS + rec.count and rec.count == 6
    assert set(users["user_id"].to_pylist()) == set(range(1, N_USERS + 1))  # nothing orphaned
    report = validate(schema, root)
    assert check(report, "pk_unique:user.user_id").failing_rows == rec.count
    assert check(report, "fk_containment:order.user_id->user.user_id").failing_rows == 0
    assert rec.details["varied_column"] == "country"


def test_nulls_in_a_non_nullable_column(tmp_path):
    schema, root, [rec] = setup(tmp_path, [{"kind": "nulls", "target": "order.amount", "rate": 0.1}])
    orders = read(root, "order")
    assert orders["amount"].null_count == rec.count == round(0.1 * n_orders())
    report = validate(schema, root)
    assert check(report, "not_null:order.amount").failing_rows == rec.count


def test_nulls_on_a_nullable_column_count_only_new_nulls(tmp_path):
    before = sum(v is None for v in shop_tables(N_USERS)["order"]["shipped_on"])
    _, root, [rec] = setup(tmp_path, [{"kind": "nulls", "target": "order.shipped_on", "rate": 0.1}])
    assert read(root, "order")["shipped_on"].null_count == before + rec.count


def test_outliers_and_negative_amounts_break_the_range_by_exact_counts(tmp_path):
    schema, root, recs = setup(tmp_path, [
        {"kind": "outliers", "target": "order.amount", "rate": 0.05, "params": {"factor": 100}},
        {"kind": "negative_amounts", "target": "order.amount", "rate": 0.04},
    ])
    out, neg = recs
    orders = read(root, "order")
    assert pc.sum(pc.less(orders["amount"], 0)).as_py() == neg.count
    assert pc.sum(pc.greater(orders["amount"], 1000)).as_py() == out.count  # amounts are 1..900 before
    assert not set(out.affected_keys) & set(neg.affected_keys)  # a row is changed by one defect only
    report = validate(schema, root)
    assert check(report, "range:order.amount").failing_rows == out.count + neg.count


def test_format_whitespace_and_case_variants(tmp_path):
    schema, root, recs = setup(tmp_path, [
        {"kind": "format_variants", "target": "user.country", "rate": 0.05},
        {"kind": "whitespace", "target": "user.email", "rate": 0.05},
        {"kind": "case_variants", "target": "order.status", "rate": 0.05},
    ])
    fmt, ws, case = recs
    users, orders = read(root, "user"), read(root, "order")
    assert sum(c not in ("US", "DE", "FR") for c in users["country"].to_pylist()) == fmt.count == 10
    assert set(fmt.details["variants"]) <= {"US", "DE", "FR"}
    assert "USA" in format_variants_of("US")
    assert sum(e != e.strip() for e in users["email"].to_pylist()) == ws.count
    assert sum(s not in ("paid", "refunded") for s in orders["status"].to_pylist()) == case.count
    report = validate(schema, root)
    assert check(report, "enum:user.country").failing_rows == fmt.count
    assert check(report, "pattern:user.email").failing_rows == ws.count
    assert check(report, "enum:order.status").failing_rows == case.count


def test_future_dates(tmp_path):
    schema, root, [rec] = setup(tmp_path, [{"kind": "future_dates", "target": "order.ordered_at", "rate": 0.05}])
    orders = read(root, "order")
    assert pc.sum(pc.greater(orders["ordered_at"], pa.scalar(datetime(2024, 12, 31), pa.timestamp("us")))).as_py() == rec.count
    report = validate(schema, root)
    assert check(report, "time_bounds:order.ordered_at").failing_rows == rec.count


def test_inverted_interval_from_a_declared_inequality(tmp_path):
    doc = shop_doc(N_USERS)
    doc["constraints"]["inequalities"].append({"left": "order.ordered_at", "op": "<", "right": "order.shipped_on"})
    schema, root, [rec] = setup(tmp_path, [{"kind": "inverted_interval", "target": "order", "rate": 0.05}], doc=doc)
    assert rec.details["start"] == "ordered_at" and rec.details["end"] == "shipped_on"
    report = validate(schema, root)
    assert check(report, "inequality:order.ordered_at < order.shipped_on").failing_rows == rec.count > 0


def test_float_ids_changes_the_arrow_type(tmp_path):
    schema, root, [rec] = setup(tmp_path, [{"kind": "float_ids", "target": "order.user_id", "rate": 1.0}])
    assert pq.read_schema(root / "order.parquet").field("user_id").type == pa.float64()
    assert rec.count == n_orders() and rec.details["arrow_type"] == {"from": "int64", "to": "double"}
    report = validate(schema, root)
    assert check(report, "arrow_type:order.user_id").status == "fail"
    assert check(report, "fk_containment:order.user_id->user.user_id").failing_rows == 0  # values still match


def test_same_seed_same_bytes_other_seed_other_rows(tmp_path):
    defects = [{"kind": "orphan_fk", "target": "order.user_id", "rate": 0.05},
               {"kind": "temporal_violation", "target": "order.ordered_at", "rate": 0.05},
               {"kind": "nulls", "target": "order.amount", "rate": 0.05}]
    _, a, ra = setup(tmp_path, defects, seed=1, name="a")
    _, b, rb = setup(tmp_path, defects, seed=1, name="b")
    _, _, rc = setup(tmp_path, defects, seed=2, name="c")

    def digest(root: Path) -> str:
        return hashlib.sha256((root / "order.parquet").read_bytes()).hexdigest()

    assert digest(a) == digest(b) and ra == rb
    assert [r.affected_keys for r in ra] != [r.affected_keys for r in rc]


def test_keys_are_capped_at_1000(tmp_path):
    doc = shop_doc(N_USERS)
    _, _, [rec] = setup(tmp_path, [{"kind": "nulls", "target": "order.status", "rate": 1.0}], doc=doc)
    n = n_orders()
    assert rec.count == n
    assert len(rec.affected_keys) == min(n, 1000) and rec.keys_truncated == (n > 1000)


def test_row_groups_are_preserved_and_no_temp_file_left(tmp_path):
    _, root, _ = setup(tmp_path, [{"kind": "nulls", "target": "order.amount", "rate": 0.5}])
    assert pq.ParquetFile(root / "order.parquet").metadata.num_row_groups > 1
    assert sorted(p.name for p in root.iterdir()) == ["order.parquet", "status.parquet", "user.parquet"]


@pytest.mark.parametrize(("defect", "message"), [
    ({"kind": "orphan_fk", "target": "order.amount", "rate": 0.1}, "not a foreign key"),
    ({"kind": "negative_amounts", "target": "order.status", "rate": 0.1}, "numeric"),
    ({"kind": "float_ids", "target": "order.status", "rate": 0.1}, "int column"),
    ({"kind": "nulls", "target": "order", "rate": 0.1}, "needs a column"),
])
def test_inapplicable_defects_raise_a_clear_error(tmp_path, defect, message):
    with pytest.raises(DefectError, match=message):
        setup(tmp_path, [defect])


# --------------------------------------------------------------------------- round trip through the engine

UPSTREAM = Path("/work/shared/conformance/upstream")
#: which validate check sees each defect kind, and on what target
SEEN_BY = {
    "orphan_fk": "fk_containment:purchase.customer_id->customer.customer_id",
    "temporal_violation": "after_parent:purchase.purchase_time",
    "duplicate_pk": "pk_unique:customer.customer_id",
    "duplicate_rows": "pk_unique:purchase.purchase_id",
    "nulls": "not_null:purchase.amount",
    "future_dates": "time_bounds:purchase.purchase_time",
    "float_ids": "arrow_type:customer.customer_id",
}


def test_generate_with_defects_metadata_ground_truth_matches_validate(tmp_path):
    import json

    engine = pytest.importorskip("datagen_core.engine")
    from datagen_contracts.metadata import load_metadata

    doc = json.loads((UPSTREAM / "vintage_effects_demo.json").read_text())
    doc["defects"] = [
        {"kind": "orphan_fk", "target": "purchase.customer_id", "rate": 0.01},
        {"kind": "temporal_violation", "target": "purchase", "rate": 0.02},
        {"kind": "duplicate_pk", "target": "customer", "rate": 0.01},
        {"kind": "duplicate_rows", "target": "purchase", "rate": 0.01},
        {"kind": "nulls", "target": "purchase.amount", "rate": 0.03},
        {"kind": "future_dates", "target": "purchase.purchase_time", "rate": 0.005},
        {"kind": "float_ids", "target": "customer.customer_id", "rate": 1.0},
    ]
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(doc))
    out = tmp_path / "out"
    engine.generate(path, out, seed=42, yes=True)
    meta = load_metadata(out)
    assert [d.kind for d in meta.defects] == [d["kind"] for d in doc["defects"]]
    report = validate(schema_from(doc), out)
    for record in meta.defects:
        c = check(report, SEEN_BY[record.kind])
        assert c.status == "fail", record.kind
        assert c.failing_rows == record.count, (record.kind, c.failing_rows, record.count)
        assert record.count > 0
    # every failure is explained by a recorded defect: nothing else broke
    assert {c.id for c in report.failed} == set(SEEN_BY.values())


def test_every_dsl_defect_kind_has_exactly_one_module() -> None:
    from datagen_contracts.dsl import DEFECT_KINDS
    from datagen_core.defects import KINDS

    kinds = [k.KIND for k in KINDS]
    assert sorted(kinds) == sorted(DEFECT_KINDS) and len(set(kinds)) == len(kinds)
    assert all(k.__name__.rpartition(".")[2] == k.KIND and callable(k.apply) for k in KINDS)
    optional = {k.KIND for k in KINDS if not getattr(k, "NEEDS_COLUMN", True)}
    assert optional == {"duplicate_rows", "duplicate_pk"}
    defaults = {k.KIND for k in KINDS if hasattr(k, "default_column")}
    assert defaults == {"orphan_fk", "temporal_violation", "future_dates", "duplicate_pk", "float_ids", "inverted_interval"}


def test_a_kind_that_needs_a_column_refuses_a_bare_table_target(tmp_path: Path) -> None:
    from datagen_core import generate

    doc = {"version": "1.0", "metadata": {"name": "t"}, "timeframe": {"start": "2024-01-01", "end": "2024-02-01"},
           "nodes": [{"id": "u", "kind": "entity", "rows": 50, "pk": "id", "columns": [
               {"name": "id", "type": "int", "generator": {"sequence": {}}},
               {"name": "x", "type": "float", "generator": {"distribution": {"type": "normal",
                                                                          "params": {"mean": 1, "std": 1}}}}]}],
           "defects": [{"kind": "nulls", "target": "u", "rate": 0.1}]}
    (tmp_path / "s.json").write_text(json.dumps(doc))
    with pytest.raises(DefectError, match=r"nulls needs a column target \('u.<column>'\)"):
        generate(str(tmp_path / "s.json"), str(tmp_path / "o"))
    assert not (tmp_path / "o").exists()
    doc["defects"] = [{"kind": "duplicate_pk", "target": "u", "rate": 0.1}]  # the key by default
    (tmp_path / "s.json").write_text(json.dumps(doc))
    (record,) = generate(str(tmp_path / "s.json"), str(tmp_path / "o")).metadata.defects
    assert record.kind == "duplicate_pk" and record.count == 5
