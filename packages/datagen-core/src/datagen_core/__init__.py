"""datagen-core: realistic, deterministic multi-table synthetic data from a JSON DSL.

Python API (the CLI only calls these)::

    from datagen_core import generate
    result = generate("schema.json", "out/", seed=42)
"""

from __future__ import annotations

from typing import Any

from .__about__ import __version__
from .errors import DatagenError

__all__ = ["DatagenError", "__version__", "generate"]


def generate(*args: Any, **kwargs: Any) -> Any:
    """Generate a dataset; see :func:`datagen_core.engine.generate` (imported lazily: numpy/pyarrow are heavy)."""
    from .engine import generate as _generate

    return _generate(*args, **kwargs)
