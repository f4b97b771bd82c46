"""Unknown data shaped like four public multi-table datasets — Chinook, Northwind, Sakila, Olist (built in code,
see ``chinook.py`` … ``olist.py``) — crunched with no metadata and no schema.

Clean: exactly the true single-column foreign keys are discovered (self-references, ``ShipVia``, ``SupportRepId``
and ``ReportsTo`` included), single and composite keys are found, and nothing critical or high is reported. With
defects injected at known counts (orphans, duplicate rows, float ids, case and whitespace variants, negative
amounts, children before their parents, intervals that end before they start), each is found at its exact count.
"""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from datacruncher import crunch

from . import chinook, northwind, olist, public_shapes, sakila
from .public_shapes import duplicate_rows, retype, rows

SHAPES = {"chinook": chinook, "northwind": northwind, "sakila": sakila, "olist": olist}


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    root = tmp_path_factory.mktemp("public")
    return {name: crunch(public_shapes.write(root / name, mod.tables())) for name, mod in SHAPES.items()}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_exactly_the_true_foreign_keys(clean, name):
    found = {(f.from_table, f.from_column): (f.to_table, f.to_column) for f in clean[name].model.foreign_keys}
    assert found == SHAPES[name].FOREIGN_KEYS
    assert all(f.coverage == 1.0 and f.source == "discovered" for f in clean[name].model.foreign_keys)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_single_and_composite_keys(clean, name):
    tables = {t.name: t for t in clean[name].model.tables}
    assert {n: t.primary_key for n, t in tables.items() if t.primary_key} == SHAPES[name].PRIMARY_KEYS
    assert {n: tuple(t.composite_key) for n, t in tables.items() if t.composite_key} == SHAPES[name].COMPOSITE_KEYS


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_clean_data_has_no_critical_or_high_finding(clean, name):
    report = clean[name]
    assert [i.id for i in report.issues if i.severity in ("critical", "high")] == []
    assert report.checks.errored == 0
    # Chinook has no FK edge with a time on both sides (only invoices and employees carry dates)
    assert report.metrics.fk_integrity == 100.0
    assert report.metrics.temporal_violations == (None if name == "chinook" else 0.0)


def test_clean_medium_findings_are_true_facts(clean):
    """What is left at medium describes the real data: Chinook sells one track per invoice line; Sakila's
    ``last_update`` columns hold their bulk-load stamp, every film is English from 2006 and has no original
    language, and ``address2`` is always empty; Northwind leaves some ship postal codes empty and Olist some
    products without a category (sparse NULLs in otherwise complete columns, which a data engineer wants to know)."""
    medium = {n: sorted(i.id for i in r.issues if i.severity == "medium") for n, r in clean.items()}
    assert medium["chinook"] == ["constant_columns:InvoiceLine.Quantity"]
    assert medium["northwind"] == ["sparse_nulls:Orders.ShipPostalCode"]
    assert medium["olist"] == ["sparse_nulls:olist_products_dataset.product_category_name"]
    stamps = [f"constant_columns:{t}.last_update" for t in ("actor", "address", "city", "country", "customer", "film",
                                                            "film_actor", "film_category", "inventory")]
    assert medium["sakila"] == sorted([*stamps, "constant_columns:address.address2", "constant_columns:film.language_id",
                                       "constant_columns:film.release_year", "null_rate:film.original_language_id",
                                       # as in the real data: 4 addresses hold NULL, not '', and 5 payments no rental
                                       "sparse_nulls:address.address2", "sparse_nulls:payment.rental_id"])


def test_a_foreign_key_without_values_cannot_be_discovered(clean):
    # Sakila declares film.original_language_id -> language, but every value is NULL: nothing can confirm it
    (film,) = [t for t in clean["sakila"].model.tables if t.name == "film"]
    assert ("film", "original_language_id") in sakila.ALL_NULL_FOREIGN_KEYS
    assert next(p for p in clean["sakila"].profiles if p.table == "film" and p.column == "original_language_id").nulls == film.rows


