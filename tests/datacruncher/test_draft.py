"""``datacruncher draft``: a DSL schema from data no one here generated (public shapes, hostile names)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from datacruncher.cli import main
from datacruncher.twin import draft_schema
from datacruncher.twin_fit import fit_fanout
from datagen_contracts.dsl import loads_schema

from . import chinook, northwind, olist, public_shapes, sakila

SHAPES = {"chinook": chinook, "northwind": northwind, "sakila": sakila, "olist": olist}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_public_shapes_draft_to_valid_schemas_with_their_keys(tmp_path: Path, name: str) -> None:
    mod = SHAPES[name]
    data = public_shapes.write(tmp_path / name, mod.tables())
    schema = draft_schema(data)
    parsed = loads_schema(json.dumps(schema))  # the DSL contract accepts it
    assert {n.id for n in parsed.nodes} == set(mod.tables())
    drafted = {tuple(fk["from"].split(".")): tuple(fk["to"].split(".")) for fk in schema["constraints"]["foreign_keys"]}
    # every true FK between two tables is declared (self-references are generated as plain columns)
    expected = {k: v for k, v in mod.FOREIGN_KEYS.items() if k[0] != v[0]}
    assert set(drafted.items()) <= set(expected.items())
    covered = {k for k in expected if any(n.id == k[0] and n.kind == "fact" for n in parsed.nodes)}
    assert len(drafted) >= 0.8 * len(covered) and drafted
    # every node names its columns in the data's order
    for node in schema["nodes"]:
        assert [c["name"] for c in node["columns"]] == list(mod.tables()[node["id"]].keys())


def test_hostile_names_draft_and_the_cli_refuses_to_overwrite(tmp_path: Path) -> None:
    data = tmp_path / "hostile"
    data.mkdir()
    n = 300
    pq.write_table(pa.table({"id": list(range(1, n + 1)), "naïve name": [f"Ann {i}" for i in range(n)],
                             'quote"d': ["a", "b", "c"] * 100}), data / "order.parquet")
    pq.write_table(pa.table({"line id": list(range(1, 2 * n + 1)), "id": [1 + i % n for i in range(2 * n)],
                             "amount ($)": [float(i % 97) + 0.25 for i in range(2 * n)]}), data / "select.parquet")
    out = tmp_path / "schema.json"
    runner = CliRunner()
    res = runner.invoke(main, ["draft", str(data), "-o", str(out)])
    assert res.exit_code == 0, res.output
    schema = json.loads(out.read_text())
    loads_schema(out.read_text())
    nodes = {n["id"]: n for n in schema["nodes"]}
    assert nodes["select"]["kind"] == "fact" and nodes["select"]["parents"] == ["order"]
    assert nodes["select"]["fanout"]["lambda"] == 2.0
    assert {"from": "select.id", "to": "order.id"} in schema["constraints"]["foreign_keys"]
    again = runner.invoke(main, ["draft", str(data), "-o", str(out)])
    assert again.exit_code == 2 and "--overwrite" in again.output
    inside = runner.invoke(main, ["draft", str(data), "-o", str(data / "s.json")])
    assert inside.exit_code == 2 and "inside the dataset" in inside.output
    missing = runner.invoke(main, ["draft", str(tmp_path / "nope"), "-o", str(tmp_path / "x.json")])
    assert missing.exit_code == 2 and "Traceback" not in missing.output


def test_fanout_fits_follow_the_moments() -> None:
    # Poisson-like: variance near the mean
    f = fit_fanout(1000, 2000, 6000.0, 870, 7, 1)  # λ a little above the mean: the clamp at 7 cuts the tail
    assert f == {"distribution": "poisson", "lambda": pytest.approx(2.0014, abs=1e-4), "max": 7}
    # over-dispersed: negative binomial with k = mean² / (var − mean)
    f = fit_fanout(1000, 2000, 14000.0, 700, 40, 1)
    assert f["distribution"] == "negative_binomial" and f["dispersion"] == pytest.approx(0.5, abs=0.01)
    # every parent has at least one child: the minimum is kept
    assert fit_fanout(100, 300, 1000.0, 100, 6, 1)["min"] == 1
    # far more parents without children than Poisson explains: a dormant share
    f = fit_fanout(1000, 1000, 2000.0, 500, 4, 1)
    assert f["distribution"] == "poisson" and 0.3 < f["dormant"] < 0.5


@pytest.mark.parametrize(("parents", "children", "sq", "active", "most", "least"), [
    (4000, 3960, 3960.0, 3960, 1, 1),  # a review per order, for 99% of the orders
    (2000, 1200, 1200.0, 1200, 1, 1),  # a profile for 60% of the users
    (1000, 2600, 9000.0, 900, 3, 1),  # at most 3 per parent, most parents near it
    (1000, 2000, 6000.0, 870, 7, 1),
])
def test_the_generated_mean_is_the_observed_one_whatever_the_clamp(parents, children, sq, active, most, least) -> None:
    """The generator clamps each parent's count to [min, max]: the fitted λ must make the clamped mean the
    observed one (λ = mean gave an order's reviews 0.63 per order instead of 0.99: 37% of the orders without one).
    Checked with the contracts' own clamped-Poisson mean, which datagen's planner uses."""
    from datagen_contracts.dsl import clamped_poisson_mean

    f = fit_fanout(parents, children, sq, active, most, least)
    d = f.get("dormant", 0.0)  # a dormant parent draws nothing; the others draw at rate λ / (1 − d)
    lam = f["lambda"] / (1 - d)
    assert f["distribution"] == "poisson"
    generated = (1 - d) * clamped_poisson_mean(lam, f.get("min"), f.get("max"))
    assert generated == pytest.approx(children / parents, rel=2e-3)
    zeros = d + (1 - d) * math.exp(-lam)  # and the parents without children: as many as observed, within 2 points
    assert abs(zeros - (1 - active / parents)) <= 0.02 + 1e-9


@pytest.mark.skipif(not __import__("datagen_contracts.llm").llm.available(), reason="the [llm] extra is not installed")
def test_a_model_only_adds_descriptions(tmp_path: Path, llm_cache: Path) -> None:
    from ..fake_llm import FakeLLM

    data = public_shapes.write(tmp_path / "chinook", chinook.tables())
    plain = draft_schema(data)
    reply = {"dataset": "A music store.", "tables": {"Artist": "People who record albums.", "Nope": "ignored"},
             "columns": {"Artist.Name": "The artist's name", "Artist.DROP": "ignored"},
             "nodes": [], "version": "2.0"}  # anything but descriptions is ignored
    out = tmp_path / "s.json"
    with FakeLLM([json.dumps(reply)]) as fake:
        res = CliRunner().invoke(main, ["draft", str(data), "-o", str(out), "--model", fake.model])
    assert res.exit_code == 0, res.output
    described = json.loads(out.read_text())
    assert described["metadata"]["descriptions"] == {"Artist": "People who record albums.",
                                                     "Artist.Name": "The artist's name"}
    assert described["metadata"]["description"] == "A music store."
    assert described["nodes"] == plain["nodes"] and described["constraints"] == plain["constraints"]
    assert "2 descriptions" in res.output


def test_types_the_dsl_lacks_draft_to_a_schema_of_its_own_types(tmp_path: Path) -> None:
    """Lists, structs, maps, bytes and times of day become text (a list as its JSON), a UBIGINT past int64 keeps
    its digits as text, an all-null int column gets a numeric generator, and an empty table stays empty — the
    draft used to give the all-null int column a word generator and the UBIGINT an int choice past int64, so
    ``datagen generate`` failed on it or wrote wrapped numbers."""
    from . import nested_types

    schema = draft_schema(nested_types.write(tmp_path / "data"))
    parsed = loads_schema(json.dumps(schema))
    cols = {c.name: c for n in parsed.nodes for c in n.columns if n.id == "customers"}
    assert {name: cols[name].type for name in ("tags", "addr", "props", "blob", "wake", "hash")} == dict.fromkeys(
        ("tags", "addr", "props", "blob", "wake", "hash"), "string")
    tags = cols["tags"].generator.choice
    assert tags is not None and all(isinstance(json.loads(v), list) for v in tags.choices or [])
    assert cols["never"].type == "int" and cols["never"].null_rate == 1.0
    assert cols["never"].generator.faker is None and cols["never"].generator.distribution is not None
    assert cols["balance"].type == "float" and cols["half"].type == "float"
    assert next(n for n in parsed.nodes if n.id == "empty").rows == 0


def test_list_and_struct_columns_are_not_checked_as_text(tmp_path: Path) -> None:
    """A VARCHAR[] column used to reach the text checks (numbers or dates stored as text, formats), which errored
    on ``ascii(VARCHAR[])``: every check now runs or is skipped, none errors."""
    from datacruncher.crunch import crunch

    from . import nested_types

    report = crunch(nested_types.write(tmp_path / "data"))
    assert [(r.rule_id, r.reason) for r in report.checks.results if r.status == "error"] == []
    assert report.checks.errored == 0 and report.checks.passed > 10
