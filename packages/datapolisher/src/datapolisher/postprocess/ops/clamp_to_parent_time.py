"""``clamp_to_parent_time``: A child time before its parent's creation moved to it; the interval ends in ``shift`` move along."""

from __future__ import annotations

from datagen_contracts.text import quote_ident as q

from ..step import Step

OP = "clamp_to_parent_time"


def sql(step: Step) -> str:
    t, p = q(step.table), step.params
    col = q(p["column"]) if "column" in p else ""
    ordered = f"(SELECT *, rowid AS __row FROM {t})"
    late = f"c.{col} < p.__parent_time"
    shifts = "".join(
        f",\n    CASE WHEN {late} THEN c.{q(e)} + (CAST(p.__parent_time AS {p['type']}) - c.{col}) "
        f"ELSE c.{q(e)} END AS {q(e)}" for e in p.get("shift", [])
    )
    return (f"SELECT c.* EXCLUDE (__row) REPLACE (\n"
            f"    CASE WHEN {late} THEN CAST(p.__parent_time AS {p['type']}) ELSE c.{col} END"
            f" AS {col}{shifts})\nFROM {ordered} AS c\n"
            f"LEFT JOIN (SELECT {q(p['parent_column'])} AS __key, {q(p['parent_time'])} AS __parent_time "
            f"FROM {q(p['parent'])}) AS p\n  ON c.{q(p['fk'])} = p.__key\nORDER BY c.__row")


def python(step: Step) -> str:
    p = step.params
    c = f"pl.col({p['column']!r})" if "column" in p else ""
    df = f"t[{step.table!r}]"
    parent = (f"t[{p['parent']!r}].select(pl.col({p['parent_column']!r}).alias('__key'), "
              f"pl.col({p['parent_time']!r}).alias('__parent_time'))")
    late = f"{c} < pl.col('__parent_time')"
    moved = f"pl.col('__parent_time').cast({df}.schema[{p['column']!r}])"
    shifts = "".join(
        f"        .with_columns(pl.when({late}).then(pl.col({e!r}) + ({moved} - {c}))"
        f".otherwise(pl.col({e!r})).alias({e!r}))\n" for e in p.get("shift", [])
    )
    return (f"(\n        {df}.join({parent}, left_on={p['fk']!r}, right_on='__key', how='left', "
            f"maintain_order='left', coalesce=False)\n{shifts}"
            f"        .with_columns(pl.when({late})\n"
            f"                      .then(pl.col('__parent_time').cast({df}.schema[{p['column']!r}]))\n"
            f"                      .otherwise({c}).alias({p['column']!r}))\n"
            f"        .drop('__key', '__parent_time')\n    )")
