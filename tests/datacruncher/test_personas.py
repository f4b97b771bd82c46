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
    """The examples show the built-in personas as a user would copy them (their checks written out, from the
    check libraries they use): they must not drift apart."""
    builtin = next(p for p in available_personas() if p.id == name)
    example = load_persona_file(EXAMPLES / f"{name}.yaml")
    assert example.checks == builtin.checks and builtin.checks


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


def test_built_in_checks_live_in_libraries_and_personas_use_them() -> None:
    """Every built-in check is defined once, in a check library; the built-in personas only name theirs, and every
    library check is run by some persona."""
    from datacruncher.checks.personas import builtin_personas, check_libraries, check_registry

    assert all(not p.checks and p.uses for p in builtin_personas())
    libraries = check_libraries()
    defined = [c.id for lib in libraries for c in lib.checks]
    assert len(defined) == len(set(defined)) >= 40
    used = {c for p in builtin_personas() for c in p.uses}
    assert used == set(defined)
    assert set(check_registry(available_personas(), libraries)) == set(defined)


def test_a_check_defined_by_two_libraries_is_refused() -> None:
    from datacruncher.checks.personas import CheckLibrary, check_libraries, check_registry

    first = check_libraries()[0]
    copy = CheckLibrary(checks=first.checks[:1], source="other.yaml")
    with pytest.raises(PersonaError, match=rf"check '{first.checks[0].id}' is defined by two check libraries"):
        check_registry([], [first, copy])


def test_a_persona_copy_of_a_library_check_holds_for_that_persona_only(tmp_path) -> None:
    """An edited copy of ``fk_orphans`` (any orphan is critical) in one persona file; another persona that
    ``uses: [fk_orphans]`` keeps the library's definition."""
    import json

    import msgspec

    from datacruncher.checks.personas import Severity

    de = next(p for p in available_personas() if p.id == "data_engineer")
    original = next(c for c in de.checks if c.id == "fk_orphans")
    edited = msgspec.structs.replace(original, severity=Severity(critical="> 0"))
    strict = tmp_path / "strict.yaml"  # JSON is YAML
    strict.write_text(json.dumps({"id": "strict_engineer", "name": "Strict Engineer", "focus": "any orphan",
                                  "checks": [msgspec.to_builtins(edited)]}))
    user = tmp_path / "user.yaml"
    user.write_text("id: auditor\nname: Auditor\nfocus: references\nuses: [fk_orphans]\n")
    found = {p.id: p for p in available_personas([strict, user])}
    assert found["strict_engineer"].checks == [edited]
    assert found["auditor"].checks == [original]
    assert next(c for c in found["data_engineer"].checks if c.id == "fk_orphans") == original


def test_an_installed_check_library_adds_checks_personas_use(tmp_path, monkeypatch) -> None:
    """A tiny installed distribution registers a check library in ``datacruncher.checks``; a persona file that
    ``uses:`` its check runs it."""
    site = tmp_path / "site"
    pkg = site / "tiny_library"
    pkg.mkdir(parents=True)
    example = (EXAMPLES / "support_lead.yaml").read_text()
    (pkg / "emails.yaml").write_text("checks:\n" + example.split("checks:\n", 1)[1])
    (pkg / "__init__.py").write_text("from pathlib import Path\n\nLIBRARY = Path(__file__).parent / 'emails.yaml'\n")
    info = site / "tiny_library-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tiny-library\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[datacruncher.checks]\nemails = tiny_library:LIBRARY\n")
    monkeypatch.syspath_prepend(str(site))
    persona = tmp_path / "desk.yaml"
    persona.write_text("id: desk\nname: Desk\nfocus: reachable customers\nuses: [invalid_emails]\n")
    d = shop(tmp_path / "d", users=200, orders=400)
    write(d, "contacts", {"contact_id": list(range(100)),
                          "email": [f"c{i}@x.org" if i % 10 else f"broken{i}" for i in range(100)]})
    report = crunch(d, personas="Desk", persona_files=[persona])
    (issue,) = report.issues
    assert issue.rule_id == "invalid_emails" and issue.persona == "Desk"
