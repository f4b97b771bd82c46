"""datagen check: every problem with its JSON path, warnings do not fail, unreadable inputs exit 2."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from datagen_core.cli import main
from datagen_core.cli.check import lint

UPSTREAM = Path("/work/shared/conformance/upstream")

GOOD = {"version": "1.0", "metadata": {"name": "t"}, "timeframe": {"start": "2024-01-01", "end": "2024-12-31"},
        "constraints": {}, "nodes": [{"id": "u", "rows": 5, "pk": "id", "columns": [
            {"name": "id", "type": "int", "generator": {"sequence": {}}}]}]}


def write(tmp_path: Path, doc, name="s.json") -> str:
    p = tmp_path / name
    p.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return str(p)


def test_valid_schema_exit_0(tmp_path):
    r = CliRunner().invoke(main, ["check", write(tmp_path, GOOD)])
    assert r.exit_code == 0 and "ok (0 errors, 0 warnings)" in r.stdout


def test_every_error_is_listed_with_its_path(tmp_path):
    bad = json.loads(json.dumps(GOOD))
    bad["nodes"][0]["columns"].append({"name": "age", "type": "int", "generator": {"distribution": {
        "type": "normal", "params": {"mu": 3, "sigmaa": 1}}}})
    bad["nodes"][0]["pk"] = "idd"
    r = CliRunner().invoke(main, ["check", write(tmp_path, bad), "--json"])
    assert r.exit_code == 2
    doc = json.loads(r.stdout)
    assert doc["ok"] is False
    paths = [e["path"] for e in doc["errors"]]
    assert any(p.startswith("$.nodes[0].columns[1].generator.distribution.params") for p in paths), paths
    assert all(e["severity"] == "error" for e in doc["errors"])


def test_cross_reference_errors_are_reported_together(tmp_path):
    bad = json.loads(json.dumps(GOOD))
    bad["nodes"][0]["pk"] = "idd"
    bad["constraints"] = {"foreign_keys": [{"from": "u.nope", "to": "x.id"}]}
    result = lint(write(tmp_path, bad))
    paths = {e["path"] for e in result["errors"]}
    assert {"$.nodes[0].pk", "$.constraints.foreign_keys[0].from", "$.constraints.foreign_keys[0].to"} <= paths
    r = CliRunner().invoke(main, ["check", write(tmp_path, bad)])
    assert r.exit_code == 2 and "error: $.nodes[0].pk:" in r.stdout and "invalid (3 errors" in r.stdout


def test_warnings_are_printed_but_do_not_fail():
    r = CliRunner().invoke(main, ["check", str(UPSTREAM / "test_patterns.json")])
    assert r.exit_code == 0
    assert "warning: $.nodes[5].fanout.lambda" in r.stdout


def test_every_conformance_schema_passes_check():
    for f in sorted(UPSTREAM.glob("*.json")):
        result = lint(str(f))
        assert result["ok"], (f.name, result["errors"])


def test_missing_malformed_and_future_major_exit_2(tmp_path):
    r = CliRunner().invoke(main, ["check", str(tmp_path / "missing.json")])
    assert r.exit_code == 2 and "not found" in r.stderr and "Traceback" not in r.output
    r = CliRunner().invoke(main, ["check", write(tmp_path, "{not json")])
    assert r.exit_code == 2 and "not valid JSON" in r.stderr
    r = CliRunner().invoke(main, ["check", write(tmp_path, "a: [1, 2\nb: {", "s.yaml")])
    assert r.exit_code == 2 and "YAML" in r.stderr
    future = {**GOOD, "version": "2.0"}
    r = CliRunner().invoke(main, ["check", write(tmp_path, future), "--json"])
    assert r.exit_code == 2 and "version" in json.loads(r.stdout)["errors"][0]["message"]


def test_yaml_schema_is_accepted(tmp_path):
    yaml_text = """
version: "1.0"
metadata: {name: t}
timeframe: {start: "2024-01-01", end: "2024-12-31"}
constraints: {}
nodes:
  - id: u
    rows: 5
    pk: id
    columns:
      - {name: id, type: int, generator: {sequence: {}}}
