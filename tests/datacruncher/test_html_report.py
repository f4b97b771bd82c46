"""The crunch report as one HTML page: every part present, links resolve, charts drawn, hostile text escaped,
deterministic, small — checked by parsing the page (the browser test is tests/e2e/test_html_browser.py)."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner

from datacruncher.cli import main
from datacruncher.crunch import crunch
from datacruncher.report.pages import render_report
from datagen_contracts.report import dump_report

from .conftest import shop, write

HOSTILE_TABLE = 'order"<svg onload=alert(1)>'  # a file name: no slash
HOSTILE_COLUMN = "note</td><img src=x onerror=alert(2)>\u202e"
HOSTILE_VALUE = "<script>alert('value')</script>"


class Page(HTMLParser):
    """Ids, in-page links, element counts and script blocks of a page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.links: list[str] = []
        self.tags: dict[str, int] = {}
        self.scripts = 0
        self.attrs_with_on: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for k, v in attrs:
            if k == "id" and v:
                self.ids.append(v)
            if k == "href" and v:
                self.links.append(v)
            if k.startswith("on"):
                self.attrs_with_on.append(k)
        if tag == "script":
            self.scripts += 1


def _dataset(tmp_path: Path) -> Path:
    data = shop(tmp_path / "shop", users=300, orders=1500, orphans=7, dup_rows=3, negatives=4, variants=5)
    n = 200
    write(data, HOSTILE_TABLE, {"id": list(range(n)), HOSTILE_COLUMN: [HOSTILE_VALUE if i % 3 else "ok" for i in range(n)],
                                "amount": [float(i % 17) for i in range(n)],
                                "at": [dt.datetime(2024, 1, 1) + dt.timedelta(hours=i) for i in range(n)]})
    return data


def test_every_part_of_the_page(tmp_path: Path) -> None:
    report = crunch(_dataset(tmp_path), personas="Data Engineer,CFO")
    html = render_report(report)
    page = Page(html)
    assert len(page.ids) == len(set(page.ids))
    missing = [h for h in page.links if h.startswith("#") and h[1:] not in page.ids]
    assert missing == [] and len([h for h in page.links if h.startswith("#")]) > 5
    assert not [h for h in page.links if not h.startswith("#")]  # no network, no other file
    assert page.scripts == 1 and page.attrs_with_on == []  # our copy-button script only; no inline handlers
    for section in ("summary", "issues", "model", "profiles", "checks"):
        assert section in page.ids
    # one issue block per issue, each with its SQL and a copy button
    assert html.count('class="issue"') == len(report.issues) > 0
    assert html.count('class="copy"') == sum(1 for i in report.issues if i.sql)
    # the diagram draws every table and every foreign key; profiles draw a chart per column with a shape
    assert html.count('class="table"') == len(report.model.tables)
    assert html.count('class="fk"') == len(report.model.foreign_keys) > 0
    shaped = sum(1 for p in report.profiles if (p.kind in ("numeric", "temporal") and p.quantiles)
                 or (p.kind == "categorical" and p.top))
    assert html.count('aria-label="') >= shaped + len(report.profiles)  # a chart and a null bar each
    for sev in ("critical", "high", "medium", "low"):
        assert f"<b>{getattr(report.summary, sev)}</b><span>{sev} issues</span>" in html


def test_hostile_names_and_values_render_as_text(tmp_path: Path) -> None:
    html = render_report(crunch(_dataset(tmp_path), personas="Data Engineer"))
    for raw in (HOSTILE_VALUE, "<svg onload=alert(1)>", "<img src=x onerror=alert(2)>"):
        assert raw not in html
    assert "order&quot;&lt;svg onload=alert(1)&gt;" in html  # the table's name, shown as text
    assert "&lt;script&gt;alert(&#x27;value" in html  # the value, among the column's top values
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert len(re.findall(r"<script>", html)) == 1
    page = Page(html)
    assert page.attrs_with_on == [] and page.tags.get("img", 0) == 0


def test_same_report_same_bytes_and_small(tmp_path: Path) -> None:
    report = crunch(_dataset(tmp_path), personas="Data Engineer")
    assert render_report(report) == render_report(report)
    assert len(render_report(report).encode()) < 2_000_000


