"""Fixtures shared by every package's tests: an isolated HOME, and the conformance schemas."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def conformance_dir() -> Path:
    """``$DATAGEN_CONFORMANCE_DIR``, else ``../shared/conformance/upstream`` beside the repository."""
    env = os.environ.get("DATAGEN_CONFORMANCE_DIR")
    path = Path(env) if env else REPO.parent / "shared" / "conformance" / "upstream"
    if not path.is_dir():
        raise RuntimeError(
            f"conformance schemas not found at {path}; clone the repository with shared/ beside it "
            "or set DATAGEN_CONFORMANCE_DIR"
        )
    return path


def conformance_files() -> list[Path]:
    files = sorted(conformance_dir().glob("*.json"))
    if not files:
        raise RuntimeError(f"no conformance schemas in {conformance_dir()}")
    return files


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the user's real home or config directories."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test that takes ``conformance_schema`` runs once per upstream schema file."""
    if "conformance_schema" in metafunc.fixturenames:
        files = conformance_files()
        metafunc.parametrize("conformance_schema", files, ids=[f.stem for f in files])


@pytest.fixture(scope="session")
def conformance_root() -> Path:
    """The directory of the upstream conformance schemas."""
    return conformance_dir()


@pytest.fixture
def llm_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private reply cache for the LLM features (``DATAGEN_LLM_CACHE``)."""
    cache = tmp_path / "llm-cache"
    monkeypatch.setenv("DATAGEN_LLM_CACHE", str(cache))
    return cache
