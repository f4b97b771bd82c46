"""polish_summary.html: before/after counts, one section per round, relative links that resolve, escaped text."""

from __future__ import annotations

import re
from pathlib import Path

from datapolisher.summary_page import render


def _summary(tmp_path: Path) -> dict:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / ".manifest.yaml").write_text("x")
    (tmp_path / "schema_improved.json").write_text("{}")
    return {
        "initial": {"critical": 2, "high": 1, "medium": 0, "low": 0},
        "final": {"critical": 0, "high": 0, "medium": 0, "low": 1},
        "output_dir": "out", "manifest": "out/.manifest.yaml", "stopped": "done <b>",
        "rounds": [{"round": 1, "path": "schema", "written": [str(tmp_path / "schema_improved.json")],
                    "fixes": ["drop <script>alert(1)</script> orphans"], "unhandled": ["a \"quoted\" one"],
                    "also_gone": [], "before": {"critical": 2}, "after": {"critical": 0}, "report": None,
                    "notes": []}],
    }


def test_page_counts_rounds_and_links(tmp_path: Path) -> None:
    html = render(_summary(tmp_path), tmp_path)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<script>") == 1 and "done &lt;b&gt;" in html
    assert ">2 → 0<" in html and ">0 → 1<" in html  # critical fixed, a low one appeared
    assert 'id="round-1"' in html and '<a href="#round-1">' in html
    files = re.findall(r'href="([^"#][^"]*)"', html)
    assert files == ["out", "out/.manifest.yaml", "schema_improved.json"]
    assert all((tmp_path / f).exists() for f in files)
    assert "not approved" not in html and "approved" in html


def test_no_manifest_is_not_approved(tmp_path: Path) -> None:
    doc = _summary(tmp_path) | {"manifest": None}
    assert "not approved" in render(doc, tmp_path)


def test_a_round_that_never_re_crunched(tmp_path: Path) -> None:
    doc = _summary(tmp_path)
    doc["rounds"][0] |= {"after": None, "before": None, "written": []}
    doc["final"] = None
    html = render(doc, tmp_path)
    assert 'id="round-1"' in html and "→0" not in html
