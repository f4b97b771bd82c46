"""Bindings: what a check runs *over* — each turns the model into the contexts a check is evaluated in.

A check names its binding with ``over:`` and the roles it needs with ``roles:`` (``money``, or ``event.money`` for
a side of a two-table binding). Each context fills the SQL placeholders with quoted identifiers (``{table}``,
``{column}``…, one per bound role: ``{money}``, ``{event_created_at}``). When no context exists the check is
*skipped* with the reason. ``BINDINGS`` is the registry: name → (function, static placeholder names).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from datagen_contracts.paths import did_you_mean
from datagen_contracts.text import quote_ident, quote_literal

from ..model.activity import not_activity
from ..model.roles import tokens
from ..model.semantic import Column, ForeignKey, Model, Table

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
COMMON = ("ref_end", "ref_start", "ref_declared", "sample_limit")
TYPE_GROUPS = {
    "numeric": ("integer", "float", "decimal"),
    "temporal": ("date", "timestamp"),
}


class Skip(Exception):
    """No context for this check; the message is the reason it is skipped."""


@dataclass
class Context:
    key: str  # the target, e.g. "orders.customer_id -> customers.id"
    table: str | None = None
    column: str | None = None
    names: dict[str, str] = field(default_factory=dict)  # placeholder -> raw name (for text)
    exprs: dict[str, str] = field(default_factory=dict)  # placeholder -> SQL expression, already quoted

    @property
    def sql(self) -> dict[str, str]:
        return {**{k: quote_ident(v) for k, v in self.names.items()}, **self.exprs}


def _first(table: Table, role: str) -> Column | None:
    cols = table.with_role(role)
    return cols[0] if cols else None


def _bind_roles(check: Any, sides: dict[str, Table]) -> dict[str, str] | None:
    """Placeholder → column name for every required role, or None when one is missing."""
    out = {}
    default_side = next(iter(sides))
    for role in check.roles:
        side, _, name = role.rpartition(".")
        side = side or default_side
        table = sides.get(side)
        col = _first(table, name) if table else None
        if col is None:
            return None
        out[f"{side}_{name}" if "." in role else name] = col.name
    return out


def _kind_ok(check: Any, table: Table) -> bool:
    return not check.kinds or table.kind in check.kinds or ("touchpoint" in check.kinds and table.touchpoint)


def over_dataset(model: Model, check: Any) -> list[Context]:
    return [Context(key="dataset")]


def over_table(model: Model, check: Any) -> list[Context]:
    out = []
    for t in model.tables.values():
        roles = _bind_roles(check, {"table": t})
        if roles is None or not _kind_ok(check, t) or not t.columns:
            continue
        names = {"table": t.name, **roles}
        ctx = Context(key=t.name, table=t.name, names=names)
        ctx.exprs["dup_scope"] = _dup_scope(t)
        ctx.exprs["header_match"] = _header_match(t)
        out.append(ctx)
    if not out:
        raise Skip(_why(check, "no table"))
    return out


def _header_match(t: Table) -> str:
    """``{header_match}``: a row whose every text column holds that column's own name — the header line of a CSV
    file repeated among its rows (files concatenated with their headers). FALSE with fewer than two text columns,
    where one value equal to its column's name proves nothing."""
    text = [c for c in t.columns if c.type == "VARCHAR"]
    if len(text) < 2:
        return "FALSE"
    return "(" + " AND ".join(f"{c.sql} = {quote_literal(c.name)}" for c in text) + ")"


def _dup_scope(t: Table) -> str:
    """``{dup_scope}``: the rows of ``t`` that can have an identical twin. Identical rows share their key, so with
    a single-column key only the rows whose key repeats (or is NULL, since NULLs group together) can — the same
    exact duplicate count as grouping the whole table, from a much smaller group; a composite key works alike
    (its columns are complete) and groups two or three narrow columns instead of hashing every one. Without a key, identical rows
    share their hash (NULLs hash alike): only rows whose hash repeats can be twins, and a collision only adds a
    candidate, so the count stays exact while the wide GROUP BY ALL sees a handful of rows instead of all."""
    if not t.key_sql:
        h = "hash(" + ", ".join(c.sql for c in t.columns) + ")"
        return f"(SELECT * FROM {t.sql} WHERE {h} IN (SELECT {h} FROM {t.sql} GROUP BY 1 HAVING count(*) > 1))"
    k = t.key_sql  # a column, or the row of a composite key (complete by construction: never NULL)
    return (f"(SELECT * FROM {t.sql} WHERE {k} IS NULL OR {k} IN "
            f"(SELECT {k} FROM {t.sql} GROUP BY 1 HAVING count(*) > 1))")


