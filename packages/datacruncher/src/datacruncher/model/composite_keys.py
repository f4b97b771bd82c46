"""Composite foreign keys: a child's column tuple that maps onto a parent's composite key, accepted on value
evidence (distinct tuples, containment) and the parent's tuple density."""

from __future__ import annotations

from typing import Any

from .catalog import Catalog, fetch_one
from .keys import MIN_CONTAINMENT, PART_KINDS, Evidence, compatible, name_score, overlaps
from .semantic import SAMPLE_ROWS, Column, ForeignKey, Table


def composite_fks(catalog: Catalog, tables: dict[str, Table], fks: list[ForeignKey]) -> list[Any]:
    """Composite FKs to composite keys.

    Each key column is matched to a child column of a compatible type: by name when the names agree, otherwise by
    values — the child column whose values lie (``MIN_CONTAINMENT``) in that key column's values, measured in one
    scan per (child, parent) pair after the range and distinct-count prefilters. The tuples are then checked
    together. A match by values alone must also rule out chance: the key's tuples must fill at most half of the
    combinations of its columns' values (a full cross product — every station at every hour — holds any tuple of
    its columns' values), and the child must hold ``MIN_DISTINCT_TUPLES`` distinct tuples."""
    from .semantic import CompositeForeignKey

    out = []
    domains: dict[tuple[str, str], set[tuple[str, str]]] = {}  # column -> the keys it references
    for fk in fks:
        domains.setdefault((fk.child, fk.child_column), set()).add((fk.parent, fk.parent_column))
    for parent in tables.values():
        if len(parent.composite_key) < 2:
            continue
        pcols = [col for c in parent.composite_key if (col := parent.column(c)) is not None]
        if len(pcols) < len(parent.composite_key):
            continue
        for child in tables.values():
            if child is parent or child.rows == 0:
                continue
            mapping = _composite_mapping(catalog, child, parent, pcols, domains)
            if mapping is None:
                continue
            cols, named = mapping
            found = _composite_evidence(catalog, child, parent, cols, pcols, named)
            if found is not None:
                ev, n, inside = found
                out.append(CompositeForeignKey(child.name, tuple(c.name for c in cols), parent.name,
                                               parent.composite_key, coverage=inside / n, rows=n,
                                               orphans=n - inside, evidence=ev))
    return out


MIN_DISTINCT_TUPLES = 20
MAX_TUPLE_DENSITY = 0.5


def _composite_mapping(catalog: Catalog, child: Table, parent: Table, pcols: list[Column],
                       domains: dict[tuple[str, str], set[tuple[str, str]]]) -> tuple[list[Column], bool] | None:
    """The child columns standing for the key's columns, in key order, and whether names alone chose them.

    By values, a child column may stand for a key column only if both reference the same key (``ss_sold_date_sk``
    for ``inv_date_sk``: both are dates of ``date_dim``) or neither references any (ticket numbers, hours): a store
    is not a warehouse however their numbers overlap. The key must also be sparse enough for values to tell
    (``MAX_TUPLE_DENSITY``) before anything is measured."""
    def score(c: Column, pc: Column) -> int:
        return name_score(child.name, c.name, parent.name, pc.name)

    def same_domain(c: Column, pc: Column) -> bool:
        a, b = domains.get((child.name, c.name), set()), domains.get((parent.name, pc.name), set())
        return bool(a & b) if a or b else True

    options = []
    for pc in pcols:
        fits = [c for c in child.columns if c.kind in PART_KINDS and compatible(c, pc) and c.distinct > 1
                and overlaps(c, pc) and c.distinct <= 1.1 * pc.distinct + (1 - MIN_CONTAINMENT) * c.non_null + 10
                and (score(c, pc) >= 2 or not {"money", "quantity"} & set(c.roles))]
        if not fits:
            return None
        options.append(fits)
    named = []
    for pc, fits in zip(pcols, options, strict=True):
        best = [c for c in fits if score(c, pc) >= 2 and c not in named]
        if not best:
            break
        named.append(max(best, key=lambda c: score(c, pc)))
    if len(named) == len(pcols):
        return named, True
    if _density(parent, pcols) > MAX_TUPLE_DENSITY:
        return None  # a full grid of values: containment cannot tell a reference from chance
    options = [[c for c in fits if same_domain(c, pc)] for pc, fits in zip(pcols, options, strict=True)]
    if not all(options):
        return None
    # by values: each candidate's containment in its key column, all measured in one scan of the child
    pairs = [(pc, c) for pc, fits in zip(pcols, options, strict=True) for c in fits]
    probes = ", ".join(f"sum(({c.sql} IN (SELECT {pc.sql} FROM {parent.sql}))::INTEGER), count({c.sql})"
                       for pc, c in pairs)
    source = child.sql
    if child.rows > 4 * SAMPLE_ROWS:  # a seeded sample chooses; the tuples are then measured exactly
        child.sampled.append("composite_foreign_keys")
        used = ", ".join(dict.fromkeys(c.sql for _, c in pairs))
        source = f"(SELECT {used} FROM {child.sql} USING SAMPLE reservoir({SAMPLE_ROWS} ROWS) REPEATABLE (42))"
    row = fetch_one(catalog.con, f"SELECT {probes} FROM {source}")
    share = {(pc.name, c.name): (row[2 * i] or 0) / row[2 * i + 1] if row[2 * i + 1] else 0.0
             for i, (pc, c) in enumerate(pairs)}
    chosen: list[Column] = []
    for pc, fits in zip(pcols, options, strict=True):
        good = [c for c in fits if c not in chosen and share[(pc.name, c.name)] >= MIN_CONTAINMENT]
        if not good:
            return None
        chosen.append(max(good, key=lambda c: (score(c, pc), share[(pc.name, c.name)], -child.columns.index(c))))
    return chosen, False


