"""The docs site's references are generated from the code and must be current; the getting-started commands are
the README's, character for character; every page is in the site's nav."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("datagen_core", "datacruncher", "datapolisher")


def _gen_docs():
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "tools" / "gen_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(any(importlib.util.find_spec(p) is None for p in PACKAGES),
                    reason="the command-line reference needs every package installed")
def test_generated_reference_pages_are_current() -> None:
    gen = _gen_docs()
    stale = [str(p.relative_to(ROOT)) for p in gen.stale()]
    assert stale == [], f"stale: {stale}; run python tools/gen_docs.py --write"


def test_the_reference_names_every_struct_and_command() -> None:
    if any(importlib.util.find_spec(p) is None for p in PACKAGES):
        pytest.skip("needs every package")
    gen = _gen_docs()
    dsl = gen.dsl_page()
    for struct in ("## Schema", "## Node", "## Column", "## Fanout", "## FakerGen", "## Scenario", "## ExpectSpec"):
        assert struct in dsl
    assert "| `lambda` |" in dsl  # the encoded name, not the attribute
    cli = gen.cli_page()
    for command in ("### datagen generate", "### datacruncher report", "### datapolisher polish", "--html"):
        assert command in cli


def test_getting_started_is_the_readme() -> None:
    blocks = lambda text: re.findall(r"```console\n(.*?)```", text, re.S)  # noqa: E731
    readme = blocks((ROOT / "README.md").read_text())
    index = blocks((ROOT / "docs" / "index.md").read_text())
    assert index[:2] == readme[:2]


def test_every_page_is_in_the_nav() -> None:
    nav = (ROOT / "mkdocs.yml").read_text()
    pages = sorted(p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md"))
    assert [p for p in pages if f" {p}" not in nav] == []


@pytest.mark.skipif(any(importlib.util.find_spec(p) is None for p in (*PACKAGES, "litellm")),
                    reason="the transcripts run every package against the fake model ([llm] extra)")
def test_llm_transcripts_are_current() -> None:
    import subprocess
    import sys

    res = subprocess.run([sys.executable, str(ROOT / "tools" / "llm_transcripts.py"), "--check"],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
