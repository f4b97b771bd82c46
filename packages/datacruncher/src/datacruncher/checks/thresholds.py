"""Business thresholds overridden per run: a YAML file (``--thresholds FILE``) or the short CLI form
(``--benchmark retention_d7=0.25:0.40-0.60``), applied to the selected personas' checks.

A thresholds file maps a check id — or ``persona_id.check_id`` to touch one persona only — to what changes::

    retention_d7:
      severity: {medium: "< 0.25", low: "< 0.40"}   # replaces the check's whole severity map
      benchmark: "our SaaS: D7 typically 40–60%"    # replaces the benchmark text in findings
    vp_growth.activation:
      params: {days: 14}                             # merged into the check's params

The short form ``CHECK=FLAG[:LOW-HIGH]`` keeps the check's direction and most severe level: a check that
flags low values (``"< 0.05"``) now flags below FLAG, one that flags high values above it; ``LOW-HIGH`` becomes
the benchmark text (``typical 40–60%`` for ratios). Unknown checks, keys or bad conditions are errors.

>>> parse_benchmark("retention_d7=0.25:0.40-0.60")
('retention_d7', 0.25, (0.4, 0.6))
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import msgspec

from datagen_contracts import files as contract_files
from datagen_contracts.errors import ContractError
from datagen_contracts.paths import did_you_mean

from ..errors import ThresholdError
from .personas import LEVELS, Check, Persona, Severity, parse_condition

_SHORT = re.compile(r"^\s*([\w.]+)\s*=\s*(-?[\d.]+(?:e-?\d+)?)\s*(?::\s*(-?[\d.]+)\s*-\s*(-?[\d.]+))?\s*$")


class Override(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    severity: Severity | None = None
    benchmark: str | None = None
    params: dict[str, Any] = msgspec.field(default_factory=dict)


def parse_benchmark(text: str) -> tuple[str, float, tuple[float, float] | None]:
    """``"retention_d7=0.25:0.40-0.60"`` → ``('retention_d7', 0.25, (0.4, 0.6))``."""
    m = _SHORT.match(text)
    if not m:
        raise ThresholdError(f"bad --benchmark {text!r}; expected CHECK=FLAG[:LOW-HIGH], e.g. retention_d7=0.25:0.40-0.60")
    typical = (float(m.group(3)), float(m.group(4))) if m.group(3) else None
    return m.group(1), float(m.group(2)), typical


def load_thresholds(path: str | Path) -> dict[str, Override]:
    """Read a thresholds YAML file; unknown keys and bad conditions are :class:`ThresholdError` with their path."""
    try:
        raw = contract_files.parse_yaml(contract_files.read_bytes(Path(path), "thresholds file"), str(path))
    except ContractError as exc:
        raise ThresholdError(str(exc)) from None
    if not isinstance(raw, dict):
        raise ThresholdError(f"{path}: expected a mapping of check ids to overrides")
    out = {}
    for key, value in raw.items():
        try:
            out[str(key)] = msgspec.convert(value, Override, strict=False)
        except msgspec.ValidationError as exc:
            raise ThresholdError(f"{path}: $.{key}: {exc}") from None
    return out


def _benchmark_text(typical: tuple[float, float], unit: str) -> str:
    lo, hi = typical
    if unit == "ratio" and 0 <= lo <= 1 and 0 <= hi <= 1:
        return f"typical {lo * 100:g}–{hi * 100:g}%"
    return f"typical {lo:g}–{hi:g}"


def _short_override(check: Check, flag: float, typical: tuple[float, float] | None) -> Override:
    levels = [(lvl, getattr(check.severity, lvl)) for lvl in LEVELS if getattr(check.severity, lvl)]
    if not levels:
        raise ThresholdError(f"check {check.id} declares no severity to override")
    level, condition = levels[0]
    op = "<" if parse_condition(condition)[0][0] in ("<", "<=") else ">"
    return Override(severity=Severity(**{level: f"{op} {flag:g}"}),
                    benchmark=_benchmark_text(typical, check.unit) if typical else None)


def apply_thresholds(
    personas: list[Persona], overrides: Mapping[str, Override] | None = None, benchmarks: Sequence[str] = (),
    available: Sequence[Persona] | None = None,
) -> list[Persona]:
    """The personas with their checks' severities, benchmarks and params overridden; errors name the culprit.

    Keys are validated against ``available`` (default: ``personas``), so one thresholds file serves every persona
    selection."""
    pool = list(available) if available is not None else personas
    known = {c.id for p in pool for c in p.checks} | {f"{p.id}.{c.id}" for p in pool for c in p.checks}
    wanted: list[tuple[str, Override | tuple[float, tuple[float, float] | None]]] = list((overrides or {}).items())
    wanted += [(key, (flag, typical)) for key, flag, typical in map(parse_benchmark, benchmarks)]
    for key, override in wanted:
        if key not in known:
            raise ThresholdError(f"unknown check {key!r} in thresholds{did_you_mean(key, sorted(known))}")
        if isinstance(override, Override) and override.severity is not None:
            for level in LEVELS:
                if (cond := getattr(override.severity, level)) is not None:
                    try:
                        parse_condition(cond)
                    except ValueError as exc:
                        raise ThresholdError(f"{key}.severity.{level}: {exc}") from None
    out = []
    for persona in personas:
        checks = []
        for check in persona.checks:
            for key, override in wanted:
                if key not in (check.id, f"{persona.id}.{check.id}"):
                    continue
                if not isinstance(override, Override):
                    override = _short_override(check, *override)
                if unknown := sorted(set(override.params) - set(check.params)):
                    raise ThresholdError(f"{key}.params: check {check.id} has no param {unknown[0]!r}"
                                         f"{did_you_mean(unknown[0], sorted(check.params))}")
                check = msgspec.structs.replace(
                    check,
                    severity=override.severity or check.severity,
                    benchmark=override.benchmark if override.benchmark is not None else check.benchmark,
                    params={**check.params, **override.params},
                )
            checks.append(check)
        out.append(msgspec.structs.replace(persona, checks=checks))
    return out
