"""Keys and foreign keys from values: what the data says, with names only as a prior and a tie-breaker.

**Keys.** Every complete column of a key-like type (integer, text, uuid) whose distinct-count sketch reaches
95% of the rows is checked exactly (one query per table); those unique are the table's candidate keys. A table
without a single-column key gets the smallest set of up to four complete columns unique together.

**Foreign keys.** For every child column without a declared or name-found FK, every type-compatible candidate key
of another table is a candidate pair. Cheap prefilters (value ranges overlap, distinct counts fit) leave a few;
exact containment is then measured in DuckDB — one scan per child table for all its pairs: child rows and
distinct values found in the key, and those not (orphans). A pair is an FK when:

- at least ``MIN_CONTAINMENT`` (90%) of the child's values lie in the key — or ``MIN_CONTAINMENT_NAMED`` (50%)
  when the names agree strongly too (the same stem); the rest are orphans, reported with their distinct count;
- and coincidence is ruled out. Values alone suffice for a key whose domain is hard to hit by chance (text or
  uuid codes, sparse integers) once the child holds ``MIN_DISTINCT`` distinct values. A dense integer key
  (``1..N``, the surrogate keys of most warehouses) is hit by any small count or measure (``quantity`` 1..100
  inside ``item_sk`` 1..18000): it needs name evidence, or else to be the only key that contains the child,
  with the child covering at least half of it: the one dense key whose range the child's values spread over as
  draws from it would — another so much wider that they would have missed its other ids by a one-in-a-million
  fluke does not count, nor does a key whose values they fill only a corner of. Booleans, floats, times, measures (money, quantities) and columns
  with a single value are never children by values alone.

Every FK kept carries its evidence (containment, distinct counts, key coverage, name score, reasons), and every
table its candidate keys, so a user can see why.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

from .catalog import Catalog, fetch_one
from .references import name_evidence, singular
from .roles import tokens
from .semantic import SAMPLE_ROWS, Column, ForeignKey, Table

KEY_KINDS = ("integer", "string", "uuid")
PART_KINDS = (*KEY_KINDS, "date", "timestamp")  # a time may be part of a composite key (station, hour)
MIN_CONTAINMENT = 0.9
MIN_CONTAINMENT_NAMED = 0.5
MIN_DISTINCT = 3
DENSE_COVERAGE = 0.5
MAX_COMPOSITE = 4
_GENERIC = {"id", "sk", "key", "code", "no", "num", "nbr", "number", "fk", "pk", "ref", "dim", "dimension", "fact",
            "tbl", "table", "the"}


@dataclass
class Evidence:
    """Why a key or an FK was kept (or what it measured)."""

    containment: float | None = None  # share of child values found in the key
    child_distinct: int | None = None
    key_distinct: int | None = None
    key_coverage: float | None = None  # share of the key's values the child uses
    orphan_rows: int = 0
    orphan_values: int = 0
    name_score: int = 0
    reasons: list[str] = field(default_factory=list)


@dataclass
class Candidate:
    parent: Table
    key: Column
    child: Column
    name: int
    dense: bool
    sql_index: int = -1
    evidence: Evidence = field(default_factory=Evidence)


# ------------------------------------------------------------------------------------------------- names


def _stem(table: str, column: str) -> list[str]:
    """A column's meaningful tokens: without the table's abbreviation prefix (``ss_``, ``ca_``, ``inv_``) and
    without generic key words (``sk``, ``id``, ``key``, ``code``…)."""
    toks = [t.lower() for t in tokens(column)] or [column.lower()]
    table_toks = [t.lower() for t in tokens(table)] or [table.lower()]
    initials = "".join(t[0] for t in table_toks)
    abbreviation = toks[0] not in table_toks and singular(toks[0]) not in map(singular, table_toks) and (
        initials.startswith(toks[0]) or "".join(table_toks).startswith(toks[0]))
    if len(toks) > 1 and abbreviation:
        toks = toks[1:]
    return [t for t in toks if t not in _GENERIC]


def name_score(child_table: str, child_col: str, parent_table: str, key_col: str) -> int:
    """0 (no evidence) … 4 (same name): the existing name rules, plus shared stems (``c_current_addr_sk`` →
    ``ca_address_sk``, ``sr_returned_date_sk`` → ``d_date_sk``, ``ca_country_code`` → ``countries.iso3``)."""
    base = name_evidence(child_table, child_col, parent_table, key_col)
    child = _stem(child_table, child_col)
    key = _stem(parent_table, key_col)
    table = [singular(t) for t in _stem(parent_table, parent_table)][-1:]  # the head noun: customer_address → address
    # the evidence must sit at the end of the child's name, where its noun is: "sold_date" names a date,
    # "rental_duration" is a duration (of a rental), not a rental
    joined_child = "".join(child)
    if key and len("".join(key)) >= 3 and joined_child.endswith("".join(key)):
        return max(base, 3)
    if any(_similar(a, b) for a in child[-1:] for b in (*key, *table)):
        return max(base, 2)
    return base


# ------------------------------------------------------------------------------------------------- keys


#: a sketch (HyperLogLog) reaching this share of the rows may be unique: DuckDB's sketch of a unique column or
#: tuple reads up to ~7% low (400 grid cells sketch as 368), so the exact count decides from here
SKETCH_UNIQUE = 0.85
BIG_TABLE = 200_000  # a table this large with a named key is a fact table: alternate keys are not looked for


def unique_columns(catalog: Catalog, table: Table) -> list[Column]:
    """The table's complete columns unique by an exact count (the sketch prefilters). A large table whose key its
    name already gives is not searched for alternate keys (exact distinct counts of millions of values each)."""
    if table.rows == 0 or (table.primary_key is not None and table.rows > BIG_TABLE):
        return []
    cands = [c for c in table.columns if c.kind in KEY_KINDS and c.non_null == table.rows
             and c.distinct >= SKETCH_UNIQUE * table.rows]
    if not cands:
        return []
    row = fetch_one(catalog.con, "SELECT " + ", ".join(f"count(DISTINCT {c.sql})" for c in cands)
                              + f" FROM {table.sql}")
    return [c for c, n in zip(cands, row, strict=True) if n == table.rows]


def composite_key(catalog: Catalog, table: Table, measures: set[str]) -> tuple[str, ...]:
    """The smallest set of up to four complete key-like columns unique together, preferring id-named columns
    and earlier columns; () when none (or the table has fewer than two rows)."""
    if table.rows < 2:
        return ()
    cands = [c for c in table.columns if c.kind in PART_KINDS and c.non_null == table.rows and c.distinct > 1
             and c.name not in measures]
    cands.sort(key=lambda c: (-_key_like(c), table.columns.index(c)))
    for width, pool in ((2, 10), (3, 8), (4, 6)):
        combos = sorted(itertools.combinations(cands[:pool], width), key=lambda combo: (
            -sum(_key_like(c) for c in combo), [table.columns.index(c) for c in combo]))
        if not combos:
            break
        tuples = ["(" + ", ".join(c.sql for c in combo) + ")" for combo in combos]
        sketch = fetch_one(catalog.con,  # one pass of sketches; only combos that may be unique are counted exactly
            "SELECT " + ", ".join(f"approx_count_distinct({t})" for t in tuples) + f" FROM {table.sql}")
        combos = [combo for combo, n in zip(combos, sketch, strict=True) if n >= SKETCH_UNIQUE * table.rows]
        if combos and table.rows > 4 * SAMPLE_ROWS:  # a duplicate in a seeded sample rules a combination out
            table.sampled.append("composite_key")
            used = list(dict.fromkeys(c.sql for combo in combos for c in combo))
            sample = (f"(SELECT {', '.join(used)} FROM {table.sql} "
                      f"USING SAMPLE reservoir({SAMPLE_ROWS} ROWS) REPEATABLE (42))")
            counts = fetch_one(catalog.con, "SELECT count(*), " + ", ".join(
                "count(DISTINCT (" + ", ".join(c.sql for c in combo) + "))" for combo in combos)
                + f" FROM {sample}")
            combos = [combo for combo, n in zip(combos, counts[1:], strict=True) if n == counts[0]]
        for start in range(0, len(combos), 6):  # best first, six at a time: most tables stop at the first batch
            batch = combos[start:start + 6]
            counts = fetch_one(catalog.con,
                "SELECT " + ", ".join("count(DISTINCT (" + ", ".join(c.sql for c in combo) + "))" for combo in batch)
                + f" FROM {table.sql}")
            unique = [combo for combo, n in zip(batch, counts, strict=True) if n == table.rows]
            if unique:
                return tuple(c.name for c in unique[0])
    return ()


_KEYISH = {"id", "sk", "key", "number", "no", "num", "nbr", "line", "linenumber", "seq", "sequence", "code"}


def _key_like(c: Column) -> int:
    """How much a column's name says "identifier" (a prior for composite keys: 1 or 0)."""
    return int("id" in c.roles or bool(_KEYISH & set(tokens(c.name))))


