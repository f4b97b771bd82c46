"""Shared option parsing of the generate/scenarios commands."""

from __future__ import annotations

import click

from datagen_contracts.text import printable_lines


def parse_sets(sets: tuple[str, ...]) -> dict[str, str]:
    """``("a=1", "b=x")`` → ``{"a": "1", "b": "x"}``; values are coerced to the parameter's type on load."""
    out: dict[str, str] = {}
    for item in sets:
        name, eq, value = item.partition("=")
        if not eq or not name.strip():
            raise click.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint="--set")
        out[name.strip()] = value
    return out


def say(text: str = "", **kwargs: object) -> None:
    """A human line on the terminal; names from a schema may hold control characters, shown escaped."""
    click.echo(printable_lines(text), **kwargs)  # type: ignore[arg-type]


class UserError(click.ClickException):
    """A user/input error: message on stderr, exit code 2."""

    exit_code = 2

    def format_message(self) -> str:  # names from data or schemas may hold control characters
        return printable_lines(self.message)

