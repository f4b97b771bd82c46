"""What the dataset's producer declared: ``.metadata.json`` and the DSL schema (both optional).

The schema is read with ``datagen_contracts.dsl.load_schema`` when that reader exists and accepts the file (so
aliases come back normalized); otherwise as plain JSON, since datacruncher only reads expectations from it.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from datagen_contracts import _io
from datagen_contracts.errors import ContractError

from .errors import InputError


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
    try:
        from datagen_contracts.dsl import load_schema
    except ImportError:
        load_schema = None
    if load_schema is not None:
        try:
            return _io.to_builtins(load_schema(path))
        except ContractError as exc:
            warnings.warn(f"{path}: strict DSL reader refused it ({exc}); reading it as plain JSON", stacklevel=2)
        except Exception as exc:  # a reader still being written must not stop an analysis
            warnings.warn(f"{path}: DSL reader failed ({exc}); reading it as plain JSON", stacklevel=2)
    try:
        doc = _io.parse_json(_io.read_bytes(path, "schema"), str(path))
    except ContractError as exc:
        raise InputError(str(exc)) from None
    if not isinstance(doc, dict):
        raise InputError(f"{path}: expected a JSON object at the top level")
    return doc
