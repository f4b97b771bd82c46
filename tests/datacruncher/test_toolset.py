"""The Toolset: tools as methods and specs, validated dispatch, any source, caching and materialization."""

from __future__ import annotations

import datetime as dt
import inspect

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datacruncher.errors import InputError, ToolError, WorkflowError
from datacruncher.views.toolset import Toolset

WORKFLOWS = """
tables:
  tickets: [ticket, support_tickets]
  customers: [customer, customers]
  invoices: [invoice]
as_of: {table: tickets, column: opened_at}
views:
  ticket_metrics:
    description: Tickets in the last N days
    params: {days: {type: integer, default: 7, minimum: 1, description: period length}}
    sql: SELECT count(*) AS tickets FROM {tickets} WHERE opened_at > $as_of - INTERVAL 1 DAY * $days AND opened_at <= $as_of
    format: summary
  customer_segment:
    description: One segment
    tool: analyze_customer_segment
    params: {segment: {type: string, enum: [at_risk, healthy]}}
    sql: |
      SELECT count(DISTINCT c.customer_id) AS customers, count(t.customer_id) AS tickets
      FROM {customers} AS c LEFT JOIN {tickets} AS t USING (customer_id) WHERE c.health = $segment
    format: summary
  invoices:
    description: Needs an invoice table
    sql: SELECT count(*) AS n FROM {invoices}
workflows:
  daily_briefing: {description: Morning, views: [ticket_metrics]}
  customer_analysis: {description: Customers, views: [customer_segment]}
"""
END = dt.datetime(2025, 3, 31, 12)


def dataset(directory, *, extra_ticket: bool = False):
    directory.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"customer_id": [1, 2, 3, 4], "health": ["at_risk", "at_risk", "healthy", "healthy"]}),
                   directory / "customer.parquet")
    opened = [END - dt.timedelta(days=d) for d in (0, 1, 2, 9, 20)] + ([END - dt.timedelta(hours=1)] if extra_ticket else [])
    pq.write_table(pa.table({"ticket_id": list(range(len(opened))), "customer_id": [1, 1, 2, 3, 4, 2][:len(opened)],
                             "opened_at": opened}), directory / "ticket.parquet")
    return directory


@pytest.fixture
def files(tmp_path):
    wf = tmp_path / "wf.yaml"
    wf.write_text(WORKFLOWS)
    return dataset(tmp_path / "data"), wf


def test_tools_are_methods_with_signatures(files):
    data, wf = files
    with Toolset.open(data, workflows=wf) as tools:
        assert tools.as_of == END
        assert tools.get_ticket_metrics().value("tickets") == 3  # days 0, 1, 2 (> as_of - 7 days)
        assert tools.get_ticket_metrics(30).value("tickets") == 5
        assert tools.analyze_customer_segment("at_risk").records == [{"customers": 2, "tickets": 3}]
        assert tools.get_daily_briefing()["ticket_metrics"].value("tickets") == 3
        assert str(inspect.signature(tools.get_ticket_metrics)) == "(days=7)"
        assert "period length" in tools.get_ticket_metrics.__doc__


def test_specs_are_openai_function_specs(files):
    data, wf = files
    with Toolset.open(data, workflows=wf) as tools:
        specs = {s["function"]["name"]: s for s in tools.specs()}
        assert "get_invoices" not in specs  # no invoice table: not offered
        assert "{invoices}" in tools.unavailable()["get_invoices"]
        seg = specs["analyze_customer_segment"]
        assert seg["type"] == "function"
        assert seg["function"]["parameters"] == {
            "type": "object", "properties": {"segment": {"type": "string", "enum": ["at_risk", "healthy"]}},
            "required": ["segment"], "additionalProperties": False}
        assert specs["get_ticket_metrics"]["function"]["parameters"]["properties"]["days"] == {
            "type": "integer", "description": "period length", "default": 7, "minimum": 1.0}


