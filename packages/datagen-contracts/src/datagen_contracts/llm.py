"""The one way the stages talk to a language model: optional, budgeted, cached and reproducible.

``litellm`` is an optional extra (``pip install 'datacruncher[llm]'``, likewise for datagen-core and
datapolisher), imported only when a model is actually called; without it :class:`LlmUnavailable` says how to
install it. The model is any litellm model string (``openai/gpt-4o-mini``, ``anthropic/…``, ``ollama/…``) or an
OpenAI-compatible endpoint written as a URL: ``http://127.0.0.1:8000/v1`` or ``http://host/v1#model-name``.

Every request is canonical JSON; its sha256 names a file in the cache directory holding the normalized reply, so a
rerun with the same inputs makes no call and gets the same answer (``DATAGEN_LLM_CACHE`` or
``~/.cache/datagen/llm`` by default). A :class:`Budget` bounds real calls, tokens and wall time; exceeding it
raises :class:`BudgetExceeded` before the next call is made.

>>> budget = Budget(max_calls=1)
>>> budget.spend(120); budget.calls, budget.tokens
(1, 120)
>>> budget.check()
Traceback (most recent call last):
datagen_contracts.llm.BudgetExceeded: LLM call budget spent (1 calls)
>>> len(request_hash({"model": "m", "messages": []}))
64
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from .errors import ContractError
from .files import write_atomic

#: litellm versions that install and work here (1.103 and later do not install on our supported platforms)
LITELLM_REQUIREMENT = "litellm>=1.100,<1.103"


class LlmError(ContractError):
    """A model could not be called or answered unusably (no network, bad key, unknown model)."""


class LlmUnavailable(LlmError):
    """The optional ``litellm`` dependency is not installed."""


class BudgetExceeded(LlmError):
    """The call, token or time budget is spent."""


class ToolCall(msgspec.Struct, kw_only=True):
    id: str
    name: str
    arguments: str  # JSON text, as the model wrote it


class Reply(msgspec.Struct, kw_only=True):
    content: str | None = None
    tool_calls: list[ToolCall] = msgspec.field(default_factory=list)
    tokens: int = 0
    request_sha256: str = ""
    cached: bool = False


@dataclass
class Budget:
    """Limits on real (uncached) calls, total tokens and wall seconds since the budget was created."""

    max_calls: int = 40
    max_tokens: int = 200_000
    max_seconds: float = 300.0
    calls: int = 0
    tokens: int = 0
    started: float = field(default_factory=time.monotonic)

    def check(self) -> None:
        if self.calls >= self.max_calls:
            raise BudgetExceeded(f"LLM call budget spent ({self.max_calls} calls)")
        if self.tokens >= self.max_tokens:
            raise BudgetExceeded(f"LLM token budget spent ({self.tokens} of {self.max_tokens} tokens)")
        if time.monotonic() - self.started >= self.max_seconds:
            raise BudgetExceeded(f"LLM time budget spent ({self.max_seconds:g} s)")

    def spend(self, tokens: int) -> None:
        self.calls += 1
        self.tokens += max(0, tokens)


def install_hint(dist: str) -> str:
    return f"this feature needs a language model client: pip install '{dist}[llm]' (installs {LITELLM_REQUIREMENT})"


def import_litellm(dist: str) -> Any:
    """``litellm``, or :class:`LlmUnavailable` with the command that installs it."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # never fetch the cost map from the network
    try:
        import litellm  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise LlmUnavailable(install_hint(dist)) from None
    litellm.telemetry = False
    litellm.suppress_debug_info = True
    return litellm


def available() -> bool:
    """Whether litellm can be imported (without importing it)."""
    import importlib.util

    return importlib.util.find_spec("litellm") is not None


def split_model(model: str, base_url: str | None = None) -> tuple[str, str | None]:
    """``(litellm model string, api base)``: a URL means an OpenAI-compatible endpoint.

    >>> split_model("http://127.0.0.1:9/v1#tiny")
    ('openai/tiny', 'http://127.0.0.1:9/v1')
    >>> split_model("anthropic/claude-x")
    ('anthropic/claude-x', None)
    >>> split_model("my-model", "http://h/v1")
    ('openai/my-model', 'http://h/v1')
    """
    model = model.strip()
    if not model:
        raise LlmError("the model is empty: give a litellm model string such as openai/gpt-4o-mini")
    if model.startswith(("http://", "https://")):
        url, _, name = model.partition("#")
        return f"openai/{name or 'default'}", url.rstrip("/")
    if base_url and "/" not in model:
        return f"openai/{model}", base_url.rstrip("/")
    return model, base_url.rstrip("/") if base_url else None


