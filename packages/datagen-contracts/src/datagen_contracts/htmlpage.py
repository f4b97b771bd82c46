"""The page shell every stage's HTML output shares — one look, one set of escaping rules: the crunch report
(datacruncher), the validation report (datagen validate --html) and the polish summary (datapolisher).

A page is self-contained (inline CSS, no network, no other file) and readable without JavaScript; the only script
adds "copy" buttons. Every text goes through :func:`esc`.

>>> html = page("A <b>title</b>", "sub", [("one", "One")], ['<section class="card" id="one">x</section>'])
>>> html.startswith("<!DOCTYPE html>"), "&lt;b&gt;" in html, html.count("<script>")
(True, True, 1)
"""

from __future__ import annotations

from html import escape
from typing import Any

COLORS = {"critical": "#b42318", "high": "#d9822b", "medium": "#c9a227", "low": "#7b8794",
          "pass": "#2f8132", "ok": "#2f8132", "fail": "#b42318", "error": "#b42318", "warn": "#d9822b",
          "drift": "#d9822b", "skipped": "#7b8794"}

CSS = """
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1f2933;
margin:0;background:#f5f7fa}main{max-width:1180px;margin:0 auto;padding:20px}
header.top{background:#1f2933;color:#fff;padding:18px 20px}header.top h1{margin:0 0 4px;font-size:20px}
header.top .meta{color:#cbd2d9;font-size:12px}nav{margin-top:10px}nav a{color:#9fb3c8;margin-right:14px}
section.card{background:#fff;border:1px solid #e4e7eb;border-radius:8px;padding:16px 18px;margin:16px 0}
h2{font-size:17px;margin:0 0 10px}h3{font-size:15px;margin:14px 0 6px}
.verdict{display:flex;gap:12px;flex-wrap:wrap;align-items:stretch}
.tile{border-radius:8px;padding:10px 14px;min-width:110px;background:#f5f7fa;border:1px solid #e4e7eb}
.tile b{display:block;font-size:22px}.tile span{font-size:12px;color:#52606d}
.pass{background:#e3f9e5;border-color:#a3d9a5}.fail{background:#ffe3e3;border-color:#f5a3a3}
.badge{display:inline-block;border-radius:10px;padding:1px 8px;color:#fff;font-size:11px;font-weight:600;
text-transform:uppercase;letter-spacing:.03em}
.issue{border-left:4px solid #7b8794;padding:10px 14px;margin:10px 0;background:#fbfcfd;border-radius:4px}
.issue h3{margin:0 0 6px}.issue .where{color:#52606d;font-size:12px}
table.grid{border-collapse:collapse;width:100%;font-size:13px}table.grid th,table.grid td{border-bottom:1px solid
#e4e7eb;padding:5px 6px;text-align:left;vertical-align:top}table.grid th{font-size:12px;color:#52606d}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:#f0f4f8;padding:8px 10px;border-radius:4px;overflow-x:auto;white-space:pre-wrap;margin:6px 0}
.samples code{background:#f0f4f8;border-radius:3px;padding:1px 4px;margin-right:4px;display:inline-block}
button.copy{font-size:11px;float:right;margin:2px;cursor:pointer}
.diagram-wrap{overflow-x:auto}.muted{color:#7b8794}.num{text-align:right;font-variant-numeric:tabular-nums}
details>summary{cursor:pointer;font-weight:600}
"""

SCRIPT = """
document.querySelectorAll('button.copy').forEach(function (b) {
  b.addEventListener('click', function () {
    var el = document.getElementById(b.getAttribute('data-target'));
    if (!el || !navigator.clipboard) { return; }
    navigator.clipboard.writeText(el.textContent).then(function () { b.textContent = 'Copied'; },
                                                       function () { b.textContent = 'Select and copy'; });
  });
});
"""


def esc(value: Any) -> str:
    """Text for HTML (quotes too: safe inside attributes)."""
    return escape(str(value), quote=True)


def badge(label: str, color_key: str | None = None) -> str:
    color = COLORS.get(color_key or label, "#7b8794")
    return f'<span class="badge" style="background:{color}">{esc(label)}</span>'


def tile(value: Any, label: str, css_class: str = "", color_key: str | None = None) -> str:
    style = f' style="border-left:4px solid {COLORS[color_key]}"' if color_key in COLORS else ""
    return f'<div class="tile {css_class}"{style}><b>{esc(value)}</b><span>{esc(label)}</span></div>'


def score_bar(score: float | None, width: int = 160) -> str:
    """A 0–100 score as a bar (n/a: an empty one)."""
    fill = 0.0 if score is None else max(0.0, min(score, 100.0)) / 100
    text = "n/a" if score is None else f"{score:.1f}"
    color = "#2f8132" if fill >= 0.9 else "#d9822b" if fill >= 0.6 else "#b42318"
    return (f'<svg class="chart" width="{width}" height="12" viewBox="0 0 {width} 12" role="img" '
            f'aria-label="score {text}" xmlns="http://www.w3.org/2000/svg"><title>score {text}</title>'
            f'<rect x="0" y="2" width="{width}" height="8" fill="#e4e7eb"/>'
            f'<rect x="0" y="2" width="{width * fill:.1f}" height="8" fill="{color}"/></svg>')


def page(title: str, subtitle: str, nav: list[tuple[str, str]], sections: list[str]) -> str:
    """The document: a header (title, one line of context, links to the sections' anchors) and the sections."""
    links = "".join(f'<a href="#{esc(anchor)}">{esc(text)}</a>' for anchor, text in nav)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
            f'<header class="top"><h1>{esc(title)}</h1><div class="meta">{esc(subtitle)}</div><nav>{links}</nav>'
            f'</header><main>{"".join(sections)}</main><script>{SCRIPT}</script></body></html>\n')
