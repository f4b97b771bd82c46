"""``datagen validate … --html``: the validation report as one self-contained page (the shared shell of
:mod:`datagen_contracts.htmlpage`): the verdict and score first, the category scores, the checks that failed,
errored or warned with what was measured against what was expected, then every check."""

from __future__ import annotations

import json
from typing import Any

from datagen_contracts.htmlpage import badge, esc, page, score_bar, tile

from .report import Check, ValidationReport

ORDER = {"fail": 0, "error": 1, "warn": 2, "pass": 3, "skipped": 4}


def _value(v: Any) -> str:
    if v is None:
        return ""
    text = v if isinstance(v, str) else json.dumps(v, default=str)
    return text if len(text) <= 120 else text[:119] + "…"


def _rows(checks: list[Check]) -> str:
    out = []
    for c in sorted(checks, key=lambda c: (ORDER.get(c.status, 9), c.category, c.id)):
        failing = "" if c.failing_rows is None else f"{c.failing_rows:,}" + ("" if c.rows is None else f" of {c.rows:,}")
        out.append(f"<tr><td>{badge(c.status)}</td><td>{esc(c.category)}</td><td><code>{esc(c.check)}</code></td>"
                   f"<td>{esc(c.target)}</td><td><code>{esc(_value(c.measured))}</code></td>"
                   f"<td><code>{esc(_value(c.expected))}</code></td><td class=\"num\">{esc(failing)}</td>"
                   f"<td>{esc(c.message)}</td></tr>")
    head = ("<tr><th>status</th><th>category</th><th>check</th><th>target</th><th>measured</th><th>expected</th>"
            "<th>failing rows</th><th>note</th></tr>")
    return f'<table class="grid">{head}{"".join(out)}</table>'


def render(report: ValidationReport) -> str:
    """The page (a str of HTML); the same report gives the same bytes."""
    counts = report.counts()
    score = "n/a" if report.score is None else f"{report.score:.1f}"
    verdict = [tile("OK" if report.ok else "FAILED", "every check passed" if report.ok else "a check failed",
                    "pass" if report.ok else "fail"),
               tile(score, "quality score / 100")]
    verdict += [tile(counts[s], s, color_key=s) for s in ("fail", "error", "warn", "pass", "skipped")]
    cats = "".join(f"<tr><td>{esc(name)}</td><td>{score_bar(c.score)}</td><td class=\"num\">"
                   f"{'n/a' if c.score is None else f'{c.score:.1f}'}</td><td class=\"num\">{c.passed}/{c.applicable}"
                   f"</td><td class=\"num\">{c.failed}</td><td class=\"num\">{c.errors}</td><td class=\"num\">"
                   f"{c.warnings}</td><td class=\"num\">{c.skipped}</td><td class=\"num\">{c.weight:g}</td></tr>"
                   for name, c in report.categories.items())
    notable = [c for c in report.checks if c.status in ("fail", "error", "warn")]
    sections = [
        f'<section class="card" id="summary"><h2>Verdict</h2><div class="verdict">{"".join(verdict)}</div></section>',
        '<section class="card" id="categories"><h2>Categories</h2><table class="grid"><tr><th>category</th><th>score'
        "</th><th></th><th>passed</th><th>failed</th><th>errors</th><th>warnings</th><th>skipped</th><th>weight</th>"
        f"</tr>{cats}</table></section>",
        f'<section class="card" id="problems"><h2>Failed, errored and warned ({len(notable)})</h2>'
        + (_rows(notable) if notable else "<p>None.</p>") + "</section>",
        f'<section class="card" id="checks"><h2>Every check ({len(report.checks)})</h2><details><summary>Show all'
        f"</summary>{_rows(report.checks)}</details></section>",
    ]
    nav = [("summary", "Verdict"), ("categories", "Categories"), ("problems", "Problems"), ("checks", "All checks")]
    return page(f"Validation — {report.data_dir}", f"datagen validate · schema {report.schema}", nav, sections)
