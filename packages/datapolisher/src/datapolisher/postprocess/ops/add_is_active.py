"""``add_is_active``: A computed ``is_active`` column: activity within the last 30 days of the data."""

from __future__ import annotations

from datagen_contracts.text import quote_ident as q

from ..step import ACTIVE_DAYS, Step

OP = "add_is_active"


def sql(step: Step) -> str:
    t, p = q(step.table), step.params
    ordered = f"(SELECT *, rowid AS __row FROM {t})"
    if "source" in p:
        src = q(p["source"])
        return (f"SELECT *, coalesce({src} >= (SELECT max({src}) FROM {t}) - INTERVAL {ACTIVE_DAYS} DAY, false) "
                f"AS \"is_active\" FROM {t}")
    ch, tm = q(p["child"]), q(p["time"])
    return (f"SELECT c.* EXCLUDE (__row), coalesce(a.__last >= (SELECT max({tm}) FROM {ch}) - INTERVAL {ACTIVE_DAYS} DAY,"
            f" false) AS \"is_active\"\nFROM {ordered} AS c\n"
            f"LEFT JOIN (SELECT {q(p['fk'])} AS __key, max({tm}) AS __last FROM {ch} GROUP BY 1) AS a\n"
            f"  ON c.{q(p['key'])} = a.__key\nORDER BY c.__row")


def python(step: Step) -> str:
    p = step.params
    df = f"t[{step.table!r}]"
    if "source" in p:
        s = f"pl.col({p['source']!r})"
        return (f"{df}.with_columns(\n        ({s} >= {s}.max() - pl.duration(days={ACTIVE_DAYS}))"
                f".fill_null(False).alias('is_active')\n    )")
    tm = f"pl.col({p['time']!r})"
    child = f"t[{p['child']!r}]"
    return (f"(\n        {df}.join(\n            {child}.group_by({p['fk']!r}).agg({tm}.max().alias('__last'))"
            f".rename({{{p['fk']!r}: '__key'}}),\n"
            f"            left_on={p['key']!r}, right_on='__key', how='left', maintain_order='left', "
            f"coalesce=False,\n        )\n"
            f"        .with_columns((pl.col('__last') >= {child}.get_column({p['time']!r}).max() - "
            f"pl.duration(days={ACTIVE_DAYS})).fill_null(False).alias('is_active'))\n"
            f"        .drop('__key', '__last')\n    )")
