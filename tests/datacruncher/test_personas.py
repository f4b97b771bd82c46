from __future__ import annotations

from pathlib import Path

import pytest

from datacruncher import crunch
from datacruncher.checks.personas import available_personas, load_persona_file, parse_persona, select_personas
from datacruncher.errors import PersonaError

from .conftest import shop, write

EXAMPLES = Path(__file__).parents[2] / "examples" / "personas"


def test_builtins_and_aliases():
    found = available_personas()
    assert {p.id for p in found} == {"data_engineer", "vp_growth", "finance_vp", "customer_success_vp",
                                     "marketing_vp", "product_vp"}
    chosen = select_personas(found, "vp growth, cfo ,DATA ENGINEER")
    assert [p.id for p in chosen] == ["vp_growth", "finance_vp", "data_engineer"]
    with pytest.raises(PersonaError, match="did you mean 'CFO'"):
        select_personas(found, "CFOO")


def test_unknown_field_has_path_and_hint():
    text = "id: x\nname: X\nfocus: f\nchecks:\n  - id: c\n    title: t\n    over: table\n    sql: SELECT 1 AS value\n" \
           "    metric: m\n    sevrity: {high: '> 0'}\n    finding: f\n    fix: {path: none, action: review}\n"
    with pytest.raises(PersonaError, match=r"\$\.checks\[0\]\.sevrity: unknown field \(did you mean 'severity'\?\)"):
        parse_persona(text, "p.yaml")


def test_bad_placeholder_and_condition():
    base = "id: x\nname: X\nfocus: f\nchecks:\n  - id: c\n    title: t\n    over: {over}\n    sql: SELECT {{tabel}} AS value\n" \
           "    metric: m\n    severity: {{high: '{cond}'}}\n    finding: f\n    fix: {{path: none, action: review}}\n"
    with pytest.raises(PersonaError, match=r"unknown placeholder \{tabel\} \(did you mean 'table'\?\)"):
        parse_persona(base.format(over="table", cond="> 0"), "p.yaml")
    with pytest.raises(PersonaError, match="unknown binding"):
        parse_persona(base.format(over="tabel", cond="> 0"), "p.yaml")
    with pytest.raises(PersonaError, match="bad condition"):
        parse_persona(base.format(over="table", cond="big").replace("{tabel}", "{table}"), "p.yaml")


@pytest.mark.parametrize("name", ["vp_growth", "finance_vp", "data_engineer"])
def test_examples_match_builtins(name):
    persona = load_persona_file(EXAMPLES / f"{name}.yaml")
    assert persona.id == name and persona.checks


def test_custom_example_persona_adds_a_check(tmp_path):
    d = shop(tmp_path / "d", users=200, orders=400)
    write(d, "contacts", {"contact_id": list(range(100)),
                          "email": [f"c{i}@x.org" if i % 10 else f"broken{i}" for i in range(100)]})
    report = crunch(d, personas="Support", persona_files=[EXAMPLES / "support_lead.yaml"])
    (issue,) = report.issues
    assert issue.rule_id == "invalid_emails" and issue.provenance == "user"
    assert (issue.measure.failed_row_count, issue.measure.row_count) == (10, 100) and issue.severity == "high"
    assert issue.sample_keys[:2] == ["broken0", "broken10"]


def test_personas_dir_and_examples_run_clean(tmp_path):
    d = shop(tmp_path / "d", users=300, orders=900)
    report = crunch(d, personas="VP Growth,CFO,Data Engineer", personas_dirs=[EXAMPLES])
    assert report.personas == ["VP Growth", "Finance VP", "Data Engineer"]
    assert report.checks.errored == 0 and report.checks.evaluated > 20


@pytest.mark.parametrize("name", ["data_engineer", "vp_growth", "finance_vp"])
def test_example_copies_of_builtins_stay_in_sync(name):
    """The examples show the built-in personas as a user would copy them: they must not drift apart."""
    from datacruncher.checks.personas import builtin_personas

    builtin = next(p for p in builtin_personas() if p.id == name)
    example = load_persona_file(EXAMPLES / f"{name}.yaml")
    assert example.checks == builtin.checks