def test_call_validates(files):
    data, wf = files
    with Toolset.open(data, workflows=wf) as tools:
        assert tools.call("get_ticket_metrics", {"days": 30}).value("tickets") == 5
        with pytest.raises(ToolError, match=r"unknown tool 'get_tiket_metrics' \(did you mean 'get_ticket_metrics'\?\)"):
            tools.call("get_tiket_metrics", {})
        with pytest.raises(ToolError, match="argument 'days' must be an integer"):
            tools.call("get_ticket_metrics", {"days": "many"})
        with pytest.raises(ToolError, match="missing required argument 'segment'"):
            tools.analyze_customer_segment()
        with pytest.raises(ToolError, match="at most 1 positional"):
            tools.get_ticket_metrics(1, 2)
        with pytest.raises(ToolError, match=r"get_invoices: this dataset has no table for \{invoices\}"):
            tools.get_invoices()


def test_workflow_keeps_only_its_tools(files):
    data, wf = files
    with Toolset.open(data, workflows=wf, workflow="customer_analysis") as tools:
        assert tools.tool_names == ["get_customer_analysis", "analyze_customer_segment"]
        assert not hasattr(tools, "get_ticket_metrics")
    with pytest.raises(WorkflowError, match="did you mean 'daily_briefing'"):
        Toolset.open(data, workflows=wf, workflow="daily_brief")


def test_same_tools_over_a_duckdb_file_with_other_table_names(files, tmp_path):
    data, wf = files
    db = tmp_path / "prod.duckdb"
    con = duckdb.connect(str(db))
    con.execute(f"CREATE TABLE customers AS SELECT * FROM '{data / 'customer.parquet'}'")
    con.execute(f"CREATE TABLE support_tickets AS SELECT * FROM '{data / 'ticket.parquet'}'")
    con.close()
    with Toolset.open(data, workflows=wf) as sim, Toolset.open(db, workflows=wf) as prod:
        for name in ("get_daily_briefing", "get_ticket_metrics"):
            assert str(sim.call(name)) == str(prod.call(name))
        assert prod.analyze_customer_segment("healthy").records == sim.analyze_customer_segment("healthy").records
        assert prod.fingerprint.startswith("sha256:") and prod.fingerprint != sim.fingerprint


def test_results_are_cached_per_fingerprint(files, tmp_path):
    data, wf = files
    with Toolset.open(data, workflows=wf) as tools:
        first = tools.get_ticket_metrics()
        assert tools.get_ticket_metrics() is first and tools.get_ticket_metrics(7) is first
        assert tools.get_ticket_metrics(8) is not first
        fp = tools.fingerprint
    dataset(data, extra_ticket=True)  # the data changed: a new fingerprint, new results
    with Toolset.open(data, workflows=wf) as tools:
        assert tools.fingerprint != fp and tools.get_ticket_metrics().value("tickets") == 4


def test_materialized_results_are_reused_while_the_data_is_unchanged(files, tmp_path):
    data, wf = files
    store = tmp_path / "views.duckdb"
    with Toolset.open(data, workflows=wf, materialize=store) as tools:
        computed = tools.analyze_customer_segment("at_risk")
        assert not computed.cached
    con = duckdb.connect(str(store), read_only=True)
    (table,) = con.execute("SELECT table_name FROM _datacruncher_views").fetchone()
    assert con.execute(f'SELECT * FROM "{table}"').fetchall() == [(2, 3)]
    con.close()
    with Toolset.open(data, workflows=wf, materialize=store) as tools:
        again = tools.analyze_customer_segment("at_risk")
        assert again.cached and again.records == computed.records and again.text == computed.text
    dataset(data, extra_ticket=True)
    with Toolset.open(data, workflows=wf, materialize=store) as tools:
        fresh = tools.analyze_customer_segment("at_risk")
        assert not fresh.cached and fresh.value("tickets") == 4


def test_as_of_can_be_pinned_and_bad_sources_are_input_errors(files, tmp_path):
    data, wf = files
    with Toolset.open(data, workflows=wf, as_of="2025-03-21T12:00:00") as tools:
        assert tools.get_ticket_metrics(11).value("tickets") == 1  # 2025-03-11 12:00; 03-22 is after as_of
    with pytest.raises(InputError, match="DuckDB database not found"):
        Toolset.open(tmp_path / "missing.duckdb", workflows=wf)
    with pytest.raises(ToolError, match="as_of must be an ISO timestamp"):
        Toolset.open(data, workflows=wf, as_of="yesterday")
