"""``swap_interval``: An interval whose ``end`` is before its ``start``: the two swapped."""

from __future__ import annotations

from datagen_contracts.text import quote_ident as q

from ..step import Step

OP = "swap_interval"


def sql(step: Step) -> str:
    t, p = q(step.table), step.params
    s, e = q(p["start"]), q(p["end"])
    return (f"SELECT * REPLACE (\n    CASE WHEN {s} > {e} THEN {e} ELSE {s} END AS {s},\n"
            f"    CASE WHEN {s} > {e} THEN {s} ELSE {e} END AS {e}) FROM {t}")


def python(step: Step) -> str:
    p = step.params
    df = f"t[{step.table!r}]"
    s, e = f"pl.col({p['start']!r})", f"pl.col({p['end']!r})"
    return (f"{df}.with_columns(\n        pl.when({s} > {e}).then({e}).otherwise({s}).alias({p['start']!r}),\n"
            f"        pl.when({s} > {e}).then({s}).otherwise({e}).alias({p['end']!r}),\n    )")
