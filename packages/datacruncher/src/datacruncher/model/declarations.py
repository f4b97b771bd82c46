"""What the dataset's producer declared: ``.metadata.json`` and the DSL schema (both optional).

The schema is read with ``datagen_contracts.dsl.load_schema`` when that reader exists and accepts the file (so
aliases come back normalized); otherwise as plain JSON, since datacruncher only reads expectations from it.
"""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path
from typing import Any

from datagen_contracts import files as contract_files
from datagen_contracts.dsl import semantics
from datagen_contracts.errors import ContractError

from ..errors import InputError


def read_metadata(directory: Path) -> Any:
    """The dataset's ``.metadata.json`` as a ``DatasetMetadata``, or None when there is none."""
    from datagen_contracts.metadata import FILENAME, load_metadata

    path = directory / FILENAME
    if not path.is_file():
        return None
    try:
        return load_metadata(path)
    except ContractError as exc:
        raise InputError(f"invalid {path}: {exc}") from None


def read_schema(path: Path) -> dict[str, Any]:
    """The DSL schema as plain JSON values (normalized by the contracts reader when available)."""
    if not path.is_file():
        raise InputError(f"schema not found: {path}")
    from datagen_contracts.dsl import load_schema

    try:
        return contract_files.to_builtins(load_schema(path))
    except ContractError as exc:
        warnings.warn(f"{path}: strict DSL reader refused it ({exc}); reading it as plain JSON", stacklevel=2)
    except Exception as exc:  # a reader still being written must not stop an analysis
        warnings.warn(f"{path}: DSL reader failed ({exc}); reading it as plain JSON", stacklevel=2)
    try:
        doc = contract_files.parse_json(contract_files.read_bytes(path, "schema"), str(path))
    except ContractError as exc:
        raise InputError(str(exc)) from None
    if not isinstance(doc, dict):
        raise InputError(f"{path}: expected a JSON object at the top level")
    return doc


def declared_facts(catalog: Any) -> dict[str, dict[str, Any]]:
    """Per table: pk, fks [(col, table, col)], created_at, kind, column nullability and roles."""
    out: dict[str, dict[str, Any]] = {}
    meta = catalog.metadata
    if meta is not None:
        for t in meta.tables:
            converts = _attributed_to(t.declared_by) if t.kind == "touchpoint" else None
            out[t.name] = {
                "pk": t.primary_key or next((c.name for c in t.columns if c.primary_key), None),
                "fks": [(f.column, f.references_table, f.references_column,
                         _time_order(f.time_order, f.references_table, converts)) for f in t.foreign_keys]
                + [(c.name, *c.foreign_key.split(".", 1), _time_order("after", c.foreign_key.split(".", 1)[0], converts))
                   for c in t.columns if c.foreign_key and "." in c.foreign_key],
                "created_at": t.created_at_column,
                "touchpoint": t.kind == "touchpoint",
                "kind": {"entity": "entity", "fact": "event", "touchpoint": "event", "vocab": "vocab"}.get(t.kind),
                "nullable": {c.name: c.nullable for c in t.columns},
                "roles": {c.name: c.role for c in t.columns if c.role},
            }
    for name, source in catalog.tables.items():  # keys a database file declares (SQLite), where nothing else does
        if source.declared and name not in out:
            out[name] = {"pk": source.declared.get("pk"), "kind": None, "nullable": {}, "roles": {},
                         "fks": [(c, p, pc, "none" if p == name else "after") for c, p, pc in source.declared["fks"]]}
    schema = catalog.schema or {}
    said = semantics.expectations(schema)
    for node in schema.get("nodes", []) if isinstance(schema.get("nodes"), list) else []:
        if not isinstance(node, dict) or "id" not in node or node["id"] in out:
            continue
        out[node["id"]] = {
            "pk": node.get("pk"),
            "fks": [],
            "kind": {"entity": "entity", "fact": "event", "vocab": "vocab"}.get(str(node.get("kind"))),
            "nullable": {n.column: n.nullable for n in said.nullability if n.table == node["id"]},
            "roles": {},
        }
    windows = {(w.table, w.column): (w.start, w.end) for w in said.windows if w.explicit}
    for table, column in ((n.table, n.column) for n in said.nullability):  # every declared column, in order
        if table in out:  # the column's own declared window, and False for a declared attribute date
            out[table].setdefault("windows", {})[column] = (
                windows.get((table, column)), False if (table, column) in said.attribute_dates else None)
    touch_of = {  # attribution_chain: the touchpoint table precedes the conversion node that declares it
        str(n["attribution_chain"].get("touchpoint_table_name")): n["id"]
        for n in schema.get("nodes", []) if isinstance(schema.get("nodes"), list)
        if isinstance(n, dict) and isinstance(n.get("attribution_chain"), dict) and "id" in n
    }
    constraints = c if isinstance(c := schema.get("constraints"), dict) else {}
    for fk in constraints.get("foreign_keys", []) or []:
        src, dst = str(fk.get("from", "")), str(fk.get("to", ""))
        if "." in src and "." in dst and src.split(".", 1)[0] in out:
            table, ptable = src.split(".", 1)[0], dst.split(".", 1)[0]
            order = str(fk.get("time_order") or _time_order("after", ptable, touch_of.get(table)))
            out[table]["fks"].append((src.split(".", 1)[1], *dst.split(".", 1), order))
    for touch in touch_of:
        if touch in out:
            out[touch]["touchpoint"] = True
    return out


def _attributed_to(declared_by: str | None) -> str | None:
    """``"attribution_chain of purchase"`` → ``"purchase"``: the conversion a touchpoint table is attributed to."""
    prefix = "attribution_chain of "
    return declared_by[len(prefix):].strip() if declared_by and declared_by.startswith(prefix) else None


def _time_order(declared: str, parent: str, conversion: str | None) -> str:
    """The declared order; a touchpoint's edge to its conversion is ``before`` even when an older writer left the
    default (the DSL's attribution_chain promises touchpoints precede their conversion)."""
    return "before" if declared == "after" and conversion is not None and parent == conversion else declared


def parse_ts(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value