@pytest.mark.parametrize("name", ["chinook", "northwind"])
def test_a_reporting_line_promises_no_time_order(clean, name):
    # two employees were hired before the manager they report to, in both real datasets: not a violation
    (edge,) = [f for f in clean[name].model.foreign_keys if f.from_column == "ReportsTo"]
    assert edge.time_order == "none"
    (run,) = [r for r in clean[name].checks.results if r.rule_id == "temporal_fk" and r.column == "ReportsTo"]
    assert run.status == "skipped" and "time_order none" in run.reason


def test_load_stamps_and_deadlines_are_not_creation_times(clean):
    created = {t.name: t.created_at_column for r in clean.values() for t in r.model.tables}
    assert created["customer"] is None  # Sakila: every customer "created" in one second of 2006, after renting
    assert created["actor"] is None  # only a last_update
    assert created["rental"] == "rental_date" and created["payment"] == "payment_date"
    assert created["Employees"] == "HireDate" and created["Orders"] == "OrderDate"
    assert created["olist_order_items_dataset"] is None  # shipping_limit_date is a deadline
    assert created["olist_orders_dataset"] == "order_purchase_timestamp"
    # Sakila's 182 unreturned rentals of 2006-02-14 lie before the tables' write stamps: not future dates
    sakila_future = [r for r in clean["sakila"].checks.results if r.rule_id == "future_dates"]
    assert sakila_future and all(r.status == "passed" for r in sakila_future)


def test_follow_ups_are_not_activity(clean):
    # a rental's payment and an order's review are one per parent: retention or churn over them measures nothing
    for name in ("sakila", "olist"):
        runs = [r for r in clean[name].checks.results if r.rule_id in ("retention_d1", "churn", "activation")]
        assert runs and all(r.status == "skipped" and "one row per parent" in r.reason for r in runs), runs


def _issue(report, rule, table, column=None):
    found = [i for i in report.issues if i.rule_id == rule and i.table == table and (column is None or i.column == column)]
    assert len(found) == 1, [i.id for i in report.issues if i.rule_id == rule]
    return found[0]


def _expect(report, rule, table, column, failed, of):
    issue = _issue(report, rule, table, column)
    assert (issue.measure.failed_row_count, issue.measure.row_count) == (failed, of), issue.finding
    assert issue.measure.value == pytest.approx(failed / of, abs=1e-12)
    return issue


def _crunch(tmp_path_factory, name, data):
    return crunch(public_shapes.write(tmp_path_factory.mktemp("public") / name, data))


def test_chinook_defects_at_exact_counts(tmp_path_factory):
    data = chinook.tables()
    lines, invoice, track = data["InvoiceLine"], data["Invoice"], data["Track"]
    for i in range(17):  # tracks that do not exist
        lines["TrackId"][1][i * 100] = 10_000 + i
    usa = [i for i, c in enumerate(invoice["BillingCountry"][1]) if c == "USA"][:12]
    for i in usa:
        invoice["BillingCountry"][1][i] = "usa"
    negative = range(200, 205)
    for i in negative:
        invoice["Total"][1][i] = -invoice["Total"][1][i]
    duplicate_rows(invoice, 100, 6)
    retype(track, "AlbumId", pa.float64(), float)
    report = _crunch(tmp_path_factory, "chinook", data)

    n_lines, n_invoices = rows(lines), rows(invoice)
    _expect(report, "fk_orphans", "InvoiceLine", "TrackId", 17, n_lines)
    _expect(report, "format_inconsistency", "Invoice", "BillingCountry", 12, n_invoices)
    _expect(report, "negative_amounts", "Invoice", "Total", 5, n_invoices)
    _expect(report, "duplicate_rows", "Invoice", None, 6, n_invoices)
    assert _issue(report, "pk_duplicates", "Invoice").measure.failed_row_count == 6
    # a negated total no longer matches its lines; every other invoice (duplicates included) still does
    assert _issue(report, "header_line_totals", "Invoice").measure.failed_row_count == 5
    floats = _issue(report, "ids_as_float", "Track", "AlbumId")
    assert floats.measure.row_count == rows(track) and floats.measure.value == 1.0
    fk = [f for f in report.model.foreign_keys if f.from_column == "AlbumId"]
    assert [(f.to_table, f.coverage) for f in fk] == [("Album", 1.0)]