def test_cli_report_and_crunch_html(tmp_path: Path) -> None:
    data = _dataset(tmp_path)
    report = crunch(data, personas="Data Engineer")
    dump_report(report, tmp_path / "crunch_report.json")
    out = tmp_path / "page.html"
    res = CliRunner().invoke(main, ["report", str(tmp_path / "crunch_report.json"), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_text() == render_report(report)
    res = CliRunner().invoke(main, ["crunch", str(data), "--personas", "Data Engineer", "-o",
                                    str(tmp_path / "r2.json"), "--html", str(tmp_path / "r2.html")])
    assert res.exit_code in (0, 1), res.output
    assert (tmp_path / "r2.html").read_text().startswith("<!DOCTYPE html>")
    bad = CliRunner().invoke(main, ["report", str(tmp_path / "missing.json")])
    assert bad.exit_code == 2 and "not found" in bad.output
    inside = CliRunner().invoke(main, ["crunch", str(data), "--html", str(data / "page.html")])
    assert inside.exit_code == 2 and "inside the dataset" in inside.output


def test_creation_columns_carry_months_and_the_weekly_rhythm(tmp_path: Path) -> None:
    from collections import Counter

    times = [dt.datetime(2024, 1, 1, 3) + dt.timedelta(hours=7 * i) for i in range(500)]
    write(tmp_path / "d", "events", {"event_id": list(range(500)), "created_at": times})
    report = crunch(tmp_path / "d", personas="Data Engineer")
    (p,) = [p for p in report.profiles if p.column == "created_at"]
    assert p.months == sorted(Counter(t.strftime("%Y-%m") for t in times).items())
    cells = Counter((t.isoweekday(), t.hour) for t in times)
    assert p.week_hours == [[cells[(d, h)] for h in range(24)] for d in range(1, 8)]
    html = render_report(report)
    assert 'aria-label="created_at: rows per month"' in html and 'aria-label="created_at: rows by weekday and hour"' in html
    # a date column has no hours: months only
    write(tmp_path / "e", "days", {"day_id": list(range(60)), "created_on": [dt.date(2024, 1, 1) + dt.timedelta(days=i)
                                                                           for i in range(60)]})
    (q,) = [p for p in crunch(tmp_path / "e", personas="Data Engineer").profiles if p.column == "created_on"]
    assert q.months == [("2024-01", 31), ("2024-02", 29)] and q.week_hours == []


def test_baseline_drift_is_drawn_side_by_side(tmp_path: Path) -> None:
    n = 400
    write(tmp_path / "then", "accounts", {"account_id": list(range(n)), "plan": ["pro" if i % 4 else "free" for i in range(n)],
                                          "mrr": [10.0 + i % 50 for i in range(n)]})
    write(tmp_path / "now", "accounts", {"account_id": list(range(n)), "plan": ["pro" if i % 2 else "free" for i in range(n)],
                                         "mrr": [40.0 + i % 80 for i in range(n)]})
    report = crunch(tmp_path / "now", personas="Data Engineer", baseline=tmp_path / "then")
    psi = next(d for d in report.drift if d.kind == "baseline" and d.metric == "psi")
    assert psi.status == "drift" and psi.expected == {"pro": 0.75, "free": 0.25} and psi.observed == {"pro": 0.5, "free": 0.5}
    moved = next(d for d in report.drift if d.kind == "baseline" and d.metric == "wasserstein")
    assert moved.expected["median"] < moved.observed["median"] and len(moved.expected["quantiles"]) == 21
    html = render_report(report)
    assert 'aria-label="accounts.plan: baseline against now"' in html
    assert html.count('aria-label="baseline distribution"') == html.count('aria-label="current distribution"') >= 1


def test_retention_curve_by_period_of_life(tmp_path: Path) -> None:
    start = dt.datetime(2024, 1, 1)
    created = [start + dt.timedelta(days=i) for i in range(40)]
    events = [(i, c + dt.timedelta(days=30 * k + 1, hours=3)) for i, c in enumerate(created) for k in range(8)
              if (i + k) % 3]
    write(tmp_path / "d", "customer", {"customer_id": list(range(40)), "signed_up_at": created})
    write(tmp_path / "d", "order", {"order_id": list(range(len(events))), "customer_id": [e[0] for e in events],
                                    "ordered_at": [e[1] for e in events]})
    assert crunch(tmp_path / "d", personas="Data Engineer").series == []  # no persona reading retention ran
    report = crunch(tmp_path / "d", personas="Data Engineer,VP Growth")
    (s,) = report.series
    assert (s.kind, s.table, s.parent) == ("retention", "order", "customer")
    end = max(e[1] for e in events)
    period = dt.timedelta(days=30)
    want = []
    for k in range(12):
        eligible = [i for i, c in enumerate(created) if c >= min(e[1] for e in events)
                    and min(int((end - c) / period), 12) > k]
        if len(eligible) < 20:
            continue
        active = {i for i, t in events if i in eligible and int((t - created[i]) / period) == k}
        want.append((str(k), len(eligible), round(len(active) / len(eligible), 6)))
    assert list(zip(s.x, s.n, s.y, strict=True)) == want and len(want) >= 4
    html = render_report(report)
    assert 'id="behaviour"' in html and '<a href="#behaviour">' in html and html.count(f'aria-label="{s.title}"') == 1


def test_a_declared_funnel_in_its_declared_order(tmp_path: Path) -> None:
    import json

    schema = {"version": "1.0", "metadata": {"name": "f"},
              "timeframe": {"start": "2024-01-01T00:00:00Z", "end": "2024-12-31T23:59:59Z"},
              "nodes": [{"id": "account", "rows": 100, "pk": "account_id", "columns": [
                            {"name": "account_id", "type": "int", "generator": {"sequence": {}}}]},
                        {"id": "step", "kind": "fact", "parents": ["account"], "pk": "step_id",
                         "stage_config": {"stages": [{"stage_name": "visit", "transition_rate": 0.6},
                                                     {"stage_name": "signup", "transition_rate": 0.4},
                                                     {"stage_name": "paid", "transition_rate": 1.0}]},
                         "columns": [{"name": "step_id", "type": "int", "generator": {"sequence": {}}},
                                     {"name": "account_id", "type": "int",
                                      "generator": {"lookup": {"from": "account.account_id"}}},
                                     {"name": "stage", "type": "string", "generator": {"choice": {"choices": ["x"]}}}]}]}
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    reached = [(a, s) for a in range(100) for s in ("visit", "signup", "paid")[:1 + (a < 60) + (a < 25)]]
    write(tmp_path / "d", "account", {"account_id": list(range(100))})
    write(tmp_path / "d", "step", {"step_id": list(range(len(reached))), "account_id": [r[0] for r in reached],
                                   "stage": [r[1] for r in reached]})
    report = crunch(tmp_path / "d", schema=tmp_path / "schema.json", personas="Data Engineer")
    (f,) = [s for s in report.series if s.kind == "funnel"]
    assert (f.table, f.parent, f.x, f.n, f.y) == ("step", "account", ["visit", "signup", "paid"], [100, 60, 25],
                                                 [1.0, 0.6, 0.25])
    assert "visit 100 (100%) → signup 60 (60%) → paid 25 (25%)" in render_report(report)