def over_pk(model: Model, check: Any) -> list[Context]:
    out = []
    for t in model.tables.values():
        label = t.key_label
        if t.key_sql and label and _kind_ok(check, t):
            ctx = Context(key=f"{t.name}.{label}" if t.primary_key else f"{t.name}.({label})",
                          table=t.name, column=t.primary_key, names={"table": t.name, "pk": label})
            ctx.exprs["pk"] = t.key_sql
            out.append(ctx)
    if not out:
        raise Skip("no table has a primary key (declared or discovered, single or composite)")
    return out


def over_column(model: Model, check: Any) -> list[Context]:
    kinds = {k for ty in check.types for k in TYPE_GROUPS.get(ty, (ty,))}
    out = []
    for t in model.tables.values():
        if not _kind_ok(check, t):
            continue
        for c in t.columns:
            if check.roles and not set(check.roles) & set(c.roles):
                continue
            if set(check.exclude_roles) & set(c.roles):
                continue
            if kinds and c.kind not in kinds:
                continue
            if check.declared_not_null and c.nullable is not False:
                continue
            if check.undeclared_nullability and c.nullable is not None:
                continue
            names = {"table": t.name, "column": c.name}
            if t.key_label:
                names["pk"] = t.key_label
            ctx = Context(key=f"{t.name}.{c.name}", table=t.name, column=c.name, names=names)
            if t.key_sql:
                ctx.exprs["pk"] = t.key_sql
            ctx.exprs["approx_distinct"] = str(int(c.distinct))  # discovery's sketch, a literal in the SQL
            ctx.exprs["finite"] = c.finite_sql
            ctx.exprs["placeholders"] = str(c.placeholders)  # read as NULL by the view, yet values in the file
            _column_window(model, c, ctx)
            out.append(ctx)
    if not out:
        what = ("declared NOT NULL " if check.declared_not_null
                else "undeclared-nullability " if check.undeclared_nullability else "")
        roles = f" with role {' or '.join(check.roles)}" if check.roles else ""
        types = f" of type {' or '.join(check.types)}" if check.types else ""
        raise Skip(f"no {what}column{roles}{types}")
    return out


def _ts(value: Any) -> str:
    return f"{quote_literal(value)}::TIMESTAMP" if value is not None else "NULL::TIMESTAMP"


def _column_window(model: Model, col: Column, ctx: Context) -> None:
    """``{col_start}``/``{col_end}``: the values a column may take — the timeframe widened by the column's own
    declared generator window (a shop's planned ``closed_on`` after the data, a student's ``birth_date`` before
    it); ``{col_window}`` says where the bounds come from and ``{attribute_date}`` is TRUE for a column the
    schema marks ``after_parent: false``."""
    start, end, declared = model.ref_start, model.ref_end, "timeframe" if model.ref_declared else "data's own robust end"
    if end is not None and col.own_end is not None and col.own_end > end:  # nothing declared: a planned date's range
        end, declared = col.own_end, "column's own robust end, past the data's"
    if col.window is not None:
        start = min(start, col.window[0]) if start else None
        end = max(end, col.window[1]) if end else None
        declared = f"timeframe and its own window {col.window[0]:%Y-%m-%d}..{col.window[1]:%Y-%m-%d}"
    ctx.exprs.update(col_start=_ts(start), col_end=_ts(end), attribute_date="TRUE" if col.after_parent is False else "FALSE",
                     skewed="NULL" if col.skewed is None else "TRUE" if col.skewed else "FALSE",
                     reach="NULL" if col.reach is None else repr(float(col.reach)))
    ctx.names["col_window"] = declared
    ctx.names["col_start"] = start.isoformat() if start else "n/a"
    ctx.names["col_end"] = end.isoformat() if end else "n/a"


def _fk_names(model: Model, fk: ForeignKey) -> dict[str, str]:
    names = {"child": fk.child, "child_col": fk.child_column, "parent": fk.parent, "parent_col": fk.parent_column}
    child = model.tables[fk.child]
    if child.primary_key:
        names["child_pk"] = child.primary_key
    return names