def test_northwind_defects_at_exact_counts(tmp_path_factory):
    data = northwind.tables()
    orders, details, employees = data["Orders"], data["Order Details"], data["Employees"]
    for i in range(9):
        orders["CustomerID"][1][i * 90] = f"ZZZ{i:02d}"
    germany = [i for i, c in enumerate(orders["ShipCountry"][1]) if c == "Germany"][:7]
    for i in germany:
        orders["ShipCountry"][1][i] = "Germany "
    hired = dict(zip(employees["EmployeeID"][1], employees["HireDate"][1], strict=True))
    early = list(range(400, 406))  # placed before the employee who took them was hired
    for i in early:
        when = hired[orders["EmployeeID"][1][i]] - northwind.dt.timedelta(days=10)
        orders["OrderDate"][1][i], orders["RequiredDate"][1][i] = when, when + northwind.dt.timedelta(days=28)
        orders["ShippedDate"][1][i] = when + northwind.dt.timedelta(days=3)
    for i in (500, 501, 502):  # shipped before ordered
        orders["ShippedDate"][1][i] = orders["OrderDate"][1][i] - northwind.dt.timedelta(days=2)
    for i in (10, 20, 30, 40):
        details["UnitPrice"][1][i] = -details["UnitPrice"][1][i]
    duplicate_rows(details, 1000, 8)
    retype(orders, "EmployeeID", pa.float64(), float)
    report = _crunch(tmp_path_factory, "northwind", data)

    n_orders, n_details = rows(orders), rows(details)
    _expect(report, "fk_orphans", "Orders", "CustomerID", 9, n_orders)
    _expect(report, "format_inconsistency", "Orders", "ShipCountry", 7, n_orders)
    _expect(report, "temporal_fk", "Orders", "EmployeeID", 6, n_orders)
    _expect(report, "temporal_within", "Orders", "ShippedDate", 3, n_orders - orders["ShippedDate"][1].count(None))
    _expect(report, "negative_amounts", "Order Details", "UnitPrice", 4, n_details)
    _expect(report, "duplicate_rows", "Order Details", None, 8, n_details)
    # without a line number, a pair that repeats is not taken for a key (a customer may review a product twice):
    # the duplicated lines are reported as duplicate rows, not as key duplicates
    assert not [i for i in report.issues if i.rule_id == "pk_duplicates"]
    assert _issue(report, "ids_as_float", "Orders", "EmployeeID").measure.value == 1.0
    edges = {f.from_column: (f.to_table, f.coverage) for f in report.model.foreign_keys if f.from_table == "Orders"}
    assert edges == {"CustomerID": ("Customers", round(1 - 9 / n_orders, 6)), "EmployeeID": ("Employees", 1.0),
                     "ShipVia": ("Shippers", 1.0)}


def test_sakila_defects_at_exact_counts(tmp_path_factory):
    data = sakila.tables()
    rental, payment, film = data["rental"], data["payment"], data["film"]
    for i in range(25):
        rental["inventory_id"][1][i * 600] = 90_000 + i
    for i in (3, 5, 8, 13):  # returned before rented
        rental["return_date"][1][i] = rental["rental_date"][1][i] - sakila.dt.timedelta(hours=5)
    pg13 = [i for i, r in enumerate(film["rating"][1]) if r == "PG-13"][:11]
    for i in pg13:
        film["rating"][1][i] = "pg-13"
    paid = [i for i in range(5000, 6000) if payment["amount"][1][i] > 0][:9]
    for i in paid:
        payment["amount"][1][i] = -payment["amount"][1][i]
    for i in range(7000, 7012):  # paid three days before the rental began
        payment["payment_date"][1][i] = rental["rental_date"][1][i] - sakila.dt.timedelta(days=3)
    duplicate_rows(payment, 1000, 14)
    retype(payment, "customer_id", pa.float64(), float)
    report = _crunch(tmp_path_factory, "sakila", data)

    n_rental, n_payment = rows(rental), rows(payment)
    _expect(report, "fk_orphans", "rental", "inventory_id", 25, n_rental)
    _expect(report, "temporal_within", "rental", "return_date", 4, n_rental - rental["return_date"][1].count(None))
    _expect(report, "format_inconsistency", "film", "rating", 11, rows(film))
    _expect(report, "negative_amounts", "payment", "amount", 9, n_payment)
    _expect(report, "duplicate_rows", "payment", None, 14, n_payment)
    assert _issue(report, "pk_duplicates", "payment").measure.failed_row_count == 14
    # the five payments without a rental have no parent time to compare with
    _expect(report, "temporal_fk", "payment", "rental_id", 12, n_payment - 5)
    assert _issue(report, "ids_as_float", "payment", "customer_id").measure.value == 1.0
    assert [f.to_table for f in report.model.foreign_keys if f.from_column == "customer_id" and f.from_table == "payment"] == ["customer"]


