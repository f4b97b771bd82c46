"""Parameters and scenarios (our DSL extensions), resolved on the raw document before it is decoded.

A slot anywhere under ``nodes``, ``constraints``, ``targets``, ``defects`` or ``timeframe`` may hold
``"${name}"`` (the parameter's value) or ``{"$param": "name", "map": {"low": 1.0, "high": 2.5}}`` (a value per
parameter value). The context is: each parameter's ``default``, then the selected scenario's ``set``, then the
caller's overrides (``--set name=value``, strings coerced to the default's type). A scenario's ``patches``
deep-merge into a node or column (RFC 7386 semantics: ``null`` deletes) and may append modifiers.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from ..errors import Problem
from ..paths import child, did_you_mean

_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
_RESOLVED_SECTIONS = ("timeframe", "nodes", "constraints", "targets", "defects", "dag")


def _coerce(text: str, default: Any) -> Any:
    if not isinstance(text, str):
        return text
    if isinstance(default, bool):
        low = text.strip().lower()
        if low in ("true", "1", "yes", "on"):
            return True
        if low in ("false", "0", "no", "off"):
            return False
        raise ValueError(f"expected true or false, got {text!r}")
    if isinstance(default, int):
        return int(text)
    if isinstance(default, float):
        return float(text)
    return text


def build_context(
    parameters: dict[str, Any],
    scenarios: dict[str, Any],
    scenario: str | None,
    overrides: dict[str, Any] | None,
    problems: list[Problem],
) -> dict[str, Any]:
    """The resolved context: defaults, then the scenario's ``set``, then overrides (validated)."""
    params = {k: v for k, v in parameters.items() if isinstance(v, dict)}
    context = {name: p.get("default") for name, p in params.items()}
    if scenario is not None:
        spec = scenarios.get(scenario)
        if not isinstance(spec, dict):
            known = ", ".join(map(repr, scenarios)) or "none"
            problems.append(
                Problem("$.scenarios", f"unknown scenario {scenario!r} (known: {known}){did_you_mean(scenario, list(scenarios))}")
            )
        else:
            sets = spec.get("set") or {}
            for key, value in (sets.items() if isinstance(sets, dict) else ()):
                if key not in params:
                    path = child(child(child("$.scenarios", scenario), "set"), key)
                    problems.append(Problem(path, f"unknown parameter {key!r}{did_you_mean(key, list(params))}"))
                else:
                    context[key] = value
    for key, value in (overrides or {}).items():
        if key not in params:
            known = ", ".join(map(repr, params)) or "none"
            problems.append(Problem("--set", f"unknown parameter {key!r} (known: {known}){did_you_mean(key, list(params))}"))
            continue
        try:
            context[key] = _coerce(value, params[key].get("default"))
        except ValueError as exc:
            problems.append(Problem(f"--set {key}", str(exc)))
    for name, value in context.items():
        choices = params[name].get("choices")
        if isinstance(choices, list) and value not in choices:
            hint = did_you_mean(str(value), [str(c) for c in choices])
            problems.append(Problem(child("$.parameters", name), f"value {value!r} is not one of {choices}{hint}"))
    return context


