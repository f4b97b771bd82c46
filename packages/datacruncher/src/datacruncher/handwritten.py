"""Hand-written YAML files (personas, workflow definitions): one reader for both.

A file is safe-loaded (datagen-contracts' YAML reader), must be a mapping, and is walked against its msgspec
Structs before conversion so that *every* unknown key is reported at once, with its JSON path and a "did you
mean" — msgspec alone stops at the first one and cannot suggest.
"""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any

import msgspec

from datagen_contracts import files as contract_files
from datagen_contracts.errors import ContractError
from datagen_contracts.paths import child, did_you_mean


class Hand(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Base of hand-written objects: unknown keys are errors. A ``source`` field, if any, is set by the reader."""


def struct_of(tp: Any) -> tuple[type[Hand] | None, str | None]:
    """The Struct class inside ``tp`` (``X``, ``X | None``, ``list[X]``, ``dict[str, X]``) and how it nests."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            found = struct_of(arg)
            if found[0] is not None:
                return found
        return None, None
    if origin is list:
        return struct_of(typing.get_args(tp)[0])[0], "list"
    if origin is dict:
        return struct_of(typing.get_args(tp)[1])[0], "dict"
    if isinstance(tp, type) and issubclass(tp, Hand):
        return tp, "one"
    return None, None


def unknown_keys(obj: Any, type_: type[Hand], path: str, problems: list[str]) -> None:
    """Walk raw YAML values against the Structs; append every unknown key (with a hint) to ``problems``."""
    if not isinstance(obj, dict):
        return
    hints = typing.get_type_hints(type_)
    names = [f.name for f in msgspec.structs.fields(type_) if f.name != "source"]
    for key, value in obj.items():
        here = child(path, str(key))
        if key not in names:
            problems.append(f"{here}: unknown field{did_you_mean(str(key), names)}")
            continue
        inner, how = struct_of(hints[key])
        if inner is None:
            continue
        if how == "one":
            unknown_keys(value, inner, here, problems)
        elif how == "list" and isinstance(value, list):
            for i, item in enumerate(value):
                unknown_keys(item, inner, child(here, i), problems)
        elif how == "dict" and isinstance(value, dict):
            for k, item in value.items():
                unknown_keys(item, inner, child(here, str(k)), problems)


def read_mapping(data: bytes | str, source: str, type_: type[Hand], error: type[Exception]) -> dict[str, Any]:
    """The document as a mapping whose keys all belong to ``type_``'s Structs; else ``error`` listing them all."""
    try:
        raw = contract_files.parse_yaml(data, source)
    except ContractError as exc:
        raise error(str(exc)) from None
    if not isinstance(raw, dict):
        raise error(f"{source}: expected a mapping at the top level, got {type(raw).__name__}")
    problems: list[str] = []
    unknown_keys(raw, type_, "$", problems)
    if problems:
        raise error(f"{source}: " + "; ".join(problems))
    return raw


def read_file(path: str | Path, what: str, error: type[Exception]) -> bytes:
    """The bytes of a hand-written file; a missing or unreadable file is ``error`` naming it."""
    try:
        return contract_files.read_bytes(Path(path), what)
    except ContractError as exc:
        raise error(str(exc)) from None