"""
    r = CliRunner().invoke(main, ["check", write(tmp_path, yaml_text, "s.yaml")])
    assert r.exit_code == 0, r.output


def test_an_unreachable_weekend_target_is_a_warning():
    result = lint(str(UPSTREAM / "simple_users_events.json"))
    assert result["ok"]
    [w] = [w for w in result["warnings"] if w["path"] == "$.targets.weekend_share"]
    assert "0.274" in w["message"]


def test_what_the_engine_cannot_generate_is_an_error_with_its_path(tmp_path):
    """A self-lookup of a non-key column, a fact's self-lookup read by another column, an int copied from strings
    and a fact window that ends before its parent can exist were accepted, then failed mid-run (an ArrowInvalid
    for the strings) or dropped every row silently."""
    doc = {"version": "1.0", "metadata": {"name": "m"}, "constraints": {},
           "timeframe": {"start": "2024-01-01", "end": "2024-12-31"},
           "nodes": [{"id": "user", "rows": 10, "pk": "user_id", "columns": [
               {"name": "user_id", "type": "int", "generator": {"sequence": {}}},
               {"name": "code", "type": "string", "generator": {"faker": {"method": "uuid4"}}},
               {"name": "created_at", "type": "datetime",
                "generator": {"datetime_series": {"within": {"start": "2024-06-01", "end": "2024-12-31"}}}},
               {"name": "referrer", "type": "string", "generator": {"lookup": {"from": "user.code"}}}]},
               {"id": "event", "kind": "fact", "parents": ["user"], "pk": "event_id", "columns": [
                   {"name": "event_id", "type": "int", "generator": {"sequence": {}}},
                   {"name": "user_id", "type": "int", "generator": {"lookup": {"from": "user.user_id"}}},
                   {"name": "at", "type": "datetime",
                    "generator": {"datetime_series": {"within": {"start": "2024-01-01", "end": "2024-03-01"}}}},
                   {"name": "prev_id", "type": "int", "generator": {"lookup": {"from": "event.event_id"}}},
                   {"name": "gap", "type": "int", "generator": {"expression": {"code": "event_id - prev_id"}}},
                   {"name": "code", "type": "int", "generator": {"lookup": {"from": "user.code"}}}]}]}
    path = write(tmp_path, json.dumps(doc))
    r = CliRunner().invoke(main, ["check", path, "--json"])
    assert r.exit_code == 2
    errors = {e["path"]: e["message"] for e in json.loads(r.output)["errors"]}
    assert set(errors) == {"$.nodes[0].columns[3].generator.lookup.from", "$.nodes[1].columns[3].generator.lookup.from",
                           "$.nodes[1].columns[2].generator", "$.nodes[1].columns[5].generator.lookup.from"}
    assert "a column of type int cannot copy them" in errors["$.nodes[1].columns[5].generator.lookup.from"]
    assert "'user.code' is not a sequence column" in errors["$.nodes[0].columns[3].generator.lookup.from"]
    assert "set 'after_parent': false" in errors["$.nodes[1].columns[2].generator"]
    r = CliRunner().invoke(main, ["generate", path, "-o", str(tmp_path / "out"), "-q"])
    assert r.exit_code == 2 and "4 problems" in r.output and not (tmp_path / "out").exists()


def test_int_literals_past_64_bits_are_errors_and_a_heavy_tail_stops_at_the_edge(tmp_path):
    """An int choice or bound past int64 used to be written wrapped to -2**63; it is an error with its path. A
    heavy tail that overflows (no literal to blame) stops at int64's edge instead of wrapping to negative."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from datagen_core.engine import generate

    bad = json.loads(json.dumps(GOOD))
    bad["nodes"][0]["columns"] += [
        {"name": "h", "type": "int", "generator": {"choice": {"choices": [1, 18446744073709551615]}}},
        {"name": "u", "type": "int", "generator": {"distribution": {"type": "uniform",
                                                                    "params": {"low": -1e20, "high": 5}}}}]
    r = CliRunner().invoke(main, ["check", write(tmp_path, bad), "--json"])
    assert r.exit_code == 2
    assert [e["path"] for e in json.loads(r.stdout)["errors"]] == [
        "$.nodes[0].columns[1].generator.choice.choices[1]", "$.nodes[0].columns[2].generator.distribution.params.low"]
    tail = json.loads(json.dumps(GOOD))
    tail["nodes"][0]["rows"] = 2000
    tail["nodes"][0]["columns"].append({"name": "n", "type": "int", "generator": {"distribution": {
        "type": "lognormal", "params": {"mean": 40, "sigma": 3}}}})
    generate(write(tmp_path, tail, "tail.json"), tmp_path / "out", seed=1)
    n = pq.read_table(tmp_path / "out" / "u.parquet")["n"]
    assert pc.min(n).as_py() > 0 and pc.max(n).as_py() > 2**62
