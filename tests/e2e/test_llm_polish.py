"""``polish --llm-model``: a model's SQL repair of an issue no rule covers is kept only when it provably helps.

The issue comes from a persona agent (crunch --llm-model, fake model): orders discounted above their amount.
Each polish run gets one proposal for it; bad ones are refused at the step that catches them, and only a real
fix yields an output directory. The input is never modified.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from datagen_contracts import llm
from datagen_contracts.report import load_report

pytestmark = pytest.mark.skipif(not llm.available(), reason="the [llm] extra (litellm) is not installed")
FIX = "SELECT * FROM orders WHERE discount <= amount"


@pytest.fixture
def crunched(tmp_path: Path, llm_cache: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    from datacruncher.cli import main as cruncher

    from ..fake_llm import FakeLLM

    data = tmp_path / "shop"
    data.mkdir()
    n = 400
    pq.write_table(pa.table({"order_id": list(range(1, n + 1)), "amount": [20.0 + i % 7 for i in range(n)],
                             "discount": [30.0 if i % 40 == 0 else 1.0 for i in range(n)]}), data / "orders.parquet")
    finding = {"title": "Discount above order amount", "severity": "high", "table": "orders", "column": "discount",
               "sql": "SELECT order_id FROM orders WHERE discount > amount", "why": "negative revenue"}
    report = tmp_path / "crunch_report.json"
    with FakeLLM([json.dumps({"findings": [finding]})]) as fake:
        res = CliRunner().invoke(cruncher, ["crunch", str(data), "-o", str(report), "--personas", "Finance VP",
                                            "--llm-model", fake.model])
    assert res.exit_code == 0, res.output
    assert any(i.provenance == "llm" for i in load_report(report).issues)
    monkeypatch.delenv("DATAPOLISHER_DATACRUNCHER", raising=False)  # the real one, beside this Python
    return data, report


def _polish(report: Path, out: Path, select: str | dict) -> tuple[int, str, dict]:
    from datapolisher.cli import main as polisher

    from ..fake_llm import FakeLLM

    def answer(body: dict) -> str:
        prompt = body["messages"][-1]["content"]
        if "Discount above order amount" not in prompt:
            return json.dumps({"kind": "none", "explanation": "not mine"})
        return json.dumps(select if isinstance(select, dict) else {"kind": "sql", "select": select,
                                                                   "explanation": "drop the impossible discounts"})

    with FakeLLM(answer) as fake:
        res = CliRunner().invoke(polisher, ["polish", str(report), "--llm-model", fake.model, "-o", str(out)])
    record = json.loads((report.parent / "llm_fixes.json").read_text())
    mine = [p for p in record["proposals"] if "discount_above_order_amount" in p["issue_id"]]
    return res.exit_code, res.output, mine[0]


@pytest.mark.parametrize("select, reason", [
    ("SELECT order_id, amount FROM orders", "it returns columns"),
    ("SELECT * FROM read_csv('/etc/passwd')", "the dry run failed"),
    ("DELETE FROM orders WHERE discount > amount", "not exactly one SELECT"),
    ("SELECT * FROM orders", "the issue remained"),
    ({"kind": "none", "explanation": "cannot"}, "no SQL proposed"),
])
def test_bad_proposals_are_rejected_and_nothing_is_written(crunched, tmp_path: Path, select, reason: str) -> None:
    data, report = crunched
    before = (data / "orders.parquet").read_bytes()
    out = tmp_path / "polished"
    code, output, verdict = _polish(report, out, select)
    assert code == 0, output
    assert verdict["status"] == "rejected" and verdict["reason"].startswith(reason), verdict
    assert not out.exists()
    assert (data / "orders.parquet").read_bytes() == before


def test_a_real_fix_is_kept_verified_and_recorded(crunched, tmp_path: Path) -> None:
    data, report = crunched
    before = (data / "orders.parquet").read_bytes()
    out = tmp_path / "polished"
    code, output, verdict = _polish(report, out, FIX)
    assert code == 0, output
    assert verdict["status"] == "kept" and verdict["sql"] == FIX and len(verdict["prompt_sha256"]) == 64
    assert pq.read_table(out / "orders.parquet").num_rows == 390  # the 10 impossible orders dropped
    assert (data / "orders.parquet").read_bytes() == before
    after = load_report(report.parent / "crunch_report_llm.json")
    assert after.dataset.path == str(out)
    assert not {i.id for i in after.issues} - {i.id for i in load_report(report).issues}
    assert "kept 1 of" in output


PRICES = {
    "version": "1.0", "metadata": {"name": "prices"},
    "timeframe": {"start": "2024-01-01T00:00:00Z", "end": "2024-12-31T23:59:59Z"},
    "nodes": [
        {"id": "product", "kind": "entity", "rows": 200, "pk": "product_id", "columns": [
            {"name": "product_id", "type": "int", "generator": {"sequence": {"start": 1}}},
            {"name": "price", "type": "float", "generator": {"distribution": {
                "type": "lognormal", "params": {"mean": 3, "sigma": 0.5}, "clamp": [1, 500]}}}]},
        {"id": "order_item", "kind": "fact", "parents": ["product"], "pk": "order_item_id",
         "fanout": {"distribution": "poisson", "lambda": 3}, "columns": [
             {"name": "order_item_id", "type": "int", "generator": {"sequence": {"start": 1}}},
             {"name": "product_id", "type": "int", "generator": {"lookup": {"from": "product.product_id"}}},
             {"name": "unit_price", "type": "float", "generator": {"distribution": {
                 "type": "uniform", "params": {"low": 1, "high": 100}}}}]}],
    "constraints": {"foreign_keys": [{"from": "order_item.product_id", "to": "product.product_id"}]},
}


@pytest.mark.parametrize("edits, status, reason", [
    ([{"path": "$.nodes[1].columns[2].generator", "value": {"lookup": {"from": "product.price"}}}], "kept", ""),
    ([{"path": "$.nodes[1].columns[2].generator", "value": {"lookpu": {"from": "product.price"}}}], "rejected",
     "the edited schema is invalid"),
    ([{"path": "$.nodes[7].rows", "value": 1}], "rejected", "edit refused"),
    ([{"path": "$.nodes[1].fanout.lambda", "value": 2}], "rejected", "the issue remained"),
])
def test_schema_edits_are_checked_regenerated_and_recrunched(tmp_path: Path, llm_cache: Path,
                                                              monkeypatch: pytest.MonkeyPatch, edits, status,
                                                              reason) -> None:
    """price_consistency has no rule of its own: the model proposes a DSL edit; it is kept only when the data
    regenerated from the edited schema (same seed) no longer shows the issue."""
    from datacruncher.cli import main as cruncher
    from datagen_core.cli import main as datagen
    from datapolisher.cli import main as polisher

    from ..fake_llm import FakeLLM

    monkeypatch.delenv("DATAPOLISHER_DATACRUNCHER", raising=False)
    monkeypatch.delenv("DATAPOLISHER_DATAGEN", raising=False)
    schema, data, report = tmp_path / "schema.json", tmp_path / "prices", tmp_path / "crunch_report.json"
    schema.write_text(json.dumps(PRICES))
    assert CliRunner().invoke(datagen, ["generate", str(schema), "-o", str(data), "--seed", "5"]).exit_code == 0
    res = CliRunner().invoke(cruncher, ["crunch", str(data), "-o", str(report), "--personas", "CFO"])
    assert res.exit_code == 0 and "price_consistency" in {i.rule_id for i in load_report(report).issues}
    before = sorted(p.read_bytes() for p in data.glob("*.parquet"))

    def answer(body: dict) -> str:
        prompt = body["messages"][-1]["content"]
        assert "The data was generated from the DSL schema below" in prompt and '"unit_price"' in prompt
        return json.dumps({"kind": "schema", "edits": edits, "explanation": "copy the catalogue price"})

    out = tmp_path / "polished"
    with FakeLLM(answer) as fake:
        res = CliRunner().invoke(polisher, ["polish", str(report), "--llm-model", fake.model, "-o", str(out)])
    assert res.exit_code == 0, res.output
    (verdict,) = json.loads((tmp_path / "llm_fixes.json").read_text())["proposals"]
    assert verdict["status"] == status and verdict.get("reason", "").startswith(reason), verdict
    assert sorted(p.read_bytes() for p in data.glob("*.parquet")) == before  # the input is untouched
    if status == "kept":
        edited = json.loads((tmp_path / "schema_llm.json").read_text())
        assert edited["nodes"][1]["columns"][2]["generator"] == {"lookup": {"from": "product.price"}}
        after = load_report(tmp_path / "crunch_report_llm.json")
        assert "price_consistency" not in {i.rule_id for i in after.issues}
        assert (out / ".metadata.json").exists()
    else:
        assert not out.exists()


def test_an_issue_an_earlier_fix_resolved_is_not_sent(tmp_path: Path, llm_cache: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from datacruncher.cli import main as cruncher
    from datapolisher.cli import main as polisher

    from ..fake_llm import FakeLLM

    monkeypatch.delenv("DATAPOLISHER_DATACRUNCHER", raising=False)
    data = tmp_path / "shop"
    data.mkdir()
    pq.write_table(pa.table({"order_id": list(range(1, 401)), "amount": [20.0 + i % 7 for i in range(400)],
                             "discount": [30.0 if i % 40 == 0 else 1.0 + i % 5 for i in range(400)]}),
                   data / "orders.parquet")
    finding = {"title": "Discount above order amount", "severity": "high", "table": "orders",
               "sql": "SELECT order_id FROM orders WHERE discount > amount"}
    report = tmp_path / "crunch_report.json"
    with FakeLLM(lambda body: json.dumps({"findings": [finding]})) as fake:  # both personas find it
        res = CliRunner().invoke(cruncher, ["crunch", str(data), "-o", str(report), "--llm-model", fake.model,
                                            "--llm-personas", "CFO,Data Engineer"])
    assert res.exit_code == 0 and sum(i.provenance == "llm" for i in load_report(report).issues) == 2
    with FakeLLM(lambda body: json.dumps({"kind": "sql", "select": FIX})) as fake:
        res = CliRunner().invoke(polisher, ["polish", str(report), "--llm-model", fake.model,
                                            "-o", str(tmp_path / "out")])
        asked = len(fake.requests)
    assert res.exit_code == 0, res.output
    statuses = [p["status"] for p in json.loads((tmp_path / "llm_fixes.json").read_text())["proposals"]]
    assert statuses == ["kept", "gone"] and asked == 1
