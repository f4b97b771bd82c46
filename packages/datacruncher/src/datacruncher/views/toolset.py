"""The agent's tools: every view and workflow of a ``workflow_definitions.yaml`` as a method, over any data.

The same tool code runs over a datagen output (simulation), any directory of parquet files, or a DuckDB database
file (production); tables are found through the file's roles. Results are cached per data fingerprint (and
optionally materialized as tables of a DuckDB file, reused by a later process while the data is unchanged).

>>> import tempfile, pathlib, pyarrow as pa, pyarrow.parquet as pq
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> pq.write_table(pa.table({"amount": [5.0, 12.5, 40.0]}), d / "orders.parquet")
>>> (d / "wf.yaml").write_text('''
... tables: {orders: [order, orders]}
... views:
...   big_orders:
...     description: Orders at or above a minimum
...     params: {min: {type: number, default: 10}}
...     sql: "SELECT count(*) AS n FROM {orders} WHERE amount >= $min"
...     format: summary
... ''') and None
>>> with Toolset.open(d, workflows=d / "wf.yaml") as tools:
...     tools.get_big_orders(12).value("n"), tools.call("get_big_orders", {"min": 1}).value("n")
(2, 3)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from datagen_contracts.fingerprint import dataset_fingerprint
from datagen_contracts.paths import did_you_mean
from datagen_contracts.text import quote_ident

from ..errors import InputError, ToolError, WorkflowError
from ..model.catalog import fetch_one
from .run import (
    ViewResult,
    WorkflowResult,
    bind_arguments,
    canonical,
    missing_roles,
    resolve_roles,
    run_view,
    view_result,
)
from .workflows import Param, WorkflowFile, find_workflows, load_workflows

DUCKDB_SUFFIXES = (".duckdb", ".ddb", ".db")
_JSON_TYPES = {"integer": "integer", "number": "number", "string": "string", "boolean": "boolean",
               "date": "string", "timestamp": "string"}


@dataclass
class _Tool:
    name: str
    kind: str  # "view" | "workflow"
    target: str  # view or workflow id
    description: str
    params: dict[str, Param]


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def open_source(source: str | Path, memory_limit: str = "2GB") -> tuple[duckdb.DuckDBPyConnection, list[str], str,
                                                                          Callable[[], None]]:
    """A connection over the data, its table names, its fingerprint and a close function.

    A ``.duckdb``/``.ddb``/``.db`` file is opened read-only (its tables and views are the tables; fingerprint:
    the file's sha256); anything else is mounted by :func:`datacruncher.model.catalog.open_catalog` (fingerprint:
    :func:`datagen_contracts.fingerprint.dataset_fingerprint` of its parquet files)."""
    path = Path(source)
    if path.suffix.lower() in DUCKDB_SUFFIXES:
        if not path.is_file():
            raise InputError(f"DuckDB database not found: {path}")
        try:
            con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            raise InputError(f"cannot open DuckDB database {path}: {exc}") from None
        con.execute("SET TimeZone = 'UTC'")
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY table_name").fetchall()]
        if not tables:
            con.close()
            raise InputError(f"no tables in DuckDB database {path}")
        return con, tables, "sha256:" + _file_sha256(path), con.close
    from ..model.catalog import open_catalog

    cat = open_catalog(path, memory_limit=memory_limit)
    root = cat.path if cat.path.is_dir() else cat.path.parent
    return cat.con, list(cat.tables), dataset_fingerprint(root, cat.files), cat.close


class _Materialized:
    """View results stored as tables of a DuckDB file, indexed by (fingerprint, tool, arguments)."""

    INDEX = "_datacruncher_views"

    def __init__(self, path: Path) -> None:
        try:
            self.con = duckdb.connect(str(path))
        except duckdb.Error as exc:
            raise InputError(f"cannot open the materialization file {path}: {exc}") from None
        self.con.execute(f"CREATE TABLE IF NOT EXISTS {self.INDEX} (key VARCHAR PRIMARY KEY, table_name VARCHAR, "
                         "view VARCHAR, fingerprint VARCHAR, arguments VARCHAR, sql VARCHAR, truncated BOOLEAN, "
                         "created_at TIMESTAMP)")

    def get(self, key: str) -> tuple[list[str], list[tuple[Any, ...]], bool, str] | None:
        row = self.con.execute(f"SELECT table_name, truncated, sql FROM {self.INDEX} WHERE key = $key",
                               {"key": key}).fetchone()
        if row is None:
            return None
        cur = self.con.execute(f"SELECT * FROM {quote_ident(row[0])}")
        return [d[0] for d in cur.description], [tuple(r) for r in cur.fetchall()], bool(row[1]), row[2]

    def put(self, key: str, result: ViewResult) -> None:
        import pyarrow as pa

        name = f"{result.view}__{key[:12]}"
        data = pa.table({c: pa.array([r[i] for r in result.rows]) for i, c in enumerate(result.columns)})
        self.con.register("_dc_result", data)
        try:
            self.con.execute(f"CREATE OR REPLACE TABLE {quote_ident(name)} AS SELECT * FROM _dc_result")
        finally:
            self.con.unregister("_dc_result")
        self.con.execute(f"INSERT OR REPLACE INTO {self.INDEX} VALUES ($key, $name, $view, $fp, $args, $sql, $trunc, "
                         "now()::TIMESTAMP)", {"key": key, "name": name, "view": result.view, "fp": result.fingerprint,
                                               "args": canonical(result.params), "sql": result.sql,
                                               "trunc": result.truncated})

    def close(self) -> None:
        self.con.close()


class Toolset:
    """Tools over one dataset. Use :meth:`open`; every tool is also a method (``tools.get_daily_briefing()``)."""

    def __init__(self, spec: WorkflowFile, con: duckdb.DuckDBPyConnection, tables: list[str], fingerprint: str,
                 closer: Callable[[], None], *, source: str, workflow: str | None = None,
                 as_of: dt.datetime | None = None, materialize: Path | None = None) -> None:
        self.spec, self.con, self.tables, self.fingerprint, self.source = spec, con, tables, fingerprint, source
        self.workflow = workflow
        self._closer = closer
        self._cache: dict[str, ViewResult] = {}
        self._store = _Materialized(materialize) if materialize is not None else None
        self.as_of = as_of if as_of is not None else self._data_as_of()
        self.tools: dict[str, _Tool] = {}
        for t in self._all_tools():
            self.tools[t.name] = t
            setattr(self, t.name, self._method(t))

    # ---- construction ----

    @classmethod
    def open(cls, source: str | Path, *, workflows: str | Path | WorkflowFile | None = None,
             workflow: str | None = None, as_of: dt.datetime | str | None = None,
             materialize: str | Path | None = None, memory_limit: str = "2GB") -> Toolset:
        """Open ``source`` (a parquet directory/file/glob or a DuckDB file) with the views of ``workflows`` (a
        file, a parsed :class:`WorkflowFile`, or None: ``workflow_definitions.yaml`` beside the data or in the
        current directory). ``workflow`` keeps only that workflow's tools; ``as_of`` pins "today";
        ``materialize`` stores results as tables of that DuckDB file."""
        spec = workflows if isinstance(workflows, WorkflowFile) else load_workflows(find_workflows(source, workflows))
        if workflow is not None and workflow not in spec.workflows:
            raise WorkflowError(f"unknown workflow {workflow!r}{did_you_mean(workflow, list(spec.workflows))} "
                                f"(known: {', '.join(spec.workflows) or 'none'})")
        if isinstance(as_of, str):
            try:
                as_of = dt.datetime.fromisoformat(as_of.replace("Z", "+00:00")).replace(tzinfo=None)
            except ValueError:
                raise ToolError(f"as_of must be an ISO timestamp, got {as_of!r}") from None
        con, tables, fingerprint, closer = open_source(source, memory_limit)
        try:
            return cls(spec, con, tables, fingerprint, closer, source=str(source), workflow=workflow, as_of=as_of,
                       materialize=Path(materialize) if materialize is not None else None)
        except BaseException:
            closer()
            raise

    def __enter__(self) -> Toolset:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
        self._closer()

    def _data_as_of(self) -> dt.datetime | None:
        a = self.spec.as_of
        if a is None:
            return None
        table = resolve_roles(self.spec, self.tables).get(a.table) or (a.table if a.table in self.tables else None)
        if table is None:
            return None
        try:
            value = fetch_one(self.con, f"SELECT max(CAST({quote_ident(a.column)} AS TIMESTAMP)) "
                                        f"FROM {quote_ident(table)}")[0]
        except duckdb.Error as exc:
            raise WorkflowError(f"as_of: cannot read {table}.{a.column}: {exc}") from None
        return value

    def _all_tools(self) -> list[_Tool]:
        wanted_views = set(self.spec.views)
        workflows = dict(self.spec.workflows)
        if self.workflow is not None:
            workflows = {self.workflow: workflows[self.workflow]}
            wanted_views = set(workflows[self.workflow].views)
        out = [_Tool(wf.tool_name(wid), "workflow", wid, wf.description, self.spec.workflow_params(wid))
               for wid, wf in workflows.items()]
        out += [_Tool(v.tool_name(vid), "view", vid, v.description, v.params)
                for vid, v in self.spec.views.items() if vid in wanted_views]
        return out

    def _method(self, tool: _Tool) -> Callable[..., Any]:
        names = list(tool.params)

        def method(*args: Any, **kwargs: Any) -> Any:
            if len(args) > len(names):
                raise ToolError(f"{tool.name} takes at most {len(names)} positional arguments ({', '.join(names)}), "
                                f"got {len(args)}")
            for name, value in zip(names, args, strict=False):
                if name in kwargs:
                    raise ToolError(f"{tool.name}: argument {name!r} given twice")
                kwargs[name] = value
            return self.call(tool.name, kwargs)

        method.__name__ = method.__qualname__ = tool.name
        method.__doc__ = tool.description + "".join(
            f"\n\n{n} ({p.type}{'' if p.required else f', default {p.default!r}'}): {p.description}"
            for n, p in tool.params.items())
        method.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
            inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                              default=inspect.Parameter.empty if p.required else p.default)
            for n, p in tool.params.items()])
        return method

    # ---- the tool API ----

    @property
    def tool_names(self) -> list[str]:
        return list(self.tools)

    def unavailable(self) -> dict[str, str]:
        """Tools this dataset cannot serve (a table role has no table), with the reason."""
        out = {}
        for t in self.tools.values():
            views = self.spec.workflows[t.target].views if t.kind == "workflow" else [t.target]
            missing = sorted({r for v in views for r in missing_roles(self.spec, self.spec.views[v], self.tables)})
            if missing:
                out[t.name] = "no table for " + ", ".join(
                    f"{{{r}}} (one of {', '.join(self.spec.tables[r])})" for r in missing)
        return out

    def specs(self) -> list[dict[str, Any]]:
        """OpenAI-style function specs of the tools this dataset can serve (JSON Schema parameters)."""
        skip = self.unavailable()
        out = []
        for t in self.tools.values():
            if t.name in skip:
                continue
            props: dict[str, Any] = {}
            for n, p in t.params.items():
                prop: dict[str, Any] = {"type": _JSON_TYPES[p.type]}
                if p.type in ("date", "timestamp"):
                    prop["format"] = "date" if p.type == "date" else "date-time"
                for key in ("description", "enum", "default", "minimum", "maximum"):
                    value = getattr(p, key)
                    if value not in (None, ""):
                        prop[key] = value
                props[n] = prop
            out.append({"type": "function", "function": {
                "name": t.name, "description": t.description,
                "parameters": {"type": "object", "properties": props,
                               "required": [n for n, p in t.params.items() if p.required],
                               "additionalProperties": False}}})
        return out

    def call(self, name: str, args: dict[str, Any] | None = None, *, from_text: bool = False
             ) -> ViewResult | WorkflowResult:
        """Run the tool ``name`` with ``args`` (validated: unknown tool or argument, or a wrong type, is a
        :class:`ToolError` with a hint). ``from_text`` converts command-line strings to the declared types."""
        tool = self.tools.get(name)
        if tool is None:
            raise ToolError(f"unknown tool {name!r}{did_you_mean(str(name), list(self.tools))} "
                            f"(tools: {', '.join(self.tools)})")
        values = bind_arguments(name, tool.params, args, from_text=from_text)
        if tool.kind == "view":
            return self._view(tool.target, values)
        wf = self.spec.workflows[tool.target]
        result = WorkflowResult(workflow=tool.target, tool=name, description=wf.description)
        given = set(args or {})
        for vid in wf.views:  # only the arguments given; each view keeps its own defaults for the rest
            view = self.spec.views[vid]
            mine = {k: v for k, v in values.items() if k in view.params and k in given}
            result.views.append(self._view(vid, bind_arguments(view.tool_name(vid), view.params, mine)))
        return result

    def _view(self, view_id: str, values: dict[str, Any]) -> ViewResult:
        view = self.spec.views[view_id]
        key = hashlib.sha256("\0".join([self.fingerprint, view_id, view.sql, canonical(values),
                                        str(self.as_of)]).encode()).hexdigest()
        if key in self._cache:
            return self._cache[key]
        if self._store is not None and (stored := self._store.get(key)) is not None:
            columns, rows, truncated, sql = stored
            result = view_result(self.spec, view_id, values, self.as_of, columns, rows, truncated, sql)
            result.fingerprint, result.cached = self.fingerprint, True
            self._cache[key] = result
            return result
        try:
            result = run_view(self.con, self.spec, view_id, values, tables=self.tables, as_of=self.as_of)
        except ToolError as exc:
            raise ToolError(f"{view.tool_name(view_id)}: {exc}") from None
        result.fingerprint = self.fingerprint
        if self._store is not None:
            self._store.put(key, result)
        self._cache[key] = result
        return result

    def __repr__(self) -> str:
        return f"Toolset({self.source!r}, tools={self.tool_names})"