def best_key(table: Table, candidates: list[Column]) -> Column | None:
    """Of several unique columns nobody references, the key: integer before text, id-like names, then order."""
    if not candidates:
        return None
    return min(candidates, key=lambda c: (c.kind != "integer", -_key_like(c), table.columns.index(c)))


# ------------------------------------------------------------------------------------------------- foreign keys


def compatible(child: Column, key: Column) -> bool:
    return child.kind == key.kind or {child.kind, key.kind} <= {"integer", "decimal"}


def _dense(key: Column) -> bool:
    """An integer key whose values fill a tenth or more of their range: any small count lands in it by chance."""
    if key.kind != "integer" or key.lo is None or key.hi is None:
        return False
    return (int(key.hi) - int(key.lo) + 1) <= 10 * max(key.distinct, 1)


def overlaps(child: Column, key: Column) -> bool:
    """Prefilter: the child's value range mostly overlaps the key's (orphans may lie outside it)."""
    if child.lo is None or key.lo is None:
        return True
    if child.kind == "integer":
        lo, hi = max(child.lo, key.lo), min(child.hi, key.hi)
        if hi < lo:
            return False
        return (hi - lo + 1) >= 0.5 * (child.hi - child.lo + 1)
    return not (str(child.hi) < str(key.lo) or str(child.lo) > str(key.hi))


