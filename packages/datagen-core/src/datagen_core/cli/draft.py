"""``datagen draft "DESCRIPTION" -o schema.json --model M``: a DSL schema written by a model, checked by us.

The prompt carries the DSL reference generated from the contracts (:mod:`datagen_contracts.dsl.reference`).
The reply is decoded with the contracts' loader; its problems (every one, with its JSON path) go back to the
model for repair, for at most ``--rounds`` rounds. The schema is written only when it loads without errors —
what ``datagen check`` accepts — otherwise the command exits 2 listing the last problems and writes nothing.
Needs the ``[llm]`` extra (``pip install 'datagen-core[llm]'``); replies are cached like every model call.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from datagen_contracts import llm
from datagen_contracts.errors import ContractError, SchemaError
from datagen_contracts.text import printable

from .check import InputError

SYSTEM = """You write schemas in the Datagen DSL, a JSON language that describes multi-table business data
(entities, facts under parents with fanouts, realistic columns). Answer with ONLY the JSON schema, no prose.
Use realistic row counts (hundreds to tens of thousands), declare every foreign key in constraints, give every
table a primary key with a sequence generator, and use faker methods only from the list.

{reference}"""


def draft_schema(description: str, chat: llm.Chat, rounds: int = 3,
                 echo: Any = None) -> tuple[dict[str, Any] | None, list[str]]:
    """``(schema, [])`` when a reply loads, else ``(None, the last problems)``."""
    from datagen_contracts.dsl import loads_schema
    from datagen_contracts.dsl.reference import reference

    messages: list[dict[str, Any]] = [
        {"role": "system", "content": SYSTEM.format(reference=reference())},
        {"role": "user", "content": f"Write the schema for: {description}"},
    ]
    problems: list[str] = []
    for attempt in range(1, rounds + 1):
        reply = chat.complete(messages)
        schema = llm.parse_json_reply(reply.content)
        if not isinstance(schema, dict):
            problems = ["$: the reply holds no JSON object"]
        else:
            try:
                loads_schema(json.dumps(schema), source="drafted schema")
                return schema, []
            except SchemaError as exc:
                problems = [str(p) for p in exc.problems if p.severity != "warning"] or [str(exc)]
            except ContractError as exc:
                problems = [str(exc)]
        if echo is not None:
            echo(f"round {attempt}: {len(problems)} problem(s)" + ("; asking for a repair" if attempt < rounds else ""))
        messages += [{"role": "assistant", "content": reply.content or ""},
                     {"role": "user", "content": "That schema does not load. Problems (JSON path: message):\n"
                      + "\n".join(problems[:60]) + "\nReturn the whole corrected schema as JSON only."}]
    return None, problems


@click.command("draft")
@click.argument("description")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("schema.json"), show_default=True,
              help="Where to write the schema.")
@click.option("--model", "--llm-model", "model", required=True, metavar="MODEL",
              help="A litellm model string (openai/gpt-4o-mini, anthropic/…, ollama/…) or an OpenAI-compatible "
                   "URL such as http://127.0.0.1:8000/v1#my-model.")
@click.option("--llm-base-url", metavar="URL", help="An OpenAI-compatible endpoint for --model.")
@click.option("--rounds", default=3, show_default=True, type=click.IntRange(1, 10),
              help="Model replies at most: the first draft, then repairs of the problems found.")
@click.option("--llm-cache", type=click.Path(path_type=Path),
              help="Reply cache directory (default $DATAGEN_LLM_CACHE or ~/.cache/datagen/llm).")
@click.option("--llm-max-tokens", default=200_000, show_default=True, type=click.IntRange(1), help="Budget: tokens.")
@click.option("--llm-max-seconds", default=600.0, show_default=True, type=click.FloatRange(1),
              help="Budget: wall time of the model calls.")
@click.option("--overwrite", is_flag=True, help="Replace an existing output file.")
def draft(description: str, output: Path, model: str, llm_base_url: str | None, rounds: int, llm_cache: Path | None,
          llm_max_tokens: int, llm_max_seconds: float, overwrite: bool) -> None:
    """Draft a DSL schema from a DESCRIPTION with a language model, then check it.

    The model sees the DSL reference generated from the contracts; whatever it answers is decoded and checked
    like any schema, and its problems are sent back for repair. The file is written only when the schema
    loads (as datagen check would accept it). Exit 0 written, 2 no valid schema (problems listed) or no model.

    Example: datagen draft "a subscription business with customers, plans, invoices and churn" -o schema.json
    --model openai/gpt-4o-mini
    """
    from datagen_contracts.files import write_atomic

    if not description.strip():
        raise InputError("the description is empty: say what business the data should describe")
    if output.exists() and not overwrite:
        raise InputError(f"{output} exists; pass --overwrite to replace it")
    try:
        chat = llm.client(model, dist="datagen-core", base_url=llm_base_url, cache_dir=llm_cache, max_calls=rounds,
                          max_tokens=llm_max_tokens, max_seconds=llm_max_seconds)
        schema, problems = draft_schema(description, chat, rounds, echo=lambda m: click.echo(m, err=True))
    except llm.LlmError as exc:
        raise InputError(str(exc)) from None
    if schema is None:
        listed = "\n".join(f"  {printable(p)}" for p in problems[:60])
        raise InputError(f"the model's schema still has problems after {rounds} round(s); nothing written:\n{listed}")
    try:
        write_atomic(output, (json.dumps(schema, indent=2, ensure_ascii=False) + "\n").encode())
    except OSError as exc:
        raise InputError(f"cannot write {output}: {exc}") from None
    tables = len(schema.get("nodes", []))
    click.echo(printable(f"wrote {output}: {tables} tables; next: datagen check {output} && "
                         f"datagen generate {output} -o out/"), err=True)
