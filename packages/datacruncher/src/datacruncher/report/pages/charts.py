"""Small inline SVG charts, drawn from what ``crunch_report.json`` carries (no data is re-read).

Why our own ~200 lines and not a charting library: the report must be one self-contained file that opens
without network or JavaScript, stays small for 400 columns, and is byte-identical for the same report. Plotting
libraries either need a JavaScript runtime in the page (Vega, Plotly: 1–3 MB each) or pull in a large stack to
write static SVG (matplotlib); the charts here are bars, histograms and lines. Every text is escaped.

>>> svg = bars([("US", 60), ("<b>DE</b>", 40)])
>>> svg.count("<rect"), "&lt;b&gt;DE&lt;/b&gt;" in svg, "<b>" in svg
(2, True, False)
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence
from html import escape

INK, MUTED, ACCENT, WARN, GRID = "#1f2933", "#7b8794", "#3b6fd4", "#d9822b", "#e4e7eb"


def _svg(width: int, height: int, body: str, label: str) -> str:
    return (f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}</title>'
            f"{body}</svg>")


def _num(x: float) -> str:
    """A compact label: 1234567 → 1.23M, 0.00012 → 0.00012."""
    if x != x:  # NaN
        return "–"
    a = abs(x)
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= size:
            return f"{x / size:.3g}{suffix}"
    return f"{x:.3g}"


def when(seconds: float) -> str:
    try:
        return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%d")
    except (OverflowError, OSError, ValueError):
        return _num(seconds)


def bars(items: Sequence[tuple[str, float]], *, width: int = 300, total: float | None = None,
         label: str = "top values") -> str:
    """Horizontal bars, one per (label, value), longest first as given; ``total`` adds the share."""
    if not items:
        return ""
    row, top = 16, max(v for _, v in items) or 1
    body = []
    for i, (name, value) in enumerate(items):
        y = i * row
        w = max(1.0, (width - 200) * value / top)  # room for the value label after the longest bar
        share = f" ({value / total:.0%})" if total else ""
        text = name if len(name) <= 22 else name[:21] + "…"
        body.append(f'<text x="0" y="{y + 12}" font-size="11" fill="{INK}">{escape(text)}</text>'
                    f'<rect x="110" y="{y + 3}" width="{w:.1f}" height="11" fill="{ACCENT}"/>'
                    f'<text x="{114 + w:.1f}" y="{y + 12}" font-size="10" fill="{MUTED}">'
                    f"{escape(_num(value) + share)}</text>")
    return _svg(width, row * len(items) + 2, "".join(body), label)


def histogram(quantiles: Sequence[float | None], *, temporal: bool = False, width: int = 300, height: int = 70,
              label: str = "distribution", domain: tuple[float, float] | None = None) -> str:
    """A density histogram from the 0th, 5th, …, 100th percentiles: each of the 20 slices holds 5% of the values,
    so its bar's height is 5% over its width (a slice of zero width — a repeated value — is a spike)."""
    qs = [q for q in quantiles if q is not None and math.isfinite(q)]
    if len(qs) < 2:
        return ""
    lo, hi = (qs[0], qs[-1]) if domain is None else domain  # a shared domain puts two histograms on one scale
    plot_h = height - 16
    if hi <= lo:  # one value
        body = (f'<rect x="{width / 2 - 2:.1f}" y="2" width="4" height="{plot_h - 2}" fill="{ACCENT}"/>'
                f'<text x="{width / 2:.1f}" y="{height - 2}" font-size="10" text-anchor="middle" fill="{MUTED}">'
                f"{escape(when(lo) if temporal else _num(lo))}</text>")
        return _svg(width, height, body, label)
    scale = (width - 4) / (hi - lo)
    spans = list(itertools.pairwise(qs))
    widths = [max((b - a) * scale, 0.0) for a, b in spans]
    dens = [1 / w if w >= 1 else 0.0 for w in widths]
    top = max(dens) or 1.0
    lines = [f'<line x1="2" y1="{plot_h}" x2="{width - 2}" y2="{plot_h}" stroke="{GRID}"/>']
    for (a, _), w, d in zip(spans, widths, dens, strict=True):
        x = 2 + (a - lo) * scale
        if w < 1:  # a repeated value: a spike of full height
            lines.append(f'<rect x="{x:.1f}" y="2" width="1.5" height="{plot_h - 2}" fill="{WARN}"/>')
        else:
            h = max(1.0, (plot_h - 2) * d / top)
            lines.append(f'<rect x="{x:.1f}" y="{plot_h - h:.1f}" width="{max(w - 0.5, 0.5):.1f}" height="{h:.1f}" '
                        f'fill="{ACCENT}" opacity="0.85"/>')
    fmt = when if temporal else _num
    lines.append(f'<text x="2" y="{height - 2}" font-size="10" fill="{MUTED}">{escape(fmt(lo))}</text>'
                f'<text x="{width - 2}" y="{height - 2}" font-size="10" text-anchor="end" fill="{MUTED}">'
                f"{escape(fmt(hi))}</text>")
    return _svg(width, height, "".join(lines), label)


