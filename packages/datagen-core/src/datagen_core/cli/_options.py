"""Shared option parsing of the generate/scenarios commands."""

from __future__ import annotations

import click


def parse_sets(sets: tuple[str, ...]) -> dict[str, str]:
    """``("a=1", "b=x")`` → ``{"a": "1", "b": "x"}``; values are coerced to the parameter's type on load."""
    out: dict[str, str] = {}
    for item in sets:
        name, eq, value = item.partition("=")
        if not eq or not name.strip():
            raise click.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint="--set")
        out[name.strip()] = value
    return out


class UserError(click.ClickException):
    """A user/input error: message on stderr, exit code 2."""

    exit_code = 2