def _child_ok(child: Column, table: Table, keys_of_child: set[str], unique: set[str]) -> bool:
    if child.kind not in KEY_KINDS or child.non_null == 0 or child.distinct < 2:
        return False
    if child.name in unique and _names_own_table(table.name, child.name):
        return False  # hd_demo_sk in household_demographics is that table's key, not a reference elsewhere
    return child.name not in keys_of_child


def _similar(a: str, b: str) -> bool:
    """The same word (3+ letters), or one a 4+ letter prefix of the other (``addr`` / ``address``)."""
    return len(a) >= 3 and len(b) >= 3 and (a == b or (min(len(a), len(b)) >= 4 and (a.startswith(b)
                                                                                     or b.startswith(a))))


def _names_own_table(table: str, column: str) -> bool:
    """Whether a column's stem names its own table (``wp_web_page_sk`` in ``web_page``)."""
    own = [singular(t) for t in tokens(table)] or [singular(table)]
    return any(_similar(a, singular(b)) for a in _stem(table, column) for b in own)


def find(catalog: Catalog, tables: dict[str, Table], keys: dict[str, list[Column]], taken: set[tuple[str, str]],
         ) -> list[ForeignKey]:
    """Foreign keys from values for every child column not in ``taken`` ((table, column) already linked)."""
    per_table: dict[str, list[Candidate]] = {}
    holders: dict[tuple[str, str], list[Column]] = {}  # dense keys whose range overlaps a column's, measured or not
    for child_t in tables.values():
        own = {child_t.primary_key} if child_t.primary_key else set()  # other unique columns may reference
        unique = {c.name for c in keys.get(child_t.name, [])}
        for col in child_t.columns:
            if (child_t.name, col.name) in taken or not _child_ok(col, child_t, own, unique):
                continue
            for parent_t in tables.values():
                if parent_t is child_t:
                    continue
                for key in keys.get(parent_t.name, []):
                    if not compatible(col, key) or not overlaps(col, key):
                        continue
                    if _dense(key):  # its range mostly overlaps the child's (overlaps): it could hold it too
                        holders.setdefault((child_t.name, col.name), []).append(key)
                    if parent_t.primary_key not in (None, key.name) and not _key_like(key):
                        continue  # beside a key, a unique address or name is data, not something to point at
                    score = name_score(child_t.name, col.name, parent_t.name, key.name)
                    # values outside the key (orphans) are at most the share the containment rule leaves
                    slack = 1 - (MIN_CONTAINMENT_NAMED if score >= 3 else MIN_CONTAINMENT)
                    if col.distinct > 1.1 * key.distinct + slack * col.non_null + 10:
                        continue
                    if {"money", "quantity"} & set(col.roles) and score < 2:
                        continue  # a measure is never a reference by its values alone
                    if score < 2 and _dense(key) and col.distinct < 0.4 * key.distinct:
                        continue  # unnamed, a dense key must be half used (by the sketches, with slack)
                    per_table.setdefault(child_t.name, []).append(
                        Candidate(parent_t, key, col, score, _dense(key)))
    _measure(catalog, tables, per_table)
    found: list[ForeignKey] = []
    for name, cands in per_table.items():
        by_col: dict[str, list[Candidate]] = {}
        for c in cands:
            by_col.setdefault(c.child.name, []).append(c)
        for col_name, col_cands in by_col.items():
            best = _choose(col_cands, holders.get((name, col_name), []))
            if best is not None:
                ev = best.evidence
                found.append(ForeignKey(name, best.child.name, best.parent.name, best.key.name,
                                        coverage=ev.containment or 0.0, rows=best.child.non_null,
                                        orphans=ev.orphan_rows, source="discovered", evidence=ev))
    return found




