"""``datacruncher views``: render a workflow's data views (or chosen ones) over a dataset; the work is
:class:`datacruncher.views.toolset.Toolset`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from datagen_contracts.errors import ContractError
from datagen_contracts.text import printable_lines

from .errors import CruncherError
from .report.gate import EXIT_USAGE


class _UserError(click.ClickException):
    exit_code = EXIT_USAGE

    def format_message(self) -> str:  # names from data or schemas may hold control characters
        return printable_lines(self.message)


def _args(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise _UserError(f"--param expects NAME=VALUE, got {pair!r}")
        out[name.strip()] = value
    return out


@click.command("views")
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--workflow", "-w", help="The workflow whose views to render, e.g. daily_briefing.")
@click.option("--view", "views", multiple=True, help="Render this view (its id or tool name) instead (repeatable).")
@click.option("--workflows", "workflows_file", type=click.Path(path_type=Path),
              help="The workflow definitions (default: workflow_definitions.yaml beside DATASET, else in the "
                   "current directory).")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="An argument of the views (repeatable).")
@click.option("--as-of", help="'Today' for the views (ISO timestamp); default: the file's as_of column maximum.")
@click.option("--materialize", type=click.Path(path_type=Path, dir_okay=False),
              help="Store (and reuse) the results as tables of this DuckDB file.")
@click.option("--list", "list_only", is_flag=True, help="List the workflows and tools (with OpenAI-style specs in --json).")
@click.option("--json", "as_json", is_flag=True, help="Print the results (columns, rows, text) as JSON on stdout.")
def views(dataset: Path, workflow: str | None, views: tuple[str, ...], workflows_file: Path | None,
          params: tuple[str, ...], as_of: str | None, materialize: Path | None, list_only: bool, as_json: bool) -> None:
    """Render the data views of a workflow over DATASET (a parquet directory or a DuckDB file).

    \b
    datacruncher views out/ --workflow daily_briefing
    datacruncher views prod.duckdb --workflows wf.yaml --view analyze_customer_segment --param segment=at_risk
    Exit codes: 0 ok; 2 usage or input error (bad workflow file, unknown workflow/view/argument, missing table).
    """
    from .views.toolset import Toolset

    if not (workflow or views or list_only):
        raise _UserError("say what to render: --workflow NAME, --view NAME (repeatable) or --list")
    try:
        with Toolset.open(dataset, workflows=workflows_file, workflow=None if list_only else workflow, as_of=as_of,
                          materialize=materialize) as tools:
            if list_only:
                _list(tools, as_json)
                return
            args = _args(params)
            names = [_tool_of(tools, v) for v in views]
            if not names and workflow is not None:  # no --view: the workflow's own views
                names = [tools.spec.workflows[workflow].tool_name(workflow)]
            results = [tools.call(n, a, from_text=True) for n, a in zip(names, _accepted(tools, names, args), strict=True)]
    except (CruncherError, ContractError) as exc:
        raise _UserError(str(exc)) from None
    if as_json:
        click.echo(json.dumps({"dataset": str(dataset), "fingerprint": tools.fingerprint,
                               "as_of": tools.as_of.isoformat() if tools.as_of else None,
                               "results": [r.to_dict() for r in results]}, indent=2, default=str))
        return
    click.echo("\n\n".join(r.text for r in results))


def _tool_of(tools, name: str) -> str:
    """A view id or a tool name → the tool name."""
    view = tools.spec.views.get(name)
    return view.tool_name(name) if view is not None else name


def _accepted(tools, names: list[str], args: dict[str, str]) -> list[dict[str, str]]:
    """Each tool gets the arguments it declares; an argument none of them takes is an error."""
    from datagen_contracts.paths import did_you_mean

    declared = {n: tools.tools[n].params if n in tools.tools else {} for n in names}
    known = sorted({p for params in declared.values() for p in params})
    for key in args:
        if key not in known:
            raise _UserError(f"unknown --param {key!r}{did_you_mean(key, known)} (these views take: "
                             f"{', '.join(known) or 'none'})")
    return [{k: v for k, v in args.items() if k in declared[n]} for n in names]


def _list(tools, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"workflows": {w: {"description": s.description, "tool": s.tool_name(w), "views": s.views}
                                             for w, s in tools.spec.workflows.items()},
                               "tools": tools.specs(), "unavailable": tools.unavailable()}, indent=2, default=str))
        return
    for wid, wf in tools.spec.workflows.items():
        click.echo(f"workflow {wid} ({wf.tool_name(wid)}): {wf.description}")
        click.echo(f"    views: {', '.join(wf.views)}")
    missing = tools.unavailable()
    for name, t in tools.tools.items():
        args = ", ".join(f"{n}: {p.type}" + ("" if p.required else f" = {p.default!r}") for n, p in t.params.items())
        note = f"  [unavailable: {missing[name]}]" if name in missing else ""
        click.echo(f"tool {name}({args}): {t.description}{note}")
