"""A loopback, OpenAI-compatible chat server with scripted replies: the LLM features are tested without a network.

    with FakeLLM(["plain answer", {"tool_calls": [{"name": "run_sql", "arguments": {"sql": "SELECT 1"}}]}]) as fake:
        model = fake.model          # "http://127.0.0.1:PORT/v1#fake" — any stage's --llm-model / --model accepts it
        ...
        fake.requests               # every request body received, in order

A script item is a reply text, a ``{"tool_calls": [...]}`` dict, or a callable ``(request body) → item`` (a reply
that depends on what was asked, e.g. the repair round of a schema draft). When the script runs out, the server
answers HTTP 500, so a test never hangs on an unexpected extra call.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Item = str | dict[str, Any] | Callable[[dict[str, Any]], Any]


class FakeLLM:
    def __init__(self, script: list[Item] | Callable[[dict[str, Any]], Any], *, tokens: int = 50) -> None:
        self.script = script
        self.tokens = tokens
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                status, payload = fake._answer(body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    @property
    def model(self) -> str:
        return f"{self.url}#fake"

    def __enter__(self) -> FakeLLM:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _next(self, body: dict[str, Any]) -> Any:
        with self._lock:
            self.requests.append(body)
            if callable(self.script):
                return self.script(body)
            if not self.script:
                return None
            return self.script.pop(0)

    def _answer(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        item = self._next(body)
        while callable(item):
            item = item(body)
        if item is None:
            return 500, {"error": {"message": "the fake model's script is exhausted", "type": "server_error"}}
        message: dict[str, Any] = {"role": "assistant", "content": None}
        finish = "stop"
        if isinstance(item, str):
            message["content"] = item
        else:
            message["content"] = item.get("content")
            message["tool_calls"] = [
                {"id": c.get("id", f"call_{len(self.requests)}_{i}"), "type": "function",
                 "function": {"name": c["name"], "arguments": c["arguments"] if isinstance(c["arguments"], str)
                              else json.dumps(c["arguments"])}}
                for i, c in enumerate(item["tool_calls"])]
            finish = "tool_calls"
        return 200, {
            "id": f"chatcmpl-{len(self.requests)}", "object": "chat.completion", "created": 0,
            "model": body.get("model", "fake"),
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": self.tokens, "completion_tokens": self.tokens, "total_tokens": 2 * self.tokens},
        }
