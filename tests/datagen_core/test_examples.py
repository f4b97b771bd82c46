"""The example schemas generate quickly, with their declared constraints holding (defects aside)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from datagen_contracts.dsl import load_schema
from datagen_core.engine import generate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "schemas"
sys.path.insert(0, str(Path(__file__).parent))
from structural import problems  # noqa: E402


@pytest.mark.parametrize("name", ["ecommerce", "saas_subscription", "support_desk"])
def test_example_generates_with_structure(name: str, tmp_path: Path) -> None:
    path = EXAMPLES / f"{name}.json"
    schema = load_schema(path)
    result = generate(path, tmp_path / "o", seed=42, scale=0.2)
    assert sum(result.rows.values()) > 10_000
    found = problems(schema, tmp_path / "o")
    meta = json.loads((tmp_path / "o" / ".metadata.json").read_text())
    if schema.defects:  # injected defects are the point: they are recorded as ground truth
        assert meta["defects"]
        defect_tables = {d["target"].partition(".")[0] for d in meta["defects"]}
        found = [f for f in found if f.partition(".")[0] not in defect_tables]
    assert found == []


@pytest.mark.parametrize("name", ["ecommerce", "saas_subscription", "support_desk"])
def test_examples_leave_no_obvious_contradiction_possible(name: str) -> None:
    from datagen_contracts.dsl import lint_schema

    assert [str(p) for p in lint_schema(load_schema(EXAMPLES / f"{name}.json"))] == []


def test_examples_agree_with_themselves(tmp_path: Path) -> None:
    """Messages inside their ticket's life, answers after it; a paid date exactly on paid invoices."""
    import polars as pl

    generate(EXAMPLES / "support_desk.json", tmp_path / "sd", seed=7, scale=0.2)
    generate(EXAMPLES / "saas_subscription.json", tmp_path / "ss", seed=7, scale=0.2)
    read = lambda d, name: pl.read_parquet(tmp_path / d / f"{name}.parquet")  # noqa: E731
    ticket = read("sd", "ticket").select("ticket_id", "closed_at")
    message = read("sd", "message").join(ticket, on="ticket_id")
    csat = read("sd", "csat").join(ticket, on="ticket_id")
    assert message.filter(pl.col("sent_at") > pl.col("closed_at")).height == 0 and message.height > 1000
    assert csat.filter(pl.col("answered_at") < pl.col("closed_at")).height == 0 and csat.height > 100
    invoice = read("ss", "invoice")
    assert invoice.filter((pl.col("status") == "paid") != pl.col("paid_at").is_not_null()).height == 0


def test_present_if_is_checked_and_honoured(tmp_path: Path) -> None:
    from datagen_contracts.dsl import loads_schema
    from datagen_contracts.errors import SchemaError

    col = {"name": "paid_at", "type": "datetime", "nullable": True, "present_if": {"status": ["paid", True]},
           "generator": {"datetime_series": {"within": "timeframe"}}}
    doc = {"version": "1.0", "metadata": {"name": "p"}, "constraints": {},
           "timeframe": {"start": "2024-01-01", "end": "2024-12-31"},
           "nodes": [{"id": "inv", "rows": 3000, "pk": "id", "columns": [
               {"name": "id", "type": "int", "generator": {"sequence": {}}},
               {"name": "status", "type": "string", "nullable": True, "null_rate": 0.1,
                "generator": {"choice": {"choices": ["paid", "void", "open"]}}}, col]}]}
    (tmp_path / "s.json").write_text(json.dumps(doc))
    generate(tmp_path / "s.json", tmp_path / "o", seed=1)
    import pyarrow.parquet as pq

    t = pq.read_table(tmp_path / "o" / "inv.parquet").to_pydict()
    assert all((s == "paid") == (p is not None) for s, p in zip(t["status"], t["paid_at"], strict=True))
    assert None in t["status"]  # a NULL status: no paid date either
    bad = json.loads(json.dumps(doc))
    bad["nodes"][0]["columns"][2] |= {"nullable": False, "present_if": {"stauts": ["paid"]}}
    with pytest.raises(SchemaError) as err:
        loads_schema(json.dumps(bad).encode())
    assert "$.nodes[0].columns[2].present_if.stauts" in str(err.value) and "did you mean 'status'" in str(err.value)
    assert "$.nodes[0].columns[2].nullable" in str(err.value)
