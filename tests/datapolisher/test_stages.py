"""Finding the other stages' CLIs without importing them."""

from __future__ import annotations

from pathlib import Path

import pytest

from datapolisher import stages


def _exe(directory: Path, name: str) -> Path:
    directory.mkdir(exist_ok=True)
    exe = directory / name
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    return exe


def test_path_first_then_beside_this_python(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATAPOLISHER_DATAGEN", raising=False)
    venv_bin = tmp_path / "venv_bin"
    in_venv = _exe(venv_bin, "datagen")
    monkeypatch.setattr(stages, "environment_scripts", lambda: str(venv_bin))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert stages.executable("datagen") == str(in_venv)  # an environment used without activating it
    on_path = _exe(tmp_path / "path_bin", "datagen")
    monkeypatch.setenv("PATH", str(tmp_path / "path_bin"))
    assert stages.executable("datagen") == str(on_path)


def test_override_names_or_disables_the_stage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stages, "environment_scripts", lambda: str(tmp_path))
    _exe(tmp_path, "datacruncher")
    monkeypatch.setenv("DATAPOLISHER_DATACRUNCHER", "/opt/cruncher")
    assert stages.executable("datacruncher") == "/opt/cruncher"
    monkeypatch.setenv("DATAPOLISHER_DATACRUNCHER", "")
    assert stages.executable("datacruncher") is None