def _measure(catalog: Catalog, tables: dict[str, Table], per_table: dict[str, list[Candidate]]) -> None:
    """Exact containment of the candidate pairs: one scan per child table (tables measured two at a time). A
    large child table is first measured on a seeded reservoir sample, and only pairs whose sample containment
    comes within 5 points of the rule are measured exactly — the evidence reported is always exact."""
    big = [n for n in per_table if tables[n].rows > 4 * SAMPLE_ROWS]
    for name in big:
        tables[name].sampled.append("foreign_keys")
    if big:
        sampled = _run(catalog, tables, {n: per_table[n] for n in big}, sample=True)
        for name in big:
            per_table[name] = [c for c in sampled[name] if (c.evidence.containment or 0) >= (
                MIN_CONTAINMENT_NAMED if c.name >= 3 else MIN_CONTAINMENT) - 0.05]
    _run(catalog, tables, {n: cands for n, cands in per_table.items() if cands}, sample=False)


def _run(catalog: Catalog, tables: dict[str, Table], per_table: dict[str, list[Candidate]], *,
         sample: bool) -> dict[str, list[Candidate]]:
    names = list(per_table)
    sqls = []
    for name in names:
        probes, parts = [], []
        for i, c in enumerate(per_table[name]):
            x, k, p = c.child.sql, c.key.sql, c.parent.sql
            probes += [f"{x} AS x{i}", f"{x} IN (SELECT {k} FROM {p}) AS m{i}"]  # each key probed once per row
            # rows exactly; distinct values by HyperLogLog (a few percent: evidence ratios, and the orphan check
            # counts its distinct missing keys exactly)
            # (CASE rather than FILTER: DuckDB evaluates each FILTER clause on its own)
            parts += [f"sum(m{i}::INTEGER)", f"count(x{i})",
                      f"approx_count_distinct(CASE WHEN m{i} THEN x{i} END)",
                      f"approx_count_distinct(CASE WHEN NOT m{i} THEN x{i} END)"]
            c.sql_index = i
        source = tables[name].sql
        if sample:
            source = f"(SELECT * FROM {source} USING SAMPLE reservoir({SAMPLE_ROWS} ROWS) REPEATABLE (42))"
        sqls.append(f"SELECT {', '.join(parts)} FROM (SELECT {', '.join(probes)} FROM {source})")
    for name, row in zip(names, catalog.fetchone_each(sqls), strict=True):
        for c in per_table[name]:
            inside, n, distinct_in, distinct_out = (int(v or 0) for v in row[4 * c.sql_index: 4 * c.sql_index + 4])
            c.evidence = Evidence(
                containment=inside / n if n else 0.0, child_distinct=distinct_in + distinct_out,
                key_distinct=c.key.distinct, key_coverage=min(distinct_in / max(c.key.distinct, 1), 1.0),
                orphan_rows=n - inside, orphan_values=distinct_out, name_score=c.name)
    return per_table


