"""Path 1 — schema: each schema-level finding becomes a concrete, minimal edit of the DSL schema.

Edits work on the schema's plain JSON values (so the user's spelling and key order survive), each one recorded
as a :class:`Change` (the issue it addresses, the JSON path, before → after). The result is validated by the
contract (``loads_schema``) before anything is written. Where the schema itself injects the defect (the DSL
``defects`` block), removing that injection is the minimal fix; the problem's own edit (``edit_schema`` in its
module of :mod:`datapolisher.problems`, documented there and in ``docs/datapolisher.md``) comes on top of it.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datagen_contracts import SchemaError
from datagen_contracts.dsl import loads_schema
from datagen_contracts.files import parse_json, parse_yaml, read_bytes, write_atomic

from .errors import InputError, PolisherError
from .issues import Finding, fixable_by
from .problems import BY_PROBLEM


@dataclass(frozen=True)
class Change:
    issue_id: str
    finding: str
    path: str
    before: Any
    after: Any
    summary: str


@dataclass
class SchemaFixResult:
    schema: dict[str, Any]
    changes: list[Change] = field(default_factory=list)
    unhandled: list[Finding] = field(default_factory=list)


def read_schema_raw(path: Path) -> dict[str, Any]:
    data = read_bytes(path, "schema")
    raw = parse_yaml(data, str(path)) if path.suffix in (".yaml", ".yml") else parse_json(data, str(path))
    if not isinstance(raw, dict):
        raise InputError(f"{path}: a DSL schema is a JSON object")
    return raw


class SchemaEditor:
    """The schema being edited, with the look-ups and the change log the problems' ``edit_schema`` use."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.changes: list[Change] = []

    def node(self, table: str | None) -> tuple[int, dict[str, Any]] | None:
        for i, n in enumerate(self.raw.get("nodes", [])):
            if table is not None and (n.get("id") or n.get("name") or n.get("table")) == table:
                return i, n
        return None

    def column(self, table: str | None, column: str | None) -> tuple[str, dict[str, Any]] | None:
        found = self.node(table)
        if found is None or column is None:
            return None
        i, n = found
        for j, c in enumerate(n.get("columns", [])):
            if c.get("name") == column:
                return f"$.nodes[{i}].columns[{j}]", c
        return None

    def record(self, f: Finding, path: str, before: Any, after: Any, summary: str) -> None:
        self.changes.append(Change(f.issue.id, f.issue.finding, path, before, after, summary))

    def remove_defects(self, f: Finding) -> bool:
        module = BY_PROBLEM.get(f.problem or "")
        kinds = module.DEFECTS if module is not None else ()
        on_table = getattr(module, "DEFECTS_ON_TABLE", False)  # a relation's defect targets another column
        defects = self.raw.get("defects", [])
        keep: list[Any] = []
        removed: list[Any] = []
        for d in defects:
            target = str(d.get("target") or d.get("column") or "")
            kind = d.get("kind") or d.get("type")
            hit = kind in kinds and f.table is not None and target.partition(".")[0] == f.table
            if hit and f.column and "." in target and not on_table:
                hit = target.partition(".")[2] == f.column
            (removed if hit else keep).append(d)
        if not removed:
            return False
        self.raw["defects"] = keep
        self.record(f, "$.defects", removed, None, f"remove the injected {', '.join(sorted({str(d.get('kind') or d.get('type')) for d in removed}))} defect on {f.table}")
        return True

    def parent_of(self, f: Finding) -> tuple[int, dict[str, Any]] | None:
        parent = f.param("parent")
        if parent is None:
            child = self.node(f.table)
            parents = child[1].get("parents", []) if child else []
            parent = parents[0] if parents else None
        return self.node(parent)

    def created_column(self, node: dict[str, Any]) -> str | None:
        cols = [c for c in node.get("columns", []) if c.get("type") in ("datetime", "date")]
        named = [c for c in cols if any(k in c["name"].lower() for k in ("created", "signup", "registered", "joined"))]
        pick = (named or cols or [None])[0]
        return pick["name"] if pick else None

    def apply(self, f: Finding) -> bool:
        """Remove the defect injection behind the finding, then make its problem's own edit (if it has one)."""
        removed = self.remove_defects(f)
        edit = getattr(BY_PROBLEM.get(f.problem or ""), "edit_schema", None)
        edited = bool(edit and edit(self, f))
        return removed or edited


def improve_schema(raw: dict[str, Any], findings: list[Finding]) -> SchemaFixResult:
    """Apply every schema-level edit the findings call for; the result is validated by the contract."""
    editor = SchemaEditor(copy.deepcopy(raw))
    unhandled = []
    for f in findings:
        if not fixable_by(f, "schema") or not editor.apply(f):
            unhandled.append(f)
    text = json.dumps(editor.raw, indent=2, ensure_ascii=False)
    try:
        loads_schema(text, source="schema_improved.json")
    except SchemaError as exc:
        raise PolisherError(f"the improved schema does not validate, nothing written:\n{exc}") from None
    return SchemaFixResult(editor.raw, editor.changes, unhandled)


def _show(value: Any) -> str:
    return "—" if value is None else "`" + json.dumps(value, ensure_ascii=False) + "`"


def changes_markdown(result: SchemaFixResult, source: str) -> str:
    lines = [f"# Schema changes ({source} → schema_improved.json)", ""]
    if not result.changes:
        lines.append("No schema-level change was needed.")
    for k, c in enumerate(result.changes, 1):
        lines += [f"## {k}. {c.summary}", "", f"- addresses: `{c.issue_id}` — {c.finding}", f"- at: `{c.path}`",
                  f"- before: {_show(c.before)}", f"- after: {_show(c.after)}", ""]
    if result.unhandled:
        lines += ["## Not addressed by a schema change", ""]
        lines += [f"- `{f.issue.id}` ({f.issue.fix.action}): {f.issue.finding}" for f in result.unhandled]
    return "\n".join(lines).rstrip() + "\n"


def write_improved(result: SchemaFixResult, directory: Path, source: str) -> tuple[Path, Path]:
    schema_path = write_atomic(directory / "schema_improved.json",
                               (json.dumps(result.schema, indent=2, ensure_ascii=False) + "\n").encode())
    md_path = write_atomic(directory / "schema_changes.md", changes_markdown(result, source).encode())
    return schema_path, md_path
