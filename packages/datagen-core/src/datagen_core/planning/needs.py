"""Which columns of each table later tables read (so only those stay in memory), and the generation order."""

from __future__ import annotations

from datagen_contracts import dsl
from datagen_contracts.dsl import dependencies

from ..columns.intervals import parent_bounds


def generation_order(schema: dsl.Schema) -> list[str]:
    """Tables in dependency order; ties keep the declared order (stable, so output never depends on sets)."""
    deps = {k: {d for d in v if schema.node(d) is not None} for k, v in dependencies(schema).items()}
    done: list[str] = []
    pending = [n.id for n in schema.nodes]
    while pending:
        ready = [t for t in pending if deps[t] <= set(done)]
        if not ready:  # a cycle is a schema error caught on load; keep going defensively
            ready = pending[:1]
        done.append(ready[0])
        pending.remove(ready[0])
    return done


def kept_columns(schema: dsl.Schema) -> dict[str, set[str]]:
    """table -> columns another table reads (pk, lookup targets, `on` keys, effect windows/fields, choices_ref)."""
    need: dict[str, set[str]] = {n.id: ({n.pk} if n.pk else set()) for n in schema.nodes}

    def add(ref: str) -> None:
        table, _, column = ref.partition(".")
        if table in need:
            need[table].add(column)

    for node in schema.nodes:
        for col in node.columns:
            g = col.generator
            if g.lookup is not None:
                add(g.lookup.from_)
                table = g.lookup.from_.partition(".")[0]
                for remote in (g.lookup.on or {}).values():
                    add(f"{table}.{remote}")
            if g.choice is not None and g.choice.choices_ref:
                add(g.choice.choices_ref)
        mods = list(node.modifiers) + [m for c in node.columns for m in c.modifiers]
        for m in mods:
            if isinstance(m, dsl.EffectModifier):
                a = m.args
                for remote in a.on.values():
                    add(f"{a.effect_table}.{remote}")
                if a.window is not None:
                    add(f"{a.effect_table}.{a.window.start_col}")
                    add(f"{a.effect_table}.{a.window.end_col}")
                add(f"{a.effect_table}.{a.map.field}")
    for node in schema.nodes:
        for b in parent_bounds(schema, node):
            add(f"{node.parents[0]}.{b.parent_column}")
    for table, cols in need.items():
        node = schema.table(table)
        need[table] = {c for c in cols if node.column(c) is not None}
    return need


def full_tables_for(schema: dsl.Schema, node: dsl.Node) -> set[str]:
    """Tables a chunk of ``node`` reads whole (every dependency except a primary parent used only for copies)."""
    deps = {d for d in dependencies(schema)[node.id] if schema.node(d) is not None}
    if node.parents:
        primary = node.parents[0]
        plain = all(
            c.generator.lookup is None or c.generator.lookup.from_.partition(".")[0] != primary or not c.generator.lookup.on
            for c in node.columns
        )
        other_use = any(
            isinstance(m, dsl.EffectModifier) and m.args.effect_table == primary
            for m in list(node.modifiers) + [m for c in node.columns for m in c.modifiers]
        ) or any(c.generator.choice is not None and (c.generator.choice.choices_ref or "").startswith(primary + ".")
                 for c in node.columns) or primary in node.parents[1:]
        if plain and not other_use:
            deps.discard(primary)
    return deps