def could_hold(child: Column, key: Column, distinct: int) -> bool:
    """Whether dense ``key`` could be where ``child``'s ``distinct`` values come from: it holds nine tenths of the
    child's range, and values drawn from it would not all have landed in that range but by a one-in-a-million
    fluke. ``user_id`` 1..100 (63 distinct) could come from ``customers`` 1..100, not from ``payments`` 1..131 (63
    draws missing every id above 100); a film's ``length`` 46..185 minutes (140 distinct) not from ``actor``
    1..200.

    >>> c = Column("user_id", "BIGINT", "integer", lo=1, hi=100)
    >>> [could_hold(c, Column("k", "BIGINT", "integer", lo=1, hi=h), 63) for h in (100, 105, 131, 60)]
    [True, True, False, False]
    """
    if None in (child.lo, child.hi, key.lo, key.hi):
        return False
    span = int(child.hi) - int(child.lo) + 1
    inside = min(int(child.hi), int(key.hi)) - max(int(child.lo), int(key.lo)) + 1
    width = int(key.hi) - int(key.lo) + 1
    return inside >= 0.9 * span and distinct * math.log(max(inside, 1) / width) >= math.log(1e-6)


def _only_holder(c: Candidate, holders: list[Column], distinct: int) -> bool:
    """Among several dense keys, the one that could hold the child's values (:func:`could_hold`) — for a child
    named as an identifier (``user_id``) that holds all its values in the key only: a small attribute (a minute
    0..59, a day of the month) fits some small table's 1..N as well as an id does."""
    return ("id" in c.child.roles and not c.evidence.orphan_rows and could_hold(c.child, c.key, distinct)
            and not any(could_hold(c.child, h, distinct) for h in holders if h is not c.key))


def _choose(cands: list[Candidate], dense_holders: list[Column]) -> Candidate | None:
    """The child column's FK among its measured candidates, or None when coincidence cannot be ruled out.

    ``dense_holders`` lists every dense key whose range overlaps the child's, measured or pruned: when another
    could hold the child's values as well (see :func:`could_hold`), values alone cannot tell which one is meant."""
    kept = []
    for c in cands:
        ev, reasons = c.evidence, []
        share = ev.containment or 0.0
        # a column unique in its own table is a key there: a reference too only when (nearly) all of it is found
        # (and partial containment needs strong names: the same stem, not a shared word such as "page")
        relaxed = c.name >= 3 and c.child.distinct < 0.95 * max(c.child.non_null, 1)
        if share < (MIN_CONTAINMENT_NAMED if relaxed else MIN_CONTAINMENT):
            continue
        reasons.append(f"{share:.1%} of {c.child.name}'s values are {c.parent.name}.{c.key.name} values")
        if c.name >= 2:
            reasons.append(f"names agree (score {c.name})")
        elif not c.dense and (ev.child_distinct or 0) >= MIN_DISTINCT:
            reasons.append(f"{ev.child_distinct} distinct values, all but {ev.orphan_values} in a key that chance "
                           f"rarely hits ({c.key.kind}{'' if c.key.kind != 'integer' else ', sparse'})")
        elif (c.dense and (len(dense_holders) <= 1 or _only_holder(c, dense_holders, ev.child_distinct or 0))
              and (ev.key_coverage or 0) >= DENSE_COVERAGE
              and (ev.child_distinct or 0) >= 20 and c.child.distinct < 0.95 * max(c.child.non_null, 1)):
            # (two 1..N sequences, each unique in its table, are the classic coincidence: never by values alone)
            reasons.append(f"the only key that could hold them (another would have been hit by a one-in-a-million "
                           f"fluke); they use {ev.key_coverage:.0%} of it" if len(dense_holders) > 1 else
                           f"the only key holding them; they use {ev.key_coverage:.0%} of it")
        else:
            continue
        if ev.orphan_rows:
            reasons.append(f"{ev.orphan_rows} orphan rows ({ev.orphan_values} distinct values) are not in the key")
        ev.reasons = reasons
        kept.append(c)
    if not kept:
        return None
    return max(kept, key=lambda c: (c.name, (c.evidence.containment or 0) >= MIN_CONTAINMENT,
                                    c.evidence.key_coverage or 0, -(c.evidence.key_distinct or 0)))
