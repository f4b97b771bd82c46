"""The discovered model as an SVG relationship diagram: tables in layers (a table sits below every table it
references), one box per table (name, rows, key), one arrow per foreign key from child to parent with the share of
child values found in the parent. Pure layout arithmetic over the report's model; every name is escaped.

>>> from datagen_contracts.report import DataModel, ModelForeignKey, ModelTable
>>> m = DataModel(tables=[ModelTable(name="user", rows=10, primary_key="id"), ModelTable(name="order", rows=30)],
...               foreign_keys=[ModelForeignKey(from_table="order", from_column="user_id", to_table="user",
...                                             to_column="id", coverage=0.98)])
>>> svg = diagram(m)
>>> svg.count('class="table"'), svg.count('class="fk"'), "98.0%" in svg
(2, 1, True)
"""

from __future__ import annotations

from html import escape

from datagen_contracts.report import DataModel

from .charts import ACCENT, GRID, INK, MUTED, WARN

BOX_W, BOX_H, GAP_X, GAP_Y, PER_ROW = 190, 50, 24, 56, 6


def layers(model: DataModel) -> list[list[str]]:
    """Tables by depth: 0 references nobody, a child one below its deepest parent (cycles cut)."""
    names = [t.name for t in model.tables]
    parents: dict[str, set[str]] = {n: set() for n in names}
    for fk in model.foreign_keys:
        if fk.from_table in parents and fk.to_table in parents and fk.from_table != fk.to_table:
            parents[fk.from_table].add(fk.to_table)
    depth: dict[str, int] = {}

    def level(name: str, seen: frozenset[str]) -> int:
        if name in depth:
            return depth[name]
        up = [level(p, seen | {name}) + 1 for p in sorted(parents[name]) if p not in seen]
        depth[name] = max(up, default=0)
        return depth[name]

    for n in names:
        level(n, frozenset())
    out: list[list[str]] = []
    for n in names:  # report order within a layer
        while len(out) <= depth[n]:
            out.append([])
        out[depth[n]].append(n)
    return out


def diagram(model: DataModel, anchors: dict[str, str] | None = None) -> str:
    """The SVG; ``anchors`` maps a table to the page anchor its box links to."""
    if not model.tables:
        return ""
    rows_of = {t.name: t for t in model.tables}
    place: dict[str, tuple[float, float]] = {}
    y = 10.0
    for layer in layers(model):
        for start in range(0, len(layer), PER_ROW):  # a wide layer wraps
            for i, name in enumerate(layer[start:start + PER_ROW]):
                place[name] = (10 + i * (BOX_W + GAP_X), y)
            y += BOX_H + GAP_Y
    width = int(max(x for x, _ in place.values()) + BOX_W + 10)
    height = int(y - GAP_Y + 20)
    edges = []
    for fk in model.foreign_keys:
        if fk.from_table not in place or fk.to_table not in place:
            continue
        (cx, cy), (px, py) = place[fk.from_table], place[fk.to_table]
        x1, y1 = cx + BOX_W / 2, cy
        x2, y2 = px + BOX_W / 2, py + BOX_H
        if fk.from_table == fk.to_table:  # a self-reference: a loop on the right
            x1, y1, x2, y2 = cx + BOX_W, cy + 15, cx + BOX_W, cy + 35
            path = f"M{x1:.0f},{y1:.0f} C{x1 + 30:.0f},{y1:.0f} {x2 + 30:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
        else:
            mid = (y1 + y2) / 2
            path = f"M{x1:.0f},{y1:.0f} C{x1:.0f},{mid:.0f} {x2:.0f},{mid:.0f} {x2:.0f},{y2:.0f}"
        cols = ", ".join(fk.from_columns or [fk.from_column])
        color = ACCENT if fk.coverage >= 1 else WARN
        share = "100%" if fk.coverage >= 1 else f"{min(fk.coverage, 0.999):.1%}"  # 99.96% is not "100%"
        title = (f"{fk.from_table}.{cols} → {fk.to_table}.{', '.join(fk.to_columns or [fk.to_column])}: "
                 f"{fk.coverage:.1%} of values found ({fk.source})")
        edges.append(f'<g class="fk"><title>{escape(title)}</title><path d="{path}" fill="none" stroke="{color}" '
                     f'stroke-width="1.5" marker-end="url(#arrow)"/>'
                     f'<text x="{(x1 + x2) / 2 + 4:.0f}" y="{(y1 + y2) / 2:.0f}" font-size="10" fill="{MUTED}">'
                     f"{share}</text></g>")
    boxes = []
    for name, (x, y0) in place.items():
        t = rows_of[name]
        key = t.primary_key or ("(" + ", ".join(t.composite_key) + ")" if t.composite_key else "no key")
        label = name if len(name) <= 26 else name[:25] + "…"
        key_text = key if len(key) <= 30 else key[:29] + "…"
        box = (f'<g class="table"><title>{escape(name)}: {t.rows:,} rows, {t.kind}, key {escape(key)}</title>'
               f'<rect x="{x:.0f}" y="{y0:.0f}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="#fff" stroke="{INK}"/>'
               f'<text x="{x + 8:.0f}" y="{y0 + 18:.0f}" font-size="12" font-weight="600" fill="{INK}">'
               f"{escape(label)}</text>"
               f'<text x="{x + 8:.0f}" y="{y0 + 34:.0f}" font-size="10" fill="{MUTED}">{t.rows:,} rows · '
               f"{escape(key_text)}</text></g>")
        if anchors and name in anchors:
            box = f'<a href="#{anchors[name]}">{box}</a>'
        boxes.append(box)
    defs = (f'<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
            f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{MUTED}"/></marker></defs>')
    return (f'<svg class="diagram" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="relationship diagram" xmlns="http://www.w3.org/2000/svg">{defs}'
            f'<rect width="100%" height="100%" fill="{GRID}" opacity="0.25"/>{"".join(edges)}{"".join(boxes)}</svg>')
