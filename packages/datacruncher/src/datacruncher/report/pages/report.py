"""``crunch_report.json`` as one self-contained HTML page: the verdict first, then every issue with its evidence,
the discovered model as a diagram, each table's columns with small charts, drift as paired charts, and the checks.

No network, no external file, readable without JavaScript (a few lines of script only add "copy" buttons to the
SQL). Everything from the data or the schema — names, values, SQL, messages — is escaped. The page is a pure
function of the report, so the same report gives the same bytes.

>>> from datagen_contracts.report import CrunchReport, DatasetRef, ToolInfo
>>> page = render(CrunchReport(tool=ToolInfo(name="datacruncher", version="0"), analysis_date="2025-01-01T00:00:00Z",
...                            dataset=DatasetRef(path="<script>x</script>", fingerprint="f")))
>>> "<script>x</script>" in page, "&lt;script&gt;x&lt;/script&gt;" in page
(False, True)
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from datagen_contracts.htmlpage import COLORS, page
from datagen_contracts.htmlpage import esc as _e
from datagen_contracts.report import SEVERITIES, ColumnProfile, CrunchReport, DriftResult, Issue

from . import charts
from .diagram import diagram

MAX_PROFILE_TOP = 8


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}%"


def _badge(severity: str) -> str:
    return f'<span class="badge" style="background:{COLORS.get(severity, "#7b8794")}">{_e(severity)}</span>'


def _verdict(r: CrunchReport) -> str:
    gate = r.gate
    state = ("fail", "Gate failed") if gate.triggered else ("pass", "Gate passed" if gate.fail_on else "No gate set")
    tiles = [f'<div class="tile {state[0]}"><b>{_e(state[1])}</b><span>{_e(gate.reason or "")}</span></div>',
             f'<div class="tile"><b>{r.quality_score:.1f}</b><span>quality score / 100</span></div>']
    for sev in SEVERITIES:
        n = getattr(r.summary, sev)
        tiles.append(f'<div class="tile" style="border-left:4px solid {COLORS[sev]}"><b>{n}</b>'
                     f"<span>{_e(sev)} issues</span></div>")
    c = r.checks
    tiles.append(f'<div class="tile"><b>{c.passed}/{c.evaluated}</b><span>checks passed · {c.failed} failed · '
                 f"{c.errored} errors · {c.skipped} skipped</span></div>")
    m = r.metrics
    facts = [("tables", f"{m.tables_analyzed:,}"), ("rows", f"{m.total_rows:,}"), ("FK integrity", _pct(m.fk_integrity)),
             ("null cells", _pct(m.null_rate)), ("duplicate rows", _pct(m.duplicate_rate)),
             ("before parent", _pct(m.temporal_violations))]
    row = "".join(f"<th>{_e(k)}</th>" for k, _ in facts) + "</tr><tr>" + "".join(f"<td>{_e(v)}</td>" for _, v in facts)
    return (f'<section class="card" id="summary"><h2>Verdict</h2><div class="verdict">{"".join(tiles)}</div>'
            f'<h3>Dataset metrics</h3><table class="grid"><tr>{row}</tr></table></section>')


def _issue(i: int, issue: Issue) -> str:
    where = ".".join(x for x in (issue.table, issue.column) if x) or "dataset"
    m = issue.measure
    measured = [f"{_e(m.metric)} = {_e(_fmt(m.value))}"]
    if m.threshold is not None:
        measured.append(f"threshold {_e(_fmt(m.threshold))}")
    if m.failed_row_count is not None:
        total = f" of {m.row_count:,}" if m.row_count is not None else ""
        measured.append(f"{m.failed_row_count:,}{total} rows affected")
    parts = [f'<div class="issue" id="issue-{i}" style="border-left-color:{COLORS.get(issue.severity)}">'
             f"<h3>{_badge(issue.severity)} <code>{_e(issue.rule_id)}</code></h3>"
             f'<div class="where">{_e(where)} · {_e(issue.category)} · {_e(issue.persona)} · '
             f"{_e(issue.provenance)}</div><p>{_e(issue.finding)}</p>"
             f'<p class="muted">{" · ".join(measured)}</p>']
    if issue.llm is not None:
        parts.append(f'<p class="muted">Proposed by the model <code>{_e(issue.llm.model)}</code> (prompt sha256 '
                     f'<code>{_e(issue.llm.prompt_sha256[:12])}</code>'
                     + (f", asked for {_e(issue.llm.proposed_severity)}" if issue.llm.proposed_severity else "")
                     + "); confirmed by re-running its SQL here.</p>")
    if issue.sample_keys:
        parts.append('<p class="samples">Samples: ' + "".join(f"<code>{_e(_fmt(v))}</code>" for v in issue.sample_keys)
                     + "</p>")
    if issue.recommendation:
        parts.append(f"<p><b>What to do:</b> {_e(issue.recommendation)}</p>")
    if issue.fix.path != "none":
        parts.append(f'<p class="muted">Fix: {_e(issue.fix.path)} → <code>{_e(issue.fix.action)}</code></p>')
    if issue.sql:
        parts.append(f'<button class="copy" type="button" data-target="sql-{i}">Copy SQL</button>'
                     f'<pre id="sql-{i}"><code>{_e(issue.sql.strip())}</code></pre>')
    parts.append("</div>")
    return "".join(parts)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, list):
        return "(" + ", ".join(_fmt(x) for x in v) + ")"
    return str(v)


def _issues(r: CrunchReport) -> str:
    if not r.issues:
        return '<section class="card" id="issues"><h2>Issues</h2><p>No issues.</p></section>'
    body = "".join(_issue(i, issue) for i, issue in enumerate(r.issues))
    return f'<section class="card" id="issues"><h2>Issues ({len(r.issues)})</h2>{body}</section>'


def _model(r: CrunchReport, anchors: dict[str, str]) -> str:
    fks = []
    for fk in r.model.foreign_keys:
        cols = ", ".join(fk.from_columns or [fk.from_column])
        to = ", ".join(fk.to_columns or [fk.to_column])
        orphans = "" if fk.orphan_rows is None else f"{fk.orphan_rows:,}"
        why = "; ".join(fk.evidence.reasons) if fk.evidence else ""
        fks.append(f"<tr><td>{_e(fk.from_table)}.{_e(cols)}</td><td>{_e(fk.to_table)}.{_e(to)}</td>"
                   f'<td class="num">{fk.coverage:.2%}</td><td class="num">{orphans}</td><td>{_e(fk.source)}</td>'
                   f'<td class="muted">{_e(why)}</td></tr>')
    table = ('<table class="grid"><tr><th>from</th><th>to</th><th>values found</th><th>orphan rows</th>'
             f'<th>source</th><th>evidence</th></tr>{"".join(fks)}</table>') if fks else "<p>No foreign keys.</p>"
    return (f'<section class="card" id="model"><h2>Discovered model ({len(r.model.tables)} tables, '
            f'{len(r.model.foreign_keys)} foreign keys)</h2><div class="diagram-wrap">{diagram(r.model, anchors)}'
            f"</div><h3>Foreign keys</h3>{table}</section>")


def _column_row(p: ColumnProfile, col_type: str, roles: list[str]) -> str:
    share = p.nulls / p.rows if p.rows else 0.0
    if p.kind in ("numeric", "temporal") and p.quantiles:
        chart = charts.histogram(p.quantiles, temporal=p.kind == "temporal", label=f"{p.column} distribution")
        q = p.quantiles
        if p.kind == "temporal":
            text = f"{charts.when(q[0])} → {charts.when(q[-1])}"
            if p.months:  # the creation column: coverage by month and the weekly rhythm
                chart = (charts.months(p.months, label=f"{p.column}: rows per month")
                         + charts.heatmap(p.week_hours, label=f"{p.column}: rows by weekday and hour"))
                text += f" · {len(p.months)} months"
        else:
            text = f"min {_fmt(q[0])} · median {_fmt(q[len(q) // 2])} · max {_fmt(q[-1])}"
            if p.mean is not None:
                text += f" · mean {_fmt(p.mean)}"
    elif p.kind == "categorical" and p.top:
        chart = charts.bars(p.top[:MAX_PROFILE_TOP], total=p.rows - p.nulls, label=f"{p.column} top values")
        text = f"{len(p.top)} most frequent shown" if p.distinct is None else f"{p.distinct:,} distinct"
    else:
        chart, text = "", ""
    distinct = "" if p.distinct is None else f"{p.distinct:,}"
    return (f"<tr><td><b>{_e(p.column)}</b><div class=\"muted\">{_e(col_type)} · {_e(p.kind)}"
            f"{(' · ' + _e(', '.join(roles))) if roles else ''}</div></td>"
            f"<td>{charts.share_bar(share)}<div class=\"muted\">{share:.1%} null</div></td>"
            f'<td class="num">{distinct}</td><td>{chart}<div class="muted">{_e(text)}</div></td></tr>')


def _profiles(r: CrunchReport, anchors: dict[str, str]) -> str:
    by_table: dict[str, list[ColumnProfile]] = defaultdict(list)
    for p in r.profiles:
        by_table[p.table].append(p)
    parts = []
    for t in r.model.tables:
        cols = {c.name: c for c in t.columns}
        rows = "".join(_column_row(p, cols[p.column].type if p.column in cols else "", cols[p.column].roles
                                   if p.column in cols else []) for p in by_table.get(t.name, []))
        key = t.primary_key or (", ".join(t.composite_key) if t.composite_key else "none")
        created = f" · created at <code>{_e(t.created_at_column)}</code>" if t.created_at_column else ""
        table = ('<table class="grid"><tr><th>column</th><th>nulls</th><th>distinct</th><th>shape</th></tr>'
                 f"{rows}</table>") if rows else '<p class="muted">No column profiles.</p>'
        parts.append(f'<details id="{anchors[t.name]}" open><summary>{_e(t.name)} <span class="muted">'
                     f"{t.rows:,} rows · {_e(t.kind)} · key {_e(key)}</span></summary>"
                     f'<p class="muted">{len(t.columns)} columns{created}</p>{table}</details>')
    return f'<section class="card" id="profiles"><h2>Tables and columns</h2>{"".join(parts)}</section>'


def _drift_chart(d: DriftResult) -> str:
    exp, obs = d.expected, d.observed
    if isinstance(exp, dict) and isinstance(obs, dict) and isinstance(exp.get("quantiles"), list) \
            and isinstance(obs.get("quantiles"), list):  # a numeric column against its baseline: two histograms
        both = [q for q in exp["quantiles"] + obs["quantiles"] if isinstance(q, int | float)]
        domain = (min(both), max(both)) if both else None
        return ('<div class="muted">baseline</div>'
                + charts.histogram(exp["quantiles"], label="baseline distribution", domain=domain)
                + '<div class="muted">now</div>'
                + charts.histogram(obs["quantiles"], label="current distribution", domain=domain))
    if isinstance(exp, dict) and isinstance(obs, dict) and exp and all(isinstance(v, int | float) for v in exp.values()):
        keys = sorted(set(exp) | {k for k, v in obs.items() if isinstance(v, int | float)},
                      key=lambda k: -float(exp.get(k, obs.get(k, 0)) or 0))[:10]
        rows = [(str(k), float(exp.get(k, 0) or 0), float(obs.get(k, 0) or 0)) for k in keys]
        versus = "baseline against now" if d.kind == "baseline" else "declared against observed"
        return charts.paired_bars(rows, label=f"{d.table}.{d.column}: {versus}")
    if isinstance(obs, dict) and isinstance(obs.get("months"), list) and isinstance(obs.get("values"), list):
        points = [(str(m)[:7], float(v)) for m, v in zip(obs["months"], obs["values"], strict=False)]
        return charts.line(points, label=f"{d.table} monthly series")
    if isinstance(exp, int | float) and isinstance(obs, int | float):
        return charts.paired_bars([(d.metric, float(exp), float(obs))], label=f"{d.metric}: expected against observed")
    return ""


def _drift(r: CrunchReport) -> str:
    if not r.drift:
        return ""
    order = {"drift": 0, "error": 1, "ok": 2, "skipped": 3}
    rows = []
    for d in sorted(r.drift, key=lambda d: (order.get(d.status, 9), d.kind)):
        where = ".".join(x for x in (d.table, d.column) if x)
        color = {"drift": COLORS["high"], "error": COLORS["critical"]}.get(d.status, "#7b8794")
        rows.append(f'<tr><td><span class="badge" style="background:{color}">{_e(d.status)}</span></td>'
                    f"<td>{_e(d.kind)}</td><td><code>{_e(d.metric)}</code></td><td>{_e(where)}</td>"
                    f"<td>{_e(d.message)}</td><td>{_drift_chart(d) if d.status != 'skipped' else ''}</td></tr>")
    counts: defaultdict[str, int] = defaultdict(int)
    for d in r.drift:
        counts[d.status] += 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items(), key=lambda kv: order.get(kv[0], 9)))
    return (f'<section class="card" id="drift"><h2>Drift ({_e(summary)})</h2><table class="grid"><tr><th>status</th>'
            f"<th>against</th><th>metric</th><th>where</th><th>finding</th><th>declared / observed</th></tr>"
            f'{"".join(rows)}</table></section>')


def _series(r: CrunchReport) -> str:
    if not r.series:
        return ""
    parts = []
    for s in r.series:
        if s.kind == "funnel":
            bars = charts.bars(list(zip(s.x, s.n, strict=False)), total=s.n[0] if s.n else None, label=s.title)
            detail = " → ".join(f"{x} {n:,} ({y:.0%})" for x, n, y in zip(s.x, s.n, s.y, strict=False))
            parts.append(f"<h3>{_e(s.title)}</h3>{bars}<p class=\"muted\">{_e(detail)}</p>")
            continue
        points = [(f"{x}", y) for x, y in zip(s.x, s.y, strict=False)]
        chart = charts.line(points, label=s.title or f"{s.kind} of {s.table}", percent=True)
        detail = ", ".join(f"{x}: {y:.0%}" for x, y in points)
        parts.append(f"<h3>{_e(s.title or s.kind)}</h3>{chart}<p class=\"muted\">{_e(detail)} (entities measured: "
                     f"{_e(', '.join(str(n) for n in s.n))})</p>")
    return f'<section class="card" id="behaviour"><h2>Behaviour over time</h2>{"".join(parts)}</section>'


def _checks(r: CrunchReport) -> str:
    notable = [c for c in r.checks.results if c.status in ("failed", "error")]
    rows = "".join(f"<tr><td>{_e(c.status)}</td><td><code>{_e(c.rule_id)}</code></td><td>{_e(c.persona)}</td>"
                   f"<td>{_e('.'.join(x for x in (c.table, c.column) if x))}</td><td>{_e(c.reason or '')}</td></tr>"
                   for c in notable)
    table = (f'<table class="grid"><tr><th>status</th><th>check</th><th>persona</th><th>where</th><th>reason</th></tr>'
             f"{rows}</table>") if rows else "<p>Every check that ran passed.</p>"
    return (f'<section class="card" id="checks"><h2>Checks</h2><p>{r.checks.evaluated} evaluated by '
            f'{_e(", ".join(r.personas) or "no persona")}.</p>{table}</section>')


def _agents(r: CrunchReport) -> str:
    if not r.agents:
        return ""
    rows = []
    for a in r.agents:
        verdicts = "".join(f"<li>{_e(p.status)}: {_e(p.title)}" + (f" — {_e(p.reason)}" if p.reason else "") + "</li>"
                           for p in a.proposals)
        rows.append(f"<tr><td>{_e(a.persona)}</td><td><code>{_e(a.model)}</code></td><td>{a.calls} ({a.cached_calls} "
                    f"cached)</td><td>{a.tokens:,}</td><td>{a.queries} ({a.refused_queries} refused)</td>"
                    f"<td>{_e(a.stopped)}</td><td><ul>{verdicts}</ul></td></tr>")
    return ('<section class="card" id="agents"><h2>Persona agents</h2><p>Only proposals whose SQL re-ran here with '
            'offending rows became issues.</p><table class="grid"><tr><th>persona</th><th>model</th><th>calls</th>'
            '<th>tokens</th><th>queries</th><th>stopped</th><th>proposals</th></tr>' + "".join(rows)
            + "</table></section>")


def render(report: CrunchReport) -> str:
    """The page (a str of HTML)."""
    anchors = {t.name: f"table-{i}" for i, t in enumerate(report.model.tables)}
    nav = [(a, t) for a, t in (("summary", "Verdict"), ("issues", "Issues"), ("model", "Model"),
                               ("profiles", "Tables"), ("drift", "Drift"), ("checks", "Checks"))
           if (a != "drift" or report.drift)]
    if report.series:
        nav.insert(4, ("behaviour", "Behaviour"))
    if report.agents:
        nav.append(("agents", "Agents"))
    context = (f"{report.tool.name} {report.tool.version} · analysed {report.analysis_date} · {report.dataset.files} "
               f"files · fingerprint {report.dataset.fingerprint[:12]}"
               + (f" · schema {report.schema_used}" if report.schema_used else ""))
    return page(f"Crunch report — {report.dataset.path}", context, nav,
                [_verdict(report), _issues(report), _model(report, anchors), _profiles(report, anchors),
                 _series(report), _drift(report), _checks(report), _agents(report)])
