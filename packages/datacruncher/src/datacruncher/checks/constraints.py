"""The schema's declared constraints and realism targets, checked on the data ("discrepancy from schema").

Constraints (``constraints`` at the top level, and a column's own ``constraints``) hold by construction in
generated data, so a violation is a **high** issue:

- ``unique: ["t.c"]`` — surplus duplicate values;
- ``enum: [{attr, values | enum_ref}]`` and a column's ``{enum | enum_ref}`` — values outside the set
  (``enum_ref: "t.c"`` takes the set from another table's column);
- ``pattern: [{attr, regex}]`` and a column's ``{pattern}`` — values not fully matching the regex (RE2);
- ``ranges: [{attr, min, max}]`` — values outside the bounds;
- ``inequalities: [{left, op, right}]`` — rows where ``left op right`` is false; across tables through the
  foreign key that links them.

Targets (``targets``: ``weekend_share {table, timestamp, min, max}``, ``mean_in_range {table, column, min,
max}``) are realism goals, so a miss is a **medium** issue. Each result carries a fix hint for datapolisher.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import duckdb

from datagen_contracts.dsl import semantics
from datagen_contracts.fixes import (
    AnyFix,
    ClampToRange,
    DedupeOnKey,
    Inequality,
    NormalizeFormat,
    NormalizeToEnum,
    ReviewDrift,
    make_fix,
)
from datagen_contracts.report import DriftResult, Issue
from datagen_contracts.text import quote_ident, quote_literal

from ..model.catalog import Catalog, fetch_one
from ..model.semantic import Model
from .drift import as_sql_text, drift_issue

_OPS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "=", "=": "=", "!=": "<>"}


def _items(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _split(attr: Any) -> tuple[str, str]:
    table, _, column = str(attr or "").partition(".")
    return table, column


class _Checker:
    def __init__(self, cat: Catalog, model: Model, doc: dict[str, Any]) -> None:
        self.cat, self.model, self.doc = cat, model, doc
        self.hints: dict[int, tuple[str, AnyFix]] = {}  # id(result) -> (severity, fix)

    def has(self, table: str, *columns: str) -> bool:
        t = self.model.table(table)
        return t is not None and all(t.column(c) is not None for c in columns)

    def result(self, metric: str, table: str, column: str | None, expected: Any, bad: int, n: int, what: str,
               fix: AnyFix, severity: str = "high") -> DriftResult:
        rate = bad / n if n else 0.0
        r = DriftResult(kind="schema", metric=metric, status="drift" if bad else "ok", table=table, column=column,
                        expected=expected, observed=bad, value=round(rate, 6), threshold=0.0,
                        message=f"{bad} of {n} {table} rows ({rate:.2%}) {what}")
        self.hints[id(r)] = (severity, fix)
        return r

    def count(self, table: str, column_sql: str, bad_sql: str, where: str = "TRUE") -> tuple[int, int]:
        row = fetch_one(self.cat.con,
            f"SELECT count(*) FILTER (WHERE {where}), count(*) FILTER (WHERE {where} AND ({bad_sql})) "
            f"FROM {quote_ident(table)}"
        )
        return int(row[0]), int(row[1])

    def unique(self, table: str, column: str) -> Iterator[DriftResult]:
        if self.has(table, column):
            c = quote_ident(column)
            n, distinct = fetch_one(self.cat.con, f"SELECT count({c}), count(DISTINCT {c}) FROM {quote_ident(table)}")
            yield self.result("unique", table, column, "unique", n - distinct, n, f"repeat a value of {column}, "
                              "declared unique", DedupeOnKey(path="postprocess", table=table, key=column))

    def enum(self, table: str, column: str, values: Any, ref: Any) -> Iterator[DriftResult]:
        if not self.has(table, column):
            return
        c = f"CAST({quote_ident(column)} AS VARCHAR)"
        if isinstance(ref, str) and "." in ref:
            rt, rc = _split(ref)
            if not self.has(rt, rc):
                return
            expected: Any
            allowed, expected = f"SELECT CAST({quote_ident(rc)} AS VARCHAR) FROM {quote_ident(rt)}", f"values of {ref}"
        elif isinstance(values, list) and values:
            allowed, expected = ", ".join(quote_literal(as_sql_text(v)) for v in values), [as_sql_text(v) for v in values]
        else:
            return
        n, bad = self.count(table, c, f"{c} NOT IN ({allowed})", f"{quote_ident(column)} IS NOT NULL")
        yield self.result("enum", table, column, expected, bad, n, f"have a {column} outside the declared enum",
                          NormalizeToEnum(path="postprocess", table=table, column=column, values=list(expected)))

    def pattern(self, table: str, column: str, regex: str) -> Iterator[DriftResult]:
        if not self.has(table, column):
            return
        c = f"CAST({quote_ident(column)} AS VARCHAR)"
        n, bad = self.count(table, c, f"NOT regexp_full_match({c}, {quote_literal(regex)})",
                            f"{quote_ident(column)} IS NOT NULL")
        yield self.result("pattern", table, column, regex, bad, n, f"have a {column} not matching /{regex}/",
                          NormalizeFormat(path="schema", table=table, column=column, regex=regex))

    def length(self, m: semantics.MaxLength) -> Iterator[DriftResult]:
        if not self.has(m.table, m.column):
            return
        c = f"CAST({quote_ident(m.column)} AS VARCHAR)"
        n, bad = self.count(m.table, c, f"length({c}) > {int(m.chars)}", f"{quote_ident(m.column)} IS NOT NULL")
        yield self.result("max_length", m.table, m.column, m.chars, bad, n,
                          f"have a {m.column} longer than {m.chars} characters",
                          ReviewDrift(path="none", table=m.table, column=m.column, metric="max_length", expected=m.chars))

    def range(self, rng: semantics.Range) -> Iterator[DriftResult]:
        table, column, lo, hi = rng.table, rng.column, rng.min, rng.max
        conds = [f"{quote_ident(column)} < {quote_literal(float(lo))}" for _ in [0] if isinstance(lo, int | float)]
        conds += [f"{quote_ident(column)} > {quote_literal(float(hi))}" for _ in [0] if isinstance(hi, int | float)]
        if self.has(table, column) and conds:
            n, bad = self.count(table, quote_ident(column), " OR ".join(conds), f"{quote_ident(column)} IS NOT NULL")
            yield self.result("range", table, column, [lo, hi], bad, n, f"have {column} outside [{lo}, {hi}]",
                              ClampToRange(path="postprocess", table=table, column=column, min=lo, max=hi))

    def inequality(self, ineq: semantics.Inequality) -> Iterator[DriftResult]:
        (lt, lc), (rt, rc), op = _split(ineq.left), _split(ineq.right), _OPS.get(ineq.op)
        if op is None or not (self.has(lt, lc) and self.has(rt, rc)):
            return
        text = f"{ineq.left} {ineq.op} {ineq.right}"
        fix = Inequality(path="schema", table=lt, left=ineq.left, op=ineq.op, right=ineq.right)
        if lt == rt:
            left, right, source = quote_ident(lc), quote_ident(rc), quote_ident(lt)
        else:  # across tables through the foreign key linking them
            fk = next((f for f in self.model.foreign_keys if {f.child, f.parent} == {lt, rt}), None)
            if fk is None:
                return
            source = (f"{quote_ident(fk.child)} AS c JOIN {quote_ident(fk.parent)} AS p "
                      f"ON c.{quote_ident(fk.child_column)} = p.{quote_ident(fk.parent_column)}")
            left = ("c." if lt == fk.child else "p.") + quote_ident(lc)
            right = ("c." if rt == fk.child else "p.") + quote_ident(rc)
        row = fetch_one(self.cat.con,
            f"SELECT count(*), count(*) FILTER (WHERE NOT ({left} {op} {right})) FROM {source} "
            f"WHERE {left} IS NOT NULL AND {right} IS NOT NULL"
        )
        yield self.result("inequality", lt, lc, text, int(row[1]), int(row[0]), f"break {text}", fix)

    def target(self, spec: semantics.Target) -> Iterator[DriftResult]:
        metric, table, column, lo, hi = spec.metric, spec.table, spec.column, spec.min, spec.max
        if not self.has(table, column):
            return
        c = quote_ident(column)
        if metric == "weekend_share":
            sql = f"avg(CASE WHEN dayofweek(CAST({c} AS TIMESTAMP)) IN (0, 6) THEN 1.0 ELSE 0.0 END)"
            what, action = "weekend share", "seasonality"
        else:
            sql, what, action = f"avg(CASE WHEN isfinite({c}::DOUBLE) THEN {c}::DOUBLE END)", "mean", "shift_mean"
        value = self.cat.scalar(f"SELECT {sql} FROM {quote_ident(table)} WHERE {c} IS NOT NULL")
        if value is None:
            return
        value = float(value)
        inside = (lo is None or value >= float(lo)) and (hi is None or value <= float(hi))
        message = f"{what} of {table}.{column} is {value:.4g}, the schema's target is [{lo}, {hi}]"
        severity = "medium"
        implied = self.implied_weekend_share(table, column) if metric == "weekend_share" else None
        if not inside and implied is not None and abs(implied - value) < 0.02 and not (
                (lo is None or implied >= float(lo)) and (hi is None or implied <= float(hi))):
            # the data follows the declaration: the schema's own weekday pattern cannot reach its target
            severity = "low"
            message += f"; the schema's own weekday weights imply {implied:.4g}, so the target is unreachable as declared"
        r = DriftResult(kind="schema", metric=metric, status="ok" if inside else "drift", table=table, column=column,
                        expected=[lo, hi], observed=round(value, 6), value=round(value, 6), message=message)
        self.hints[id(r)] = (severity, make_fix(action, "schema", {"table": table, "column": column, "min": lo, "max": hi}))
        yield r

    def implied_weekend_share(self, table: str, column: str) -> float | None:
        """Saturday + Sunday weight over the week from the column's ``dow`` patterns (Monday = 0), if any."""
        node = next((n for n in _items(self.doc.get("nodes")) if n.get("id") == table), {})
        col = next((c for c in _items(node.get("columns")) if c.get("name") == column), {})
        gen = (col.get("generator") or {}).get("datetime_series") or {}
        patterns = _items(gen.get("pattern")) + [m.get("args") or {} for m in _items(col.get("modifiers"))
                                                 if m.get("transform") == "seasonality"]
        week = [1.0] * 7
        for p in patterns:
            w = p.get("weights")
            if p.get("dimension") == "dow" and isinstance(w, list) and len(w) == 7:
                week = [a * float(b) for a, b in zip(week, w, strict=True)]
        return (week[5] + week[6]) / sum(week) if week != [1.0] * 7 and sum(week) > 0 else None


