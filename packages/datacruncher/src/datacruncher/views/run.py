"""Running a data view: arguments validated against its typed parameters, table roles resolved to quoted
identifiers, parameters bound (never formatted into the SQL), the rows formatted as a table, a key-value summary
or text.

>>> import duckdb
>>> from datacruncher.views.workflows import parse_workflows
>>> spec = parse_workflows('''
... tables: {orders: [order, orders]}
... views:
...   big: {description: big orders, sql: "SELECT count(*) AS n FROM {orders} WHERE amount >= $min",
...         params: {min: {type: number, default: 10}}, format: summary, labels: {n: Big orders}}
... ''', "inline")
>>> con = duckdb.connect()
>>> _ = con.execute('CREATE TABLE "order" AS SELECT * FROM (VALUES (5.0), (12.5), (40.0)) t(amount)')
>>> result = run_view(con, spec, "big", {"min": 12}, tables=["order"])
>>> result.value("n"), result.text
(2, 'big orders\\n  Big orders: 2')
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
from dataclasses import dataclass, field
from typing import Any

import duckdb

from datagen_contracts import clock
from datagen_contracts.paths import did_you_mean
from datagen_contracts.text import quote_ident

from ..errors import ToolError
from .workflows import ROLE_PLACEHOLDER, SQL_PARAM, Param, View, WorkflowFile


@dataclass
class ViewResult:
    """One view's rows and their rendering. ``str(result)`` is the text an agent reads."""

    view: str
    tool: str
    title: str
    format: str
    params: dict[str, Any]
    columns: list[str]
    rows: list[tuple[Any, ...]]
    text: str
    sql: str
    truncated: bool = False
    fingerprint: str | None = None
    cached: bool = False

    def __str__(self) -> str:
        return self.text

    @property
    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def value(self, column: str, row: int = 0) -> Any:
        """One value (first row by default), e.g. ``result.value("tickets_opened")``."""
        if column not in self.columns:
            raise KeyError(f"view {self.view!r} has no column {column!r}{did_you_mean(column, self.columns)}")
        return self.rows[row][self.columns.index(column)]

    def to_dict(self) -> dict[str, Any]:
        return {"view": self.view, "tool": self.tool, "title": self.title, "format": self.format,
                "params": {k: _plain(v) for k, v in self.params.items()}, "columns": self.columns,
                "rows": [[_plain(v) for v in r] for r in self.rows], "truncated": self.truncated, "text": self.text,
                "sql": self.sql, "fingerprint": self.fingerprint}


@dataclass
class WorkflowResult:
    """A workflow's views in order; its text is the views' texts as sections."""

    workflow: str
    tool: str
    description: str
    views: list[ViewResult] = field(default_factory=list)

    @property
    def text(self) -> str:
        return f"# {self.description}\n\n" + "\n\n".join(v.text for v in self.views)

    def __str__(self) -> str:
        return self.text

    def __getitem__(self, view: str) -> ViewResult:
        for v in self.views:
            if v.view == view:
                return v
        raise KeyError(f"workflow {self.workflow!r} has no view {view!r}")

    def to_dict(self) -> dict[str, Any]:
        return {"workflow": self.workflow, "tool": self.tool, "description": self.description,
                "views": [v.to_dict() for v in self.views], "text": self.text}


def _plain(v: Any) -> Any:
    """A JSON-friendly value: dates as ISO strings, decimals as numbers."""
    if isinstance(v, dt.datetime | dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, bytes):
        return v.hex()
    return v


def _normalize(v: Any) -> Any:
    """Decimals from DuckDB sums become int/float, so results compare equal to plain Python arithmetic."""
    return _plain(v) if isinstance(v, decimal.Decimal) else v


# ---- arguments ------------------------------------------------------------------------------------------

def _coerce_text(tool: str, name: str, p: Param, value: str) -> Any:
    try:
        if p.type == "integer":
            return int(value)
        if p.type == "number":
            return float(value)
        if p.type == "boolean":
            low = value.strip().lower()
            if low in ("true", "1", "yes", "on", "false", "0", "no", "off"):
                return low in ("true", "1", "yes", "on")
            raise ValueError(value)
    except ValueError:
        raise ToolError(f"{tool}: argument {name!r} must be {_article(p.type)}, got {value!r}") from None
    return value


def _article(t: str) -> str:
    return {"integer": "an integer", "number": "a number", "string": "a string", "boolean": "true or false",
            "date": "a date (YYYY-MM-DD)", "timestamp": "a timestamp (ISO 8601)"}[t]


