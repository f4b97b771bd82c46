"""Discovery: a semantic model of unknown data — keys, foreign keys, time columns, table kinds, column roles.

Declared facts (``.metadata.json``, else the DSL schema's ``pk`` and ``constraints.foreign_keys``) win; discovery
fills in the rest. Candidate foreign keys come from names and types (``customer_id → customer.customer_id``,
``user_id → users.id``, TPC-H's ``o_custkey → customer.c_custkey``), are pruned with cheap statistics, then
confirmed by exact containment; the share of child values found in the parent is the FK's coverage.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from datagen_contracts.text import created_rank, creation_candidate, quote_ident, time_pairs, write_stamp

from . import sentinels
from .catalog import Catalog, fetch_one
from .declarations import declared_facts, parse_ts
from .epochs import UNIT_WORDS
from .references import name_evidence, singular
from .roles import categorical, find_durations, name_roles, tokens, weigh_roles
from .semantic import Column, ForeignKey, Model, Table, type_kind

MIN_FK_COVERAGE = 0.8
OWN_END_MARGIN_DAYS, OWN_END_MARGIN_SHARE = 30, 0.25  # past a time column's 99th percentile: its own end
LATEST = (dt.datetime(9999, 12, 31) - dt.datetime(1970, 1, 1)).total_seconds()


def discover(catalog: Catalog, *, reference_window: bool = True) -> Model:
    """Build the model of ``catalog``'s tables (one profiling pass per table plus one query per candidate).

    ``reference_window=False`` leaves the data's time window for :func:`set_reference_window`, which a full crunch
    calls after profiling so that the creation columns' quantiles come from the profiles' scan."""
    declared = declared_facts(catalog)
    sources = list(catalog.tables.items())
    passes = [(name, src) for name, src in sources if src.columns and src.rows]
    counted = dict(zip([name for name, _ in passes], catalog.fetchone_each([_profile_sql(src) for _, src in passes]),
                       strict=True))
    tables = {name: _profile(src, declared.get(name, {}), counted.get(name)) for name, src in sources}
    find_durations(catalog, tables)
    for t in tables.values():
        if t.primary_key is None:
            t.primary_key = _find_primary_key(catalog, t) or _natural_key(catalog, t, tables)
        if t.primary_key and (pk := t.column(t.primary_key)) and "id" not in pk.roles:
            pk.roles.insert(0, "id")
            pk.role_evidence["id"] = ("high", "the table's primary key (unique, never null)")
        if t.primary_key is None:
            t.composite_key = _find_composite_key(catalog, t)
    fks = _declared_fks(catalog, tables, declared)
    composite: list[Any] = []
    if not fks:  # nothing declared: names first, then values (keys.py) for every column names did not link
        fks = _find_foreign_keys(catalog, tables)
        fks, composite = _from_values(catalog, tables, fks)
    model = Model(tables=tables, foreign_keys=fks, composite_foreign_keys=composite)
    for t in tables.values():
        _classify(model, t, declared.get(t.name, {}))
    if reference_window:
        set_reference_window(catalog, model)
    return model


def _profile_sql(src: Any) -> str:
    """One pass over a table: each column's non-null count and approximate distinct count, and the value range
    of key-like columns (integer, text, uuid: the foreign-key prefilter of :mod:`datacruncher.model.keys`)."""
    parts = []
    for c in (Column(c.name, c.type, type_kind(c.type)) for c in src.columns):
        parts.append(f"count({c.sql})")
        parts.append(f"approx_count_distinct({c.sql})" if c.kind != "other" else "0")
        ranged = c.kind in ("integer", "string", "uuid", "float", "decimal")
        parts += [f"min({c.sql})" if ranged else "NULL", f"max({c.sql})" if ranged else "NULL",
                  f"sum(({c.sql} < 0)::INTEGER)" if c.numeric else  # a FILTER per column costs a pass each
                  f"avg(length({c.sql}))" if c.kind == "string" else "0",
                  # digits with a leading zero, by two character tests (a regex per value costs a pass)
                  f"sum(({c.sql}[1] = '0' AND {c.sql}[2] BETWEEN '0' AND '9')::INTEGER)" if c.kind == "string"
                  else "0"]
    return f"SELECT {', '.join(parts)} FROM {src.sql}"


def _profile(src: Any, decl: dict[str, Any], row: tuple[Any, ...] | None) -> Table:
    cols = [Column(c.name, c.type, type_kind(c.type)) for c in src.columns]
    if row is not None:
        for i, c in enumerate(cols):
            c.non_null, c.distinct, c.lo, c.hi = int(row[6 * i]), int(row[6 * i + 1]), row[6 * i + 2], row[6 * i + 3]
            if c.numeric:
                c.negatives = int(row[6 * i + 4] or 0)
            elif c.kind == "string":
                c.avg_length, c.leading_zeros = float(row[6 * i + 4] or 0), int(row[6 * i + 5] or 0)
    nullable = decl.get("nullable", {})
    declared_roles = decl.get("roles", {})
    for c in cols:
        c.nullable = nullable.get(c.name)
        c.roles = name_roles(c.name, c.kind)
        if c.kind == "string" and "id" not in c.roles and "email" not in c.roles:
            if categorical(src.rows, c.non_null, c.distinct) and "category" not in c.roles:
                c.roles.append("category")
            if "category" in c.roles and not categorical(src.rows, c.non_null, c.distinct) and c.non_null >= 20:
                c.roles.remove("category")  # "product_type" with 10k distinct values is free text
        weigh_roles(c)
        if unit := src.epochs.get(c.name):
            c.role_evidence["time"] = ("medium", f"{UNIT_WORDS[unit]} since 1970, all between 1980 and 2100, in a "
                                                 "column named like a time: read as timestamps")
        if c.name in src.null_tokens:  # said on each role the numbers earned
            said = ", ".join(f"{t!r} in {n:,} rows" for t, n in src.null_tokens[c.name][1])
            for role in c.roles:
                c.role_evidence[role] = ("medium", f"{said} read as no value: the column's other values are numbers")
        if marks := src.sentinels.get(c.name):
            c.placeholders = sum(n for _, n in marks)
            c.role_evidence["time"] = ("medium", f"{sentinels.describe(marks)} read as no value: a placeholder far "
                                                 "from every other value")
        if (role := declared_roles.get(c.name)) and role not in c.roles:
            c.roles.append(role)
        if (role := declared_roles.get(c.name)):
            c.role_evidence[role] = ("high", "declared in .metadata.json")
        c.window, c.after_parent = decl.get("windows", {}).get(c.name, (None, None))
    table = Table(name=src.name, rows=src.rows, columns=cols)
    pk = decl.get("pk")
    if pk and table.column(pk):
        table.primary_key, table.source = pk, "declared"
    return table


def _pk_score(table: Table, col: Column) -> int:
    n, s = col.name.lower(), singular(table.name)
    if n in ("id", f"{table.name.lower()}_id", f"{s}_id", f"{s}id", f"{s}_key", f"{s}key"):
        return 3
    stem = "".join(tokens(col.name))
    if stem.endswith("key") and s.startswith(stem[:-3][:3] or "\0"):
        return 2
    return 1 if "id" in col.roles else 0


def _find_primary_key(catalog: Catalog, table: Table) -> str | None:
    """The best-named unique column.

    A column named like this table's key (``id``, ``<table>_id``, ``o_orderkey``) is the key when the profiling
    pass's distinct-count sketch (HyperLogLog, within several percent) puts it at 90% of the rows or more and at
    most 2% of its values are NULL: the key of a table with some duplicate keys is still its key, and the
    ``pk_duplicates`` check then counts them exactly — one exact count instead of two. A merely id-like column
    must prove itself: an exact distinct count equal to the rows.
    """
    if table.rows == 0:
        return None
    cands = [c for c in table.columns if c.kind in ("integer", "string", "uuid") and _pk_score(table, c) > 0]
    cands = [c for c in cands if c.distinct >= 0.9 * table.rows and c.non_null >= 0.98 * table.rows]
    cands.sort(key=lambda c: (-_pk_score(table, c), table.columns.index(c)))
    for c in cands[:3]:
        if _pk_score(table, c) >= 2:  # the candidates already hold >= 90% distinct values by the sketch
            return c.name
        if catalog.scalar(f"SELECT count(DISTINCT {c.sql}) FROM {table.sql}") == table.rows:
            return c.name
    return None


def _natural_key(catalog: Catalog, table: Table, tables: dict[str, Table]) -> str | None:
    """A lookup table's natural key: its first column, complete and unique, when another table has a column of
    that name (Olist's ``product_category_name_translation.product_category_name``, named by the products)."""
    first = table.columns[0] if table.columns and table.rows else None
    if first is None or first.kind not in ("integer", "string", "uuid") or first.non_null < table.rows:
        return None
    if first.distinct < 0.9 * table.rows or not any(
            o is not table and o.column(first.name) for o in tables.values()):
        return None
    return first.name if catalog.scalar(f"SELECT count(DISTINCT {first.sql}) FROM {table.sql}") == table.rows else None


_SEQUENCE_WORDS = ("number", "linenumber", "lineno", "line", "seq", "sequence", "sequential", "position", "pos", "idx",
                   "index")


def _find_composite_key(catalog: Catalog, table: Table, width: int = 5) -> tuple[str, ...]:
    """A pair of complete key-like columns that is unique together (``lineitem(l_orderkey, l_linenumber)``,
    ``partsupp(ps_partkey, ps_suppkey)``): one query over at most ``width`` candidates' pairs. A pair with a
    line/sequence number is preferred (and tolerates up to 0.5% duplicates, which pk_duplicates then reports, when
    no pair is unique exactly: ``(order_number, line_number)`` over ``(order_date_key, order_number)``), then the
    earliest columns."""
    if table.rows < 2:
        return ()
    def seq(c: Column) -> bool:
        return any(w == "".join(tokens(c.name)) or tokens(c.name)[-1:] == [w] for w in _SEQUENCE_WORDS)
    cands = sorted((c for c in table.columns if c.kind in ("integer", "string", "uuid") and c.non_null == table.rows
                    and ("id" in c.roles or seq(c))), key=lambda c: not seq(c))[:width]  # a line number never cut off
    pairs = [(a, b) for i, a in enumerate(cands) for b in cands[i + 1:]]
    if not pairs:
        return ()
    row = fetch_one(catalog.con,
        "SELECT " + ", ".join(f"count(DISTINCT ({a.sql}, {b.sql}))" for a, b in pairs) + f" FROM {table.sql}"
    )
    # like a single key named as one, a pair with a line number stays the key with a few duplicates (up to 0.5%)
    found = [(n != table.rows, p) for p, n in zip(pairs, row, strict=True)  # an exact key beats a near one
             if n == table.rows or ((seq(p[0]) or seq(p[1])) and n >= 0.995 * table.rows)]
    found.sort(key=lambda f: (f[0], not (seq(f[1][0]) or seq(f[1][1])),
                              table.columns.index(f[1][0]) + table.columns.index(f[1][1])))
    return tuple(c.name for c in sorted(found[0][1], key=table.columns.index)) if found else ()  # in table order


def _compatible(a: Column, b: Column) -> bool:
    # integer keys copied into a float column (a type-drift defect) still reference their parent
    return a.kind == b.kind or {a.kind, b.kind} <= {"integer", "decimal", "float"}


def _coverage(catalog: Catalog, child: str, col: str, parent: str, pcol: str) -> tuple[int, int]:
    c, p = quote_ident(col), quote_ident(pcol)
    row = fetch_one(catalog.con,
        f"SELECT count({c}), count({c}) FILTER (WHERE {c} NOT IN (SELECT {p} FROM {quote_ident(parent)} "
        f"WHERE {p} IS NOT NULL)) FROM {quote_ident(child)}"
    )
    return int(row[0]), int(row[1])


def _edge(catalog: Catalog, child: str, col: str, parent: str, pcol: str, source: str) -> ForeignKey:
    n, orphans = _coverage(catalog, child, col, parent, pcol)
    cov = (n - orphans) / n if n else 1.0
    return ForeignKey(child, col, parent, pcol, coverage=cov, rows=n, orphans=orphans, source=source)


def _declared_fks(catalog: Catalog, tables: dict[str, Table], declared: dict[str, dict[str, Any]]) -> list[ForeignKey]:
    out: list[ForeignKey] = []
    for name, decl in declared.items():
        for col, ptable, pcol, order in decl.get("fks", []):
            child, parent = tables.get(name), tables.get(ptable)
            known = any(f.child == name and f.child_column == col for f in out)
            if child and parent and child.column(col) and parent.column(pcol) and not known:
                out.append(_edge(catalog, name, col, ptable, pcol, "declared"))
                out[-1].time_order = order
    return out


def _find_foreign_keys(catalog: Catalog, tables: dict[str, Table]) -> list[ForeignKey]:
    """Per column, the best-named parent key that holds at least ``MIN_FK_COVERAGE`` of its values.

    A table's own key column references another table only when that table owns the name (``film_category``'s
    key ``film_id`` is ``film.film_id``): the key of ``film`` is named after it, the link table's is not. A
    self-reference (``ReportsTo``, ``parent_id``) promises no time order, so its edge is ``time_order: none``.
    """
    found: list[ForeignKey] = []
    for child in tables.values():
        for col in child.columns:
            own_key = col.name == child.primary_key and not _line_name(child.name)
            if col.non_null == 0 or {"money", "quantity"} & set(col.roles):
                continue
            best: tuple[int, ForeignKey] | None = None
            for parent in tables.values():
                pk = parent.column(parent.primary_key)
                if pk is None or pk is col or not _compatible(col, pk):
                    continue
                score = name_evidence(child.name, col.name, parent.name, pk.name)
                if own_key and not (score >= 3 and _pk_score(parent, pk) > _pk_score(child, col)):
                    continue
                if score == 0 or not _may_cover(col, pk):  # cheap pruning before the exact join
                    continue
                fk = _edge(catalog, child.name, col.name, parent.name, pk.name, "discovered")
                if fk.coverage >= MIN_FK_COVERAGE and (best is None or (score, fk.coverage) > (best[0], best[1].coverage)):
                    best = (score, fk)
            if best:
                if best[1].parent == child.name:
                    best[1].time_order = "none"  # an employee may be hired before the manager they report to
                found.append(best[1])
    return found


def _from_values(catalog: Catalog, tables: dict[str, Table], fks: list[ForeignKey]) -> tuple[list[ForeignKey], list[Any]]:
    """Add the FKs the values show (:mod:`datacruncher.model.keys`), then settle keys by what is referenced: a table
    whose key was only weakly named takes the unique column the others reference, and a table without a key
    takes its most referenced unique column; composite FKs to composite keys last."""
    from . import composite_keys, keys

    unique = {name: keys.unique_columns(catalog, t) for name, t in tables.items()}
    for name, t in tables.items():
        t.candidate_keys = [c.name for c in unique[name]]
        pk = t.column(t.primary_key)
        if pk is not None and pk not in unique[name]:
            unique[name] = [pk, *unique[name]]  # a named key with a few duplicates is still a key
    taken = {(fk.child, fk.child_column) for fk in fks}
    fks = fks + keys.find(catalog, tables, unique, taken)
    referenced: dict[tuple[str, str], int] = {}
    for fk in fks:
        referenced[(fk.parent, fk.parent_column)] = referenced.get((fk.parent, fk.parent_column), 0) + 1
    for name, t in tables.items():
        used = sorted((c for c in unique[name] if referenced.get((name, c.name))),
                      key=lambda c: (-referenced[(name, c.name)], t.columns.index(c)))
        current = t.column(t.primary_key)
        weak = current is not None and t.source != "declared" and _pk_score(t, current) < 2
        if used and (current is None or (weak and not referenced.get((name, current.name)))):
            current = used[0]
        elif current is None:
            current = keys.best_key(t, unique[name])
        if current is not None and current.name != t.primary_key:
            t.primary_key, t.composite_key = current.name, ()
            if "id" not in current.roles:
                current.roles.insert(0, "id")
                current.role_evidence["id"] = ("high", "the table's primary key (unique, never null)")
    measures = {c.name for t in tables.values() for c in t.columns if {"money", "quantity"} & set(c.roles)}
    for t in tables.values():
        if t.primary_key is None and not t.composite_key:
            t.composite_key = keys.composite_key(catalog, t, measures)
    composite = composite_keys.composite_fks(catalog, tables, fks)
    for table, column in [*((f.child, f.child_column) for f in fks), *((f.parent, f.parent_column) for f in fks),
                          *((f.child, c) for f in composite for c in f.child_columns),
                          *((t.name, c) for t in tables.values() for c in t.composite_key)]:
        col = tables[table].column(column) if table in tables else None
        if col is not None and "id" not in col.roles:  # a reference or key is an identifier, not a measure
            col.roles.insert(0, "id")
            col.role_evidence["id"] = ("high", "a key or a reference between tables")
    return fks, composite


def _line_name(name: str) -> bool:
    return name.lower().endswith(("line", "lines", "item", "items"))


def _may_cover(col: Column, pk: Column) -> bool:
    """Whether ``MIN_FK_COVERAGE`` of ``col``'s values can lie in ``pk`` by the distinct-count sketches: values
    found in the parent are at most its distinct keys, the others at most the uncovered share of the rows (orphans
    are often all different), with 10% slack for the sketches' error."""
    return col.distinct <= 1.1 * (pk.distinct + (1 - MIN_FK_COVERAGE) * col.non_null) + 10


def _classify(model: Model, t: Table, decl: dict[str, Any]) -> None:
    times = [c for c in t.columns if c.temporal]
    created = decl.get("created_at") if t.column(decl.get("created_at")) else None
    calendar = model.referenced(t.name) and t.rows >= 365  # a date dimension: one row per day, no row "created"
    births = [c for c in times if _creation_time(c)
              and not (calendar and c.kind == "date" and c.distinct >= 0.98 * t.rows)]
    if created is None and births:
        created = min(births, key=lambda c: (created_rank(c.name), t.columns.index(c))).name
    t.created_at = created
    if created and (col := t.column(created)) and "created_at" not in col.roles:
        col.roles.append("created_at")
    t.time_pairs = time_pairs(created, [c.name for c in times])
    t.touchpoint = bool(decl.get("touchpoint")) or any(
        fk.child == t.name and fk.time_order == "before" for fk in model.foreign_keys)
    if decl.get("kind"):
        t.kind = decl["kind"]
        return
    has_fk = any(fk.child == t.name for fk in model.foreign_keys)
    if model.referenced(t.name):
        t.kind = "entity" if (created or has_fk or not t.rows or t.rows > 1000) else "vocab"
    elif has_fk and created:
        t.kind = "event"
    elif t.primary_key and created:
        t.kind = "entity"


def _creation_time(col: Column) -> bool:
    """A time column that may say when its row came to be: not a write stamp (``last_update``), not a planned date
    (``RequiredDate``), and not a load stamp — a handful of instants shared by many rows, such as Sakila's
    ``customer.create_date`` (every customer "created" in the same second, months after their first rental). A
    column the schema gives its own window is generated, whatever its values."""
    load_stamp = col.non_null >= 20 and col.distinct <= 3 and col.window is None
    return creation_candidate(col.name) and not load_stamp


def set_reference_window(catalog: Catalog, model: Model,
                         quantiles: dict[tuple[str, str], tuple[float | None, float | None]] | None = None) -> None:
    """The dataset's time window: declared (metadata, else schema timeframe), else its own robust end, from the
    1st and 99th percentiles of each creation column and each write stamp (``last_update``: a row is written
    after everything it records, so the data was extracted after its write stamps), ``quantiles[(table, column)]``
    in epoch seconds when profiling already measured them (a crunch: then every time column's own end too)."""
    tf = None
    if catalog.metadata is not None and catalog.metadata.timeframe is not None:
        tf = (catalog.metadata.timeframe.start, catalog.metadata.timeframe.end)
    elif isinstance(s := (catalog.schema or {}).get("timeframe"), dict):
        tf = (s.get("start"), s.get("end"))
    if tf and tf[0] and tf[1]:
        try:
            model.ref_start, model.ref_end = parse_ts(tf[0]), parse_ts(tf[1])
            if len(str(tf[1])) <= 10:  # a date-only end covers that whole day
                model.ref_end += dt.timedelta(days=1)
            model.ref_declared = True
            return
        except ValueError:
            pass
    ends = []
    for t in model.tables.values():
        for c in (c for c in t.columns if c.temporal and t.rows):
            makes_end = c.name == t.created_at or write_stamp(c.name)
            if not makes_end and quantiles is None:  # discovery alone: no check reads a column's own end
                continue
            row = (quantiles or {}).get((t.name, c.name))
            if row is None:
                e = f"epoch(CAST({c.sql} AS TIMESTAMP))"
                row = fetch_one(catalog.con, f"SELECT quantile_cont({e}, 0.99), quantile_cont({e}, 0.01) FROM {t.sql}")
            if row[0] is None or row[1] is None:
                continue
            # a robust high quantile plus a generous margin, so only clear leaks count; creation times and write
            # stamps make the data's end, every other date its own (an expiry runs past the data's by design)
            end = row[0] + max(OWN_END_MARGIN_DAYS * 86400, OWN_END_MARGIN_SHARE * (row[0] - row[1]))
            c.own_end = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=min(end, LATEST))  # 9999-12-31 placeholders
            if makes_end:
                ends.append(c.own_end)
    if ends:
        model.ref_end = max(ends)