def _checks(ck: _Checker, doc: dict[str, Any]) -> Iterator[Callable[[], Iterator[DriftResult]]]:
    """One deferred check per declaration (as :mod:`datagen_contracts.dsl.semantics` reads them, like ``datagen
    validate``), so a failing one is reported without stopping the others. Ranges generation merely implies (a
    clamp) are ``validate``'s business; these are the declared ones."""
    declared = semantics.expectations(doc)
    for u in declared.unique:
        yield partial(ck.unique, u.table, u.column)
    for e in declared.enums:
        yield partial(ck.enum, e.table, e.column, list(e.values) if e.values is not None else None, e.ref)
    for p in declared.patterns:
        yield partial(ck.pattern, p.table, p.column, p.regex)
    for m in declared.lengths:
        yield partial(ck.length, m)
    for rng in declared.ranges:
        if rng.declared:
            yield partial(ck.range, rng)
    for ineq in declared.inequalities:
        yield partial(ck.inequality, ineq)
    for target in declared.targets:
        yield partial(ck.target, target)


def schema_constraints(cat: Catalog, model: Model) -> tuple[list[DriftResult], list[Issue]]:
    """Every declared constraint and target as a drift result; the violated ones also as issues."""
    doc = cat.schema
    if not doc:
        return [], []
    ck = _Checker(cat, model, doc)
    results: list[DriftResult] = []
    for check in _checks(ck, doc):
        try:
            results += list(check())
        except duckdb.Error as exc:  # e.g. a regex RE2 cannot compile: reported, never a pass
            results.append(DriftResult(kind="schema", metric="constraint", status="error",
                                       message=f"a declared constraint could not be checked: {str(exc).splitlines()[0]}"))
    issues = []
    for r in results:
        if r.status == "drift":
            severity, fix = ck.hints[id(r)]
            issue = drift_issue(r, severity)
            issue.fix, issue.category = fix, "schema_discrepancy"
            if r.metric == "inequality":  # several inequalities may start at one column
                issue.id = f"{issue.rule_id}:{r.expected}"
            issue.recommendation = f"Make the data honour the schema's {r.metric} declaration ({fix.action})"
            issues.append(issue)
    return results, issues
