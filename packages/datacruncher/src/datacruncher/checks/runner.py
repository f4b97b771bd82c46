"""Running checks: render a check's SQL in each context, execute it in DuckDB, grade the metric.

The SQL of a check returns one row. ``value`` is the metric (NULL → skipped: nothing to measure); optional
``row_count`` and ``failed_row_count`` feed the report's measure; ``skip_reason`` (non-NULL) skips the context
with that reason; every other column is available to the finding and recommendation templates. A query that
fails is an *error* — never a pass.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import math
import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import duckdb

from datagen_contracts.text import quote_literal

from ..errors import CheckDefinitionError
from ..model.catalog import Catalog, fetch_one, reading_error
from ..model.semantic import Model
from .bindings import PLACEHOLDER, Context, Skip, contexts
from .personas import LEVELS, Check, Persona, parse_condition

_TEXT_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}]*))?\}")
_OPS = {
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
}


@dataclass
class Outcome:
    """One check in one context: passed, failed (with a severity), skipped or error."""

    persona: Persona
    check: Check
    status: str  # passed | failed | skipped | error
    context: Context | None = None
    reason: str | None = None
    sql: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    severity: str | None = None
    threshold: float | None = None
    samples: list[Any] = field(default_factory=list)
    duration_ms: float = 0.0

    @property
    def value(self) -> float | None:
        v = self.values.get("value")
        return None if v is None else float(v)


def plain(value: Any) -> Any:
    """A JSON-friendly version of a DuckDB result value."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def render_sql(template: str, values: dict[str, str]) -> str:
    def sub(m: re.Match[str]) -> str:
        if m.group(1) not in values:
            raise CheckDefinitionError(f"placeholder {{{m.group(1)}}} has no value in this context")
        return values[m.group(1)]

    return PLACEHOLDER.sub(sub, template)


def render_text(template: str, values: dict[str, Any]) -> str:
    """Fill ``{name}`` / ``{name:.1%}`` placeholders; a missing value renders as ``n/a``."""

    def sub(m: re.Match[str]) -> str:
        name, spec = m.group(1), m.group(2)
        if name not in values or values[name] is None:
            return "n/a"
        value = values[name]
        try:
            return format(value, spec) if spec else str(value)
        except (ValueError, TypeError):
            return str(value)

    return _TEXT_PLACEHOLDER.sub(sub, template)


def grade(check: Check, value: float) -> tuple[str | None, float | None]:
    """(severity, threshold that triggered) — or (None, the mildest threshold) when the value passes."""
    mildest = None
    for level in LEVELS:
        cond = getattr(check.severity, level)
        if cond is None:
            continue
        for op, limit in parse_condition(cond):
            mildest = limit
            if _OPS[op](value, limit):
                return level, limit
    return None, mildest


def common_values(model: Model, sample_limit: int) -> dict[str, str]:
    return {
        "ref_end": quote_literal(model.ref_end) + "::TIMESTAMP" if model.ref_end else "NULL::TIMESTAMP",
        "ref_start": quote_literal(model.ref_start) + "::TIMESTAMP" if model.ref_start else "NULL::TIMESTAMP",
        "ref_declared": "TRUE" if model.ref_declared else "FALSE",
        "sample_limit": str(int(sample_limit)),
    }


#: concurrent queries: DuckDB parallelizes one query over its threads, but the many small ones of a crunch
#: (one column, one key) leave cores idle in their single-threaded phases; two at a time fill them
WORKERS = 2


