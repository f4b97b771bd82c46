"""``datagen draft``: a model's schema is decoded with the contracts, repaired in bounded rounds, written only valid."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from datagen_contracts import llm
from datagen_contracts.dsl import loads_schema
from datagen_contracts.dsl.reference import EXAMPLE, reference
from datagen_core.cli import main

needs_llm = pytest.mark.skipif(not llm.available(), reason="the [llm] extra (litellm) is not installed")
DESCRIPTION = "a subscription business with customers, plans, invoices and churn"


def _broken() -> dict:
    bad = copy.deepcopy(EXAMPLE)
    bad["nodes"][0]["columns"][0]["generator"] = {"sequnce": {"start": 1}}  # a typo
    bad["nodes"][1]["fanout"]["distribution"] = "poison"
    return bad


def test_the_reference_is_generated_and_its_example_loads() -> None:
    text = reference()
    loads_schema(json.dumps(EXAMPLE))
    for struct in ("Schema:", "Node:", "Column:", "Fanout:", "Generator:", "ChoiceGen:", "LookupGen:"):
        assert f"\n{struct}" in text
    assert "'iban'" in text and "'credit_card_number'" in text


@needs_llm
def test_problems_go_back_for_repair_and_the_valid_schema_is_written(tmp_path: Path, llm_cache: Path) -> None:
    from ..fake_llm import FakeLLM

    out = tmp_path / "schema.json"
    with FakeLLM(["Here you go:\n```json\n" + json.dumps(_broken()) + "\n```", json.dumps(EXAMPLE)]) as fake:
        res = CliRunner().invoke(main, ["draft", DESCRIPTION, "-o", str(out), "--model", fake.model])
    assert res.exit_code == 0, res.output
    assert json.loads(out.read_text()) == EXAMPLE
    system, user = fake.requests[0]["messages"][:2]
    assert reference() in system["content"] and DESCRIPTION in user["content"]
    repair = fake.requests[1]["messages"][-1]["content"]
    assert "$.nodes[0].columns[0].generator" in repair and "sequence" in repair  # the path and "did you mean"
    assert "$.nodes[1].fanout" in repair
    assert "round 1: 2 problem(s); asking for a repair" in res.output
    check = CliRunner().invoke(main, ["check", str(out)])
    assert check.exit_code == 0, check.output


@needs_llm
def test_a_schema_that_stays_broken_is_not_written(tmp_path: Path, llm_cache: Path) -> None:
    from ..fake_llm import FakeLLM

    out = tmp_path / "schema.json"
    with FakeLLM([json.dumps(_broken()), "I cannot do that.", json.dumps(_broken())]) as fake:
        res = CliRunner().invoke(main, ["draft", DESCRIPTION, "-o", str(out), "--model", fake.model, "--rounds", "3"])
        assert len(fake.requests) == 3
    assert res.exit_code == 2 and not out.exists()
    assert "still has problems after 3 round(s); nothing written" in res.output
    assert "$.nodes[0].columns[0].generator" in res.output
    assert "Traceback" not in res.output


@needs_llm
def test_an_unreachable_model_is_a_clear_error(tmp_path: Path, llm_cache: Path) -> None:
    res = CliRunner().invoke(main, ["draft", DESCRIPTION, "-o", str(tmp_path / "s.json"),
                                    "--model", "http://127.0.0.1:9/v1#none"])
    assert res.exit_code == 2 and "could not be called" in res.output and "Traceback" not in res.output


def test_refuses_an_existing_output_and_an_empty_description(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    out.write_text("{}")
    res = CliRunner().invoke(main, ["draft", DESCRIPTION, "-o", str(out), "--model", "openai/x"])
    assert res.exit_code == 2 and "--overwrite" in res.output and out.read_text() == "{}"
    res = CliRunner().invoke(main, ["draft", "  ", "-o", str(tmp_path / "n.json"), "--model", "openai/x"])
    assert res.exit_code == 2 and "description is empty" in res.output


@pytest.mark.skipif(llm.available(), reason="checks the message shown when the [llm] extra is missing")
def test_without_the_extra_it_says_how_to_install_it(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["draft", DESCRIPTION, "-o", str(tmp_path / "s.json"), "--model", "openai/x"])
    assert res.exit_code == 2 and "pip install 'datagen-core[llm]'" in res.output
