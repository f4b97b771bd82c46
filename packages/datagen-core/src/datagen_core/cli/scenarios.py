"""``datagen scenarios SCHEMA``: the schema's parameters (with defaults and choices) and scenarios."""

from __future__ import annotations

import json
from typing import Any

import click

from ._options import UserError, say


@click.command()
@click.argument("schema", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON on stdout.")
def scenarios(schema: str, as_json: bool) -> None:
    """List the parameters and scenarios SCHEMA declares (use them with generate --scenario / --set)."""
    from datagen_contracts.dsl import load_schema
    from datagen_contracts.errors import ContractError

    try:
        s = load_schema(schema)
    except ContractError as exc:
        raise UserError(str(exc)) from None
    params = {k: {"default": p.default, "choices": p.choices, "description": p.description} for k, p in s.parameters.items()}
    scens: dict[str, dict[str, Any]] = {k: {"description": v.description, "set": v.set, "patches": len(v.patches),
                 "expect": [e.id or e.kind for e in v.expect]} for k, v in s.scenarios.items()}
    if as_json:
        click.echo(json.dumps({"parameters": params, "scenarios": scens}, indent=2, default=str))
        return
    say("parameters:" if params else "parameters: none")
    for name, p in params.items():
        choices = f" (one of {p['choices']})" if p["choices"] else ""
        say(f"  {name} = {p['default']!r}{choices}  {p['description']}")
    say("scenarios:" if scens else "scenarios: none")
    for name, sc in scens.items():
        sets = ", ".join(f"{k}={v}" for k, v in sc["set"].items())
        say(f"  {name}: {sc['description']}" + (f"  [sets {sets}]" if sets else ""))
