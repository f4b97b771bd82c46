"""Ordered column pairs of one table: declared same-table ``inequalities``, and start/end pairs implied by names.

A pair of date/datetime columns of the same table is *implied* when their names differ only by an early/late
word in the same place — ``start``/``end`` (also ``starts``, ``started``/``ended``), ``begin``/``end``,
``opened``/``closed``, ``from``/``to`` (``valid_from``/``valid_to``, ``from_date``/``to_date``) — as a prefix
(``start_time``/``end_time``, ``startdate``/``enddate``), a suffix (``trial_start``/``trial_end``) or a word
between underscores. A declared inequality between the same two columns (either way round) wins. Implied pairs
hold as ``late > early`` for two datetimes, ``late >= early`` otherwise.

>>> from datagen_contracts import dsl
>>> node = dsl.Node(id="m", columns=[dsl.Column(name=n, type="datetime", generator=dsl.Generator())
...                 for n in ("start_time", "end_time", "valid_from", "valid_to", "opened_on")])
>>> [(p.early, p.late, p.strict) for p in implied_pairs(None, node, declared=[])]
[('start_time', 'end_time', True), ('valid_from', 'valid_to', True)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from datagen_contracts import dsl

from .references import TIME_TYPES

#: (early words, late words) — a name pair differing only by one of each, in the same place
WORD_PAIRS = (
    (("start", "starts", "started", "starting"), ("end", "ends", "ended", "ending")),
    (("begin", "begins", "began"), ("end", "ends", "ended")),
    (("opened", "open", "opens"), ("closed", "close", "closes")),
    (("from",), ("to",)),
    (("first",), ("last",)),
    (("checkin",), ("checkout",)),
    (("in",), ("out",)),  # check_in/check_out, time_in/time_out
    (("pickup",), ("dropoff",)),
    (("login",), ("logout",)),
    (("admission", "admitted", "admit"), ("discharge", "discharged")),
    (("issue", "issued", "effective"), ("expiry", "expires", "expired", "expiration")),
)
#: early/late prefixes glued to the rest of the name (``startdate``/``enddate``)
GLUED = (("start", "end"), ("begin", "end"), ("opened", "closed"), ("checkin", "checkout"), ("pickup", "dropoff"),
         ("login", "logout"), ("first", "last"))
_SPLIT = re.compile(r"[_\-\s]+")


@dataclass(frozen=True)
class Pair:
    early: str
    late: str
    strict: bool  # late > early (else late >= early)
    declared: bool  # from constraints.inequalities (else implied by the names)

    def text(self, table: str) -> str:
        return f"{table}.{self.early} {'<' if self.strict else '<='} {table}.{self.late}"


def declared_pairs(schema: dsl.Schema, node: dsl.Node) -> list[Pair]:
    out = []
    for q in schema.constraints.inequalities:
        lt, _, lc = q.left.partition(".")
        rt, _, rc = q.right.partition(".")
        if lt != node.id or rt != node.id or q.op not in ("<", "<=", ">", ">="):
            continue
        if node.column(lc) is None or node.column(rc) is None:
            continue
        early, late = (lc, rc) if q.op in ("<", "<=") else (rc, lc)
        out.append(Pair(early, late, q.op in ("<", ">"), True))
    return out


def _names_pair(a: str, b: str) -> bool:
    """Whether ``a`` names the start of what ``b`` ends."""
    ta, tb = _SPLIT.split(a.lower()), _SPLIT.split(b.lower())
    if len(ta) == len(tb):
        diff = [i for i, (x, y) in enumerate(zip(ta, tb, strict=True)) if x != y]
        if len(diff) == 1 and any(ta[diff[0]] in e and tb[diff[0]] in late for e, late in WORD_PAIRS):
            return True
    la, lb = a.lower(), b.lower()
    return any(la.startswith(e) and lb.startswith(late) and la[len(e):] == lb[len(late):] and la[len(e):]
               and la[len(e)] not in "_- " for e, late in GLUED)


def implied_pairs(schema: dsl.Schema, node: dsl.Node, declared: list[Pair] | None = None) -> list[Pair]:
    """Start/end pairs implied by the names of two date/datetime columns (none already declared)."""
    declared = declared_pairs(schema, node) if declared is None else declared
    covered = {frozenset((p.early, p.late)) for p in declared}
    times = [c for c in node.columns if c.type in TIME_TYPES]
    out = []
    for a in times:
        for b in times:
            if a is b or frozenset((a.name, b.name)) in covered or not _names_pair(a.name, b.name):
                continue
            covered.add(frozenset((a.name, b.name)))
            out.append(Pair(a.name, b.name, a.type == b.type == "datetime", False))
    return out


def ordered_pairs(schema: dsl.Schema, node: dsl.Node) -> list[Pair]:
    """Every pair the engine keeps ordered in ``node``, upstream first: a pair whose early column is another pair's
    late column comes after it (``start <= shipped`` before ``shipped <= delivered``: redrawing ``shipped`` after
    ``start`` must not undo what held ``delivered`` after it). Declared before implied, otherwise.

    >>> node = dsl.Node(id="s", columns=[])
    >>> doc = dsl.Schema(version="1.0", metadata={}, timeframe=dsl.Timeframe(start="2024-01-01", end="2024-12-31"),
    ...     nodes=[node], constraints=dsl.Constraints(inequalities=[
    ...         dsl.InequalitySpec(left="s.delivered", op=">=", right="s.shipped"),
    ...         dsl.InequalitySpec(left="s.shipped", op=">=", right="s.start")]))
    >>> [(p.early, p.late) for p in ordered_pairs(doc, dsl.Node(id="s", columns=[dsl.Column(name=n, type="date",
    ...     generator=dsl.Generator()) for n in ("start", "shipped", "delivered")]))]
    [('start', 'shipped'), ('shipped', 'delivered')]
    """
    declared = declared_pairs(schema, node)
    pairs = declared + implied_pairs(schema, node, declared)
    depth = {p.early: 0 for p in pairs}
    for _ in pairs:  # longest chain of earlier columns (a cycle stops after as many rounds as pairs)
        for p in pairs:
            depth[p.late] = max(depth.get(p.late, 0), depth[p.early] + 1)
    return sorted(pairs, key=lambda p: depth[p.early])  # stable: declared before implied at each depth


@dataclass(frozen=True)
class ParentBound:
    """A declared inequality between a column of a fact and a column of its primary parent (joined through the
    FK): the fact's values stay after (``after``) or before the parent row's value, strictly or not."""

    column: str
    parent_column: str
    after: bool
    strict: bool


def parent_bounds(schema: dsl.Schema, node: dsl.Node) -> list[ParentBound]:
    """``constraints.inequalities`` between ``node`` and its primary parent, seen from ``node``.

    >>> doc = dsl.Schema(version="1.0", metadata={}, timeframe=dsl.Timeframe(start="2024-01-01", end="2024-12-31"),
    ...     nodes=[], constraints=dsl.Constraints(inequalities=[
    ...         dsl.InequalitySpec(left="shipment.shipped_at", op=">", right="order.paid_at"),
    ...         dsl.InequalitySpec(left="order.credit", op=">=", right="shipment.cost")]))
    >>> parent_bounds(doc, dsl.Node(id="shipment", parents=["order"]))
    [ParentBound(column='shipped_at', parent_column='paid_at', after=True, strict=True), \
ParentBound(column='cost', parent_column='credit', after=False, strict=False)]
    """
    if schema is None or not node.parents:
        return []
    parent, out = node.parents[0], []
    for q in schema.constraints.inequalities:
        (lt, _, lc), (rt, _, rc) = q.left.partition("."), q.right.partition(".")
        if q.op not in ("<", "<=", ">", ">="):
            continue
        greater = q.op in (">", ">=")
        if lt == node.id and rt == parent and lt != rt:
            out.append(ParentBound(lc, rc, greater, q.op in ("<", ">")))
        elif rt == node.id and lt == parent and lt != rt:
            out.append(ParentBound(rc, lc, not greater, q.op in ("<", ">")))
    return out