def _density(parent: Table, pcols: list[Column]) -> float:
    """The share of the combinations of the key columns' values that are keys (by the distinct-count sketches)."""
    combos = 1
    for pc in pcols:
        combos *= max(pc.distinct, 1)
    return min(parent.rows / combos, 1.0)


def _composite_evidence(catalog: Catalog, child: Table, parent: Table, cols: list[Column], pcols: list[Column],
                        named: bool) -> tuple[Evidence, int, int] | None:
    """The tuple containment of a mapping and its evidence, or None when it is not an FK."""
    cx = "(" + ", ".join(c.sql for c in cols) + ")"
    pk = "(" + ", ".join(c.sql for c in pcols) + ")"
    nonnull = " AND ".join(f"{c.sql} IS NOT NULL" for c in cols)
    if child.rows > 4 * SAMPLE_ROWS:  # a large child is tried on a seeded sample first, as single FKs are
        child.sampled.append("composite_foreign_keys")
        sample = (f"(SELECT {', '.join(c.sql for c in cols)} FROM {child.sql} "
                  f"USING SAMPLE reservoir({SAMPLE_ROWS} ROWS) REPEATABLE (42))")
        n, inside = fetch_one(catalog.con, f"SELECT count(*), count(*) FILTER (WHERE {cx} IN (SELECT {pk} FROM "
                                        f"{parent.sql})) FROM {sample} WHERE {nonnull}")
        if not n or inside / n < MIN_CONTAINMENT - 0.05:
            return None
    n, inside, tuples, orphan_tuples = fetch_one(catalog.con,
        f"SELECT count(*), count(*) FILTER (WHERE found), count(DISTINCT t), count(DISTINCT t) FILTER (WHERE NOT found)"
        f" FROM (SELECT {cx} AS t, {cx} IN (SELECT {pk} FROM {parent.sql}) AS found FROM {child.sql} WHERE {nonnull})"
    )
    if not n or inside / n < MIN_CONTAINMENT:
        return None
    names = ", ".join(c.name for c in cols)
    reasons = [f"{inside / n:.1%} of ({names}) tuples are keys of {parent.name}"]
    if named:
        reasons.append("names agree column by column")
    else:
        density = _density(parent, pcols)
        if density > MAX_TUPLE_DENSITY or tuples < MIN_DISTINCT_TUPLES:
            return None  # a key holding most combinations of its columns' values holds any tuple by chance
        if set(child.composite_key) == {c.name for c in cols} and child.rows >= parent.rows:
            return None  # the child's own key, as large as the parent's: a twin, not a reference
        reasons.append(f"found by values: {tuples} distinct tuples, in a key filling {density:.1%} of the "
                       f"combinations of its columns' values")
    if inside < n:
        reasons.append(f"{n - inside} orphan rows ({orphan_tuples} distinct tuples) are not keys of {parent.name}")
    ev = Evidence(containment=inside / n, child_distinct=int(tuples), key_distinct=parent.rows,
                  orphan_rows=n - inside, orphan_values=int(orphan_tuples), name_score=2 if named else 0,
                  reasons=reasons)
    return ev, int(n), int(inside)
