"""datacruncher: persona-driven data-quality analysis of any parquet dataset, on DuckDB.

>>> from datacruncher import crunch, discover_dataset, available_personas
>>> sorted(p.id for p in available_personas())[:2]
['customer_success_vp', 'data_engineer']
"""

from __future__ import annotations

from typing import Any

from .__about__ import __version__
from .checks.personas import available_personas, load_persona_file, select_personas
from .crunch import crunch
from .errors import (
    BaselineError,
    CheckDefinitionError,
    CruncherError,
    InputError,
    PersonaError,
    ThresholdError,
)
from .model.catalog import open_catalog
from .model.discovery import discover


def discover_dataset(path: Any, *, schema: Any = None) -> Any:
    """Mount ``path`` and return its discovered model as the report contract's ``DataModel``."""
    with open_catalog(path, schema=schema) as cat:
        return discover(cat).to_contract()


__all__ = [
    "BaselineError",
    "CheckDefinitionError",
    "CruncherError",
    "InputError",
    "PersonaError",
    "ThresholdError",
    "__version__",
    "available_personas",
    "crunch",
    "discover",
    "discover_dataset",
    "load_persona_file",
    "open_catalog",
    "select_personas",
]
