"""``workflow_definitions.yaml``: the data views an agent's workflows need, validated by msgspec Structs.

A view is SQL plus formatting; a workflow lists the views it needs. Tables are named directly (quoted by you) or
through *roles* — ``{tickets}`` in the SQL becomes the first of the role's candidate tables that exists, quoted —
so the same file runs over a datagen output and over production data whose tables are named differently.
Parameters are typed, have defaults, and are bound as DuckDB named parameters (``$days``), never formatted into
the SQL; ``$as_of`` (the data's "today") is always available::

    version: 1
    tables:                                  # roles: candidate table names, the first present wins
      tickets: [ticket, tickets, support_tickets]
    as_of: {table: tickets, column: opened_at}   # $as_of = max(opened_at) unless the caller passes one
    views:
      ticket_metrics:
        description: Ticket volume and CSAT over the last N days
        tool: get_ticket_metrics             # default: get_<view id>
        params:
          days: {type: integer, default: 7, minimum: 1, description: window length in days}
        sql: |
          SELECT count(*) AS tickets, avg(csat_score) AS csat FROM {tickets}
          WHERE opened_at > $as_of - to_days($days) AND opened_at <= $as_of
        format: summary                      # table | summary (key: value of the first row) | text
        labels: {tickets: Tickets opened}
        formats: {csat: .2f}
    workflows:
      daily_briefing:
        description: Morning overview
        views: [ticket_metrics]              # tool get_daily_briefing runs them in order

Unknown keys are errors with their JSON path and a "did you mean"; every problem of a file is reported at once.

>>> spec = parse_workflows('''
... views:
...   n: {description: rows, sql: "SELECT count(*) AS n FROM t", format: summary}
... workflows:
...   w: {description: all, views: [n]}
... ''', "inline")
>>> spec.views["n"].tool_name("n"), spec.workflows["w"].tool_name("w")
('get_n', 'get_w')
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import msgspec

from datagen_contracts.paths import child, did_you_mean

from ..errors import WorkflowError
from ..handwritten import Hand, read_file, read_mapping

FILENAME = "workflow_definitions.yaml"
ParamType = Literal["integer", "number", "string", "boolean", "date", "timestamp"]
Format = Literal["table", "summary", "text"]
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
ROLE_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
SQL_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
#: names a tool may not take: the Toolset's own attributes
RESERVED_TOOLS = frozenset({"open", "call", "specs", "close", "tools", "tool_names", "fingerprint", "source",
                            "workflow", "spec", "refresh", "as_of", "describe"})


class Param(Hand, kw_only=True):
    type: ParamType
    default: Any = None  # None: the argument is required
    description: str = ""
    enum: list[Any] | None = None
    minimum: float | None = None
    maximum: float | None = None

    @property
    def required(self) -> bool:
        return self.default is None


class AsOf(Hand, kw_only=True):
    """Where ``$as_of`` comes from when the caller gives none: the latest value of a time column."""

    table: str  # a role or a table name
    column: str


class View(Hand, kw_only=True):
    description: str
    sql: str
    tool: str | None = None
    title: str | None = None
    params: dict[str, Param] = msgspec.field(default_factory=dict)
    format: Format = "table"
    template: str | None = None  # text: formatted once per row with its columns, e.g. "{severity}: {message}"
    labels: dict[str, str] = msgspec.field(default_factory=dict)  # column -> label shown in table/summary
    formats: dict[str, str] = msgspec.field(default_factory=dict)  # column -> format spec, e.g. ",.2f" or ".1%"
    limit: int = 50  # rows kept (and shown); more are reported as truncated
    empty: str = "(no rows)"

    def tool_name(self, view_id: str) -> str:
        return self.tool or f"get_{view_id}"


class Workflow(Hand, kw_only=True):
    description: str
    views: list[str]
    tool: str | None = None

    def tool_name(self, workflow_id: str) -> str:
        return self.tool or f"get_{workflow_id}"


class WorkflowFile(Hand, kw_only=True):
    version: Literal[1] = 1
    description: str = ""
    tables: dict[str, list[str]] = msgspec.field(default_factory=dict)
    as_of: AsOf | None = None
    views: dict[str, View]
    workflows: dict[str, Workflow] = msgspec.field(default_factory=dict)
    source: str = ""  # set by the loader

    def workflow_params(self, workflow_id: str) -> dict[str, Param]:
        """The parameters of a workflow's tool: the union of its views' (validated to agree on type)."""
        out: dict[str, Param] = {}
        for v in self.workflows[workflow_id].views:
            for name, p in self.views[v].params.items():
                out.setdefault(name, p)
        return out


_PY_TYPES = {"integer": (int,), "number": (int, float), "string": (str,), "boolean": (bool,)}


def _check_param(p: Param, path: str, problems: list[str]) -> None:
    def fits(v: Any) -> bool:
        if p.type in _PY_TYPES:
            return isinstance(v, _PY_TYPES[p.type]) and (p.type == "boolean" or not isinstance(v, bool))
        return isinstance(v, str)  # date / timestamp defaults are ISO strings

    if p.default is not None and not fits(p.default):
        problems.append(f"{child(path, 'default')}: {p.default!r} is not of type {p.type}")
    for i, v in enumerate(p.enum or []):
        if not fits(v):
            problems.append(f"{child(child(path, 'enum'), i)}: {v!r} is not of type {p.type}")
    if p.enum and p.default is not None and p.default not in p.enum:
        problems.append(f"{child(path, 'default')}: {p.default!r} is not one of {p.enum}")
    if (p.minimum is not None or p.maximum is not None) and p.type not in ("integer", "number"):
        problems.append(f"{path}: minimum/maximum apply to integer and number parameters only")


def _check_view(spec: WorkflowFile, vid: str, view: View, problems: list[str]) -> None:
    path = child("$.views", vid)
    for name, p in view.params.items():
        if not _NAME.match(name) or name == "as_of":
            problems.append(f"{child(child(path, 'params'), name)}: parameter names are identifiers other than 'as_of'")
        _check_param(p, child(child(path, "params"), name), problems)
    roles = list(spec.tables)
    for role in ROLE_PLACEHOLDER.findall(view.sql):
        if role not in spec.tables:
            problems.append(f"{child(path, 'sql')}: unknown table role {{{role}}}{did_you_mean(role, roles)} "
                            f"(declare it under 'tables'; known: {', '.join(roles) or 'none'})")
    declared = [*view.params, "as_of"]
    for name in dict.fromkeys(SQL_PARAM.findall(view.sql)):
        if name not in declared:
            problems.append(f"{child(path, 'sql')}: ${name} is not a declared parameter{did_you_mean(name, declared)}")
    for name in view.params:
        if f"${name}" not in view.sql:
            problems.append(f"{child(child(path, 'params'), name)}: declared but not used as ${name} in the SQL")
    if view.format == "text" and not view.template:
        problems.append(f"{path}: format 'text' needs a 'template'")
    if view.limit < 1:
        problems.append(f"{child(path, 'limit')}: must be ≥ 1")


def _validate(spec: WorkflowFile, problems: list[str]) -> None:
    tools: dict[str, str] = {}

    def claim(tool: str, path: str) -> None:
        if not _NAME.match(tool):
            problems.append(f"{path}: tool name {tool!r} is not an identifier")
        elif tool in RESERVED_TOOLS:
            problems.append(f"{path}: tool name {tool!r} is reserved by the Toolset")
        elif tool in tools:
            problems.append(f"{path}: tool name {tool!r} is already used by {tools[tool]}")
        else:
            tools[tool] = path

    for role, names in spec.tables.items():
        if not _NAME.match(role):
            problems.append(f"{child('$.tables', role)}: role names are identifiers")
        if not names:
            problems.append(f"{child('$.tables', role)}: list at least one table name")
    if spec.as_of is not None and spec.as_of.table not in spec.tables and not spec.as_of.table:
        problems.append("$.as_of.table: empty")
    for vid, view in spec.views.items():
        if not _NAME.match(vid):
            problems.append(f"{child('$.views', vid)}: view ids are identifiers")
        claim(view.tool_name(vid), child(child("$.views", vid), "tool"))
        _check_view(spec, vid, view, problems)
    for wid, wf in spec.workflows.items():
        path = child("$.workflows", wid)
        claim(wf.tool_name(wid), child(path, "tool"))
        if not wf.views:
            problems.append(f"{child(path, 'views')}: list at least one view")
        for i, v in enumerate(wf.views):
            if v not in spec.views:
                problems.append(f"{child(child(path, 'views'), i)}: unknown view {v!r}{did_you_mean(v, list(spec.views))}")
        types_: dict[str, tuple[str, str]] = {}
        for v in (v for v in wf.views if v in spec.views):
            for name, p in spec.views[v].params.items():
                seen = types_.setdefault(name, (p.type, v))
                if seen[0] != p.type:
                    problems.append(f"{path}: parameter {name!r} is {seen[0]} in view {seen[1]!r} but {p.type} in {v!r}")


def _type_errors(raw: dict[str, Any], problems: list[str]) -> None:
    """Type errors of each view and workflow, with full paths (msgspec writes ``$.views[...]`` for dict keys)."""
    for section, type_ in (("views", View), ("workflows", Workflow)):
        entries = raw.get(section)
        if not isinstance(entries, dict):
            continue
        for key, value in entries.items():
            base = child(child("$", section), str(key))
            params = value.get("params") if isinstance(value, dict) and section == "views" else None
            if isinstance(params, dict):  # each parameter on its own, so its path names it
                for name, p in params.items():
                    _convert(p, Param, child(child(base, "params"), str(name)), problems)
                value = {**value, "params": {}}
            _convert(value, type_, base, problems)


def _convert(value: Any, type_: type, base: str, problems: list[str]) -> None:
    try:
        msgspec.convert(value, type_, strict=False)
    except msgspec.ValidationError as exc:
        problems.append(re.sub(r"`\$([^`]*)`", lambda m: base + m.group(1), str(exc)))


def parse_workflows(data: bytes | str, source: str) -> WorkflowFile:
    """Validate a workflow file's text (YAML) and return it; :class:`WorkflowError` lists every problem."""
    raw = read_mapping(data, source, WorkflowFile, WorkflowError)
    problems: list[str] = []
    _type_errors(raw, problems)
    if problems:
        raise WorkflowError(f"{source}: " + "; ".join(problems))
    try:
        spec = msgspec.convert(raw, WorkflowFile, strict=False)
    except msgspec.ValidationError as exc:
        raise WorkflowError(f"{source}: {exc}") from None
    _validate(spec, problems)
    if problems:
        raise WorkflowError(f"{source}: " + "; ".join(problems))
    return msgspec.structs.replace(spec, source=source)


def load_workflows(path: str | Path) -> WorkflowFile:
    """Read and validate a ``workflow_definitions.yaml`` file."""
    return parse_workflows(read_file(path, "workflow file", WorkflowError), str(path))


def find_workflows(dataset: str | Path, explicit: str | Path | None = None) -> Path:
    """The workflow file to use: ``explicit``, else ``workflow_definitions.yaml`` beside the data, else in the
    current directory."""
    if explicit is not None:
        return Path(explicit)
    base = Path(dataset)
    for candidate in (base / FILENAME if base.is_dir() else base.parent / FILENAME, Path.cwd() / FILENAME):
        if candidate.is_file():
            return candidate
    raise WorkflowError(f"no {FILENAME} beside {dataset} nor in the current directory; pass one with --workflows FILE")
