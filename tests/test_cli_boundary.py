"""The CLI boundary of every stage: a bug (an exception no user can cause) exits 3 with one line that names it
and says how to see the traceback; ``--debug`` anywhere on the command line shows it; a user error stays exit 2."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from click.testing import CliRunner

STAGES = [m for m in ("datagen_core", "datacruncher", "datapolisher") if importlib.util.find_spec(m)]


def _bug(*_: object, **__: object) -> None:
    raise RuntimeError("boom \x1b[2J")  # with a control character: the one line shows it escaped


def _case(stage: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[object, list[str]]:
    """A stage's group and a command line whose run reaches a function patched to fail like a bug."""
    if stage == "datagen_core":
        from datagen_core import engine
        from datagen_core.cli import main

        monkeypatch.setattr(engine, "_generate_into", _bug)
        schema = tmp_path / "s.json"
        schema.write_text('{"version": "1.0", "metadata": {"name": "t"}, "timeframe": {"start": "2024-01-01", '
                          '"end": "2024-02-01"}, "nodes": [{"id": "u", "kind": "entity", "rows": 3, "pk": "id", '
                          '"columns": [{"name": "id", "type": "int", "generator": {"sequence": {}}}]}]}')
        return main, ["generate", str(schema), "-o", str(tmp_path / "out"), "-q"]
    if stage == "datacruncher":
        import importlib

        from datacruncher import cli

        monkeypatch.setattr(importlib.import_module("datacruncher.crunch"), "crunch", _bug)
        (tmp_path / "d").mkdir()
        return cli.main, ["crunch", str(tmp_path / "d"), "-o", str(tmp_path / "r.json")]
    from datapolisher import cli

    monkeypatch.setattr(cli, "verify_dataset", _bug)
    (tmp_path / "d").mkdir()
    return cli.main, ["verify", str(tmp_path / "d")]


@pytest.mark.parametrize("stage", STAGES)
def test_a_bug_exits_3_with_one_line_and_debug_shows_the_traceback(stage: str, monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Path) -> None:
    group, args = _case(stage, monkeypatch, tmp_path)
    res = CliRunner().invoke(group, args)
    assert res.exit_code == 3, res.output
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert lines[-1].startswith("error: internal error: RuntimeError: boom \\x1b[2J"), res.output
    assert "--debug" in lines[-1] and "Traceback" not in res.output
    res = CliRunner().invoke(group, [args[0], "--debug", *args[1:]])  # anywhere on the line
    assert isinstance(res.exception, RuntimeError) and res.exit_code == 1


@pytest.mark.parametrize("stage", STAGES)
def test_a_user_error_is_still_exit_2(stage: str, tmp_path: Path) -> None:
    if stage == "datagen_core":
        from datagen_core.cli import main as group
    elif stage == "datacruncher":
        from datacruncher.cli import main as group
    else:
        from datapolisher.cli import main as group
    res = CliRunner().invoke(group, ["--debug", "no-such-command"])
    assert res.exit_code == 2
