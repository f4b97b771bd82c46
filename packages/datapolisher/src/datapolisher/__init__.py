"""datapolisher: resolve a crunch report's issues — improve the schema, post-process the data, or approve it.

The library is the API; ``datapolisher.cli`` only parses arguments and renders results. Entry points:
``inputs.load_inputs``, ``paths.schema_path``, ``paths.postprocess_path``, ``approve.approve``,
``auto.auto_polish``, ``verify.verify`` and ``export.export``.
"""

from __future__ import annotations

from .__about__ import __version__
from .errors import PolisherError

__all__ = ["PolisherError", "__version__"]
