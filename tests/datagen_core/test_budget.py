"""Resource bounds: memory estimated before allocating, int64 sequences, bounded expressions, and ``check``
running every rule ``generate`` relies on (its sample run)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from datagen_contracts.dsl import loads_schema
from datagen_core.cli import main
from datagen_core.columns.expression import evaluate
from datagen_core.engine import generate
from datagen_core.errors import PlanTooLargeError
from datagen_core.planning import budget

BASE = {"version": "1.0", "metadata": {"name": "t"}, "timeframe": {"start": "2024-01-01", "end": "2024-12-31"},
        "constraints": {}, "nodes": [{"id": "u", "rows": 300, "pk": "id", "columns": [
            {"name": "id", "type": "int", "generator": {"sequence": {}}},
            {"name": "at", "type": "datetime", "generator": {"datetime_series": {"within": "timeframe"}}}]}]}


def _write(tmp_path: Path, doc: dict) -> str:
    p = tmp_path / "s.json"
    p.write_text(json.dumps(doc))
    return str(p)


def _millennia() -> dict:
    doc = copy.deepcopy(BASE)
    doc["timeframe"] = {"start": "0001-01-01", "end": "9999-12-31"}
    return doc


def test_memory_is_estimated_and_a_run_over_budget_is_refused_before_allocating(tmp_path: Path) -> None:
    schema = loads_schema(json.dumps(_millennia()))
    est = budget.estimate(schema, 1.0)
    assert est.slot_bytes > 10 * 1024**3  # 87.6M hour slots
    with pytest.raises(PlanTooLargeError, match=r"needs about .* over the budget of 1\.0 GB"):
        generate(schema, tmp_path / "out", max_memory=1024**3)
    assert list(tmp_path.iterdir()) == []  # nothing written, no staging left
    small = loads_schema(json.dumps(BASE))
    assert budget.estimate(small, 1.0).total < 64 * 1024**2


def test_plan_and_check_report_the_memory(tmp_path: Path) -> None:
    path = _write(tmp_path, _millennia())
    r = CliRunner().invoke(main, ["plan", path, "--json"])
    doc = json.loads(r.stdout)
    assert doc["memory_bytes"] > 10 * 1024**3 and doc["memory"]["time_samplers"] > 10 * 1024**3
    r = CliRunner().invoke(main, ["plan", path])
    assert "memory  ~" in r.stdout and "over the budget" in r.stderr
    r = CliRunner().invoke(main, ["check", path, "--json"])
    warnings = json.loads(r.stdout)["warnings"]
    assert any("over the budget" in w["message"] for w in warnings)
    r = CliRunner().invoke(main, ["generate", path, "-o", str(tmp_path / "o"), "--max-memory", "2GiB"])
    assert r.exit_code == 2 and "over the budget of 2.0 GB" in r.stderr and not (tmp_path / "o").exists()
    r = CliRunner().invoke(main, ["generate", path, "-o", str(tmp_path / "o"), "--max-memory", "lots"])
    assert r.exit_code == 2 and "not a size" in r.stderr


def test_a_sequence_that_leaves_int64_is_an_error_in_check_plan_and_generate(tmp_path: Path) -> None:
    doc = copy.deepcopy(BASE)
    doc["nodes"][0]["columns"][0]["generator"] = {"sequence": {"start": 2**62, "step": 2**55}}
    path = _write(tmp_path, doc)
    r = CliRunner().invoke(main, ["check", path, "--json"])
    errors = json.loads(r.stdout)["errors"]
    assert r.exit_code == 2 and errors[0]["path"] == "$.nodes[0].columns[0].generator.sequence"
    assert "beyond int64" in errors[0]["message"]
    r = CliRunner().invoke(main, ["generate", path, "-o", str(tmp_path / "o")])
    assert r.exit_code == 2 and "beyond int64" in r.stderr and not (tmp_path / "o").exists()
    ok = copy.deepcopy(BASE)  # one step short of the edge still generates, and ends exactly at the edge
    ok["nodes"][0]["columns"][0]["generator"] = {"sequence": {"start": 2**63 - 300, "step": 1}}
    out = generate(loads_schema(json.dumps(ok)), tmp_path / "ok")
    import pyarrow.parquet as pq

    ids = pq.read_table(out.output / "u.parquet").column("id").to_pylist()
    assert min(ids) > 0 and max(ids) == 2**63 - 1


def test_expressions_are_bounded() -> None:
    from datagen_core.errors import GenerationError

    with pytest.raises(GenerationError, match="at most 10,000 characters"):
        evaluate("'a' * 10**10", {})
    with pytest.raises(GenerationError, match="exponent"):
        evaluate("10 ** 10 ** 10", {})
    import numpy as np

    assert evaluate("x ** -1", {"x": np.array([1, 2, 4])}).tolist() == [1.0, 0.5, 0.25]  # not numpy's ValueError
    assert evaluate("'ab' * 3", {}) == "ababab"


def test_check_runs_a_sample_so_what_generate_would_reject_is_reported(tmp_path: Path) -> None:
    doc = copy.deepcopy(BASE)
    doc["nodes"][0]["columns"].append({"name": "s", "type": "string", "generator": {
        "expression": {"code": "'a' * 10**10"}}})
    r = CliRunner().invoke(main, ["check", _write(tmp_path, doc), "--json"])
    errors = json.loads(r.stdout)["errors"]
    assert r.exit_code == 2 and len(errors) == 1
    assert errors[0]["message"].startswith("a sample run fails: expression") and "10,000" in errors[0]["message"]


def test_numbers_into_a_string_column_are_an_error_with_the_type_meant(tmp_path: Path) -> None:
    doc = copy.deepcopy(BASE)
    doc["nodes"][0]["columns"].append({"name": "price", "type": "varchar", "generator": {
        "distribution": {"type": "normal", "params": {"mean": 10, "std": 2}}}})
    r = CliRunner().invoke(main, ["check", _write(tmp_path, doc), "--json"])
    errors = json.loads(r.stdout)["errors"]
    assert errors[0]["path"] == "$.nodes[0].columns[2].type" and "did you mean 'float'?" in errors[0]["message"]
    doc["nodes"][0]["columns"][-1]["type"] = "flaot"
    errors = json.loads(CliRunner().invoke(main, ["check", _write(tmp_path, doc), "--json"]).stdout)["errors"]
    assert "did you mean 'float'?" in errors[0]["message"]


@pytest.mark.parametrize("command", ["check", "plan", "generate"])
def test_deep_nesting_is_a_clear_error(tmp_path: Path, command: str) -> None:
    text = json.dumps(BASE).replace('"metadata": {', '"metadata": {"x": ' + "[" * 2_000 + "]" * 2_000 + ", ", 1)
    path = tmp_path / "deep.json"
    path.write_text(text)
    args = [command, str(path)] + (["-o", str(tmp_path / "o")] if command == "generate" else [])
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2 and "nested more than 64 levels deep" in r.stderr
    assert "Traceback" not in r.output and not (tmp_path / "o").exists()


def test_int64_arithmetic_in_expressions_never_wraps() -> None:
    import numpy as np

    from datagen_core.errors import GenerationError

    ids = np.array([1, 2, 3], dtype=np.int64)
    assert evaluate("id * 1000", {"id": ids}).tolist() == [1000, 2000, 3000]
    with pytest.raises(GenerationError, match="leaves the int64 range"):
        evaluate("id * 9000000000000000000", {"id": ids})
    with pytest.raises(GenerationError, match="leaves the int64 range"):
        evaluate("id + 9223372036854775806", {"id": ids})
