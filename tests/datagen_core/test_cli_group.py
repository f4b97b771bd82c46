"""The `datagen` group: version, help, lazy built-ins and plugins from the datagen.commands entry points."""

from __future__ import annotations

import json
import sys
import types
from importlib.metadata import EntryPoint

import click
import pytest
from click.testing import CliRunner

from datagen_core import __version__
from datagen_core import cli as cli_module
from datagen_core.cli import main


@pytest.fixture
def fake_plugins(monkeypatch: pytest.MonkeyPatch):
    """Replace the installed entry points with the given ones."""

    def install(*eps: EntryPoint) -> None:
        monkeypatch.setattr(cli_module, "plugin_entry_points", lambda: sorted(eps, key=lambda e: e.name))

    return install


@pytest.fixture
def plugin_module(monkeypatch: pytest.MonkeyPatch) -> str:
    mod = types.ModuleType("fake_datagen_plugin")

    @click.command()
    def hello() -> None:
        """Say hello from a plugin."""
        click.echo("hello from plugin")

    mod.hello = hello
    mod.not_a_command = 42
    monkeypatch.setitem(sys.modules, "fake_datagen_plugin", mod)
    return "fake_datagen_plugin"


def test_version_and_help() -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["--version"]).output == f"datagen {__version__}\n"
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "Exit codes: 0 ok, 1 a check failed, 2 usage or input error" in result.output
    assert "plugins" in result.output


def test_plugin_commands_are_mounted(fake_plugins, plugin_module: str) -> None:
    fake_plugins(EntryPoint("hello", f"{plugin_module}:hello", "datagen.commands"))
    runner = CliRunner()
    assert "hello" in runner.invoke(main, ["--help"]).output
    result = runner.invoke(main, ["hello"])
    assert result.exit_code == 0 and result.output == "hello from plugin\n"


def test_broken_plugin_warns_and_does_not_crash(fake_plugins, plugin_module: str) -> None:
    fake_plugins(
        EntryPoint("broken", "no_such_module_xyz:cmd", "datagen.commands"),
        EntryPoint("weird", f"{plugin_module}:not_a_command", "datagen.commands"),
        EntryPoint("hello", f"{plugin_module}:hello", "datagen.commands"),
    )
    runner = CliRunner()
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "warning: plugin 'broken' (no_such_module_xyz:cmd) failed to load" in result.stderr
    assert "warning: plugin 'weird'" in result.stderr and "is not a click command" in result.stderr
    assert "hello" in result.stdout
    assert runner.invoke(main, ["hello"]).exit_code == 0


def test_plugins_json_inventory(fake_plugins, plugin_module: str) -> None:
    fake_plugins(
        EntryPoint("broken", "no_such_module_xyz:cmd", "datagen.commands"),
        EntryPoint("hello", f"{plugin_module}:hello", "datagen.commands"),
    )
    result = CliRunner().invoke(main, ["plugins", "--json"])
    assert result.exit_code == 0
    found = {p["name"]: p for p in json.loads(result.stdout)}
    assert found["hello"]["loaded"] is True and found["hello"]["error"] is None
    assert found["broken"]["loaded"] is False
    assert found["broken"]["error"].startswith("ModuleNotFoundError")


def test_no_plugins_says_how_to_get_them(fake_plugins) -> None:
    fake_plugins()
    result = CliRunner().invoke(main, ["plugins"])
    assert "pip install datacruncher datapolisher" in result.output


def test_builtin_names_cannot_be_shadowed_by_plugins(monkeypatch: pytest.MonkeyPatch, plugin_module: str) -> None:
    eps = [
        EntryPoint("generate", f"{plugin_module}:hello", "datagen.commands"),
        EntryPoint("hello", f"{plugin_module}:hello", "datagen.commands"),
    ]
    monkeypatch.setattr(cli_module, "entry_points", lambda group: eps if group == "datagen.commands" else [])
    assert [ep.name for ep in cli_module.plugin_entry_points()] == ["hello"]
