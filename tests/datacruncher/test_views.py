"""Running views: roles → quoted tables, arguments validated and bound, the three formats, exact numbers."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from datacruncher.errors import ToolError
from datacruncher.views.run import bind_arguments, render_sql, run_view
from datacruncher.views.workflows import parse_workflows

SPEC = parse_workflows("""
tables:
  tickets: [ticket, support_tickets]
  orders: [order, orders]
views:
  counts:
    description: Tickets
    params:
      days: {type: integer, default: 7, minimum: 1, maximum: 30}
      category: {type: string, default: billing, enum: [billing, shipping]}
    sql: |
      SELECT count(*) AS tickets, avg(score) AS avg_score FROM {tickets}
      WHERE category = $category AND opened_at > $as_of - INTERVAL 1 DAY * $days AND opened_at <= $as_of
    format: summary
    labels: {tickets: Tickets}
    formats: {avg_score: .2f}
  per_category:
    description: Per category
    sql: SELECT category, count(*) AS n FROM {tickets} GROUP BY category ORDER BY n DESC, category
    limit: 1
  alerts:
    description: Alerts
    sql: SELECT category, count(*) AS n FROM {tickets} GROUP BY category HAVING count(*) >= 3 ORDER BY category
    format: text
    template: "{category} has {n} tickets"
    empty: No alerts.
  orders_view:
    description: Orders
    sql: SELECT count(*) AS n FROM {orders}
""", "inline")
AS_OF = dt.datetime(2025, 1, 31)


@pytest.fixture
def con():
    c = duckdb.connect()
    c.execute('CREATE TABLE "support_tickets" (category VARCHAR, score INTEGER, opened_at TIMESTAMP)')
    rows = [("billing", 5, AS_OF - dt.timedelta(days=d)) for d in (1, 2, 3, 10)]
    rows += [("shipping", 1, AS_OF - dt.timedelta(days=d)) for d in (1, 2)]
    rows += [("billing", 1, AS_OF + dt.timedelta(days=1))]  # after as_of: never counted
    c.executemany('INSERT INTO "support_tickets" VALUES (?, ?, ?)', rows)
    yield c
    c.close()


def run(con, view, args=None, **kw):
    return run_view(con, SPEC, view, args, tables=["support_tickets"], as_of=AS_OF, **kw)


def test_summary_counts_exactly_and_binds_parameters(con):
    r = run(con, "counts")
    assert r.value("tickets") == 3 and r.value("avg_score") == 5.0
    assert r.text == "Tickets\n  Tickets:   3\n  avg_score: 5.00"
    assert run(con, "counts", {"days": 14}).value("tickets") == 4
    assert run(con, "counts", {"category": "shipping"}).value("avg_score") == 1.0
    assert r.params == {"days": 7, "category": "billing", "as_of": AS_OF}
    assert '"support_tickets"' in r.sql and "$category" in r.sql  # quoted table; the value stays a parameter


def test_values_are_bound_never_formatted_into_sql(con):
    evil = "billing' OR 1=1 --"
    spec = parse_workflows("""
tables: {tickets: [support_tickets]}
views:
  v: {description: v, sql: "SELECT count(*) AS n FROM {tickets} WHERE category = $c", params: {c: {type: string}}}
""", "inline")
    r = run_view(con, spec, "v", {"c": evil}, tables=["support_tickets"])
    assert r.value("n") == 0 and evil not in r.sql


def test_table_format_truncates_at_the_limit(con):
    r = run(con, "per_category")
    assert r.rows == [("billing", 5)] and r.truncated
    assert r.text.splitlines()[1].split() == ["category", "n"]
    assert "more rows not shown (limit 1)" in r.text


def test_text_format_and_empty_text(con):
    assert run(con, "alerts").text == "Alerts\n  billing has 5 tickets"
    con.execute("DELETE FROM support_tickets WHERE category = 'billing'")
    assert run(con, "alerts").text == "Alerts\n  No alerts."


def test_bad_arguments_are_clear_errors(con):
    with pytest.raises(ToolError, match=r"get_counts: argument 'days' must be an integer, got str '7'"):
        run(con, "counts", {"days": "7"})
    with pytest.raises(ToolError, match=r"must be ≤ 30"):
        run(con, "counts", {"days": 31})
    with pytest.raises(ToolError, match=r"must be one of \['billing', 'shipping'\].*did you mean 'shipping'"):
        run(con, "counts", {"category": "shiping"})
    with pytest.raises(ToolError, match=r"unknown argument 'dayz' \(did you mean 'days'\?\)"):
        run(con, "counts", {"dayz": 3})
    with pytest.raises(ToolError, match="arguments must be an object"):
        run(con, "counts", [3])  # type: ignore[arg-type]
    with pytest.raises(ToolError, match=r"must be an integer, got bool"):
        run(con, "counts", {"days": True})
    assert run(con, "counts", {"days": "14"}, from_text=True).value("tickets") == 4
    assert run(con, "counts", {"days": 14.0}).value("tickets") == 4


def test_required_and_date_arguments():
    spec = parse_workflows("""
views:
  v:
    description: v
    sql: SELECT $d AS d, $s AS s
    params: {d: {type: date}, s: {type: timestamp, default: "2024-01-02T03:04:05Z"}}
""", "inline")
    params = spec.views["v"].params
    with pytest.raises(ToolError, match="missing required argument 'd'"):
        bind_arguments("v", params, {})
    assert bind_arguments("v", params, {"d": "2024-05-06"}) == {"d": dt.date(2024, 5, 6),
                                                                "s": dt.datetime(2024, 1, 2, 3, 4, 5)}
    with pytest.raises(ToolError, match="must be a date"):
        bind_arguments("v", params, {"d": "yesterday"})


def test_a_missing_role_names_the_candidates(con):
    with pytest.raises(ToolError, match=r"no table for \{orders\}: one of order, orders"):
        render_sql(SPEC, SPEC.views["orders_view"], ["support_tickets"])


def test_a_failing_sql_is_a_tool_error(con):
    spec = parse_workflows("views: {v: {description: v, sql: SELECT nope FROM nowhere}}", "inline")
    with pytest.raises(ToolError, match="the view's SQL failed"):
        run_view(con, spec, "v", tables=[])
