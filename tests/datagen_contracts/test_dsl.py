"""Loading DSL v1 schemas: conformance files, aliases, canonical round trip, parameters and scenarios."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from datagen_contracts import dsl
from datagen_contracts.dsl import merge_patch, parse_weights_kind
from datagen_contracts.errors import SchemaError


def minimal(**node_overrides: object) -> dict:
    node = {
        "id": "user",
        "kind": "entity",
        "rows": 10,
        "pk": "user_id",
        "columns": [
            {"name": "user_id", "type": "int", "generator": {"sequence": {}}},
            {"name": "signup", "type": "datetime", "generator": {"datetime_series": {"within": "timeframe"}}},
        ],
    }
    node.update(node_overrides)
    return {
        "version": "1.0",
        "metadata": {"name": "t", "owner": "free-form keys are kept"},
        "timeframe": {"start": "2024-01-01T00:00:00Z", "end": "2024-12-31T23:59:59Z"},
        "nodes": [node],
        "constraints": {},
    }


def test_conformance_schema_loads_and_round_trips(conformance_schema: Path) -> None:
    schema = dsl.load_schema(conformance_schema)
    canonical = dsl.dumps_schema(schema)
    again = dsl.loads_schema(canonical)
    assert again == schema
    assert dsl.dumps_schema(again) == canonical  # canonical form is a fixed point
    raw = json.loads(conformance_schema.read_text())
    assert [n.id for n in schema.nodes] == [n["id"] for n in raw["nodes"]]
    assert sum(len(n.columns) for n in schema.nodes) == sum(len(n["columns"]) for n in raw["nodes"])


def test_aliases_are_normalized_to_canonical_names() -> None:
    doc = minimal()
    doc["nodes"][0]["columns"] += [
        {"name": "age", "type": "integer", "generator": {"distribution": {"type": "normal", "params": {"mu": 35, "sigma": 9}}}},
        {"name": "spend", "type": "float", "generator": {"distribution": {"type": "lognormal", "params": {"mu": 3, "sigma": 1}}}},
        {"name": "score", "type": "float", "generator": {"distribution": {"type": "uniform", "params": {"min": 1, "max": 5}}}},
        {"name": "visits", "type": "int", "generator": {"distribution": {"type": "poisson", "params": {"lam": 2}}}},
    ]
    schema = dsl.loads_schema(json.dumps(doc))
    cols = {c.name: c for c in schema.nodes[0].columns}
    assert cols["age"].type == "int"
    assert cols["age"].generator.distribution == dsl.NormalDist(params=dsl.NormalParams(mean=35.0, std=9.0))
    assert cols["spend"].generator.distribution.params == dsl.LognormalParams(mean=3.0, sigma=1.0)
    assert cols["score"].generator.distribution.params == dsl.UniformParams(low=1.0, high=5.0)
    assert cols["visits"].generator.distribution.params.lam == 2.0
    dumped = json.loads(dsl.dumps_schema(schema))
    params = [c["generator"]["distribution"]["params"] for c in dumped["nodes"][0]["columns"][2:]]
    assert params == [{"mean": 35.0, "std": 9.0}, {"mean": 3.0, "sigma": 1.0}, {"low": 1.0, "high": 5.0}, {"lambda": 2.0}]


def test_metadata_keeps_free_form_keys_and_comments_are_allowed() -> None:
    doc = minimal(comment="a note on a node")
    doc["nodes"][0]["columns"][0]["comment"] = "and on a column"
    schema = dsl.loads_schema(json.dumps(doc))
    assert schema.metadata == {"name": "t", "owner": "free-form keys are kept"}
    assert schema.nodes[0].comment == "a note on a node"


def test_three_segment_behavior_shapes() -> None:
    seg_col = {"name": "tier", "type": "string", "generator": {"choice": {"choices": ["gold", "basic"], "weights": [1, 3]}}}
    child = {
        "id": "order", "kind": "fact", "parents": ["user"], "pk": "order_id", "fanout": {"distribution": "poisson", "lambda": 2},
        "columns": [
            {"name": "order_id", "type": "int", "generator": {"sequence": {}}},
            {"name": "user_id", "type": "int", "generator": {"lookup": {"from": "user.user_id"}}},
            {"name": "amount", "type": "float", "generator": {"distribution": {"type": "uniform", "params": {"low": 1, "high": 2}}}},
        ],
    }
    shapes = [
        {"segment_column": "tier", "behaviors": {"gold": {"fanout_multiplier": 3}}, "applies_to_columns": ["amount"]},
        {"segment_column": "tier", "segments": {"gold": {"base_probability": 0.2}, "basic": {"base_probability": 0.8}}},
        {"gold": {"fanout_multiplier": 3, "value_multiplier": 2}, "basic": {"fanout_multiplier": 1}},
    ]
    loaded = []
    for shape in shapes:
        doc = minimal(segment_behavior=shape)
        doc["nodes"][0]["columns"].append(seg_col)
        doc["nodes"].append(child)
        loaded.append(dsl.loads_schema(json.dumps(doc)).nodes[0].segment_behavior)
    assert loaded[0].behaviors["gold"].fanout_multiplier == 3.0
    assert loaded[1].segments["basic"].base_probability == 0.8
    flat = loaded[2]
    assert flat.behaviors["gold"] == dsl.SegmentEffect(fanout_multiplier=3.0, value_multiplier=2.0)
    from datagen_contracts.dsl import infer_segment_column

    doc = minimal(segment_behavior=shapes[2])
    doc["nodes"][0]["columns"].append(seg_col)
    assert infer_segment_column(dsl.loads_schema(json.dumps(doc)).nodes[0]) == "tier"


def test_fanout_clamp_and_lookup_this_key_are_normalized() -> None:
    doc = minimal()
    doc["nodes"].append({
        "id": "visit", "kind": "fact", "parents": ["user"], "pk": "visit_id",
        "fanout": {"distribution": "poisson", "lambda": 3, "clamp": [1, 9]},
        "columns": [
            {"name": "visit_id", "type": "int", "generator": {"sequence": {}}},
            {"name": "user_id", "type": "int", "generator": {"lookup": {"from": "user.user_id"}}},
        ],
    })
    # the earlier {"this_key": c} shape joins this row's c to the other table's c
    doc["nodes"][1]["columns"].append(
        {"name": "signup", "type": "datetime", "generator": {"lookup": {"from": "user.signup", "on": {"this_key": "user_id"}}}}
    )
    schema = dsl.loads_schema(json.dumps(doc))
    visit = schema.node("visit")
    assert (visit.fanout.min, visit.fanout.max) == (1, 9)
    assert visit.column("signup").generator.lookup.on == {"user_id": "user_id"}


def test_yaml_schema_is_accepted(tmp_path: Path) -> None:
    from ruamel.yaml import YAML

    path = tmp_path / "schema.yaml"
    YAML(typ="safe", pure=True).dump(minimal(), path)
    assert dsl.load_schema(path).nodes[0].id == "user"


def test_parameters_and_scenarios_resolve() -> None:
    doc = minimal(rows="${n_users}")
    doc["parameters"] = {
        "n_users": {"default": 100},
        "stress_level": {"default": "low", "choices": ["low", "high"]},
    }
    doc["nodes"][0]["columns"].append({
        "name": "tickets", "type": "int",
        "generator": {"distribution": {"type": "poisson", "params": {"lambda": {"$param": "stress_level", "map": {"low": 1, "high": 5}}}}},
    })
    doc["scenarios"] = {
        "crisis": {
            "description": "lots of tickets",
            "set": {"stress_level": "high"},
            "patches": [{"table": "user", "column": "tickets", "merge": {"nullable": True}}],
            "expect": [{"kind": "mean_in_range", "params": {"table": "user", "column": "tickets", "min": 4, "max": 6}}],
        }
    }
    base = dsl.loads_schema(json.dumps(doc))
    assert base.nodes[0].rows == 100
    assert base.nodes[0].column("tickets").generator.distribution.params.lam == 1.0
    crisis = dsl.loads_schema(json.dumps(doc), scenario="crisis", overrides={"n_users": "250"})
    assert crisis.nodes[0].rows == 250
    assert crisis.nodes[0].column("tickets").generator.distribution.params.lam == 5.0
    assert crisis.nodes[0].column("tickets").nullable is True
    from datagen_contracts.dsl import resolve_context

    assert resolve_context(crisis, "crisis", {"n_users": "250"}) == {"n_users": 250, "stress_level": "high"}
    with pytest.raises(SchemaError) as err:
        dsl.loads_schema(json.dumps(doc), scenario="crises", overrides={"stress": "high"})
    messages = [str(p) for p in err.value.problems]
    assert "$.scenarios: unknown scenario 'crises' (known: 'crisis') (did you mean 'crisis'?)" in messages
    assert "--set: unknown parameter 'stress' (known: 'n_users', 'stress_level') (did you mean 'stress_level'?)" in messages


def test_merge_patch_follows_rfc7386() -> None:
    assert merge_patch({"a": [1, 2], "b": 1}, {"a": [3], "b": None, "c": {"d": 1}}) == {"a": [3], "c": {"d": 1}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("uniform", ("uniform", ())), ("zipf@1.5", ("zipf", (1.5,))), ("head_tail@{0.7, 2.0}", ("head_tail", (0.7, 2.0))),
     ("zipf@", None), ("pareto", None)],
)
def test_weights_kind_grammar(text: str, expected: object) -> None:
    assert parse_weights_kind(text) == expected


def test_lint_reports_legal_but_dubious_things(conformance_schema: Path) -> None:
    for warning in dsl.lint_schema(dsl.load_schema(conformance_schema)):
        assert warning.severity == "warning" and warning.path.startswith("$.")
    doc = minimal(columns=[
        {"name": "user_id", "type": "int", "generator": {"sequence": {}}},
        {"name": "plan", "type": "string", "generator": {"choice": {"choices": ["a", "b"]}},
         "modifiers": [{"transform": "multiply", "args": {"factor": 2}}]},
    ])
    warnings = dsl.lint_schema(dsl.loads_schema(json.dumps(doc)))
    assert [(w.path, w.severity) for w in warnings] == [("$.nodes[0].columns[1].modifiers[0]", "warning")]
    assert "'multiply' changes numbers; 'plan' is a string column" in warnings[0].message


def test_schema_structs_are_the_documented_types() -> None:
    schema = dsl.loads_schema(json.dumps(minimal()))
    assert isinstance(schema, dsl.Schema)
    assert msgspec.structs.fields(dsl.Column)[0].name == "comment"
    assert schema.nodes[0].columns[0].generator.kind == "sequence"