def test_olist_defects_at_exact_counts(tmp_path_factory):
    data = olist.tables()
    items, orders, pay, reviews = (data[t] for t in ("olist_order_items_dataset", "olist_orders_dataset",
                                                     "olist_order_payments_dataset", "olist_order_reviews_dataset"))
    rng = random.Random(7)
    for i in range(13):
        items["product_id"][1][i * 400] = f"{rng.getrandbits(128):032x}"
    delivered = [i for i, s in enumerate(orders["order_status"][1]) if s == "delivered"]
    for i in delivered[:20]:
        orders["order_status"][1][i] = "Delivered"
    for i in delivered[100:105]:  # delivered before bought
        orders["order_delivered_customer_date"][1][i] = orders["order_purchase_timestamp"][1][i] - olist.dt.timedelta(days=1)
    boleto = [i for i, s in enumerate(pay["payment_type"][1]) if s == "boleto"]
    for i in boleto[:6]:
        pay["payment_type"][1][i] = " boleto"
    positive = [i for i in range(2000, 3000) if pay["payment_value"][1][i] > 0][:7]
    for i in positive:
        pay["payment_value"][1][i] = -pay["payment_value"][1][i]
    bought = dict(zip(orders["order_id"][1], orders["order_purchase_timestamp"][1], strict=True))
    for i in range(300, 308):  # reviewed before the order was placed
        reviews["review_creation_date"][1][i] = bought[reviews["order_id"][1][i]] - olist.dt.timedelta(days=5)
    duplicate_rows(pay, 4000, 10)
    report = _crunch(tmp_path_factory, "olist", data)

    n_orders, n_pay = rows(orders), rows(pay)
    _expect(report, "fk_orphans", "olist_order_items_dataset", "product_id", 13, rows(items))
    _expect(report, "format_inconsistency", "olist_orders_dataset", "order_status", 20, n_orders)
    _expect(report, "format_inconsistency", "olist_order_payments_dataset", "payment_type", 6, n_pay)
    _expect(report, "negative_amounts", "olist_order_payments_dataset", "payment_value", 7, n_pay)
    _expect(report, "duplicate_rows", "olist_order_payments_dataset", None, 10, n_pay)
    assert _issue(report, "pk_duplicates", "olist_order_payments_dataset").measure.failed_row_count == 10
    _expect(report, "temporal_fk", "olist_order_reviews_dataset", "order_id", 8, rows(reviews))
    delivered_rows = n_orders - orders["order_delivered_customer_date"][1].count(None)
    (within,) = [i for i in report.issues if i.rule_id == "temporal_within"
                 and i.id.endswith("order_purchase_timestamp <= order_delivered_customer_date")]
    assert (within.measure.failed_row_count, within.measure.row_count) == (5, delivered_rows)


def test_olist_with_timestamps_left_as_text(tmp_path_factory):
    """Olist ships CSVs: read without type inference, every timestamp is a string. The keys are found all the
    same, the dates are reported as text, and nothing is critical or high."""
    data = olist.tables()
    texts = 0
    for cols in data.values():
        for name, (typ, _) in list(cols.items()):
            if pa.types.is_timestamp(typ):
                retype(cols, name, pa.string(), lambda v: v.strftime("%Y-%m-%d %H:%M:%S"))
                texts += 1
    report = _crunch(tmp_path_factory, "olist_text", data)
    assert {(f.from_table, f.from_column): (f.to_table, f.to_column) for f in report.model.foreign_keys} == olist.FOREIGN_KEYS
    assert [i.id for i in report.issues if i.severity in ("critical", "high")] == []
    assert len([i for i in report.issues if i.rule_id == "dates_as_strings"]) == texts == 8
