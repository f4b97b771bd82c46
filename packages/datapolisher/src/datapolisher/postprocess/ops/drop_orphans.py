"""``drop_orphans``: Rows whose foreign key (or composite key ``columns``) has no parent row dropped; nulls kept."""

from __future__ import annotations

from datagen_contracts.text import quote_ident as q

from ..step import Step

OP = "drop_orphans"


def sql(step: Step) -> str:
    t, p = q(step.table), step.params
    col = q(p["column"]) if "column" in p else ""
    if "columns" in p:  # a composite FK: the tuple must be a parent key
        cols = ", ".join(map(q, p["columns"]))
        incomplete = " OR ".join(f"{q(c)} IS NULL" for c in p["columns"])
        return (f"SELECT * FROM {t} WHERE {incomplete} OR ({cols}) IN "
                f"(SELECT ({', '.join(map(q, p['parent_columns']))}) FROM {q(p['parent'])})")
    parents = f"(SELECT {q(p['parent_column'])} FROM {q(p['parent'])})" if "parent" in p else ""
    return f"SELECT * FROM {t} WHERE {col} IS NULL OR {col} IN {parents}"


def python(step: Step) -> str:
    p = step.params
    c = f"pl.col({p['column']!r})" if "column" in p else ""
    df = f"t[{step.table!r}]"
    parents = f"t[{p.get('parent')!r}].get_column({p.get('parent_column')!r}).implode()"
    if "columns" in p:  # a composite FK: the tuple must be a parent key
        keys = ", ".join(f"pl.col({pc!r}).cast({df}.schema[{c!r}]).alias({c!r})"
                         for c, pc in zip(p["columns"], p["parent_columns"], strict=True))
        incomplete = " | ".join(f"pl.col({c!r}).is_null()" for c in p["columns"])
        return (f"(\n        {df}.join(t[{p['parent']!r}].select({keys}).unique().with_columns(__found=pl.lit(True)),"
                f" on={list(p['columns'])!r}, how='left', maintain_order='left')\n"
                f"        .filter({incomplete} | pl.col('__found').is_not_null()).drop('__found')\n    )")
    return f"{df}.filter({c}.is_null() | {c}.is_in({parents}))"