def check_argument(tool: str, name: str, p: Param, value: Any) -> Any:
    """The value, checked against the parameter (and converted: ISO text → date/timestamp)."""
    where = f"{tool}: argument {name!r}"
    ok = {
        "integer": (isinstance(value, int) and not isinstance(value, bool))
        or (isinstance(value, float) and value.is_integer()),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "string": isinstance(value, str),
        "boolean": isinstance(value, bool),
        "date": isinstance(value, dt.date | str),
        "timestamp": isinstance(value, dt.date | str),
    }[p.type]
    if not ok:
        raise ToolError(f"{where} must be {_article(p.type)}, got {type(value).__name__} {value!r}")
    if p.type == "integer":
        value = int(value)
    if p.type in ("date", "timestamp") and isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
        except ValueError:
            raise ToolError(f"{where} must be {_article(p.type)}, got {value!r}") from None
        value = parsed.date() if p.type == "date" else parsed
    if p.enum is not None and value not in p.enum:
        raise ToolError(f"{where} must be one of {p.enum}, got {value!r}{did_you_mean(str(value), [str(e) for e in p.enum])}")
    if p.minimum is not None and value < p.minimum:
        raise ToolError(f"{where} must be ≥ {p.minimum:g}, got {value!r}")
    if p.maximum is not None and value > p.maximum:
        raise ToolError(f"{where} must be ≤ {p.maximum:g}, got {value!r}")
    return value


def bind_arguments(tool: str, params: dict[str, Param], args: dict[str, Any] | None, *,
                   from_text: bool = False) -> dict[str, Any]:
    """Every declared parameter's value: the argument (validated) or the default. ``from_text`` converts
    command-line strings first. Unknown or missing arguments are :class:`ToolError`."""
    if args is None:
        args = {}
    if not isinstance(args, dict):
        raise ToolError(f"{tool}: arguments must be an object (a dict), got {type(args).__name__}")
    out: dict[str, Any] = {}
    for name in args:
        if name not in params:
            known = ", ".join(params) or "none"
            raise ToolError(f"{tool}: unknown argument {name!r}{did_you_mean(str(name), list(params))} (takes: {known})")
    for name, p in params.items():
        if name in args and args[name] is not None:
            value = args[name]
            if from_text and isinstance(value, str):
                value = _coerce_text(tool, name, p, value)
            out[name] = check_argument(tool, name, p, value)
        elif p.required:
            raise ToolError(f"{tool}: missing required argument {name!r} ({p.type}{': ' + p.description if p.description else ''})")
        else:
            out[name] = check_argument(tool, name, p, p.default)
    return out


# ---- tables ---------------------------------------------------------------------------------------------

def resolve_roles(spec: WorkflowFile, tables: list[str]) -> dict[str, str | None]:
    """Each role's physical table: the first candidate present (case-insensitively), else None."""
    by_lower = {t.lower(): t for t in tables}
    return {role: next((by_lower[c.lower()] for c in names if c.lower() in by_lower), None)
            for role, names in spec.tables.items()}


def missing_roles(spec: WorkflowFile, view: View, tables: list[str]) -> list[str]:
    roles = resolve_roles(spec, tables)
    return [r for r in dict.fromkeys(ROLE_PLACEHOLDER.findall(view.sql)) if r in roles and roles[r] is None]


def render_sql(spec: WorkflowFile, view: View, tables: list[str]) -> str:
    """The view's SQL with every ``{role}`` replaced by its quoted table name."""
    roles = resolve_roles(spec, tables)
    missing = missing_roles(spec, view, tables)
    if missing:
        wanted = "; ".join(f"{{{r}}}: one of {', '.join(spec.tables[r])}" for r in missing)
        raise ToolError(f"this dataset has no table for {wanted} (tables: {', '.join(sorted(tables)) or 'none'})")

    def table(m: re.Match[str]) -> str:
        physical = roles.get(m.group(1))
        return quote_ident(physical) if physical is not None else m.group(0)

    return ROLE_PLACEHOLDER.sub(table, view.sql)


# ---- running and formatting -----------------------------------------------------------------------------

