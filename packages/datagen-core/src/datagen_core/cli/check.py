"""``datagen check SCHEMA [--json]``: lint only — every error, then every warning, each with its JSON path.

Exit 0 when the schema loads (warnings are printed but do not fail), 2 when it has errors or cannot be read.
This module also holds the schema loader the other commands share, so a bad schema reads the same everywhere.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any

import click

from datagen_contracts import dsl
from datagen_contracts.errors import (
    ContractError,
    ContractFileError,
    ContractVersionError,
    Problem,
    SchemaError,
)
from datagen_contracts.text import printable_lines

from ._options import say


class InputError(click.ClickException):
    """A usage or input error (exit code 2), printed without a traceback."""

    exit_code = 2

    def format_message(self) -> str:  # names from data or schemas may hold control characters
        return printable_lines(self.message)


def load_schema_or_exit(path: str, **kwargs: Any) -> Any:
    """Load a DSL schema, turning every contract error into an :class:`InputError` listing all problems."""
    from datagen_contracts.dsl import load_schema

    try:
        return load_schema(path, **kwargs)
    except SchemaError as exc:
        raise InputError(str(exc)) from None
    except ContractError as exc:
        raise InputError(str(exc)) from None


def lint(path: str) -> dict[str, Any]:
    """What ``check`` reports: ``{"schema", "ok", "errors": [...], "warnings": [...]}`` (Problems as dicts).

    Raises :class:`ContractFileError` / :class:`ContractVersionError` when the file cannot be read as a schema.
    """
    from datagen_contracts.dsl import lint_schema, load_schema

    errors: list[Problem] = []
    warnings: list[Problem] = []
    try:
        schema = load_schema(path)
    except SchemaError as exc:
        errors = [p for p in exc.problems if p.severity != "warning"]
        warnings = [p for p in exc.problems if p.severity == "warning"]
    else:
        from ..planning import budget
        from ..planning.limits import engine_problems

        errors = engine_problems(schema) + budget.sequence_problems(schema, 1.0)
        warnings = list(lint_schema(schema)) + target_warnings(schema)
        too_big = budget.memory_problem(schema, 1.0, budget.default_budget())
        if too_big is not None:  # the sample run would need it too: said, not tried
            warnings.append(Problem("$", f"at scale 1 {too_big}", "warning"))
        elif not errors:
            errors = sample_problems(schema)

    def as_dict(p: Problem) -> dict[str, str]:
        return {"path": p.path, "message": p.message, "severity": p.severity}

    return {
        "schema": path,
        "ok": not errors,
        "errors": [as_dict(p) for p in errors],
        "warnings": [as_dict(p) for p in warnings],
    }


def target_warnings(schema: Any) -> list[Problem]:
    """Targets the schema's own declarations cannot reach (validate then reports them as warnings)."""
    from ..validate import implied_weekend_share

    out: list[Problem] = []
    ws = schema.targets.weekend_share if schema.targets is not None else None
    if ws is not None:
        implied = implied_weekend_share(schema, ws.table, ws.timestamp)
        if implied is not None and not ws.min <= implied <= ws.max:
            out.append(Problem("$.targets.weekend_share",
                               f"unreachable: the dow weights of {ws.table}.{ws.timestamp} over the timeframe imply a "
                               f"weekend share of {implied:.3f}, outside [{ws.min}, {ws.max}]", "warning"))
    return out


@click.command()
@click.argument("schema_path", metavar="SCHEMA", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON on stdout.")
def check(schema_path: str, as_json: bool) -> None:
    """Lint a schema: print every error and warning with its JSON path (nothing is generated).

    Exit 0 when the schema is valid (warnings allowed), 2 when it has errors or cannot be read.
    """
    try:
        result = lint(schema_path)
    except (ContractFileError, ContractVersionError) as exc:
        if as_json:
            problem = {"path": "$", "message": str(exc), "severity": "error"}
            click.echo(json.dumps({"schema": schema_path, "ok": False, "errors": [problem], "warnings": []}, indent=2))
        raise InputError(str(exc)) from None
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        for p in result["errors"]:
            say(f"error: {p['path']}: {p['message']}")
        for p in result["warnings"]:
            say(f"warning: {p['path']}: {p['message']}")
        n_err, n_warn = len(result["errors"]), len(result["warnings"])
        verdict = "ok" if result["ok"] else "invalid"
        say(f"{schema_path}: {verdict} ({n_err} error{'s' if n_err != 1 else ''}, "
                   f"{n_warn} warning{'s' if n_warn != 1 else ''})")
    if not result["ok"]:
        raise click.exceptions.Exit(2)


def sample_problems(schema: dsl.Schema) -> list[Problem]:
    """Generate a few dozen rows into a temporary directory: what would fail in ``generate`` fails here, with
    the table's JSON path, so a schema that passes ``check`` does not fail later on its structure."""
    from ..engine import generate  # imported when used: `datagen --help` stays quick
    from ..errors import DatagenError
    from ..planning.budget import SAMPLE_ROWS

    biggest = max((n.rows or 0 for n in schema.nodes if n.kind != "vocab"), default=0)
    scale = min(1.0, SAMPLE_ROWS / biggest) if biggest else 1.0
    with tempfile.TemporaryDirectory(prefix="datagen-check-") as tmp:
        try:
            generate(schema, os.path.join(tmp, "sample"), seed=1, scale=scale, yes=True)
        except DatagenError as exc:
            return [Problem(_path_of(schema, str(exc)), f"a sample run fails: {exc}")]
        except (RecursionError, MemoryError) as exc:
            return [Problem("$", f"a sample run fails: {type(exc).__name__}")]
    return []


def _path_of(schema: dsl.Schema, message: str) -> str:
    for i, node in enumerate(schema.nodes):
        if f"'{node.id}'" in message or message.startswith(f"{node.id}."):
            return f"$.nodes[{i}]"
    return "$"
