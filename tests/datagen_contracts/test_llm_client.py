"""The shared model client: scripted replies through litellm's mocks, the reply cache, budgets, parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from datagen_contracts import llm

needs_llm = pytest.mark.skipif(not llm.available(), reason="the [llm] extra (litellm) is not installed")


@needs_llm
def test_mock_replies_are_cached_by_request_hash(tmp_path: Path) -> None:
    chat = llm.Chat("openai/test-model", cache_dir=tmp_path, mock=['{"ok": true}'])
    first = chat.complete([{"role": "user", "content": "hi"}])
    assert (first.content, first.cached, chat.budget.calls) == ('{"ok": true}', False, 1)
    again = llm.Chat("openai/test-model", cache_dir=tmp_path, mock=[])  # no scripted reply left: the cache answers
    second = again.complete([{"role": "user", "content": "hi"}])
    assert (second.content, second.cached, again.budget.calls) == ('{"ok": true}', True, 0)
    assert [p.name for p in tmp_path.iterdir()] == [f"{first.request_sha256}.json"]


@needs_llm
def test_mock_tool_calls_and_the_budget() -> None:
    chat = llm.Chat("openai/test-model", cache_dir=None, budget=llm.Budget(max_calls=1),
                    mock=[{"tool_calls": [{"name": "run_sql", "arguments": {"sql": "SELECT 1"}}]}])
    reply = chat.complete([{"role": "user", "content": "query"}],
                          tools=[{"type": "function", "function": {"name": "run_sql", "parameters": {}}}])
    assert [(c.name, c.arguments) for c in reply.tool_calls] == [("run_sql", '{"sql": "SELECT 1"}')]
    with pytest.raises(llm.BudgetExceeded):
        chat.complete([{"role": "user", "content": "again"}])


def test_json_replies_are_found_inside_fences_and_prose() -> None:
    assert llm.parse_json_reply('```json\n{"a": 1}\n```') == {"a": 1}
    assert llm.parse_json_reply('Here: {"a": [1, 2]} — done') == {"a": [1, 2]}
    assert llm.parse_json_reply("no json") is None and llm.parse_json_reply(None) is None


def test_model_strings_and_urls() -> None:
    assert llm.split_model("https://gw.example/v1#m") == ("openai/m", "https://gw.example/v1")
    assert llm.split_model("ollama/llama3") == ("ollama/llama3", None)
    with pytest.raises(llm.LlmError):
        llm.split_model("  ")


@pytest.mark.skipif(llm.available(), reason="checks the message shown when the [llm] extra is missing")
def test_without_litellm_the_error_says_how_to_install_it() -> None:
    with pytest.raises(llm.LlmUnavailable, match=r"pip install 'datacruncher\[llm\]'"):
        llm.import_litellm("datacruncher")