def over_fk(model: Model, check: Any) -> list[Context]:
    out = []
    for fk in model.foreign_keys:
        child, parent = model.tables[fk.child], model.tables[fk.parent]
        roles = _bind_roles(check, {"child": child, "parent": parent})
        if roles is None or not _kind_ok(check, child):
            continue
        ctx = Context(key=fk.label, table=fk.child, column=fk.child_column, names={**_fk_names(model, fk), **roles})
        ctx.names["time_order"] = fk.time_order  # the raw word for text; SQL gets the literal below
        ctx.exprs["time_order"] = quote_literal(fk.time_order)
        out.append(ctx)
    if not out:
        raise Skip(_why(check, "no foreign key", edge=True))
    return out


def over_composite_fk(model: Model, check: Any) -> list[Context]:
    """Composite FKs: ``{child_cols}`` and ``{parent_cols}`` are the quoted column lists (in key order; wrap them
    in parentheses for a tuple), ``{child_complete}`` is TRUE where every child column holds a value (a reference
    with a NULL part refers to nothing, as SQL's MATCH SIMPLE has it); text gets the plain names."""
    out = []
    for fk in model.composite_foreign_keys:
        if not _kind_ok(check, model.tables[fk.child]):
            continue
        ctx = Context(key=f"{fk.child}.({', '.join(fk.child_columns)}) -> {fk.parent}.({', '.join(fk.parent_columns)})",
                      table=fk.child, column=fk.child_columns[0],
                      names={"child": fk.child, "parent": fk.parent, "child_cols": ", ".join(fk.child_columns),
                             "parent_cols": ", ".join(fk.parent_columns)})
        ctx.exprs.update(child_cols=", ".join(quote_ident(c) for c in fk.child_columns),
                         parent_cols=", ".join(quote_ident(c) for c in fk.parent_columns),
                         child_complete=" AND ".join(f"{quote_ident(c)} IS NOT NULL" for c in fk.child_columns))
        out.append(ctx)
    if not out:
        raise Skip(_why(check, "no composite foreign key"))
    return out


def over_time_pair(model: Model, check: Any) -> list[Context]:
    out = []
    for t in model.tables.values():
        for early, late in t.time_pairs:
            names = {"table": t.name, "early": early, "late": late}
            if t.key_label:
                names["pk"] = t.key_label
            ctx = Context(key=f"{t.name}.{early} <= {late}", table=t.name, column=late, names=names)
            if t.key_sql:
                ctx.exprs["pk"] = t.key_sql
            out.append(ctx)
    if not out:
        raise Skip("no table has an ordered pair of time columns (start/end, created/updated, shipped/delivered)")
    return out


def over_entity_events(model: Model, check: Any) -> list[Context]:
    out, passive = [], []
    for fk in model.foreign_keys:
        entity, event = model.tables[fk.parent], model.tables[fk.child]
        if entity.kind != "entity" or event.kind not in ("event",) or fk.parent_column != entity.primary_key:
            continue
        if not (entity.created_at and event.created_at):
            continue
        if why := not_activity(event, event.column(fk.child_column)):  # line items, funnel stages, follow-ups
            passive.append(f"{event.name}: {why}")
            continue
        roles = _bind_roles(check, {"entity": entity, "event": event})
        if roles is None:
            continue
        names = {"entity": entity.name, "entity_pk": fk.parent_column, "event": event.name, "event_fk": fk.child_column,
                 "entity_created_at": entity.created_at, "event_created_at": event.created_at, **roles}
        out.append(Context(key=f"{entity.name} <- {event.name}.{fk.child_column}", table=event.name, names=names))
    if not out:
        reason = _why(check, "no entity table with a creation time referenced by an event table with a time", edge=True)
        raise Skip(reason + (f" that records activity ({'; '.join(passive)})" if passive else ""))
    return out


_TOTAL = ("total", "totalprice", "amount", "gross", "subtotal", "grandtotal")
_LINE = ("total", "amount", "extendedprice", "subtotal", "linetotal", "lineamount", "value")


def _named(cols: list[Column], words: tuple[str, ...]) -> Column | None:
    return next((c for c in cols if any(w in "".join(tokens(c.name)) for w in words)), None)