def default_cache_dir() -> Path:
    env = os.environ.get("DATAGEN_LLM_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "datagen" / "llm"


def request_hash(request: dict[str, Any]) -> str:
    text = json.dumps(request, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class Chat:
    """A chat client for one model: ``complete(messages, tools)`` → :class:`Reply`.

    ``mock`` (tests and doctests) is a list of scripted replies handed to litellm's ``mock_response`` one per call;
    a reply may be a string (content) or ``{"tool_calls": [{"name", "arguments"}]}``. ``transcript``, when given,
    receives every request and reply (the docs show such transcripts).
    """

    def __init__(self, model: str, *, dist: str = "datagen-contracts", cache_dir: str | Path | None = None,
                 budget: Budget | None = None, base_url: str | None = None, api_key: str | None = None,
                 temperature: float = 0.0, timeout: float = 120.0, mock: Sequence[Any] | None = None,
                 transcript: list[dict[str, Any]] | None = None) -> None:
        self.model, self.base_url = split_model(model, base_url)
        self.model_id = model
        self.dist = dist
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.budget = budget or Budget()
        self.api_key = api_key or os.environ.get("DATAGEN_LLM_API_KEY") or ("sk-local" if self.base_url else None)
        self.temperature = temperature
        self.timeout = timeout
        self.mock = list(mock) if mock is not None else None
        self.transcript = transcript

    def _request(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None) -> dict[str, Any]:
        req: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": self.temperature}
        if tools:
            req["tools"] = tools
        if self.base_url:
            req["api_base"] = self.base_url
        return req

    def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None) -> Reply:
        request = self._request(messages, tools)
        key = request_hash(request)
        cached = self._cached(key)
        if cached is not None:
            self._log(request, cached)
            return cached
        self.budget.check()
        reply = self._call(request)
        reply.request_sha256 = key
        self.budget.spend(reply.tokens)
        if self.cache_dir is not None:
            write_atomic(self.cache_dir / f"{key}.json", msgspec.json.encode(reply))
        self._log(request, reply)
        return reply

    def _cached(self, key: str) -> Reply | None:
        if self.cache_dir is None:
            return None
        path = self.cache_dir / f"{key}.json"
        try:
            reply = msgspec.json.decode(path.read_bytes(), type=Reply)
        except (OSError, msgspec.DecodeError):
            return None  # absent or damaged: ask again (the new reply replaces it)
        reply.cached = True
        return reply

    def _log(self, request: dict[str, Any], reply: Reply) -> None:
        if self.transcript is not None:
            self.transcript.append({"request": request, "reply": msgspec.to_builtins(reply)})

    def _call(self, request: dict[str, Any]) -> Reply:
        litellm = import_litellm(self.dist)
        kwargs = dict(request)
        if "api_base" in kwargs:
            kwargs["api_key"] = self.api_key
        if self.mock is not None:
            if not self.mock:
                raise LlmError("the scripted model has no more replies")
            kwargs.update(_mock_kwargs(self.mock.pop(0)))
        try:
            resp = litellm.completion(timeout=self.timeout, num_retries=0, **kwargs)
        except Exception as exc:  # litellm raises its own hierarchy for network, auth and provider errors
            raise LlmError(f"the model {self.model_id!r} could not be called: {type(exc).__name__}: "
                           f"{str(exc).splitlines()[0][:300] if str(exc) else ''}") from None
        return _normalize(resp)


def _mock_kwargs(item: Any) -> dict[str, Any]:
    if isinstance(item, str):
        return {"mock_response": item}
    calls = [{"id": c.get("id", f"call_{i}"), "type": "function",
              "function": {"name": c["name"], "arguments": c["arguments"] if isinstance(c["arguments"], str)
                           else json.dumps(c["arguments"])}}
             for i, c in enumerate(item["tool_calls"])]
    return {"mock_tool_calls": calls, "mock_response": item.get("content") or ""}


def _normalize(resp: Any) -> Reply:
    try:
        message = resp.choices[0].message
    except (AttributeError, IndexError, TypeError):
        raise LlmError("the model's reply has no message") from None
    calls = []
    for i, c in enumerate(getattr(message, "tool_calls", None) or []):
        fn = c.function if hasattr(c, "function") else c["function"]
        name = fn.name if hasattr(fn, "name") else fn["name"]
        args = fn.arguments if hasattr(fn, "arguments") else fn["arguments"]
        cid = getattr(c, "id", None) or (c.get("id") if isinstance(c, dict) else None) or f"call_{i}"
        calls.append(ToolCall(id=str(cid), name=str(name), arguments=args if isinstance(args, str) else json.dumps(args)))
    usage = getattr(resp, "usage", None)
    tokens = int(getattr(usage, "total_tokens", 0) or 0) if usage is not None else 0
    content = getattr(message, "content", None)
    return Reply(content=content if isinstance(content, str) else None, tool_calls=calls, tokens=tokens)


def client(model: str, *, dist: str, base_url: str | None = None, cache_dir: str | Path | None = None,
           max_calls: int = 40, max_tokens: int = 200_000, max_seconds: float = 300.0) -> Chat:
    """The budgeted, cached client a command uses: :class:`LlmUnavailable` (saying how to install the ``dist``'s
    ``[llm]`` extra) when litellm is missing, :class:`LlmError` for an empty model; the cache defaults to
    :func:`default_cache_dir`."""
    if not available():
        raise LlmUnavailable(install_hint(dist))
    return Chat(model, dist=dist, base_url=base_url,
                cache_dir=cache_dir if cache_dir is not None else default_cache_dir(),
                budget=Budget(max_calls=max_calls, max_tokens=max_tokens, max_seconds=max_seconds))


def parse_json_reply(text: str | None) -> Any:
    """The JSON object in a reply, tolerating a Markdown code fence around it; ``None`` when there is none."""
    if not text:
        return None
    s = text.strip()
    if s.startswith("```"):
        s = s.split("\n", 1)[1] if "\n" in s else ""
        s = s.rsplit("```", 1)[0]
    start = min((i for i in (s.find("{"), s.find("[")) if i >= 0), default=-1)
    if start < 0:
        return None
    try:
        return json.loads(s[start:])
    except json.JSONDecodeError:
        try:
            obj, _ = json.JSONDecoder().raw_decode(s[start:])
            return obj
        except json.JSONDecodeError:
            return None
