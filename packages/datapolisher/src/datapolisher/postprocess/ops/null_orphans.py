"""``null_orphans``: Foreign keys with no parent row set to null."""

from __future__ import annotations

from datagen_contracts.text import quote_ident as q

from ..step import Step

OP = "null_orphans"


def sql(step: Step) -> str:
    t, p = q(step.table), step.params
    col = q(p["column"]) if "column" in p else ""
    parents = f"(SELECT {q(p['parent_column'])} FROM {q(p['parent'])})" if "parent" in p else ""
    return f"SELECT * REPLACE (CASE WHEN {col} IN {parents} THEN {col} END AS {col}) FROM {t}"


def python(step: Step) -> str:
    p = step.params
    c = f"pl.col({p['column']!r})" if "column" in p else ""
    df = f"t[{step.table!r}]"
    parents = f"t[{p.get('parent')!r}].get_column({p.get('parent_column')!r}).implode()"
    return f"{df}.with_columns(pl.when({c}.is_in({parents})).then({c}).alias({p['column']!r}))"
