"""Schemas written for this project (``schemas/``) that combine DSL constructs the examples and the conformance
files do not: a two-parent marketplace, a hospital lifecycle, a trial funnel with parameters and scenarios,
multi-touch attribution with money, a ledger with every segment shape and vintage, an org chart that crosses
chunks, product adoption curves, a promo calendar with table effects and defects, a sales pipeline (a parentless
fact referencing itself, a keyed table effect, a dated funnel), subscriptions (vintage and churn curves, times
bound to the parent row), a web funnel (a table and columns named with spaces and SQL keywords, a vocab parent)
and every generator, modifier and alias at once. Each generates with seed 42, validates, holds the structural facts measured on the tables
alone, and gives the same bytes with one or two workers."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from datagen_contracts.dsl import load_schema
from datagen_core.engine import generate
from datagen_core.validate import validate

SCHEMAS = sorted((Path(__file__).parent / "schemas").glob("*.json"))
sys.path.insert(0, str(Path(__file__).parent))
from structural import constant_columns, load, problems  # noqa: E402


def _shas(out: Path) -> dict[str, str]:
    return {t["name"]: t["files"][0]["sha256"] for t in json.loads((out / ".metadata.json").read_text())["tables"]}


@pytest.mark.parametrize("path", SCHEMAS, ids=[p.stem for p in SCHEMAS])
def test_schema_generates_validates_and_holds_its_structure(path: Path, tmp_path: Path) -> None:
    schema = load_schema(path)
    one = generate(path, tmp_path / "one", seed=42)
    generate(path, tmp_path / "two", seed=42, workers=2)
    assert _shas(tmp_path / "one") == _shas(tmp_path / "two")
    assert min(one.rows.values()) > 0
    meta, tables = load(tmp_path / "one")
    injected = {(d["target"], d["count"]) for d in meta.get("defects", [])}
    targets = tuple(t for t, _ in injected)
    # only injected defects fail validation, each with its exact count (a format variant of a column without an
    # enum is no violation validate can see)
    report = validate(schema, tmp_path / "one")
    failed = {(c.target, c.failing_rows) for c in report.failed}
    seen = {d["target"] for d in meta.get("defects", []) if d["kind"] in ("orphan_fk", "nulls")}
    assert failed <= injected and {t for t, _ in failed} == seen
    assert [p for p in problems(schema, tmp_path / "one") if not p.startswith(targets)] == []
    assert constant_columns(tables) == []


def test_a_scenario_changes_the_funnel_it_names(tmp_path: Path) -> None:
    path = Path(__file__).parent / "schemas" / "saas_trial.json"
    generate(path, tmp_path / "base", seed=42)
    generate(path, tmp_path / "bad", seed=42, scenario="bad_onboarding")
    _, base = load(tmp_path / "base")
    meta, bad = load(tmp_path / "bad")
    reached = {name: t["trial_event"]["stage"].to_pylist().count("workspace_created") for name, t in
               (("base", base), ("bad", bad))}
    signups = base["trial_event"]["stage"].to_pylist().count("signup")
    assert signups == bad["trial_event"]["stage"].to_pylist().count("signup")
    # every account reaches signup, an hour or so after its trial starts: all but those whose trial starts in the
    # window's last day (ids follow time, so the last account starts in the last hours)
    started = base["account"]["trial_started_at"].to_numpy()
    assert (started < np.datetime64("2024-09-30T00:00:00")).sum() <= signups <= 500
    assert reached["bad"] < 0.8 * reached["base"]  # rate 0.6 instead of 0.85 (segment multipliers aside)
    assert meta["scenario"]["name"] == "bad_onboarding" and meta["context"]["trial_quality"] == "poor"
