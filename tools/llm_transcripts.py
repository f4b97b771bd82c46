"""Write the transcripts on the LLM docs pages by running each feature against the loopback fake model.

    python tools/llm_transcripts.py --write    # rewrite the blocks between the transcript markers
    python tools/llm_transcripts.py --check    # exit 1 when a page's transcript is stale

Each feature runs as a user would run it (the click commands), against ``tests/fake_llm.py`` with scripted
replies; what the server received and answered is rendered (long messages shortened). Needs the [llm] extra.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from fake_llm import FakeLLM  # noqa: E402

DOCS = ROOT / "docs" / "llm"
START, END = "<!-- transcript:start (tools/llm_transcripts.py) -->", "<!-- transcript:end -->"
CUT = 700


def _scrub(text: str) -> str:
    """Ports and temporary paths vary between runs: the page shows placeholders."""
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text)
    text = re.sub(r"[0-9a-f]{64}", "<sha256>", text)
    return re.sub(r"(/tmp|/var/folders)/[^\s'\",)]*?/(shop|crunch_report|schema|llm_fixes)", r"\2", text)


def _short(text: str | None) -> str:
    if text is None:
        return "(none)"
    text = _scrub(text)
    return text if len(text) <= CUT else text[:CUT] + f" … ({len(text)} characters)"


def _render(fake: FakeLLM, replies: list[Any], command: str, output: str) -> str:
    lines = [START, "", "```console", f"$ {command}", _scrub(output).rstrip(), "```", ""]
    for k, (body, reply) in enumerate(zip(fake.requests, replies, strict=False), 1):
        lines.append(f"**Request {k}** ({'the messages' if k == 1 else 'the new messages'}):")
        lines.append("")
        shown = body["messages"] if k == 1 else body["messages"][-max(1, _new(fake, k)):]
        for m in shown:
            content = m.get("content")
            if m.get("tool_calls"):
                content = (content or "") + " " + json.dumps([c["function"] for c in m["tool_calls"]])
            lines.append(f"- `{m['role']}`: {_short(content)}".replace("\n", " "))
        lines.append("")
        lines.append(f"**Reply {k}:** `{_short(json.dumps(reply) if not isinstance(reply, str) else reply)}`")
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def _new(fake: FakeLLM, k: int) -> int:
    return len(fake.requests[k - 1]["messages"]) - len(fake.requests[k - 2]["messages"])


def _recorder(script: list[Any], replies: list[Any]) -> Any:
    def answer(body: dict[str, Any]) -> Any:
        item = script.pop(0) if script else None
        item = item(body) if callable(item) else item
        replies.append(item)
        return item
    return answer


def draft_page(tmp: Path) -> str:
    from datagen_contracts.dsl.reference import EXAMPLE
    from datagen_core.cli import main

    broken = json.loads(json.dumps(EXAMPLE))
    broken["nodes"][1]["fanout"]["distribution"] = "poison"
    replies: list[Any] = []
    with FakeLLM(_recorder([json.dumps(broken), json.dumps(EXAMPLE)], replies)) as fake:
        res = CliRunner().invoke(main, ["draft", "an online shop with customers and orders", "-o",
                                        str(tmp / "schema.json"), "--model", fake.model])
        return _render(fake, replies, 'datagen draft "an online shop with customers and orders" -o schema.json '
                       "--model http://127.0.0.1:PORT/v1#fake", res.output)


def _shop(tmp: Path) -> Path:
    data = tmp / "shop"
    data.mkdir()
    n = 400
    pq.write_table(pa.table({"order_id": list(range(1, n + 1)), "amount": [20.0 + i % 7 for i in range(n)],
                             "discount": [30.0 if i % 40 == 0 else 1.0 for i in range(n)]}), data / "orders.parquet")
    return data


FINDING = {"title": "Discount above order amount", "severity": "critical", "table": "orders", "column": "discount",
           "sql": "SELECT order_id FROM orders WHERE discount > amount",
           "why": "a discount larger than the order is negative revenue", "recommendation": "cap discounts"}


def agents_page(tmp: Path) -> str:
    from datacruncher.cli import main

    data = _shop(tmp)
    script = [
        {"tool_calls": [{"name": "run_sql", "arguments": {"sql": "SELECT count(*) AS n FROM orders WHERE discount > amount"}}]},
        {"tool_calls": [{"name": "run_sql", "arguments": {"sql": "COPY orders TO '/tmp/x.csv'"}}]},
        json.dumps({"findings": [FINDING, {**FINDING, "title": "Negative amounts",
                                           "sql": "SELECT * FROM orders WHERE amount < 0"}]}),
    ]
    replies: list[Any] = []
    with FakeLLM(_recorder(script, replies)) as fake:
        res = CliRunner().invoke(main, ["crunch", str(data), "-o", str(tmp / "crunch_report.json"), "--personas",
                                        "CFO", "--llm-model", fake.model, "--verbose"])
        return _render(fake, replies, "datagen crunch shop/ --personas CFO --llm-model http://127.0.0.1:PORT/v1#fake "
                       "--verbose", res.output)


def polish_page(tmp: Path) -> str:
    from datacruncher.cli import main as cruncher
    from datapolisher.cli import main as polisher

    data = _shop(tmp)
    report = tmp / "crunch_report.json"
    with FakeLLM([json.dumps({"findings": [FINDING]})]) as fake:
        CliRunner().invoke(cruncher, ["crunch", str(data), "-o", str(report), "--personas", "CFO",
                                      "--llm-model", fake.model])
    fix = {"kind": "sql", "select": "SELECT * FROM orders WHERE discount <= amount",
           "explanation": "drop the orders whose discount exceeds their amount"}
    replies: list[Any] = []
    with FakeLLM(_recorder([json.dumps(fix)], replies)) as fake:
        res = CliRunner().invoke(polisher, ["polish", str(report), "--llm-model", fake.model, "-o",
                                            str(tmp / "shop_polished")])
        return _render(fake, replies, "datagen polish crunch_report.json --llm-model http://127.0.0.1:PORT/v1#fake "
                       "-o shop_polished", res.output)


PAGES = {"draft_schema.md": draft_page, "agents.md": agents_page, "polish.md": polish_page}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    stale = []
    for name, build in PAGES.items():
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["DATAGEN_LLM_CACHE"] = str(Path(tmp) / "cache")
            block = build(Path(tmp))
        page = DOCS / name
        text = page.read_text()
        new = text[:text.index(START)] + block + text[text.index(END) + len(END):]
        if new != text:
            stale.append(name)
            if args.write:
                page.write_text(new)
                print(f"wrote {page}")
    if args.check and stale:
        print("stale transcripts: " + ", ".join(stale) + " (python tools/llm_transcripts.py --write)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
