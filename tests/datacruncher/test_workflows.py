"""The workflow file format: valid files load; every mistake is reported with its JSON path and a hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from datacruncher.errors import WorkflowError
from datacruncher.views.workflows import find_workflows, load_workflows, parse_workflows

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "support_desk" / "workflow_definitions.yaml"

GOOD = """
tables: {tickets: [ticket, tickets]}
as_of: {table: tickets, column: opened_at}
views:
  ticket_metrics:
    description: tickets in N days
    params: {days: {type: integer, default: 7, minimum: 1}}
    sql: SELECT count(*) AS n FROM {tickets} WHERE opened_at > $as_of - INTERVAL 1 DAY * $days
    format: summary
  by_cat:
    description: per category
    tool: tickets_by_category
    sql: SELECT category, count(*) AS n FROM {tickets} GROUP BY ALL
workflows:
  daily_briefing: {description: morning, views: [ticket_metrics, by_cat]}
"""


def problems(text: str) -> str:
    with pytest.raises(WorkflowError) as info:
        parse_workflows(text, "wf.yaml")
    return str(info.value)


def test_a_valid_file_loads_with_tool_names_and_params():
    spec = parse_workflows(GOOD, "wf.yaml")
    assert spec.views["ticket_metrics"].tool_name("ticket_metrics") == "get_ticket_metrics"
    assert spec.views["by_cat"].tool_name("by_cat") == "tickets_by_category"
    assert spec.workflows["daily_briefing"].tool_name("daily_briefing") == "get_daily_briefing"
    assert spec.workflow_params("daily_briefing")["days"].default == 7
    assert spec.source == "wf.yaml"


def test_the_example_file_is_valid():
    spec = load_workflows(EXAMPLE)
    assert {"daily_briefing", "crisis_response", "customer_analysis"} <= set(spec.workflows)
    assert spec.views["customer_segment"].tool_name("customer_segment") == "analyze_customer_segment"


def test_unknown_keys_are_reported_with_paths_and_hints():
    text = GOOD.replace("format: summary", "formatt: summary").replace("{description: morning,",
                                                                         "{descripton: morning, description: x,")
    msg = problems(text)
    assert "$.views.ticket_metrics.formatt: unknown field (did you mean 'format'?)" in msg
    assert "$.workflows.daily_briefing.descripton: unknown field (did you mean 'description'?)" in msg


def test_nested_unknown_key_in_a_parameter():
    msg = problems(GOOD.replace("minimum: 1", "minimun: 1"))
    assert "$.views.ticket_metrics.params.days.minimun: unknown field (did you mean 'minimum'?)" in msg


def test_type_errors_name_the_path():
    msg = problems(GOOD.replace("format: summary", "format: pie"))
    assert "$.views.ticket_metrics.format" in msg
    assert "$.views.ticket_metrics.params.days.type" in problems(GOOD.replace("type: integer", "type: int"))


def test_semantic_problems_are_all_reported():
    text = GOOD.replace("{tickets} WHERE", "{tikets} WHERE").replace("$days", "$dayz").replace(
        "[ticket_metrics, by_cat]", "[ticket_metric, by_cat]")
    msg = problems(text)
    assert "unknown table role {tikets} (did you mean 'tickets'?)" in msg
    assert "$dayz is not a declared parameter (did you mean 'days'?)" in msg
    assert "$.views.ticket_metrics.params.days: declared but not used as $days" in msg
    assert "$.workflows.daily_briefing.views[0]: unknown view 'ticket_metric' (did you mean 'ticket_metrics'?)" in msg


def test_tool_names_must_be_unique_and_not_reserved():
    assert "already used" in problems(GOOD.replace("tool: tickets_by_category", "tool: get_ticket_metrics"))
    assert "reserved" in problems(GOOD.replace("tool: tickets_by_category", "tool: specs"))


def test_defaults_enums_and_text_templates_are_checked():
    assert "'seven' is not of type integer" in problems(GOOD.replace("default: 7", "default: seven"))
    assert "needs a 'template'" in problems(GOOD.replace("format: summary", "format: text"))
    enum = GOOD.replace("{type: integer, default: 7, minimum: 1}", "{type: integer, default: 9, enum: [7, 14]}")
    assert "9 is not one of [7, 14]" in problems(enum)


def test_conflicting_parameter_types_in_one_workflow():
    text = GOOD.replace("GROUP BY ALL", "WHERE category = $days GROUP BY ALL").replace(
        "tool: tickets_by_category", "tool: tickets_by_category\n    params: {days: {type: string, default: a}}")
    assert "parameter 'days' is integer in view 'ticket_metrics' but string in 'by_cat'" in problems(text)


def test_not_yaml_and_not_a_mapping():
    assert "not valid YAML" in problems("views: [a: b: c")
    assert "expected a mapping" in problems("- a\n- b\n")


def test_find_workflows(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data"
    data.mkdir()
    with pytest.raises(WorkflowError, match="--workflows FILE"):
        find_workflows(data)
    (tmp_path / "workflow_definitions.yaml").write_text(GOOD)
    assert find_workflows(data) == tmp_path / "workflow_definitions.yaml"
    (data / "workflow_definitions.yaml").write_text(GOOD)
    assert find_workflows(data) == data / "workflow_definitions.yaml"
    assert find_workflows(data, "x.yaml") == Path("x.yaml")
    with pytest.raises(WorkflowError, match="workflow file not found"):
        load_workflows(tmp_path / "missing.yaml")
