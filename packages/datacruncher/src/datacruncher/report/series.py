"""Curves for the report: retention of entities by the events that reference them, and declared funnels.

For each foreign key from an event table (its own creation time) to an entity table (its creation time), the share
of entities active — at least one event — in each 30-day period of their life, period 0 being their first 30
days. Only entities whose life reaches the end of a period count for it (a customer who signed up last week is
not "inactive" in month 3), and only those created once the events begin (a customer from before the first
recorded event would look inactive in periods nobody recorded). Beyond :data:`SAMPLE_ENTITIES` entities, a
deterministic hashed sample of them is measured (``n`` says how many). One grouped query per pair, in DuckDB; at most :data:`MAX_CURVES` pairs, the largest
event tables first.
"""

from __future__ import annotations

import datetime as dt

from datagen_contracts.report import ColumnProfile, Series
from datagen_contracts.text import quote_ident

from ..model.catalog import Catalog, fetch_one
from ..model.semantic import Model

PERIODS = 12
PERIOD_DAYS = 30
MAX_CURVES = 4
MIN_ENTITIES = 20
#: entities measured per curve at most: beyond, a deterministic hashed sample (the shares move by < 1 point)
SAMPLE_ENTITIES = 50_000


def retention_curves(catalog: Catalog, model: Model) -> list[Series]:
    pairs = []
    for fk in model.foreign_keys:
        child, parent = model.table(fk.child), model.table(fk.parent)
        if child is None or parent is None or fk.child == fk.parent or fk.time_order != "after":
            continue
        child_at, parent_at = child.created_at, parent.created_at
        if not (child_at and parent_at and parent.kind == "entity" and child.rows):
            continue
        pairs.append((child.rows, fk, child, parent, child_at, parent_at))
    pairs.sort(key=lambda p: (-p[0], p[1].label))
    out = []
    for _, fk, child, parent, child_at, parent_at in pairs[:MAX_CURVES]:
        # the declared end of the observation, else the last event (not the data's robust end: it has a margin)
        end = model.ref_end if model.ref_declared and model.ref_end else fetch_one(catalog.con,
            f"SELECT max(CAST({quote_ident(child_at)} AS TIMESTAMP)) FROM {child.sql}")[0]
        if end is None:
            continue
        keep = max(1, min(1000, -(-1000 * SAMPLE_ENTITIES // max(parent.rows, 1))))  # per mille of the entities
        rows = catalog.con.execute(_SQL.format(keep=keep,
            pk=quote_ident(fk.parent_column), created=quote_ident(parent_at), parent=parent.sql,
            fk=quote_ident(fk.child_column), at=quote_ident(child_at), child=child.sql),
            {"end": end if isinstance(end, dt.datetime) else dt.datetime.combine(end, dt.time()),
             "periods": PERIODS, "days": PERIOD_DAYS}).fetchall()
        points = [(int(k), int(n), int(a)) for k, n, a in rows if n >= MIN_ENTITIES]
        if len(points) < 2:
            continue
        out.append(Series(kind="retention", table=child.name, parent=parent.name,
                          title=f"{parent.name} active in {child.name}, by {PERIOD_DAYS}-day period of life",
                          x=[str(k) for k, _, _ in points], y=[round(a / n, 6) for _, n, a in points],
                          n=[n for _, n, _ in points]))
    return out


_SQL = """
WITH e AS (SELECT {pk} AS id, CAST({created} AS TIMESTAMP) AS c FROM {parent} WHERE {created} IS NOT NULL),
first AS (SELECT min(CAST({at} AS TIMESTAMP)) AS t0 FROM {child}),
reach AS (SELECT id, c, least(CAST(floor(epoch($end::TIMESTAMP - c) / (86400 * $days)) AS BIGINT), $periods) AS k_max
          FROM e, first WHERE c <= $end::TIMESTAMP AND c >= first.t0 AND hash(id) % 1000 < {keep}),
eligible AS (SELECT r.k, count(*) AS n FROM reach, range($periods) AS r(k) WHERE r.k < reach.k_max GROUP BY r.k),
act AS (SELECT k, count(DISTINCT id) AS active FROM (
          SELECT reach.id, CAST(floor(epoch(CAST(ev.{at} AS TIMESTAMP) - reach.c) / (86400 * $days)) AS BIGINT) AS k,
                 reach.k_max
          FROM {child} AS ev JOIN reach ON ev.{fk} = reach.id
          WHERE CAST(ev.{at} AS TIMESTAMP) >= reach.c)
        WHERE k < k_max GROUP BY k)
SELECT eligible.k, eligible.n, coalesce(act.active, 0) FROM eligible LEFT JOIN act USING (k) ORDER BY eligible.k
"""


def funnels(catalog: Catalog, model: Model, profiles: list[ColumnProfile]) -> list[Series]:
    """The funnels the DSL schema declares (``stage_config``): each stage's rows, in the declared order, from the
    stage column's counts (the categorical column of the table whose values are the stage names)."""
    out = []
    for node in (catalog.schema or {}).get("nodes") or []:
        config = node.get("stage_config") if isinstance(node, dict) else None
        table = model.table(str(node.get("id"))) if config else None
        if not isinstance(config, dict) or table is None:
            continue
        stages = [str(s.get("stage_name", s.get("name"))) for s in config.get("stages") or [] if isinstance(s, dict)]
        for p in profiles:
            counts = dict(p.top)
            if p.table != table.name or p.kind != "categorical" or not counts or not set(counts) <= set(stages):
                continue
            if sum(counts.values()) != p.rows - p.nulls or len(counts) < 2:
                continue  # not every value is among the top values: the counts would be partial
            n = [int(counts.get(s, 0)) for s in stages]
            out.append(Series(kind="funnel", table=table.name, parent=(node.get("parents") or [None])[0],
                              title=f"{table.name} funnel ({p.column}, as the schema declares it)", x=stages,
                              y=[round(k / n[0], 6) if n[0] else 0.0 for k in n], n=n))
            break
    return out
