"""``add_lifetime_value``: A computed ``lifetime_value`` column: the sum of the entity's amounts in a child table."""

from __future__ import annotations

from datagen_contracts.text import quote_ident as q

from ..step import Step

OP = "add_lifetime_value"


def sql(step: Step) -> str:
    t, p = q(step.table), step.params
    ordered = f"(SELECT *, rowid AS __row FROM {t})"
    ch = q(p["child"])
    return (f"SELECT c.* EXCLUDE (__row), coalesce(v.__total, 0.0) AS \"lifetime_value\"\nFROM {ordered} AS c\n"
            f"LEFT JOIN (SELECT {q(p['fk'])} AS __key, round_half_away(sum({q(p['amount'])}), 2) AS __total "
            f"FROM {ch} GROUP BY 1) AS v\n  ON c.{q(p['key'])} = v.__key\nORDER BY c.__row")


def python(step: Step) -> str:
    p = step.params
    df = f"t[{step.table!r}]"
    child = f"t[{p['child']!r}]"
    return (f"(\n        {df}.join(\n            {child}.group_by({p['fk']!r})"
            f".agg(round_half_away(pl.col({p['amount']!r}).sum(), 2)"
            f".alias('lifetime_value')).rename({{{p['fk']!r}: '__key'}}),\n"
            f"            left_on={p['key']!r}, right_on='__key', how='left', maintain_order='left', "
            f"coalesce=False,\n        )\n"
            f"        .with_columns(pl.col('lifetime_value').fill_null(0.0))\n        .drop('__key')\n    )")
