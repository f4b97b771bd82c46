"""Retention, churn, activation and engagement count activity — not funnel stages, state transitions, line items
or one-per-parent follow-ups (built in code: accounts with daily usage, an onboarding funnel, subscription state
changes and one survey answer each)."""

from __future__ import annotations

import datetime as dt

import pytest

from datacruncher import crunch
from datacruncher.model.activity import funnel_table, line_table, not_activity, transition_table
from datacruncher.model.semantic import Column, Table

from .conftest import BASE, write

ENTITY_EVENT_CHECKS = ("activation", "retention_d1", "retention_d7", "retention_d30", "churn",
                       "engagement_distribution")
STAGES = ["signed_up", "invited_team", "connected_data", "first_dashboard", "activated"]


def _accounts(d, n=300):
    created = [BASE + dt.timedelta(hours=11 * i) for i in range(n)]
    write(d, "account", {"account_id": list(range(1, n + 1)), "created_at": created})
    use = [(a, created[a - 1] + dt.timedelta(days=k * (1 + a % 5), hours=3)) for a in range(1, n + 1)
           for k in range(1 + a % 9)]
    write(d, "usage_day", {"usage_id": list(range(1, len(use) + 1)), "account_id": [a for a, _ in use],
                           "used_at": [t for _, t in use]})
    steps = [(a, s, created[a - 1] + dt.timedelta(hours=4 * s)) for a in range(1, n + 1)
             for s in range(1 + a % len(STAGES))]
    write(d, "onboarding_step", {"step_id": list(range(1, len(steps) + 1)), "account_id": [a for a, _, _ in steps],
                                 "stage": [STAGES[s] for _, s, _ in steps],
                                 "step_number": [s + 1 for _, s, _ in steps], "reached_at": [t for _, _, t in steps]})
    states = [(a, "active" if k else "trial", None if k == 0 else "trial", created[a - 1] + dt.timedelta(days=14 * k))
              for a in range(1, n + 1) for k in range(1 + a % 2)]
    write(d, "subscription_event", {"event_id": list(range(1, len(states) + 1)),
                                    "account_id": [a for a, _, _, _ in states], "state": [s for _, s, _, _ in states],
                                    "previous_state": [p for _, _, p, _ in states],
                                    "changed_at": [t for _, _, _, t in states]})
    write(d, "survey", {"survey_id": list(range(1, n + 1)), "account_id": list(range(1, n + 1)),
                        "score": [1 + a % 5 for a in range(n)],
                        "answered_at": [t + dt.timedelta(days=3) for t in created]})
    return d


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return crunch(_accounts(tmp_path_factory.mktemp("activity") / "d"), personas="VP Growth,Customer Success VP")


def test_only_activity_binds_retention_and_churn(report):
    runs = [r for r in report.checks.results if r.rule_id in ENTITY_EVENT_CHECKS]
    assert {r.rule_id for r in runs} == set(ENTITY_EVENT_CHECKS)
    assert {r.table for r in runs} == {"usage_day"}  # never onboarding_step, subscription_event or survey
    assert all(r.status != "skipped" for r in runs)


def test_every_table_is_an_event_of_the_account(report):
    # the exclusion is about what the rows mean, not about discovery: all four reference the account
    assert {(f.from_table, f.to_table) for f in report.model.foreign_keys} == {
        (t, "account") for t in ("usage_day", "onboarding_step", "subscription_event", "survey")}


def test_skip_reason_names_the_tables_and_why(tmp_path):
    d = _accounts(tmp_path / "d")
    (d / "usage_day.parquet").unlink()
    report = crunch(d, personas="Customer Success VP")
    (churn,) = [r for r in report.checks.results if r.rule_id == "churn"]
    assert churn.status == "skipped"
    for why in ("onboarding_step: its rows are the stages of a funnel", "subscription_event: its rows are state "
                "transitions", "survey: it has about one row per parent"):
        assert why in churn.reason


def _table(name, *cols):
    return Table(name, 100, [Column(c, "VARCHAR", "string", roles) for c, roles in cols])


def test_table_shapes_by_name():
    assert line_table(_table("Order Details")) and line_table(_table("order_item")) and not line_table(_table("orders"))
    assert funnel_table(_table("onboarding_step")) and funnel_table(_table("signup", ("funnel_stage", ["category"])))
    assert not funnel_table(_table("usage", ("event_type", ["feature", "category"])))
    assert transition_table(_table("sub_events", ("old_status", []))) and not transition_table(_table("x", ("status", [])))
    follow_up = Column("order_id", "VARCHAR", "string", ["id"], non_null=1000, distinct=990)
    repeated = Column("order_id", "VARCHAR", "string", ["id"], non_null=1000, distinct=300)
    assert "one row per parent" in not_activity(_table("reviews"), follow_up)
    assert not_activity(_table("clicks"), repeated) is None
