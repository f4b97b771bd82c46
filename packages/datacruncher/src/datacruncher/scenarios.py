"""Scenario checks: the expectations a ``.metadata.json`` scenario declares, verified on the data.

Understood kinds (params):

- ``trend`` {table, column?, time?, direction: up|down|flat, min_change? = 0.05}: the second half of the window
  against the first half — the sum of ``column`` (or the row count) per half, by ``time`` (default: the
  table's creation column). ``flat`` means |change| < min_change.
- ``row_count`` {table, min?, max?}
- ``mean_in_range`` {table, column, min?, max?}
- ``share`` {table, column, value, min?, max?}: the share of rows where column = value.

Any other kind is reported as *skipped* with the reason, never as met.
"""

from __future__ import annotations

from typing import Any

from datagen_contracts.report import DriftResult

from .catalog import Catalog
from .identifiers import quote_ident, quote_literal
from .model import Model


def _bounds(value: float, params: dict[str, Any]) -> bool:
    lo, hi = params.get("min"), params.get("max")
    return (lo is None or value >= float(lo)) and (hi is None or value <= float(hi))


def _measure(cat: Catalog, model: Model, kind: str, p: dict[str, Any]) -> tuple[float, bool, str]:
    table = model.table(str(p.get("table")))
    if table is None:
        raise LookupError(f"table {p.get('table')!r} not in the dataset")
    column = p.get("column")
    if column is not None and table.column(column) is None:
        raise LookupError(f"column {table.name}.{column} not in the dataset")
    t = table.sql
    if kind == "row_count":
        return float(table.rows), _bounds(table.rows, p), f"{table.name} has {table.rows} rows"
    if kind == "mean_in_range":
        mean = cat.scalar(f"SELECT avg({quote_ident(column)}::DOUBLE) FROM {t}")
        return float(mean), _bounds(mean, p), f"mean of {table.name}.{column} is {mean:.4g}"
    if kind == "share":
        share = cat.scalar(f"SELECT avg(CASE WHEN {quote_ident(column)} = {quote_literal(p.get('value'))} THEN 1.0 "
                           f"ELSE 0.0 END) FROM {t}")
        return float(share), _bounds(share, p), f"{share:.1%} of {table.name} rows have {column} = {p.get('value')}"
    time = p.get("time") or table.created_at
    if time is None or table.column(time) is None:
        raise LookupError(f"no time column for the trend on {table.name}")
    ts, amount = f"CAST({quote_ident(time)} AS TIMESTAMP)", quote_ident(column) if column else "1"
    end = quote_literal(model.ref_end) + "::TIMESTAMP" if model.ref_end else f"(SELECT max({ts}) FROM {t})"
    first, second = cat.con.execute(
        f"WITH w AS (SELECT min({ts}) AS lo, {end} AS hi FROM {t}) "
        f"SELECT sum({amount}) FILTER (WHERE {ts} < lo + (hi - lo) / 2), "
        f"sum({amount}) FILTER (WHERE {ts} >= lo + (hi - lo) / 2 AND {ts} <= hi) FROM {t}, w"
    ).fetchone()
    change = (float(second or 0) / float(first) - 1) if first else 0.0
    floor = float(p.get("min_change", 0.05))
    direction = str(p.get("direction", "up"))
    met = {"up": change >= floor, "down": change <= -floor, "flat": abs(change) < floor}.get(direction, False)
    return change, met, f"{column or 'rows'} of {table.name} changed by {change:+.1%} (expected {direction})"


def scenario_checks(cat: Catalog, model: Model) -> list[DriftResult]:
    meta = cat.metadata
    if meta is None or meta.scenario is None:
        return []
    out = []
    for e in meta.scenario.expectations:
        base = {"kind": "scenario", "metric": e.kind, "table": e.params.get("table"), "column": e.params.get("column"),
                "expected": e.params}
        if e.kind not in ("trend", "row_count", "mean_in_range", "share"):
            out.append(DriftResult(**base, status="skipped", message=f"{e.id}: expectation kind {e.kind!r} is not "
                                   "verified by this datacruncher version"))
            continue
        try:
            value, met, what = _measure(cat, model, e.kind, e.params)
        except (LookupError, TypeError, ValueError) as exc:
            out.append(DriftResult(**base, status="error", message=f"{e.id}: {exc}"))
            continue
        verdict = "holds" if met else "does NOT hold"
        out.append(DriftResult(**base, status="ok" if met else "drift", observed=round(value, 6), value=round(value, 6),
                               message=f"scenario {meta.scenario.name!r} expectation {e.id} {verdict}: {what}"))
    return out
