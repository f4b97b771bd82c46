"""Personas and check libraries: declarative YAML files. Built-in ones are package data read by the same loader
as yours.

Every check is defined once — in a *check library* (a file of ``checks:`` only; the built-in ones are
``builtin_checks/*.yaml``, installed packages add theirs through :data:`LIBRARY_GROUP`) or in a persona file of
its own — and personas run checks by id (``uses:``). :func:`check_registry` holds them all by id and refuses an
id defined twice; a persona file may still carry its own copy of a library check (an edited copy of a built-in
persona), which then holds for that persona only.

A persona file holds one persona::

    id: data_engineer
    name: Data Engineer
    aliases: [DE]
    focus: Referential integrity, keys, nulls, time ordering.
    agent: You own the pipelines. Look for broken keys, impossible times, silent truncation …
    checks:
      - id: pk_duplicates
        title: Primary-key duplicates
        over: pk                       # what the check binds: see datacruncher.checks.bindings.BINDINGS
        sql: SELECT count(*) AS row_count, count(*) - count(DISTINCT {pk}) AS failed_row_count,
             (count(*) - count(DISTINCT {pk}))::DOUBLE / count(*) AS value FROM {table}
        metric: duplicate_key_rate
        severity: {critical: "> 0"}
        finding: "{failed_row_count} duplicate keys in {table}.{pk}"
        fix: {path: postprocess, action: dedupe_on_key, params: {table: "{table}", key: "{pk}"}}

A library holds ``checks:`` in the same form. Unknown keys are errors reported with their path and a "did you
mean" hint.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import msgspec

from datagen_contracts import fixes
from datagen_contracts.paths import did_you_mean

from ..errors import PersonaError
from ..handwritten import Hand, read_file, read_mapping

Level = Literal["critical", "high", "medium", "low"]
LEVELS: tuple[Level, ...] = ("critical", "high", "medium", "low")
_CONDITION = re.compile(r"^\s*(>=|<=|==|!=|>|<)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$")


class Severity(Hand, kw_only=True):
    """Per level, a condition on the metric such as ``"> 0.05"`` or ``"< 0.2 or > 0.95"``; first match wins."""

    critical: str | None = None
    high: str | None = None
    medium: str | None = None
    low: str | None = None


class Fix(Hand, kw_only=True):
    path: Literal["schema", "postprocess", "none"]
    action: str
    params: dict[str, Any] = msgspec.field(default_factory=dict)


class Check(Hand, kw_only=True):
    id: str
    title: str
    over: str
    sql: str
    metric: str
    severity: Severity
    finding: str
    fix: Fix
    category: str = "data_quality"
    roles: list[str] = msgspec.field(default_factory=list)
    exclude_roles: list[str] = msgspec.field(default_factory=list)  # column binding: skip columns with any of these
    types: list[str] = msgspec.field(default_factory=list)
    kinds: list[str] = msgspec.field(default_factory=list)
    declared_not_null: bool = False
    undeclared_nullability: bool = False  # column binding: only columns whose nullability nothing declares
    params: dict[str, Any] = msgspec.field(default_factory=dict)
    samples: str | None = None
    unit: str = "ratio"
    min_rows: int = 0
    benchmark: str | None = None
    #: the report's dataset metric this check measures (``metrics`` in crunch_report.json): its failed rows over its
    #: rows, in percent, over every context it ran in. The check runs for the metric even when its persona is not
    #: selected; two checks may not claim one metric.
    dataset_metric: Literal["fk_integrity", "null_rate", "temporal_violations", "duplicate_rate"] | None = None
    recommendation: str = ""  # advice for data datagen generated (schema and post-processing fixes)
    #: advice for any other data: what its owner can do (SQL over the source, validation upstream); without it a
    #: generic owner-facing sentence is used, never generator advice
    recommendation_data: str = ""


class Persona(Hand, kw_only=True):
    id: str
    name: str
    focus: str
    checks: list[Check] = msgspec.field(default_factory=list)
    #: ids of checks other personas define, run as this persona's too (one definition, many personas)
    uses: list[str] = msgspec.field(default_factory=list)
    aliases: list[str] = msgspec.field(default_factory=list)
    default: bool = True
    #: the brief a persona agent works from (``crunch --llm-model``); the focus when empty
    agent: str = ""
    source: str = "builtin"  # set by the loader: "builtin" or the file's path

    @property
    def names(self) -> set[str]:
        return {n.casefold() for n in (self.id, self.name, *self.aliases)}


class CheckLibrary(Hand, kw_only=True):
    """A file of checks that no persona owns: personas run them by id (``uses:``)."""

    checks: list[Check]
    source: str = ""  # set by the loader: "builtin:<file>" or the file's path


def parse_condition(text: str) -> list[tuple[str, float]]:
    """``"< 0.2 or > 0.95"`` → ``[('<', 0.2), ('>', 0.95)]``; raises ValueError on anything else."""
    out = []
    for part in text.split(" or "):
        m = _CONDITION.match(part)
        if not m:
            raise ValueError(f"bad condition {part.strip()!r}; expected e.g. '> 0.05' or '< 0.2 or > 0.95'")
        out.append((m.group(1), float(m.group(2))))
    return out


def parse_persona(data: bytes | str, source: str) -> Persona:
    """Validate one persona document (YAML text) and return it."""
    raw = read_mapping(data, source, Persona, PersonaError)
    try:
        persona = msgspec.convert(raw, Persona, strict=False)
    except msgspec.ValidationError as exc:
        raise PersonaError(f"{source}: {exc}") from None
    _validate(persona, source)
    return msgspec.structs.replace(persona, source=source)


def parse_library(data: bytes | str, source: str) -> CheckLibrary:
    """Validate one check library (YAML text with ``checks:``) and return it."""
    raw = read_mapping(data, source, CheckLibrary, PersonaError)
    try:
        library = msgspec.convert(raw, CheckLibrary, strict=False)
    except msgspec.ValidationError as exc:
        raise PersonaError(f"{source}: {exc}") from None
    if not library.checks:
        raise PersonaError(f"{source}: a check library needs 'checks'")
    _validate_checks(library.checks, source)
    return msgspec.structs.replace(library, source=source)


def _validate(persona: Persona, source: str) -> None:
    if not persona.checks and not persona.uses:
        raise PersonaError(f"{source}: a persona needs 'checks' of its own or 'uses' (ids of checks defined elsewhere)")
    _validate_checks(persona.checks, source)


def _validate_checks(checks: list[Check], source: str) -> None:
    from .bindings import check_placeholders

    ids = set()
    for i, check in enumerate(checks):
        where = f"{source}: $.checks[{i}] ({check.id})"
        if check.id in ids:
            raise PersonaError(f"{where}: duplicate check id")
        ids.add(check.id)
        for level in LEVELS:
            cond = getattr(check.severity, level)
            if cond is not None:
                try:
                    parse_condition(cond)
                except ValueError as exc:
                    raise PersonaError(f"{where}.severity.{level}: {exc}") from None
        problem = check_placeholders(check)
        if problem:
            raise PersonaError(f"{where}: {problem}")
        fix_problems = [] if "{" in check.fix.action else fixes.fix_problems(check.fix.action, check.fix.params)
        if fix_problems:  # a closed set (datagen_contracts.fixes): datapolisher dispatches on the action
            raise PersonaError(f"{where}.fix: {'; '.join(fix_problems)}")


def load_persona_file(path: str | Path) -> Persona:
    return parse_persona(read_file(path, "persona file", PersonaError), str(path))


def builtin_personas() -> list[Persona]:
    """The personas shipped with datacruncher, in a stable order (parsed once per process: they are package
    data, and nothing edits a persona in place — overrides build new ones with ``msgspec.structs.replace``)."""
    return list(_builtin_personas())


@functools.cache
def _builtin_personas() -> tuple[Persona, ...]:
    root = resources.files("datacruncher") / "builtin_personas"
    files = sorted((f for f in root.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)
    return tuple(msgspec.structs.replace(parse_persona(f.read_bytes(), f"builtin:{f.name}"), source="builtin")
                 for f in files)


@functools.cache
def _builtin_libraries() -> tuple[CheckLibrary, ...]:
    root = resources.files("datacruncher") / "builtin_checks"
    files = sorted((f for f in root.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)
    return tuple(parse_library(f.read_bytes(), f"builtin:{f.name}") for f in files)  # named in messages


#: entry-point group through which an installed package adds personas: each entry point names a persona YAML
#: file or a directory of them — a path, or a function returning paths
PLUGIN_GROUP = "datacruncher.personas"
#: the same for check libraries (files of ``checks:`` that personas run with ``uses:``)
LIBRARY_GROUP = "datacruncher.checks"


def _plugin_paths(group: str, what: str) -> list[Path]:
    from importlib.metadata import entry_points

    paths: list[Path] = []
    for ep in sorted(entry_points(group=group), key=lambda e: e.name):
        try:
            target = ep.load()
            found = target() if callable(target) else target
            found = [found] if isinstance(found, str | Path) else list(found)
        except Exception as exc:  # a broken plugin is named, never a traceback
            raise PersonaError(f"{what} plugin {ep.name!r} ({ep.value}) failed to load: {type(exc).__name__}: {exc}") from None
        for item in map(Path, found):
            paths += _dir_files(item) if item.is_dir() else [item]
    return paths


def plugin_persona_paths() -> list[Path]:
    """The persona files installed packages add through :data:`PLUGIN_GROUP`, by entry-point name."""
    return _plugin_paths(PLUGIN_GROUP, "persona")


def check_libraries() -> list[CheckLibrary]:
    """The built-in check libraries, then those installed packages add through :data:`LIBRARY_GROUP`."""
    plugins = [parse_library(read_file(f, "check library", PersonaError), str(f))
               for f in _plugin_paths(LIBRARY_GROUP, "check library")]
    return [*_builtin_libraries(), *plugins]


def available_personas(files: Sequence[str | Path] = (), dirs: Sequence[str | Path] = ()) -> list[Persona]:
    """Built-ins, then installed plugins' personas (:data:`PLUGIN_GROUP`), then personas from ``dirs``
    (``*.yaml``/``*.yml``), then ``files``; a later id replaces an earlier one. Each comes with the checks its
    ``uses`` names (from the check libraries or another persona) after its own."""
    found: dict[str, Persona] = {p.id: p for p in builtin_personas()}
    user_paths = plugin_persona_paths() + [f for d in dirs for f in _dir_files(Path(d))] + [Path(f) for f in files]
    for f in user_paths:
        persona = load_persona_file(f)
        found[persona.id] = persona
    return _with_used_checks(list(found.values()), check_libraries())


def check_registry(available: Sequence[Persona], libraries: Sequence[CheckLibrary] = ()) -> dict[str, tuple[str, Check]]:
    """Every check, by id, with where it is defined: the libraries' checks, then those personas define (not merely
    use). An id defined by two libraries or two personas is a :class:`PersonaError`; a persona's own check with a
    library check's id is that persona's copy and stays out of the registry."""
    out: dict[str, tuple[str, Check]] = {}
    for library in libraries:
        for check in library.checks:
            if check.id in out:
                raise PersonaError(f"check {check.id!r} is defined by two check libraries: {out[check.id][0]} and "
                                   f"{library.source}; give one of them another id")
            out[check.id] = (library.source, check)
    shared = set(out)
    owner: dict[str, str] = {}
    for persona in available:
        for check in persona.checks:
            if check.id in persona.uses or check.id in shared:
                continue
            if check.id in owner and owner[check.id] != persona.id:
                raise PersonaError(f"check {check.id!r} is defined by two personas: {out[check.id][0]} and "
                                   f"{persona.source}; give one of them another id, or `uses:` the other's")
            owner[check.id], out[check.id] = persona.id, (persona.source, check)
    return out


def _with_used_checks(available: list[Persona], libraries: Sequence[CheckLibrary] = ()) -> list[Persona]:
    """Each persona with the checks its ``uses`` names appended (unknown ids are refused, with a suggestion)."""
    if not any(p.uses for p in available):
        return available
    registry = check_registry(available, libraries)
    out = []
    for persona in available:
        if persona.uses:
            missing = [c for c in persona.uses if c not in registry]
            if missing:
                raise PersonaError(f"{persona.source}: $.uses: unknown check {missing[0]!r}"
                                   f"{did_you_mean(missing[0], list(registry))}")
            own = {c.id for c in persona.checks}
            used = [registry[c][1] for c in persona.uses if c not in own]
            persona = msgspec.structs.replace(persona, checks=[*persona.checks, *used])
        out.append(persona)
    return out


def dataset_metric_checks(available: list[Persona]) -> dict[str, tuple[Persona, Check]]:
    """Dataset metric -> the (persona, check) that measures it: a check marked ``dataset_metric`` that a persona
    runs (its own or used; the first persona running it measures it). Two different checks claiming one metric
    are a :class:`PersonaError` naming both."""
    claims: dict[str, tuple[Persona, Check]] = {}
    for persona in available:
        for check in persona.checks:
            if check.dataset_metric is None:
                continue
            if check.dataset_metric in claims:
                other, first = claims[check.dataset_metric]
                if first.id == check.id:
                    continue
                raise PersonaError(f"dataset metric {check.dataset_metric!r} is measured by two checks: "
                                   f"{other.id}.{first.id} and {persona.id}.{check.id}")
            claims[check.dataset_metric] = (persona, check)
    return claims


def _dir_files(d: Path) -> list[Path]:
    if not d.is_dir():
        raise PersonaError(f"personas directory not found: {d}")
    return sorted(p for p in d.iterdir() if p.suffix in (".yaml", ".yml"))


def select_personas(available: list[Persona], names: str | Sequence[str] | None) -> list[Persona]:
    """Pick personas by name, id or alias (case-insensitive, comma separated); None → every default persona."""
    if names is None:
        return [p for p in available if p.default or p.source != "builtin"]
    wanted = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
    chosen: list[Persona] = []
    for name in filter(None, wanted):
        match = next((p for p in available if name.casefold() in p.names), None)
        if match is None:
            options = sorted({n for p in available for n in (p.id, p.name, *p.aliases)})
            raise PersonaError(f"unknown persona {name!r}{did_you_mean(name, options)}; known: {', '.join(options)}")
        if match not in chosen:
            chosen.append(match)
    if not chosen:
        raise PersonaError("no persona selected")
    return chosen