def _substitute(value: Any, context: dict[str, Any], path: str, problems: list[Problem]) -> Any:
    if isinstance(value, str):
        m = _REF.match(value)
        if m is None:
            return value
        name = m.group(1)
        if name not in context:
            problems.append(Problem(path, f"unknown parameter {name!r}{did_you_mean(name, list(context))}"))
            return value
        return context[name]
    if isinstance(value, dict):
        if "$param" in value:
            name = value["$param"]
            if name not in context:
                problems.append(Problem(path, f"unknown parameter {name!r}{did_you_mean(str(name), list(context))}"))
                return value
            mapping = value.get("map")
            if mapping is None:
                return context[name]
            key = str(context[name]).lower() if isinstance(context[name], bool) else str(context[name])
            if not isinstance(mapping, dict) or key not in mapping:
                if isinstance(mapping, dict) and "default" in value:
                    return value["default"]
                problems.append(Problem(path, f"no value for {name}={context[name]!r} in 'map'"))
                return value
            return mapping[key]
        return {k: _substitute(v, context, child(path, k), problems) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, context, child(path, i), problems) for i, v in enumerate(value)]
    return value


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: dicts merge recursively, ``None`` deletes, anything else replaces.

    >>> merge_patch({"a": 1, "b": {"c": 2, "d": 3}}, {"b": {"c": None, "e": 4}})
    {'a': 1, 'b': {'d': 3, 'e': 4}}
    """
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def _apply_patches(doc: dict[str, Any], scenario: str, patches: Any, problems: list[Problem]) -> None:
    base = child(child("$.scenarios", scenario), "patches")
    raw_nodes = doc.get("nodes")
    nodes: list[Any] = raw_nodes if isinstance(raw_nodes, list) else []
    ids = [str(n.get("id")) for n in nodes if isinstance(n, dict)]
    for i, patch in enumerate(patches if isinstance(patches, list) else []):
        if not isinstance(patch, dict):
            continue
        path = child(base, i)
        table = patch.get("table")
        pos = next((k for k, n in enumerate(nodes) if isinstance(n, dict) and n.get("id") == table), None)
        if pos is None:
            problems.append(Problem(child(path, "table"), f"unknown table {table!r}{did_you_mean(str(table), ids)}"))
            continue
        node = nodes[pos]
        target_holder, key = nodes, pos
        if patch.get("column") is not None:
            raw_cols = node.get("columns")
            cols: list[Any] = raw_cols if isinstance(raw_cols, list) else []
            names = [str(c.get("name")) for c in cols if isinstance(c, dict)]
            cpos = next((k for k, c in enumerate(cols) if isinstance(c, dict) and c.get("name") == patch["column"]), None)
            if cpos is None:
                msg = f"unknown column {patch['column']!r} of {table!r}{did_you_mean(str(patch['column']), names)}"
                problems.append(Problem(child(path, "column"), msg))
                continue
            target_holder, key = cols, cpos
        target = merge_patch(target_holder[key], patch.get("merge") or {})
        extra = patch.get("add_modifiers") or []
        if extra:
            target["modifiers"] = [*(target.get("modifiers") or []), *copy.deepcopy(extra)]
        target_holder[key] = target


def resolve_document(
    raw: dict[str, Any], scenario: str | None, overrides: dict[str, Any] | None, problems: list[Problem]
) -> dict[str, Any]:
    """Apply the scenario's patches and substitute parameter references; ``raw`` is not modified."""
    raw_parameters, raw_scenarios = raw.get("parameters"), raw.get("scenarios")
    parameters: dict[str, Any] = raw_parameters if isinstance(raw_parameters, dict) else {}
    scenarios: dict[str, Any] = raw_scenarios if isinstance(raw_scenarios, dict) else {}
    if not parameters and not scenarios and scenario is None and not overrides:
        return raw
    context = build_context(parameters, scenarios, scenario, overrides, problems)
    doc = copy.deepcopy(raw)
    if scenario is not None and isinstance(scenarios.get(scenario), dict):
        _apply_patches(doc, scenario, scenarios[scenario].get("patches"), problems)
    for section in _RESOLVED_SECTIONS:
        if section in doc:
            doc[section] = _substitute(doc[section], context, child("$", section), problems)
    return doc


def resolve_context(schema: Any, scenario: str | None = None, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The context a typed schema resolves to (for ``.metadata.json``); raises SchemaError on a bad override."""
    import msgspec

    from ..errors import SchemaError

    problems: list[Problem] = []
    params = msgspec.to_builtins(schema.parameters)
    scenarios = msgspec.to_builtins(schema.scenarios)
    context = build_context(params, scenarios, scenario, overrides, problems)
    if problems:
        raise SchemaError(problems)
    return context