def execute(con: duckdb.DuckDBPyConnection, sql: str, values: dict[str, Any], limit: int
            ) -> tuple[list[str], list[tuple[Any, ...]], bool]:
    """Run ``sql`` with the named parameters it uses bound; return columns, at most ``limit`` rows, truncated."""
    used = {name: values[name] for name in dict.fromkeys(SQL_PARAM.findall(sql)) if name in values}
    try:
        cur = con.execute(sql, used)
    except duckdb.Error as exc:
        raise ToolError(f"the view's SQL failed: {exc}") from None
    columns = [d[0] for d in cur.description] if cur.description else []
    rows = cur.fetchmany(limit + 1)
    return columns, [tuple(_normalize(v) for v in r) for r in rows[:limit]], len(rows) > limit


def _fmt(value: Any, spec: str | None, column: str = "") -> str:
    if value is None:
        return "—"
    if not spec and (column == "id" or column.endswith("_id")):
        return str(value)  # keys are names, not quantities: no thousands separator
    if spec:
        try:
            return format(value, spec)
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def format_rows(view: View, title: str, columns: list[str], rows: list[tuple[Any, ...]], truncated: bool) -> str:
    """The view's text: an aligned table, ``label: value`` lines of the first row, or the template per row."""
    label = [view.labels.get(c, c) for c in columns]
    cells = [[_fmt(v, view.formats.get(c), c) for c, v in zip(columns, r, strict=True)] for r in rows]
    if not rows:
        return f"{title}\n  {view.empty}"
    if view.format == "summary":
        width = max(len(lbl) for lbl in label)
        return title + "".join(f"\n  {lbl + ':':<{width + 1}} {v}" for lbl, v in zip(label, cells[0], strict=True))
    if view.format == "text":
        lines = []
        for r, c in zip(rows, cells, strict=True):
            fields = {**dict(zip(columns, c, strict=True)), **{f"{k}__raw": v for k, v in zip(columns, r, strict=True)}}
            try:
                lines.append((view.template or "").format_map(fields))
            except (KeyError, IndexError, ValueError) as exc:
                raise ToolError(f"the template of view {title!r} refers to {exc} (columns: {', '.join(columns)})") from None
        more = "\n  …more rows not shown" if truncated else ""
        return title + "".join(f"\n  {line}" for line in lines) + more
    widths = [max(len(lbl), *(len(c[i]) for c in cells)) for i, lbl in enumerate(label)]
    numeric = [all(isinstance(r[i], int | float) or r[i] is None for r in rows) for i in range(len(columns))]

    def line(values: list[str]) -> str:
        return "  " + "  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric, strict=True))

    out = [title, line(label), "  " + "  ".join("-" * w for w in widths), *(line(c) for c in cells)]
    if truncated:
        out.append(f"  …more rows not shown (limit {view.limit})")
    return "\n".join(out).rstrip()


def run_view(con: duckdb.DuckDBPyConnection, spec: WorkflowFile, view_id: str, args: dict[str, Any] | None = None,
             *, tables: list[str], as_of: dt.datetime | None = None, from_text: bool = False) -> ViewResult:
    """Run one view of ``spec`` on ``con`` (whose tables are ``tables``) and format it."""
    if view_id not in spec.views:
        raise ToolError(f"unknown view {view_id!r}{did_you_mean(view_id, list(spec.views))}")
    view = spec.views[view_id]
    values = bind_arguments(view.tool_name(view_id), view.params, args, from_text=from_text)
    sql = render_sql(spec, view, tables)
    as_of = as_of if as_of is not None else clock.now().replace(tzinfo=None)
    columns, rows, truncated = execute(con, sql, {**values, "as_of": as_of}, view.limit)
    return view_result(spec, view_id, values, as_of, columns, rows, truncated, sql)


def view_result(spec: WorkflowFile, view_id: str, values: dict[str, Any], as_of: dt.datetime | None,
                columns: list[str], rows: list[tuple[Any, ...]], truncated: bool, sql: str) -> ViewResult:
    """A :class:`ViewResult` for rows of the view (just run, or read back from a materialization)."""
    view = spec.views[view_id]
    title = view.title or view.description
    shown = {**values, **({"as_of": as_of} if "$as_of" in view.sql else {})}
    return ViewResult(view=view_id, tool=view.tool_name(view_id), title=title, format=view.format, params=shown,
                      columns=columns, rows=rows, text=format_rows(view, title, columns, rows, truncated), sql=sql,
                      truncated=truncated)


def canonical(values: dict[str, Any]) -> str:
    """A stable text of argument values (the cache key's part)."""
    return json.dumps({k: _plain(v) for k, v in sorted(values.items())}, sort_keys=True, default=str)
