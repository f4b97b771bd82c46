"""datagen-contracts: the on-disk contracts of the Datagen ecosystem.

Every file that crosses a package boundary is described here by msgspec Structs, with a reader and a writer:

- the DSL v1 schema (``load_schema`` / ``dump_schema``),
- ``.metadata.json`` (``load_metadata`` / ``dump_metadata``),
- ``crunch_report.json`` (``load_report`` / ``dump_report``),
- ``.manifest.yaml`` (``load_manifest`` / ``dump_manifest``).

Nothing here imports numpy, pandas, polars or duckdb; YAML support (ruamel.yaml) is imported only when used.
"""

from __future__ import annotations

from .__about__ import __version__
from .errors import ContractError, ContractFileError, ContractVersionError, Problem, SchemaError
from .manifest import Manifest, approval_hash, dump_manifest, dumps_manifest, load_manifest, loads_manifest
from .metadata import DatasetMetadata, dump_metadata, dumps_metadata, load_metadata, loads_metadata
from .report import CrunchReport, dump_report, dumps_report, load_report, loads_report

__all__ = [
    "ContractError",
    "ContractFileError",
    "ContractVersionError",
    "CrunchReport",
    "DatasetMetadata",
    "Manifest",
    "Problem",
    "SchemaError",
    "__version__",
    "approval_hash",
    "dump_manifest",
    "dump_metadata",
    "dump_report",
    "dumps_manifest",
    "dumps_metadata",
    "dumps_report",
    "load_manifest",
    "load_metadata",
    "load_report",
    "loads_manifest",
    "loads_metadata",
    "loads_report",
]