def over_header_lines(model: Model, check: Any) -> list[Context]:
    out = []
    for fk in model.foreign_keys:
        header, lines = model.tables[fk.parent], model.tables[fk.child]
        total = _named(header.with_role("money"), _TOTAL)
        if total is None or fk.parent_column != header.primary_key:
            continue
        amount = _named(lines.with_role("money"), _LINE)
        price, qty = _first(lines, "price"), _first(lines, "quantity")
        if amount is not None:
            expr = quote_ident(amount.name)
        elif price is not None and qty is not None:
            expr = f"{quote_ident(price.name)} * {quote_ident(qty.name)}"
        else:
            continue
        names = {"header": header.name, "header_pk": fk.parent_column, "header_total": total.name,
                 "lines": lines.name, "lines_fk": fk.child_column}
        ctx = Context(key=f"{header.name}.{total.name} = sum({lines.name})", table=header.name, column=total.name,
                      names=names)
        ctx.exprs["line_amount"] = expr
        # TPC-H style: the total is net of a discount rate and plus a tax rate (the check picks whichever fits)
        rates = [_named([c for c in lines.columns if c.numeric], (w,)) for w in ("discount", "tax")]
        discount, tax = (f"coalesce({quote_ident(c.name)}, 0)" if c else "0" for c in rates)
        ctx.exprs["line_net"] = f"({expr}) * (1 - {discount}) * (1 + {tax})"
        out.append(ctx)
    if not out:
        raise Skip("no header table with a total referenced by a line table with an amount (or price x quantity)")
    return out


def over_touch_conversion(model: Model, check: Any) -> list[Context]:
    out = []
    for t_fk in model.foreign_keys:
        touch = model.tables[t_fk.child]
        if not (touch.with_role("channel") and touch.created_at):
            continue
        for c_fk in model.foreign_keys:
            conv = model.tables[c_fk.child]
            if c_fk.parent != t_fk.parent or conv is touch or not (conv.with_role("money") and conv.created_at):
                continue
            names = {"entity": t_fk.parent, "touch": touch.name, "touch_fk": t_fk.child_column,
                     "touch_created_at": touch.created_at, "touch_channel": touch.with_role("channel")[0].name,
                     "conversion": conv.name, "conversion_fk": c_fk.child_column,
                     "conversion_created_at": conv.created_at}
            out.append(Context(key=f"{touch.name} before {conv.name} per {t_fk.parent}", table=touch.name, names=names))
    if not out:
        raise Skip("no touchpoint table (channel + time) and conversion table (money + time) sharing a parent")
    return out


def _why(check: Any, base: str, edge: bool = False) -> str:
    if not check.roles and not check.kinds:
        return base
    need = f" with roles {', '.join(check.roles)}" if check.roles else ""
    kinds = f" of kind {'/'.join(check.kinds)}" if check.kinds else ""
    return f"{base}{kinds}{need}"


BINDINGS: dict[str, tuple[Callable[[Model, Any], list[Context]], tuple[str, ...]]] = {
    "dataset": (over_dataset, ()),
    "table": (over_table, ("table", "dup_scope", "header_match")),
    "pk": (over_pk, ("table", "pk")),
    "column": (over_column, ("table", "column", "finite", "placeholders", "pk", "col_start", "col_end", "attribute_date", "skewed", "reach",
                             "approx_distinct")),
    "fk": (over_fk, ("child", "child_col", "parent", "parent_col", "child_pk", "time_order")),
    "composite_fk": (over_composite_fk, ("child", "child_cols", "parent", "parent_cols", "child_complete")),
    "time_pair": (over_time_pair, ("table", "early", "late", "pk")),
    "entity_events": (over_entity_events, ("entity", "entity_pk", "event", "event_fk", "entity_created_at",
                                           "event_created_at")),
    "header_lines": (over_header_lines, ("header", "header_pk", "header_total", "lines", "lines_fk", "line_amount",
                                         "line_net")),
    "touch_conversion": (over_touch_conversion, ("entity", "touch", "touch_fk", "touch_created_at", "touch_channel",
                                                 "conversion", "conversion_fk", "conversion_created_at")),
}


def allowed_placeholders(check: Any) -> set[str]:
    _, static = BINDINGS[check.over]
    roles = {r.replace(".", "_") for r in check.roles} if check.over != "column" else set()
    return set(static) | roles | set(check.params) | set(COMMON)


def check_placeholders(check: Any) -> str | None:
    """A problem with the check's binding or SQL placeholders, or None."""
    if check.over not in BINDINGS:
        return f"unknown binding over: {check.over!r}{did_you_mean(check.over, list(BINDINGS))}"
    allowed = allowed_placeholders(check)
    for label, text in (("sql", check.sql), ("samples", check.samples or "")):
        for name in PLACEHOLDER.findall(text):
            if name not in allowed:
                return f"{label}: unknown placeholder {{{name}}}{did_you_mean(name, sorted(allowed))}"
    return None


def contexts(model: Model, check: Any) -> list[Context]:
    """Every context ``check`` runs in; raises :class:`Skip` with a reason when there is none."""
    fn, _ = BINDINGS[check.over]
    return fn(model, check)
