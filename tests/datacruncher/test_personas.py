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


def _install_plugin(root: Path, monkeypatch: pytest.MonkeyPatch, entry: str = "tiny_checks:PERSONAS") -> None:
    """A tiny installed distribution, as pip leaves one in site-packages: a module with a persona folder and a
    ``*.dist-info`` whose entry_points.txt registers it in the ``datacruncher.personas`` group."""
    pkg = root / "tiny_checks"
    (pkg / "personas").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from pathlib import Path\n\nPERSONAS = Path(__file__).parent / 'personas'\n")
    (pkg / "personas" / "support.yaml").write_text((EXAMPLES / "support_lead.yaml").read_text())
    info = root / "tiny_checks-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tiny-checks\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[datacruncher.personas]\nsupport = {entry}\n")
    monkeypatch.syspath_prepend(str(root))


def test_an_installed_plugin_adds_its_checks(tmp_path, monkeypatch):
    d = shop(tmp_path / "d", users=200, orders=400)
    write(d, "contacts", {"contact_id": list(range(100)),
                          "email": [f"c{i}@x.org" if i % 10 else f"broken{i}" for i in range(100)]})
    assert "support_lead" not in {p.id for p in available_personas()}
    _install_plugin(tmp_path / "site", monkeypatch)
    found = {p.id: p for p in available_personas()}
    assert found["support_lead"].source.endswith("support.yaml")
    report = crunch(d, personas="Support")
    (issue,) = report.issues
    assert issue.rule_id == "invalid_emails" and issue.provenance == "user" and issue.fix.action == "normalize_format"


def test_a_broken_plugin_is_named_not_a_traceback(tmp_path, monkeypatch):
    _install_plugin(tmp_path / "site", monkeypatch, entry="tiny_checks:MISSING")
    with pytest.raises(PersonaError, match=r"persona plugin 'support' \(tiny_checks:MISSING\) failed to load"):
        available_personas()


def test_dataset_metrics_come_from_the_checks_persona_files_mark(tmp_path):
    """The report's metrics are measured by the checks marked ``dataset_metric`` (Data Engineer's), also when
    another persona is selected; a user's copy of Data Engineer without the marks leaves them unmeasured."""
    d = shop(tmp_path / "d", users=200, orders=400)
    alone = crunch(d, personas="VP Growth").metrics
    assert alone.fk_integrity == 100.0 and alone.duplicate_rate == 0.0 and alone.null_rate is not None
    unmarked = tmp_path / "de.yaml"
    unmarked.write_text("\n".join(line for line in (EXAMPLES / "data_engineer.yaml").read_text().splitlines()
                                  if "dataset_metric:" not in line))
    bare = crunch(d, personas="VP Growth", persona_files=[unmarked]).metrics
    assert (bare.fk_integrity, bare.duplicate_rate, bare.null_rate, bare.temporal_violations) == (None,) * 4


def test_a_persona_can_use_checks_other_personas_define(tmp_path):
    """``uses:`` runs checks defined once elsewhere; the dataset metrics stay measured by their definer."""
    gate = tmp_path / "gate.yaml"
    gate.write_text("id: ci_gate\nname: CI Gate\nfocus: the checks a pipeline must pass\n"
                    "uses: [fk_orphans, duplicate_rows]\n")
    d = shop(tmp_path / "d", users=200, orders=400)
    write(d, "dupes", {"k": [1, 1, 2, 3]})
    report = crunch(d, personas="CI Gate", persona_files=[gate])
    assert report.personas == ["CI Gate"]
    assert {r.rule_id for r in report.checks.results} == {"fk_orphans", "duplicate_rows"}
    (issue,) = [i for i in report.issues if i.rule_id == "duplicate_rows"]
    assert issue.persona == "CI Gate" and report.metrics.duplicate_rate is not None


def test_uses_of_an_unknown_check_and_an_empty_persona_are_refused(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nname: X\nfocus: f\nuses: [fk_orphan]\n")
    with pytest.raises(PersonaError, match=r"unknown check 'fk_orphan' \(did you mean 'fk_orphans'\?\)"):
        available_personas([bad])
    bad.write_text("id: x\nname: X\nfocus: f\n")
    with pytest.raises(PersonaError, match="needs 'checks' of its own or 'uses'"):
        available_personas([bad])
