from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from polisher_schemas import shop_schema

from datapolisher.approval.verify import verify
from datapolisher.auto import auto_polish
from datapolisher.inputs import load_inputs


def test_auto_schema_then_approve(tmp_path: Path, fake_stages: Path) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(shop_schema()))
    subprocess.run(["datagen", "generate", str(schema), "--seed", "42", "-o", str(tmp_path / "output")], check=True)
    report = tmp_path / "crunch_report.json"
    subprocess.run(["datacruncher", "crunch", str(tmp_path / "output"), "-o", str(report)], check=True)
    inputs = load_inputs(report, schema=schema)
    assert inputs.report.summary.critical == 3
    res = auto_polish(inputs, output=tmp_path / "polished")
    assert res.rounds[0].path == "schema" and res.rounds[0].after == {"critical": 0, "high": 0, "medium": 0, "low": 0}
    assert res.final["critical"] == 0 and res.manifest == tmp_path / "polished" / ".manifest.yaml"
    assert verify(tmp_path / "polished").ok
    summary = json.loads((tmp_path / "polish_summary.json").read_text())
    assert summary["initial"]["critical"] == 3 and summary["rounds"][0]["path"] == "schema"


def test_auto_postprocess_rounds_then_approve(shop: Path, shop_report: Path, fake_stages: Path) -> None:
    res = auto_polish(load_inputs(shop_report), max_rounds=2)
    assert [r.path for r in res.rounds] == ["postprocess"]
    assert res.initial["critical"] == 3 and res.final == {"critical": 0, "high": 0, "medium": 0, "low": 0}
    assert res.output_dir is not None and res.output_dir.name == "output_polished"
    assert res.manifest is not None and verify(res.output_dir).ok


def test_auto_without_other_stages_stops_honestly(shop: Path, shop_report: Path, no_stages: None) -> None:
    res = auto_polish(load_inputs(shop_report))
    assert [r.path for r in res.rounds] == ["postprocess"]
    assert "could not be re-checked" in res.stopped and res.manifest is None
    assert any("datacruncher is not on PATH" in n for n in res.rounds[0].notes)
    assert json.loads(res.summary_path.read_text())["manifest"] is None


def test_set_aside_replaces_a_previous_runs_round_only_with_overwrite(tmp_path: Path) -> None:
    from datapolisher.auto import set_aside
    from datapolisher.errors import OutputExistsError

    target = tmp_path / "output_polished"
    for name in ("output_polished", "output_polished_round1"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "mark").write_text(name)
    with pytest.raises(OutputExistsError, match="output_polished_round1 already exists"):
        set_aside(target, target, "round1")
    aside = set_aside(target, target, "round1", overwrite=True)  # a re-run with --overwrite (the README's)
    assert aside == tmp_path / "output_polished_round1" and (aside / "mark").read_text() == "output_polished"
    assert not target.exists()
