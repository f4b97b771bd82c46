"""Fixtures for datapolisher's tests; the builders live in ``polisher_builders.py`` (importable by tests)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # --import-mode=importlib: make the builder modules importable

from polisher_builders import shop_issues, write_report, write_shop


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return write_shop(tmp_path / "output")


@pytest.fixture
def shop_report(shop: Path) -> Path:
    return write_report(shop, shop.parent / "crunch_report.json", shop_issues())


@pytest.fixture
def no_stages(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Neither datagen nor datacruncher can be found: the paths must say what to run instead."""
    monkeypatch.setenv("PATH", str(tmp_path_factory.mktemp("empty_path")))
    monkeypatch.setenv("DATAPOLISHER_DATAGEN", "")  # set but empty: not installed, even beside this Python
    monkeypatch.setenv("DATAPOLISHER_DATACRUNCHER", "")


@pytest.fixture
def fake_stages(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Stand-ins for the datagen and datacruncher CLIs (real checks over the shop tables), run by this Python."""
    bin_dir = tmp_path_factory.mktemp("bin")
    for name in ("datagen", "datacruncher"):
        script = Path(__file__).parent / "fake_stages" / name
        exe = bin_dir / name
        exe.write_text(f"#!/bin/sh\nexec {sys.executable} {script} \"$@\"\n")
        exe.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    return bin_dir
