"""``--interactive``: one question per issue group (click prompts with a default), then the chosen paths run."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
from click.testing import CliRunner
from polisher_builders import shop_issues
from polisher_schemas import shop_schema

from datapolisher.cli import main
from datapolisher.interactive import group_findings
from datapolisher.issues import Finding, read_findings


def _findings() -> list[Finding]:
    return read_findings(SimpleNamespace(issues=shop_issues()))  # type: ignore[arg-type]


def test_groups_offer_the_paths_that_can_fix_them_and_default_to_the_hint() -> None:
    groups = {g.problem: g for g in group_findings(_findings(), schema=shop_schema())}
    assert list(groups) == ["type_drift", "orphans", "temporal_parent", "inverted_interval", "duplicate_key",
                            "money_precision", "code_variants", "whitespace", "nullable"]
    assert groups["orphans"].options == ("schema", "postprocess", "skip") and groups["orphans"].default == "schema"
    assert groups["money_precision"].options == ("postprocess", "skip")
    assert groups["money_precision"].default == "postprocess"
    assert groups["duplicate_key"].default == "postprocess"  # hinted postprocess, though a schema edit could help
    without = {g.problem: g for g in group_findings(_findings(), schema=None)}
    assert without["orphans"].options == ("postprocess", "skip") and without["orphans"].default == "postprocess"


def test_schema_is_offered_only_where_a_schema_edit_applies() -> None:
    """Outliers are schema-fixable when the schema injects them; in a schema that injects none there is no edit to
    make, so the question offers post-processing or skip only."""
    from polisher_builders import issue

    outliers = read_findings(SimpleNamespace(issues=[  # type: ignore[arg-type]
        issue("outliers", "clamp_outliers", table="order", column="unit price", path="schema")]))
    clean = shop_schema()
    clean.pop("defects", None)
    (group,) = group_findings(outliers, schema=clean)
    assert "schema" not in group.options
    injected = {**clean, "defects": [{"kind": "outliers", "target": "order.unit price", "rate": 0.01}]}
    (group,) = group_findings(outliers, schema=injected)
    assert group.options[0] == "schema" and group.default == "schema"


@pytest.fixture
def crunched(tmp_path: Path, fake_stages: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """output/ generated from a schema with injected orphans, late orders and duplicate keys, and crunched."""
    (tmp_path / "schema.json").write_text(json.dumps(shop_schema()))
    monkeypatch.chdir(tmp_path)
    subprocess.run(["datagen", "generate", "schema.json", "--seed", "42", "-o", "output"], check=True)
    subprocess.run(["datacruncher", "crunch", "output", "-o", "crunch_report.json"], check=True)
    return tmp_path


def _order_ids(data: Path) -> list[tuple[int, int]]:
    sql = f"SELECT order_id, user_id FROM read_parquet('{data / 'order.parquet'}') ORDER BY ALL"
    return duckdb.connect().execute(sql).fetchall()


def test_cli_asks_per_group_reprompts_on_a_bad_answer_and_runs_the_choices(crunched: Path) -> None:
    # groups: orphans (default schema), duplicate_key (default postprocess), temporal_parent (default schema)
    answers = "bogus\n\nskip\n\n"  # a bad answer, then the default; skip the duplicates; the default again
    result = CliRunner().invoke(main, ["polish", "--interactive"], input=answers)
    assert result.exit_code == 0, result.output
    prompts = [line for line in result.output.splitlines() if "fix by" in line]
    assert "fix by (schema, postprocess, skip) [schema]:" in result.output
    assert "fix by (schema, postprocess, skip) [postprocess]:" in result.output
    assert "bogus" in result.output and len(prompts) >= 4  # asked again after the bad answer
    assert "schema path:" in result.output and "postprocess path:" not in result.output
    changes = (crunched / "schema_changes.md").read_text()
    assert "orphan_fk" in changes and "temporal_violation" in changes and "duplicate_pk" not in changes
    rows = _order_ids(crunched / "output_polished")
    ids = [r[0] for r in rows]
    assert len(ids) != len(set(ids))  # the skipped group is left as it was
    assert all(user != 99 for _, user in rows)  # the orphans are gone


def test_cli_interactive_postprocess_only(crunched: Path) -> None:
    result = CliRunner().invoke(main, ["polish", "--interactive"], input="postprocess\npostprocess\nskip\n")
    assert result.exit_code == 0, result.output
    assert "schema path:" not in result.output and "postprocess path:" in result.output
    assert "drop order rows whose user_id has no user.user_id" in result.output
    rows = _order_ids(crunched / "output_polished")
    assert len({r[0] for r in rows}) == len(rows) and all(user != 99 for _, user in rows)
