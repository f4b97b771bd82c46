"""datagen-core: realistic, deterministic multi-table synthetic data from a JSON DSL.

Python API (the CLI only calls these)::

    from datagen_core import generate
    result = generate("schema.json", "out/", seed=42)

``generate`` is :func:`datagen_core.engine.generate`, imported on first use (numpy and pyarrow are heavy).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .__about__ import __version__
from .errors import DatagenError

if TYPE_CHECKING:
    from .engine import GenerateResult, generate

__all__ = ["DatagenError", "GenerateResult", "__version__", "generate"]


def __getattr__(name: str) -> Any:
    if name in ("generate", "GenerateResult"):
        from . import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'datagen_core' has no attribute {name!r}")
