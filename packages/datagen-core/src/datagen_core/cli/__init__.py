"""The ``datagen`` command: a lazy click group.

Built-in commands live one per module in this package and are imported only when run (or listed in --help).
Other packages add commands through the entry-point group ``datagen.commands`` (datacruncher registers
``crunch``, datapolisher ``polish``); ``datagen plugins --json`` lists what was found. A plugin that fails to load
gives a warning on stderr, never a crash.

Exit codes: 0 success, 1 a check or gate failed (validate, crunch), 2 usage or input error, 3 internal error
(one line; ``--debug`` anywhere on the command line shows its traceback).
"""

from __future__ import annotations

import importlib
import sys
from importlib.metadata import EntryPoint, entry_points
from typing import Any

import click

from datagen_contracts.text import printable

from ..__about__ import __version__

ENTRY_POINT_GROUP = "datagen.commands"

#: built-in command name -> "module:attribute", imported on first use
BUILTIN_COMMANDS: dict[str, str] = {
    "generate": "datagen_core.cli.generate:generate",
    "validate": "datagen_core.cli.validate:validate",
    "plan": "datagen_core.cli.plan:plan",
    "check": "datagen_core.cli.check:check",
    "scenarios": "datagen_core.cli.scenarios:scenarios",
    "draft": "datagen_core.cli.draft:draft",
    "import": "datagen_core.cli.import_schema:import_schema",
    "plugins": "datagen_core.cli:plugins",
}


def plugin_entry_points() -> list[EntryPoint]:
    """Entry points of the ``datagen.commands`` group, sorted by name, built-in names excluded."""
    eps = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name not in BUILTIN_COMMANDS]
    return sorted(eps, key=lambda ep: ep.name)


def _load(target: str) -> click.Command:
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


class DatagenGroup(click.Group):
    """Loads built-in commands and plugins on demand."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(BUILTIN_COMMANDS) | {ep.name for ep in plugin_entry_points()}
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in BUILTIN_COMMANDS:
            try:
                return _load(BUILTIN_COMMANDS[cmd_name])
            except (ImportError, AttributeError):
                return None
        for ep in plugin_entry_points():
            if ep.name == cmd_name:
                try:
                    command = ep.load()
                except Exception as exc:  # a broken plugin must not break datagen
                    click.echo(f"warning: plugin {ep.name!r} ({ep.value}) failed to load: {exc}", err=True)
                    return None
                if not isinstance(command, click.Command):
                    click.echo(f"warning: plugin {ep.name!r} ({ep.value}) is not a click command", err=True)
                    return None
                return command
        return None

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        """The CLI boundary: a user error is a click exception (exit 2, one line); anything else is a bug — one
        line and exit 3, or its traceback when ``--debug`` is given (anywhere on the command line)."""
        argv = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in argv
        argv = [a for a in argv if a != "--debug"]
        try:
            return super().main(argv, prog_name, complete_var, standalone_mode, **extra)
        except Exception as exc:
            if debug or not standalone_mode:
                raise
            click.echo(printable(f"error: internal error: {type(exc).__name__}: {exc} "
                                 "(rerun with --debug for the traceback, and please report it)", limit=2000), err=True)
            sys.exit(3)


@click.group(cls=DatagenGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="datagen", message="%(prog)s %(version)s")
def main() -> None:
    """Generate realistic, deterministic multi-table data from a JSON schema (DSL v1).

    \b
    A typical session:
      datagen check schema.json                   # lint: every problem at once
      datagen plan schema.json --scale 0.1        # rows and bytes before generating
      datagen generate schema.json --seed 42 -o output/
      datagen validate schema.json --data output/ # confirm every declared constraint
      datagen crunch output/                      # (with datacruncher) persona analysis
      datagen polish crunch_report.json --auto    # (with datapolisher) fix, then approve

    Exit codes: 0 ok, 1 a check failed, 2 usage or input error, 3 internal error (add --debug anywhere
    on the command line for its traceback).
    """


def describe_plugins() -> list[dict[str, Any]]:
    """What ``datagen plugins`` reports: each entry point, its distribution and whether it loads."""
    out: list[dict[str, Any]] = []
    for ep in plugin_entry_points():
        dist = ep.dist
        item: dict[str, Any] = {
            "name": ep.name,
            "value": ep.value,
            "distribution": dist.metadata["Name"] if dist is not None else None,
            "version": dist.version if dist is not None else None,
            "loaded": True,
            "error": None,
        }
        try:
            command = ep.load()
            if not isinstance(command, click.Command):
                raise TypeError("not a click command")
        except Exception as exc:
            item["loaded"] = False
            item["error"] = f"{type(exc).__name__}: {exc}"
        out.append(item)
    return out


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON on stdout.")
def plugins(as_json: bool) -> None:
    """List commands added by other packages (entry-point group datagen.commands)."""
    found = describe_plugins()
    if as_json:
        import json

        click.echo(json.dumps(found, indent=2))
        return
    if not found:
        click.echo("no plugins installed (pip install datacruncher datapolisher adds 'crunch' and 'polish')")
        return
    for item in found:
        state = "ok" if item["loaded"] else f"BROKEN: {item['error']}"
        click.echo(f"{item['name']:<12} {item['distribution']} {item['version']}  [{state}]")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
