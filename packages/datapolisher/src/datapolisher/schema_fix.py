"""Path 1 — schema: each schema-level finding becomes a concrete, minimal edit of the DSL schema.

Edits work on the schema's plain JSON values (so the user's spelling and key order survive), each one recorded
as a :class:`Change` (the issue it addresses, the JSON path, before → after). The result is validated by the
contract (``loads_schema``) before anything is written. Where the schema itself injects the defect (the DSL
``defects`` block), removing that injection is the minimal fix; structural edits come on top of it:

=================  ==================================================================================
problem            edit
=================  ==================================================================================
temporal_parent    the child's time column follows the primary parent's creation (``after_parent: true``)
orphans            the child's FK column becomes ``lookup`` from the parent key; FK constraint declared
inverted_interval  a ``start <= end`` inequality constraint on the table
fanout             the fanout mean scaled by expected / measured (``lambda`` or ``min``/``max``); a
                   ``heavy_tailed_fanout`` action: negative binomial (dispersion 0.5), same mean
retention          a ``vintage_behavior`` retention curve on the parent entity
segments           a ``segment_behavior`` on the parent with distinct per-segment multipliers
nullable           ``null_rate`` set to the threshold the check expects
=================  ==================================================================================
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datagen_contracts import SchemaError, fixes
from datagen_contracts.dsl import loads_schema
from datagen_contracts.files import parse_json, parse_yaml, read_bytes, write_atomic

from .errors import InputError, PolisherError
from .issues import Finding, fixable_by, param

# DSL defect kinds (datagen_contracts.dsl.DEFECT_KINDS) that cause each problem.
DEFECTS_BEHIND = {
    "orphans": ("orphan_fk",), "temporal_parent": ("temporal_violation",),
    "inverted_interval": ("inverted_interval",), "duplicate_rows": ("duplicate_rows",),
    "duplicate_key": ("duplicate_pk",), "nullable": ("nulls",), "outliers": ("outliers",),
    "code_variants": ("format_variants", "case_variants"), "whitespace": ("whitespace",),
    "negative_amounts": ("negative_amounts",), "future_dates": ("future_dates",), "type_drift": ("float_ids",),
}


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


class _Editor:
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
        kinds = DEFECTS_BEHIND.get(f.problem or "", ())
        defects = self.raw.get("defects", [])
        keep: list[Any] = []
        removed: list[Any] = []
        for d in defects:
            target = str(d.get("target") or d.get("column") or "")
            kind = d.get("kind") or d.get("type")
            hit = kind in kinds and f.table is not None and target.partition(".")[0] == f.table
            if hit and f.column and "." in target and f.problem not in ("orphans", "temporal_parent", "inverted_interval"):
                hit = target.partition(".")[2] == f.column
            (removed if hit else keep).append(d)
        if not removed:
            return False
        self.raw["defects"] = keep
        self.record(f, "$.defects", removed, None, f"remove the injected {', '.join(sorted({str(d.get('kind') or d.get('type')) for d in removed}))} defect on {f.table}")
        return True

    # ----------------------------------------------------------------------------------- structural edits
    def _temporal_parent(self, f: Finding) -> bool:
        col = self.column(f.table, f.column) or self.column(f.table, param(f.params, "column"))
        if col is None:
            return False
        path, c = col
        if c.get("after_parent", True) is True:
            return False  # already follows the parent's creation: the injected defect was the cause
        before = c.get("after_parent")
        c["after_parent"] = True
        self.record(f, f"{path}.after_parent", before, True,
                    f"{f.table}.{c['name']} is drawn at or after its parent's creation time")
        return True

    def _orphans(self, f: Finding) -> bool:
        refs = str(param(f.params, "references", default=""))
        parent, _, pcol = refs.partition(".")
        if not pcol:
            parent = param(f.params, "parent", "parent_table") or ""
            found = self.node(parent)
            pcol = found[1].get("pk") or found[1].get("primary_key") or "" if found else ""
        col = self.column(f.table, f.column)
        if col is None or not parent or not pcol:
            return False
        path, c = col
        target = {"lookup": {"from": f"{parent}.{pcol}"}}
        changed = False
        if c.get("generator") != target:
            self.record(f, f"{path}.generator", c.get("generator"), target,
                        f"{f.table}.{c['name']} takes its value from {parent}.{pcol} (FK lookup)")
            c["generator"] = target
            changed = True
        cons = self.raw.setdefault("constraints", {})
        fks = cons.setdefault("foreign_keys", [])
        fk = {"from": f"{f.table}.{c['name']}", "to": f"{parent}.{pcol}"}
        if fk not in fks:
            fks.append(fk)
            self.record(f, "$.constraints.foreign_keys", None, fk, f"declare the foreign key {fk['from']} → {fk['to']}")
            changed = True
        return changed

    def _inverted_interval(self, f: Finding) -> bool:
        left = param(f.params, "left", "start", default=f.column)
        right = param(f.params, "right", "end")
        if not (left and right and self.column(f.table, left) and self.column(f.table, right)):
            return False
        rule = {"left": f"{f.table}.{left}", "op": "<=", "right": f"{f.table}.{right}"}
        ineq = self.raw.setdefault("constraints", {}).setdefault("inequalities", [])
        if rule in ineq:
            return False
        ineq.append(rule)
        self.record(f, "$.constraints.inequalities", None, rule, f"{f.table}.{left} <= {f.table}.{right} by construction")
        return True

    def _fanout(self, f: Finding) -> bool:
        if isinstance(f.issue.fix, fixes.HeavyTailedFanout):
            return self._heavy_tail(f)
        found = self.node(f.table)
        measured = f.issue.measure.value
        expected = param(f.params, "expected", "expected_mean", "target", default=f.issue.measure.threshold)
        if found is None or not measured or not expected:
            return False
        i, n = found
        before = copy.deepcopy(n.get("fanout"))
        fan = n.setdefault("fanout", {"distribution": "poisson", "lambda": float(measured)})
        ratio = float(expected) / float(measured)
        if fan.get("distribution", "poisson") == "uniform":
            fan["min"] = max(0, round(int(fan.get("min", 1)) * ratio))
            fan["max"] = max(fan["min"] + 1, round(int(fan.get("max", 2)) * ratio))
        else:
            key = "lambda" if "lambda" in fan or "lam" not in fan else "lam"
            fan[key] = round(float(fan.get(key, measured)) * ratio, 4)
        self.record(f, f"$.nodes[{i}].fanout", before, copy.deepcopy(fan),
                    f"fanout of {f.table} scaled by expected/measured mean {expected}/{measured:.4g}")
        return True

    def _heavy_tail(self, f: Finding) -> bool:
        """Engagement too even: the fanout keeps its mean but becomes negative binomial with dispersion 0.5 (the
        top tenth of parents then make about half the children, as real usage does)."""
        found = self.node(f.table)
        if found is None or "fanout" not in found[1]:
            return False
        i, n = found
        before = copy.deepcopy(n["fanout"])
        fan = n["fanout"]
        if fan.get("distribution") == "uniform":
            fan["lambda"] = (float(fan.get("min", 0)) + float(fan.get("max", fan.get("min", 0)))) / 2
            fan.pop("min", None), fan.pop("max", None)
        fan["distribution"], fan["dispersion"] = "negative_binomial", 0.5
        self.record(f, f"$.nodes[{i}].fanout", before, copy.deepcopy(fan),
                    f"fanout of {f.table} made heavy-tailed (negative binomial, dispersion 0.5), same mean")
        return True

    def _parent_of(self, f: Finding) -> tuple[int, dict[str, Any]] | None:
        parent = param(f.params, "parent", "entity")
        if parent is None:
            child = self.node(f.table)
            parents = child[1].get("parents", []) if child else []
            parent = parents[0] if parents else None
        return self.node(parent)

    def _created_column(self, node: dict[str, Any]) -> str | None:
        cols = [c for c in node.get("columns", []) if c.get("type") in ("datetime", "date")]
        named = [c for c in cols if any(k in c["name"].lower() for k in ("created", "signup", "registered", "joined"))]
        pick = (named or cols or [None])[0]
        return pick["name"] if pick else None

    def _retention(self, f: Finding) -> bool:
        found = self._parent_of(f)
        if found is None:
            return False
        i, n = found
        created = self._created_column(n)
        if created is None:
            return False
        before = copy.deepcopy(n.get("vintage_behavior"))
        vb = n.setdefault("vintage_behavior", {"created_at_column": created})
        curve = {"curve": [1.0, 0.7, 0.55, 0.45, 0.4, 0.36, 0.33, 0.31, 0.3, 0.29, 0.28, 0.27],
                 "time_unit": "month", "applies_to": "fanout"}
        if vb.get("age_based_multipliers", {}).get("retention") == curve:
            return False
        vb.setdefault("age_based_multipliers", {})["retention"] = curve
        self.record(f, f"$.nodes[{i}].vintage_behavior", before, copy.deepcopy(vb),
                    f"activity of {n.get('id')} decays over its life (retention curve from {created})")
        return True

    def _segments(self, f: Finding) -> bool:
        found = self._parent_of(f) or self.node(f.table)
        if found is None:
            return False
        i, n = found
        seg_col = param(f.params, "segment", "segment_column")
        choices: list[Any] = []
        for c in n.get("columns", []):
            gen = c.get("generator", {}).get("choice", {})
            if gen.get("choices") and (seg_col is None or c["name"] == seg_col):
                seg_col, choices = c["name"], list(gen["choices"])
                break
        if not choices or n.get("segment_behavior"):
            return False
        spread = [round(0.5 + 1.5 * k / max(1, len(choices) - 1), 2) for k in range(len(choices))]
        sb = {"segment_column": seg_col,
              "behaviors": {str(v): {"fanout_multiplier": m, "value_multiplier": m} for v, m in zip(choices, spread, strict=True)}}
        n["segment_behavior"] = sb
        self.record(f, f"$.nodes[{i}].segment_behavior", None, sb, f"segments of {n.get('id')}.{seg_col} behave differently")
        return True

    def _nullable(self, f: Finding) -> bool:
        col = self.column(f.table, f.column)
        target = param(f.params, "null_rate", "expected", default=f.issue.measure.threshold)
        if col is None or target is None or not col[1].get("nullable"):
            return False
        path, c = col
        before = c.get("null_rate")
        c["null_rate"] = float(target)
        self.record(f, f"{path}.null_rate", before, float(target), f"{f.table}.{c['name']} produces {target} nulls")
        return True

    def apply(self, f: Finding) -> bool:
        removed = self.remove_defects(f)
        edit = getattr(self, f"_{f.problem}", None)
        edited = bool(edit and edit(f))
        return removed or edited


def improve_schema(raw: dict[str, Any], findings: list[Finding]) -> SchemaFixResult:
    """Apply every schema-level edit the findings call for; the result is validated by the contract."""
    editor = _Editor(copy.deepcopy(raw))
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