class Runner:
    """Evaluates checks against one catalog; identical SQL runs once (personas may share a check).

    ``run`` renders every check's SQL first, executes the distinct statements ``WORKERS`` at a time (each on its
    own cursor of the one DuckDB database), then grades the outcomes in the declared order — the report does
    not depend on which query finished first.
    """

    def __init__(self, catalog: Catalog, model: Model, sample_limit: int = 10, workers: int = WORKERS) -> None:
        self.catalog, self.model, self.sample_limit, self.workers = catalog, model, sample_limit, workers
        meta = catalog.metadata
        #: the data came from datagen (its .metadata.json, or a DSL schema given): advice may name the schema
        self.generated = catalog.schema is not None or (meta is not None and meta.generator is not None and (
            meta.generator.name.startswith("datagen") or getattr(meta, "schema", None) is not None))
        self._cache: dict[str, tuple[dict[str, Any] | None, str | None, float]] = {}
        self._sample_cache: dict[str, list[Any]] = {}

    def run_check(self, persona: Persona, check: Check, *, samples: bool = True) -> list[Outcome]:
        try:
            ctxs = contexts(self.model, check)
        except Skip as why:
            return [Outcome(persona, check, "skipped", reason=str(why))]
        return [self._run_one(persona, check, ctx, samples) for ctx in ctxs]

    def run(self, personas: list[Persona]) -> list[Outcome]:
        planned: list[tuple[Persona, Check, list[Context] | Skip]] = []
        for p in personas:
            for c in p.checks:
                try:
                    planned.append((p, c, contexts(self.model, c)))
                except Skip as why:
                    planned.append((p, c, why))
        pending = []
        for _, c, ctxs in planned:
            for ctx in ctxs if isinstance(ctxs, list) else ():
                try:
                    pending.append(self._render(c, ctx)[0])
                except CheckDefinitionError:
                    continue  # reported as an error when graded
        self._prefetch(pending, self._cache, self._execute_on)
        outcomes = []
        for p, c, ctxs in planned:
            if isinstance(ctxs, Skip):
                outcomes.append(Outcome(p, c, "skipped", reason=str(ctxs)))
            else:
                outcomes += [self._run_one(p, c, ctx, samples=False) for ctx in ctxs]
        wanted = [(o, sql) for o in outcomes if (sql := self._sample_sql(o)) is not None]
        with self._one_thread():
            for sql in dict.fromkeys(s for _, s in wanted if s not in self._sample_cache):
                self._sample_cache[sql] = self._samples_on(self.catalog.con, sql)
        for o, sql in wanted:
            o.samples = self._sample_cache.get(sql, [])
        return outcomes

    def _prefetch(self, sqls: list[str], cache: dict[str, Any], fn: Callable[[Any, str], Any]) -> None:
        todo = list(dict.fromkeys(s for s in sqls if s not in cache))
        if self.workers <= 1 or len(todo) < 2:
            for sql in todo:
                cache[sql] = fn(self.catalog.con, sql)
            return

        def work(sql: str) -> tuple[str, Any]:
            cur = self.catalog.con.cursor()
            try:
                return sql, fn(cur, sql)
            finally:
                cur.close()

        with ThreadPoolExecutor(self.workers) as pool:
            for sql, result in pool.map(work, todo):
                if not (isinstance(result, tuple) and str(result[1]).startswith("OutOfMemoryException")):
                    cache[sql] = result  # out of memory beside another query: graded alone, later

    def _execute_on(self, con: Any, sql: str) -> tuple[dict[str, Any] | None, str | None, float]:
        start = time.perf_counter()
        try:
            cur = con.execute(sql)
            names = [d[0] for d in cur.description]
            row = cur.fetchone()
            result: tuple[dict[str, Any] | None, str | None] = (dict(zip(names, row, strict=True)) if row else {}), None
        except duckdb.Error as exc:
            damaged = reading_error(exc, self.catalog.files)
            if damaged is not None:  # a damaged file is the input's fault (exit 2), not a check's error
                raise damaged from None
            result = None, f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
        return (*result, (time.perf_counter() - start) * 1000)

    def _execute(self, sql: str) -> tuple[dict[str, Any] | None, str | None, float]:
        if sql not in self._cache:
            self._cache[sql] = self._execute_on(self.catalog.con, sql)
        return self._cache[sql]

    def _render(self, check: Check, ctx: Context) -> tuple[str, dict[str, str]]:
        params = {k: quote_literal(v) for k, v in check.params.items()}
        sql_values = {**common_values(self.model, self.sample_limit), **params, **ctx.sql}
        return render_sql(check.sql, sql_values).strip(), sql_values

    def _run_one(self, persona: Persona, check: Check, ctx: Context, samples: bool = True) -> Outcome:
        out = Outcome(persona, check, "error", context=ctx)
        try:
            out.sql = self._render(check, ctx)[0]
        except CheckDefinitionError as exc:
            out.reason = str(exc)
            return out
        source = self.catalog.tables.get(ctx.table or "")
        if source is not None and source.rows == 0:  # an empty table is analysed, not an error
            out.status, out.reason = "skipped", f"table {ctx.table} has no rows"
            return out
        row, error, out.duration_ms = self._execute(out.sql)
        if error is not None or row is None:
            out.reason = error or "query returned nothing"
            return out
        out.values = {k: plain(v) for k, v in row.items()}
        if "value" not in out.values:
            out.reason = "the check's SQL returns no 'value' column"
            return out
        if out.values.get("skip_reason"):
            out.status, out.reason = "skipped", str(out.values["skip_reason"])
            return out
        if out.value is None:
            out.status, out.reason = "skipped", "nothing to measure (no rows, or the metric is undefined)"
            return out
        rows = out.values.get("row_count")
        if check.min_rows and (rows is None or rows < check.min_rows):
            out.status, out.reason = "skipped", f"too few rows to judge ({rows} < {check.min_rows})"
            return out
        out.severity, out.threshold = grade(check, out.value)
        column = self.model.tables[ctx.table].column(ctx.column) if ctx.table in self.model.tables else None
        if out.severity in ("critical", "high") and column is not None and any(
                column.confidence(r) == "low" for r in check.roles if r in column.roles):
            out.severity = "medium"  # the role that chose this check is doubtful: never a gate-failing finding
        out.status = "failed" if out.severity else "passed"
        if samples and out.severity and check.samples:
            sql = self._sample_sql(out)
            if sql is not None and sql not in self._sample_cache:
                with self._one_thread():
                    self._sample_cache[sql] = self._samples_on(self.catalog.con, sql)
            out.samples = self._sample_cache.get(sql, []) if sql is not None else []
        return out

    @contextlib.contextmanager
    def _one_thread(self) -> Iterator[None]:
        """Sample queries run on one thread: the same rows every run (on several threads a hash join or
        aggregate returns its rows in an order that varies), and a LIMIT stops the work early — cheaper than
        sorting the whole result. The thread count is restored after."""
        con = self.catalog.con
        before = fetch_one(con, "SELECT current_setting('threads')")[0]
        con.execute("SET threads = 1")
        try:
            yield
        finally:
            con.execute(f"SET threads = {int(before)}")

    def _sample_sql(self, out: Outcome) -> str | None:
        """The capped sample query of a failed outcome, or None (no samples declared, or they do not render)."""
        if out.status != "failed" or not out.check.samples or out.context is None:
            return None
        try:
            template = render_sql(out.check.samples, self._render(out.check, out.context)[1])
        except CheckDefinitionError:
            return None
        return f"SELECT * FROM ({template}) LIMIT {int(self.sample_limit)}"

    @staticmethod
    def _samples_on(con: Any, sql: str) -> list[Any]:
        try:
            rows = con.execute(sql).fetchall()
        except duckdb.Error:
            return []  # samples are illustrations; the measure itself already ran
        return [plain(r[0]) if len(r) == 1 else [plain(v) for v in r] for r in rows]

    def text_values(self, outcome: Outcome) -> dict[str, Any]:
        ctx = outcome.context
        values: dict[str, Any] = dict(outcome.check.params)
        if ctx is not None:
            values.update(ctx.names)
        values.update(outcome.values)
        values.update(persona=outcome.persona.name, benchmark=outcome.check.benchmark, severity=outcome.severity,
                      threshold=outcome.threshold, ref_end=plain(self.model.ref_end),
                      ref_start=plain(self.model.ref_start))
        return values
