"""``polish_summary.html`` beside ``polish_summary.json`` (``polish --auto``): issues by severity before and
after, and per round the path taken, the fixes applied, what disappeared, what no rule covers, and links to every
file written (improved schema, scripts, re-crunch reports, the approved output's manifest). Built on the shared
page shell (:mod:`datagen_contracts.htmlpage`); every name is escaped; links are relative to the page."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from datagen_contracts.htmlpage import COLORS, badge, esc, page, tile

SEVERITIES = ("critical", "high", "medium", "low")


def _link(target: str | None, here: Path) -> str:
    if not target:
        return ""
    path = Path(target)
    full = path if path.is_absolute() else here / path
    rel = Path(os.path.relpath(full, here)).as_posix()
    return f'<a href="{esc(rel)}">{esc(rel)}</a>'


def _counts_svg(before: dict[str, int], after: dict[str, int]) -> str:
    top = max([*before.values(), *after.values(), 1])
    rows = []
    for i, sev in enumerate(SEVERITIES):
        y = i * 26
        rows.append(f'<text x="0" y="{y + 15}" font-size="11" fill="#1f2933">{sev}</text>')
        for k, (value, color) in enumerate(((before.get(sev, 0), "#7b8794"), (after.get(sev, 0), COLORS[sev]))):
            w = max(1.0, 220 * value / top)
            rows.append(f'<rect x="70" y="{y + 3 + 10 * k}" width="{w:.1f}" height="9" fill="{color}"/>'
                        f'<text x="{74 + w:.1f}" y="{y + 11 + 10 * k}" font-size="9" fill="#52606d">'
                        f"{'before' if k == 0 else 'after'} {value}</text>")
    return (f'<svg class="chart" width="360" height="{26 * len(SEVERITIES)}" viewBox="0 0 360 {26 * len(SEVERITIES)}" '
            'role="img" aria-label="issues by severity, before and after" xmlns="http://www.w3.org/2000/svg">'
            f'<title>issues by severity, before and after</title>{"".join(rows)}</svg>')


def _items(title: str, items: list[str]) -> str:
    if not items:
        return ""
    return f"<h3>{esc(title)} ({len(items)})</h3><ul>" + "".join(f"<li>{esc(x)}</li>" for x in items) + "</ul>"


def render(summary: dict[str, Any], here: Path) -> str:
    """The page for a ``polish_summary.json`` document; ``here`` is the directory the page is written to."""
    initial, final = summary.get("initial") or {}, summary.get("final") or {}
    tiles = [tile("approved" if summary.get("manifest") else "not approved",
                  "a manifest was written" if summary.get("manifest") else "no approval",
                  "pass" if summary.get("manifest") else "fail")]
    tiles += [tile(f"{initial.get(s, 0)} → {final.get(s, 0)}", f"{s} issues", color_key=s) for s in SEVERITIES]
    files = [("polished data", summary.get("output_dir")), ("manifest", summary.get("manifest"))]
    links = "".join(f"<li>{esc(k)}: {_link(v, here)}</li>" for k, v in files if v)
    sections = [f'<section class="card" id="summary"><h2>Result</h2><div class="verdict">{"".join(tiles)}</div>'
                f"<p>{esc(summary.get('stopped', ''))}</p>{_counts_svg(initial, final)}<ul>{links}</ul></section>"]
    nav = [("summary", "Result")]
    for r in summary.get("rounds") or []:
        anchor = f"round-{int(r.get('round', 0))}"
        nav.append((anchor, f"Round {r.get('round')}"))
        written = "".join(f"<li>{_link(w, here)}</li>" for w in r.get("written", []))
        was, now = r.get("before") or {}, r.get("after") or {}
        before = ", ".join(f"{s} {was.get(s, 0)}→{now.get(s, 0)}" for s in SEVERITIES) if r.get("after") else ""
        sections.append(
            f'<section class="card" id="{anchor}"><h2>Round {esc(r.get("round"))}: {badge(str(r.get("path")), "ok")}'
            f"</h2><p class=\"muted\">{esc(before)}</p>{_items('Fixes applied', r.get('fixes', []))}"
            f"{_items('Gone with them', r.get('also_gone', []))}{_items('Not covered by a rule', r.get('unhandled', []))}"
            f"{_items('Notes', r.get('notes', []))}<h3>Files</h3><ul>{written}"
            f"{('<li>re-crunch: ' + _link(r.get('report'), here) + '</li>') if r.get('report') else ''}</ul></section>")
    return page("Polish summary", f"datapolisher · output {summary.get('output_dir') or '—'}", nav, sections)