def share_bar(share: float, *, width: int = 120, label: str = "null share") -> str:
    """A thin bar filled to ``share`` (0..1)."""
    share = min(max(share, 0.0), 1.0)
    body = (f'<rect x="0" y="2" width="{width}" height="8" fill="{GRID}"/>'
            f'<rect x="0" y="2" width="{width * share:.1f}" height="8" fill="{WARN if share > 0 else ACCENT}"/>')
    return _svg(width, 12, body, f"{label}: {share:.1%}")


def paired_bars(rows: Sequence[tuple[str, float, float]], *, width: int = 340,
                label: str = "expected against observed") -> str:
    """Two bars per label: expected (grey) and observed (blue), on one scale."""
    if not rows:
        return ""
    row, top = 26, max(max(e, o) for _, e, o in rows) or 1
    body = []
    for i, (name, expected, observed) in enumerate(rows):
        y = i * row
        text = name if len(name) <= 20 else name[:19] + "…"
        body.append(f'<text x="0" y="{y + 15}" font-size="11" fill="{INK}">{escape(text)}</text>')
        for k, (value, color) in enumerate(((expected, MUTED), (observed, ACCENT))):
            w = max(1.0, (width - 160) * value / top)
            body.append(f'<rect x="110" y="{y + 3 + 10 * k}" width="{w:.1f}" height="9" fill="{color}"/>'
                        f'<text x="{114 + w:.1f}" y="{y + 11 + 10 * k}" font-size="9" fill="{MUTED}">'
                        f"{escape(_num(value))}</text>")
    return _svg(width, row * len(rows), "".join(body), label)


def line(points: Sequence[tuple[str, float]], *, width: int = 340, height: int = 110,
         label: str = "series", percent: bool = False) -> str:
    """A line over labelled points (months), with the first and last labels and values."""
    if len(points) < 2:
        return ""
    values = [v for _, v in points]
    lo, hi = (0.0, max(max(values), 1e-9)) if percent else (min(values), max(values))
    span = (hi - lo) or 1.0
    plot_h, step = height - 28, (width - 20) / (len(points) - 1)
    xy = [(10 + i * step, 6 + (plot_h - 6) * (1 - (v - lo) / span)) for i, v in enumerate(values)]
    path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(xy))
    fmt = (lambda v: f"{v:.0%}") if percent else _num
    body = [f'<path d="{path}" fill="none" stroke="{ACCENT}" stroke-width="2"/>']
    body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{ACCENT}"/>' for x, y in xy]
    body.append(f'<text x="10" y="{height - 14}" font-size="10" fill="{MUTED}">{escape(points[0][0])}</text>'
                f'<text x="{width - 10}" y="{height - 14}" font-size="10" text-anchor="end" fill="{MUTED}">'
                f"{escape(points[-1][0])}</text>"
                f'<text x="10" y="{height - 2}" font-size="10" fill="{INK}">{escape(fmt(values[0]))}</text>'
                f'<text x="{width - 10}" y="{height - 2}" font-size="10" text-anchor="end" fill="{INK}">'
                f"{escape(fmt(values[-1]))}</text>")
    return _svg(width, height, "".join(body), label)


def months(points: Sequence[tuple[str, int]], *, width: int = 300, height: int = 56,
           label: str = "rows per month") -> str:
    """Rows per calendar month as columns: the time coverage (a gap is a missing column)."""
    if not points:
        return ""
    top = max(n for _, n in points) or 1
    step = (width - 4) / len(points)
    plot_h = height - 14
    body = [f'<rect x="{2 + i * step:.1f}" y="{plot_h - max(1.0, (plot_h - 2) * n / top):.1f}" '
            f'width="{max(step - 1, 0.5):.1f}" height="{max(1.0, (plot_h - 2) * n / top):.1f}" fill="{ACCENT}">'
            f"<title>{escape(m)}: {n:,}</title></rect>" for i, (m, n) in enumerate(points)]
    body.append(f'<text x="2" y="{height - 2}" font-size="10" fill="{MUTED}">{escape(points[0][0])}</text>'
                f'<text x="{width - 2}" y="{height - 2}" font-size="10" text-anchor="end" fill="{MUTED}">'
                f"{escape(points[-1][0])}</text>")
    return _svg(width, height, "".join(body), label)


def heatmap(grid: Sequence[Sequence[int]], *, cell: int = 10, label: str = "rows by weekday and hour") -> str:
    """A weekday (rows, Monday first) × hour (columns) grid, darker where more rows fall: the weekly rhythm."""
    if not grid:
        return ""
    top = max(max(r) for r in grid) or 1
    days = "MTWTFSS"
    body = []
    for d, row in enumerate(grid):
        body.append(f'<text x="0" y="{d * cell + cell - 1}" font-size="9" fill="{MUTED}">{days[d]}</text>')
        for h, n in enumerate(row):
            body.append(f'<rect x="{10 + h * cell}" y="{d * cell}" width="{cell - 1}" height="{cell - 1}" '
                        f'fill="{ACCENT}" fill-opacity="{0.06 + 0.94 * n / top:.2f}"/>')
    body.append(f'<text x="10" y="{7 * cell + 9}" font-size="9" fill="{MUTED}">0h</text>'
                f'<text x="{10 + 24 * cell}" y="{7 * cell + 9}" font-size="9" text-anchor="end" fill="{MUTED}">'
                "23h</text>")
    return _svg(10 + 24 * cell, 7 * cell + 11, "".join(body), label)
