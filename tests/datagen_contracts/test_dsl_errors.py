"""Malformed schemas: each is refused with the exact JSON path and message, and all problems come at once."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from datagen_contracts import dsl
from datagen_contracts.errors import ContractFileError, ContractVersionError, SchemaError

BASE: dict[str, Any] = {
    "version": "1.0",
    "metadata": {"name": "shop"},
    "timeframe": {"start": "2024-01-01T00:00:00Z", "end": "2024-12-31T23:59:59Z", "freq": "H"},
    "nodes": [
        {
            "id": "user", "kind": "entity", "rows": 100, "pk": "user_id",
            "columns": [
                {"name": "user_id", "type": "int", "generator": {"sequence": {"start": 1}}},
                {"name": "country", "type": "string", "generator": {"choice": {"choices": ["US", "DE"], "weights": [3, 1]}}},
                {"name": "created_at", "type": "datetime", "generator": {"datetime_series": {"within": "timeframe"}}},
                {"name": "age", "type": "int", "generator": {"distribution": {"type": "normal", "params": {"mean": 35, "std": 9}, "clamp": [18, 90]}}},
            ],
        },
        {
            "id": "order", "kind": "fact", "parents": ["user"], "pk": "order_id",
            "fanout": {"distribution": "poisson", "lambda": 3, "min": 0, "max": 20},
            "columns": [
                {"name": "order_id", "type": "int", "generator": {"sequence": {}}},
                {"name": "user_id", "type": "int", "generator": {"lookup": {"from": "user.user_id"}}},
                {"name": "ordered_at", "type": "datetime", "generator": {"datetime_series": {"within": "timeframe"}}},
                {"name": "qty", "type": "int", "generator": {"distribution": {"type": "poisson", "params": {"lambda": 2}}}},
                {"name": "price", "type": "float", "generator": {"distribution": {"type": "lognormal", "params": {"mean": 3, "sigma": 0.5}}}},
                {"name": "total", "type": "float", "generator": {"expression": {"code": "qty * price"}}},
            ],
        },
    ],
    "constraints": {"unique": ["user.user_id"], "foreign_keys": [{"from": "order.user_id", "to": "user.user_id"}]},
}

Edit = Callable[[dict[str, Any]], None]


def col(doc: dict[str, Any], node: int, column: int) -> dict[str, Any]:
    return doc["nodes"][node]["columns"][column]


def gen(doc: dict[str, Any], node: int, column: int) -> dict[str, Any]:
    return col(doc, node, column)["generator"]


CASES: list[tuple[str, Edit, str]] = [
    ("wrong type for rows", lambda d: d["nodes"][0].update(rows="many"),
     "$.nodes[0].rows: expected an integer, got a string"),
    ("bool is not an int", lambda d: d["nodes"][0].update(rows=True),
     "$.nodes[0].rows: expected an integer, got a boolean"),
    ("unknown top-level key", lambda d: d.update(nodez=[]),
     "$.nodez: unknown key 'nodez' (did you mean 'nodes'?)"),
    ("misspelled column key", lambda d: col(d, 0, 1).update(nulable=True),
     "$.nodes[0].columns[1].nulable: unknown key 'nulable' (did you mean 'nullable'?)"),
    ("misspelled distribution parameter", lambda d: gen(d, 0, 3)["distribution"]["params"].update(sigam=3),
     "$.nodes[0].columns[3].generator.distribution.params.sigam: unknown key 'sigam' (did you mean 'sigma'?)"),
    ("alias and canonical both given", lambda d: gen(d, 0, 3)["distribution"]["params"].update(mu=30),
     "$.nodes[0].columns[3].generator.distribution.params.mu: 'mu' is another spelling of 'mean'; give only one of them"),
    ("unknown distribution type", lambda d: gen(d, 0, 3)["distribution"].update(type="gausian"),
     "$.nodes[0].columns[3].generator.distribution.type: unknown type 'gausian'; expected one of 'normal', 'lognormal', 'uniform', 'poisson', 'exponential'"),
    ("missing required param", lambda d: gen(d, 0, 3)["distribution"]["params"].pop("std"),
     "$.nodes[0].columns[3].generator.distribution.params: missing required key 'std'"),
    ("missing required top-level key", lambda d: d.pop("timeframe"),
     "$: missing required key 'timeframe'"),
    ("unknown column type", lambda d: col(d, 0, 0).update(type="integr"),
     "$.nodes[0].columns[0].type: 'integr' is not one of 'bool', 'date', 'datetime', 'float', 'int', 'string' (did you mean 'int'?)"),
    ("unknown generator kind", lambda d: col(d, 0, 0).update(generator={"sequense": {}}),
     "$.nodes[0].columns[0].generator.sequense: unknown key 'sequense' (did you mean 'sequence'?)"),
    ("two generator kinds", lambda d: gen(d, 0, 0).update(faker={"method": "name"}),
     "$.nodes[0].columns[0].generator: exactly one generator kind is required, got sequence, faker (one of sequence, choice, distribution, datetime_series, faker, lookup, expression, enum_list, diffusion_curve)"),
    ("lookup from a missing table", lambda d: gen(d, 1, 1)["lookup"].update({"from": "users.user_id"}),
     "$.nodes[1].columns[1].generator.lookup.from: unknown table 'users' (did you mean 'user'?)"),
    ("lookup from a missing column", lambda d: gen(d, 1, 1)["lookup"].update({"from": "user.userid"}),
     "$.nodes[1].columns[1].generator.lookup.from: unknown column 'userid' of table 'user' (did you mean 'user_id'?)"),
    ("lookup reference without a dot", lambda d: gen(d, 1, 1)["lookup"].update({"from": "user_id"}),
     "$.nodes[1].columns[1].generator.lookup.from: expected 'table.column', got 'user_id'"),
    ("unknown parent", lambda d: d["nodes"][1].update(parents=["usr"]),
     "$.nodes[1].parents[0]: unknown table 'usr' (did you mean 'user'?)"),
    ("weights/choices length mismatch", lambda d: gen(d, 0, 1)["choice"].update(weights=[1, 2, 3]),
     "$.nodes[0].columns[1].generator.choice.weights: 3 weights for 2 choices"),
    ("negative weights", lambda d: gen(d, 0, 1)["choice"].update(weights=[1, -1]),
     "$.nodes[0].columns[1].generator.choice.weights: weights must be >= 0"),
    ("bad weights_kind", lambda d: gen(d, 0, 1)["choice"].update(weights=None, weights_kind="zipf"),
     "$.nodes[0].columns[1].generator.choice.weights_kind: expected 'uniform', 'zipf@<alpha>' or 'head_tail@{<h>,<alpha>}', got 'zipf'"),
    ("bad date", lambda d: d["timeframe"].update(start="2024-02-30"),
     "$.timeframe.start: not an ISO-8601 date or datetime: '2024-02-30'"),
    ("timeframe inverted", lambda d: d["timeframe"].update(start="2025-01-01"),
     "$.timeframe: start 2025-01-01 must be before end 2024-12-31T23:59:59Z"),
    ("huge number", lambda d: d["nodes"][0].update(rows=10**20),
     "$.nodes[0].rows: number 100000000000000000000 is too large (at most 2**63 - 1)"),
    ("rows beyond the guard", lambda d: d["nodes"][0].update(rows=10**13),
     "$.nodes[0].rows: rows must be between 0 and 1e+12, got 10000000000000"),
    ("clamp inverted", lambda d: gen(d, 0, 3)["distribution"].update(clamp=[90, 18]),
     "$.nodes[0].columns[3].generator.distribution.clamp: min 90.0 is greater than max 18.0"),
    ("negative std", lambda d: gen(d, 0, 3)["distribution"]["params"].update(std=-1),
     "$.nodes[0].columns[3].generator.distribution.params.std: must be >= 0, got -1.0"),
    ("pk is not a column", lambda d: d["nodes"][0].update(pk="id"),
     "$.nodes[0].pk: unknown pk column 'id' of table 'user'"),
    ("duplicate table id", lambda d: d["nodes"][1].update(id="user", parents=[]),
     "$.nodes[1].id: duplicate table id 'user' (also $.nodes[0])"),
    ("duplicate column", lambda d: col(d, 0, 2).update(name="country"),
     "$.nodes[0].columns[2].name: duplicate column 'country' in table 'user'"),
    ("expression uses an unknown column", lambda d: gen(d, 1, 5)["expression"].update(code="qty * discount"),
     "$.nodes[1].columns[5].generator.expression.code: unknown column 'discount' of table 'order'"),
    ("expression uses a column declared later",
     lambda d: (gen(d, 1, 5)["expression"].update(code="qty * later"),
                d["nodes"][1]["columns"].append({"name": "later", "type": "int", "generator": {"sequence": {}}})),
     "$.nodes[1].columns[5].generator.expression.code: column 'later' is declared later; a column may only use columns declared before it"),
    ("locale_from a later column", lambda d: col(d, 0, 1).update(generator={"faker": {"method": "name", "locale_from": "created_at"}}),
     "$.nodes[0].columns[1].generator.faker.locale_from: column 'created_at' is declared later; a column may only use columns declared before it"),
    ("expression calls a forbidden function", lambda d: gen(d, 1, 5)["expression"].update(code="__import__('os')"),
     "$.nodes[1].columns[5].generator.expression.code: unknown function '__import__'"),
    ("expression attribute access", lambda d: gen(d, 1, 5)["expression"].update(code="qty.real"),
     "$.nodes[1].columns[5].generator.expression.code: Attribute is not allowed in an expression (arithmetic, comparisons and abs, min, max, round, floor, ceil, sqrt, log, exp, clip, where only)"),
    ("unknown faker method", lambda d: col(d, 0, 1).update(generator={"faker": {"method": "full_nam"}}),
     "$.nodes[0].columns[1].generator.faker.method: unknown faker method 'full_nam'"),
    ("a max_length on a number", lambda d: col(d, 0, 3).update(constraints={"max_length": 3}),
     "$.nodes[0].columns[3].constraints.max_length: bounds the characters of a string column, at least 1; got 3 on a int column"),
    ("a max_length of zero", lambda d: col(d, 0, 1).update(constraints={"max_length": 0}),
     "$.nodes[0].columns[1].constraints.max_length: bounds the characters of a string column, at least 1; got 0 on a string column"),
    ("pattern weights of the wrong length", lambda d: gen(d, 1, 2)["datetime_series"].update(pattern={"dimension": "dow", "weights": [1, 2, 3]}),
     "$.nodes[1].columns[2].generator.datetime_series.pattern.weights: 3 weights for 7 dow slots"),
    ("unknown modifier", lambda d: col(d, 1, 4).update(modifiers=[{"transform": "multiplyy", "args": {"factor": 2}}]),
     "$.nodes[1].columns[4].modifiers[0].transform: unknown transform 'multiplyy'; expected one of 'multiply', 'add', 'clamp', 'jitter', 'time_jitter', 'map_values', 'seasonality', 'trend', 'effect', 'outliers' (did you mean 'multiply'?)"),
    ("effect on a missing table", lambda d: d["nodes"][1].update(modifiers=[{"transform": "effect", "args": {"effect_table": "promo", "map": {"field": "x"}}}]),
     "$.nodes[1].modifiers[0].args.effect_table: unknown table 'promo'"),
    ("cycle", lambda d: d["nodes"][0]["columns"].append({"name": "last_order", "type": "int", "generator": {"lookup": {"from": "order.order_id"}}}),
     "$.nodes: dependency cycle: user -> order -> user"),
    ("fanout min above max", lambda d: d["nodes"][1]["fanout"].update(min=5, max=2),
     "$.nodes[1].fanout: min 5 is greater than max 2"),
    ("null_rate on a non-nullable column", lambda d: col(d, 0, 1).update(null_rate=0.1),
     "$.nodes[0].columns[1].null_rate: null_rate > 0 on a column that is not nullable (set nullable: true)"),
    ("constraint on a missing column", lambda d: d["constraints"].update(ranges=[{"attr": "user.agee", "min": 0, "max": 1}]),
     "$.constraints.ranges[0].attr: unknown column 'agee' of table 'user' (did you mean 'age'?)"),
    ("unknown defect kind", lambda d: d.update(defects=[{"kind": "orphan_fks", "target": "order.user_id", "rate": 0.1}]),
     "$.defects[0].kind: unknown defect kind 'orphan_fks' (did you mean 'orphan_fk'?)"),
    ("defect rate above 1", lambda d: d.update(defects=[{"kind": "nulls", "target": "order.qty", "rate": 1.5}]),
     "$.defects[0].rate: must be between 0 and 1, got 1.5"),
    ("a list where an object belongs", lambda d: d["nodes"][0].update(fanout=[1, 2]),
     "$.nodes[0].fanout: expected an object or null, got a list"),
    ("vintage on a non-date column", lambda d: d["nodes"][0].update(vintage_behavior={"created_at_column": "age"}),
     "$.nodes[0].vintage_behavior.created_at_column: must be a date or datetime column, 'age' is 'int'"),
    ("state model with unknown state", lambda d: d["nodes"][1].update(state_transition_model={"initial_state": "trial", "states": {"trial": {"transition_prob_per_period": 0.5, "next_states": {"actve": 1.0}}, "active": {}}}),
     "$.nodes[1].state_transition_model.states.trial.next_states.actve: unknown state 'actve' (did you mean 'active'?)"),
    ("inequality between a time and a string", lambda d: d["constraints"].update(inequalities=[{"left": "user.created_at", "op": "<", "right": "user.country"}]),
     "$.constraints.inequalities[0]: user.created_at (time) and user.country (string) cannot be compared: both sides "
     "must be numbers (int/float) or both times (date/datetime)"),
]


@pytest.mark.parametrize(("edit", "expected"), [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_schema_reports_exact_path_and_message(edit: Edit, expected: str) -> None:
    doc = copy.deepcopy(BASE)
    edit(doc)
    with pytest.raises(SchemaError) as err:
        dsl.loads_schema(json.dumps(doc))
    messages = [str(p) for p in err.value.problems]
    assert any(m == expected or m.startswith(expected + ";") or m.startswith(expected + " (") for m in messages), messages


def test_the_base_document_is_valid() -> None:
    assert dsl.loads_schema(json.dumps(BASE)).name == "shop"


def test_all_problems_are_reported_together() -> None:
    doc = copy.deepcopy(BASE)
    doc["nodes"][0]["rows"] = "x"
    doc["nodes"][1]["colums"] = []
    gen(doc, 0, 3)["distribution"]["params"]["sigam"] = 1
    with pytest.raises(SchemaError) as err:
        dsl.loads_schema(json.dumps(doc), source="bad.json")
    assert [p.path for p in err.value.problems] == [
        "$.nodes[0].rows",
        "$.nodes[0].columns[3].generator.distribution.params.sigam",
        "$.nodes[1].colums",
    ]
    assert str(err.value).startswith("3 problems in bad.json:\n  - $.nodes[0].rows: expected an integer")


def test_an_unknown_major_version_is_refused_clearly() -> None:
    doc = copy.deepcopy(BASE)
    doc["version"] = "2.0"
    with pytest.raises(ContractVersionError, match=r"DSL version '2.0' is not supported; .*\(major 1\)"):
        dsl.loads_schema(json.dumps(doc), source="s.json")


@pytest.mark.parametrize(
    ("text", "source", "error", "match"),
    [
        ("{not json", "s.json", ContractFileError, r"s.json is not valid JSON"),
        ("", "s.json", ContractFileError, r"s.json is empty"),
        ("- a\n- b\n", "s.yaml", SchemaError, r"\$: a schema must be an object, got a list"),
        ("key: [unclosed", "s.yaml", ContractFileError, r"s.yaml is not valid YAML"),
    ],
)
def test_unreadable_documents(text: str, source: str, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        dsl.loads_schema(text, source=source)


@pytest.mark.parametrize(("doc", "named"), [
    ({"METADATA_SPEC_VERSION": "MULTI_TABLE_V1", "tables": {}, "relationships": []}, "SDV metadata"),
    ({"tables": {"users": {"primary_key": "id", "columns": {"id": {"sdtype": "id"}}}}}, "SDV metadata"),
    ([{"object": "Account", "count": 10, "fields": {"name": {"fake": "company"}}}], "a Snowfakery recipe"),
    ({"name": "shop", "resources": [{"name": "users", "path": "users.csv"}]}, "a Frictionless Data Package"),
    ({"fields": [{"name": "id", "type": "integer"}], "primaryKey": "id"}, "a Frictionless Table Schema"),
    ({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"}, "a JSON Schema"),
    ({"$defs": {"User": {"type": "object", "properties": {}}}}, "a JSON Schema"),
    ({"openapi": "3.1.0", "info": {"title": "t"}, "components": {"schemas": {}}}, "an OpenAPI document (openapi 3.1.0)"),
    ({"swagger": "2.0", "definitions": {}}, "an OpenAPI document (swagger 2)"),
    ({"@context": {}, "recordSet": []}, "Croissant metadata"),
    ({"apiVersion": "v3.0.0", "kind": "DataContract", "id": "x"}, "a data contract (ODCS)"),
    ({"dataContractSpecification": "1.1.0", "models": {}}, "a data contract (Data Contract Specification)"),
    ({"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json"}, "nodes": {}},
     "a dbt manifest"),
    ({"expectation_suite_name": "s", "expectations": []}, "a Great Expectations suite"),
    ({"checks for orders": ["row_count > 0"]}, "a Soda checks file"),
    ({"version": 2, "models": [{"name": "orders", "columns": []}]}, "a dbt properties file"),
    ({"contract": "datagen.crunch_report/2", "issues": []}, "a datagen.crunch_report/2 file"),
])
def test_a_document_for_another_tool_is_named_in_one_problem(doc: Any, named: str) -> None:
    """Users bring files written for other tools: one problem that names the tool, not a list of unknown keys."""
    with pytest.raises(SchemaError) as err:
        dsl.loads_schema(json.dumps(doc), source="other.json")
    assert len(err.value.problems) == 1 and err.value.problems[0].path == "$"
    assert f"this is {named}" in err.value.problems[0].message and "not a datagen schema" in str(err.value)


def test_a_dsl_schema_with_a_stray_key_is_never_taken_for_another_tool() -> None:
    doc = copy.deepcopy(BASE)
    doc["resources"] = [{"name": "x"}]  # a Data Package's key, beside nodes
    with pytest.raises(SchemaError, match=r"unknown key 'resources'"):
        dsl.loads_schema(json.dumps(doc), source="s.json")
    doc = copy.deepcopy(BASE)
    doc["$schema"] = "https://example.org/dsl.schema.json"  # for an editor's completion
    doc["Nodes"] = doc.pop("nodes")  # and a typo: reported as such, not as "a JSON Schema"
    with pytest.raises(SchemaError) as err:
        dsl.loads_schema(json.dumps(doc), source="s.json")
    assert "missing required key 'nodes'" in str(err.value) and "this is" not in str(err.value)


def test_missing_file_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(ContractFileError, match=r"schema not found: .*nope.json"):
        dsl.load_schema(tmp_path / "nope.json")


def _interval_doc(inequalities: list[dict[str, str]]) -> str:
    def t(name: str, kind: str = "datetime") -> dict[str, Any]:
        return {"name": name, "type": kind, "generator": {"datetime_series": {"within": "timeframe"}}}

    return json.dumps({"version": "1.0", "metadata": {"name": "desk"},
                       "timeframe": {"start": "2024-01-01", "end": "2024-12-31"},
                       "constraints": {"inequalities": inequalities},
                       "nodes": [{"id": "ticket", "rows": 10, "pk": "id", "columns": [
                                     {"name": "id", "type": "int", "generator": {"sequence": {}}},
                                     t("opened_at"), t("closed_at"), t("updated_at")]},
                                 {"id": "message", "kind": "fact", "parents": ["ticket"], "pk": "id", "columns": [
                                     {"name": "id", "type": "int", "generator": {"sequence": {}}},
                                     {"name": "ticket_id", "type": "int", "generator": {"lookup": {"from": "ticket.id"}}},
                                     t("sent_at"), t("read_at"), t("sent_on", "date")]}]})


def test_a_child_left_loose_of_its_parent_s_interval_is_one_warning_per_end() -> None:
    """A ticket open from opened_at to closed_at: messages whose times are bound to neither side of closed_at get
    one warning naming them all (one per column once made twelve lines for a plain DDL); an inequality tying a
    column removes it; ``updated_at >= opened_at`` declares when a row was written, not an interval's end."""
    closed = {"left": "ticket.closed_at", "op": ">=", "right": "ticket.opened_at"}
    written = {"left": "ticket.updated_at", "op": ">=", "right": "ticket.opened_at"}
    warned = [p for p in dsl.lint_schema(dsl.loads_schema(_interval_doc([closed, written])))
              if "the end of the interval" in p.message]
    assert [(p.path, p.message.split(" may ")[0]) for p in warned] == [
        ("$.nodes[1]", "message.sent_at, read_at, sent_on")]
    tied = [closed, written, {"left": "message.sent_at", "op": "<=", "right": "ticket.closed_at"}]
    warned = [p for p in dsl.lint_schema(dsl.loads_schema(_interval_doc(tied)))
              if "the end of the interval" in p.message]
    assert [p.message.split(" may ")[0] for p in warned] == ["message.read_at, sent_on"]
