"""Random valid schemas (hypothesis): whatever the shape, generation succeeds and the data keeps the schema's
promises — unique keys, no orphans, children after their parent's creation, fanout bounds, the same bytes with one
or two workers, and ``validate`` passing.

Profiles: ``ci`` (the default, a bounded run in every test session) and ``long`` (``nox -s fuzz``, or
``HYPOTHESIS_PROFILE=long``)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datagen_contracts.dsl import loads_schema
from datagen_core.engine import generate
from datagen_core.validate import validate

settings.register_profile("ci", max_examples=12, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("long", max_examples=400, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

FAKER = ("name", "email", "city", "company", "license_plate", "iban", "credit_card_number", "sentence", "user_name")


@st.composite
def value_column(draw: st.DrawFn, name: str) -> dict:
    kind = draw(st.sampled_from(["int", "float", "money", "string", "faker", "bool", "date"]))
    nullable = draw(st.booleans())
    col: dict = {"name": name}
    if kind == "int":
        lo = draw(st.integers(-1000, 1000))
        col |= {"type": "int", "generator": {"distribution": {"type": "uniform", "params": {
            "low": lo, "high": lo + draw(st.integers(1, 10_000))}}}}
    elif kind in ("float", "money"):
        col |= {"type": "float", "generator": {"distribution": {"type": "lognormal", "params": {
            "mean": draw(st.floats(0, 5)), "sigma": draw(st.floats(0.1, 1.5))}, "clamp": [0, 1e6]}}}
        if kind == "money":
            col["name"] = f"{name}_amount"
    elif kind == "string":
        choices = draw(st.lists(st.text("abcdefgh xyz", min_size=1, max_size=6), min_size=1, max_size=5, unique=True))
        col |= {"type": "string", "generator": {"choice": {"choices": choices}}}
    elif kind == "faker":
        col |= {"type": "string", "generator": {"faker": {"method": draw(st.sampled_from(FAKER))}}}
    elif kind == "bool":
        col |= {"type": "bool", "generator": {"choice": {"choices": [True, False]}}}
    else:
        col |= {"type": "date", "after_parent": False, "generator": {"datetime_series": {"within": "timeframe"}}}
    if nullable:
        col |= {"nullable": True, "null_rate": draw(st.floats(0, 0.5))}
    return col


@st.composite
def schemas(draw: st.DrawFn) -> dict:
    year = draw(st.integers(2000, 2030))
    span = draw(st.integers(1, 5 * 365))
    import datetime as dt

    start = dt.date(year, 1, 1)
    end = start + dt.timedelta(days=span)
    nodes: list[dict] = []
    fks = []
    for i in range(draw(st.integers(1, 2))):
        cols = [{"name": f"e{i}_id", "type": "int", "generator": {"sequence": {}}},
                {"name": "created_at", "type": "datetime", "generator": {"datetime_series": {"within": "timeframe"}}}]
        cols += [draw(value_column(f"v{k}")) for k in range(draw(st.integers(0, 3)))]
        nodes.append({"id": f"entity{i}", "kind": "entity", "rows": draw(st.integers(1, 300)), "pk": f"e{i}_id",
                      "columns": cols})
    for j in range(draw(st.integers(0, 2))):
        parent = draw(st.sampled_from(nodes))
        fan = draw(st.sampled_from(["poisson", "uniform", "negative_binomial", "dormant"]))
        lo = draw(st.integers(0, 2))
        if fan == "uniform":
            fanout = {"distribution": "uniform", "min": lo, "max": lo + draw(st.integers(0, 4))}
        elif fan == "dormant":
            fanout = {"distribution": "poisson", "lambda": draw(st.floats(0, 6)), "dormant": draw(st.floats(0, 0.9)),
                      "max": draw(st.integers(1, 20))}
        else:
            fanout = {"distribution": fan, "lambda": draw(st.floats(0, 6)), "min": lo, "max": lo + draw(st.integers(0, 20))}
            if fan == "negative_binomial":
                fanout["dispersion"] = draw(st.floats(0.2, 3))
        pk, fk = f"f{j}_id", parent["pk"]
        cols = [{"name": pk, "type": "int", "generator": {"sequence": {}}},
                {"name": fk, "type": "int", "generator": {"lookup": {"from": f"{parent['id']}.{fk}"}}},
                {"name": "at", "type": "datetime", "generator": {"datetime_series": {"within": "timeframe"}}}]
        cols += [draw(value_column(f"w{k}")) for k in range(draw(st.integers(0, 3)))]
        nodes.append({"id": f"fact{j}", "kind": "fact", "parents": [parent["id"]], "pk": pk, "fanout": fanout,
                      "columns": cols})
        fks.append({"from": f"fact{j}.{fk}", "to": f"{parent['id']}.{fk}"})
    return {"version": "1.0", "metadata": {"name": "random"}, "nodes": nodes,
            "timeframe": {"start": start.isoformat(), "end": end.isoformat()}, "constraints": {"foreign_keys": fks}}


def _shas(d: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.glob("*.parquet"))}


@given(doc=schemas(), seed=st.integers(0, 2**31 - 1))
def test_random_valid_schemas_generate_and_keep_their_promises(doc: dict, seed: int) -> None:
    schema = loads_schema(json.dumps(doc).encode())  # the strategy only builds valid schemas
    with tempfile.TemporaryDirectory() as tmp:
        one, two = Path(tmp) / "one", Path(tmp) / "two"
        generate(schema, one, seed=seed, workers=1)
        generate(schema, two, seed=seed, workers=2)
        assert _shas(one) == _shas(two)  # the same bytes whatever the worker count
        tables = {node["id"]: pl.read_parquet(one / f"{node['id']}.parquet") for node in doc["nodes"]}
        for node in doc["nodes"]:
            t, pk = tables[node["id"]], node["pk"]
            assert t[pk].n_unique() == t.height  # unique keys
            if node["kind"] != "fact":
                continue
            parent = node["parents"][0]
            fk = next(c["name"] for c in node["columns"] if "lookup" in c["generator"])
            born = "created_at" if parent.startswith("entity") else "at"  # a fact of a fact: its parent's event time
            p = tables[parent].select(pl.col(fk), pl.col(born).alias("__born"))
            joined = t.select(fk, "at").join(p, on=fk, how="left")
            assert joined["__born"].null_count() == 0  # no orphans
            assert joined.filter(pl.col("at") < pl.col("__born")).height == 0  # children after their parent
            fan = node["fanout"]
            if fan.get("max") is not None and t.height:
                assert t.group_by(fk).len()["len"].max() <= fan["max"]
        report = validate(schema, one)
        # every structural, value and temporal check passes; realism (a constant column, an even spread) is
        # judged on tables this small and declarations this random only as advice
        assert [c.id for c in report.failed if c.category != "realism"] == [], [(c.id, c.message) for c in report.failed]
