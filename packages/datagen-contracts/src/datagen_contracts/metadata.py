"""``.metadata.json`` — what datagen-core (and datapolisher, for polished data) says about a dataset.

Machine-written, so unknown fields are tolerated: an older reader can read a newer minor version.

>>> from datagen_contracts.metadata import DatasetMetadata, GeneratorInfo
>>> meta = DatasetMetadata(dataset_name="shop", generator=GeneratorInfo(name="datagen-core", version="0.1.0"),
...                        generated_at="2026-01-01T00:00:00Z")
>>> loads_metadata(dumps_metadata(meta)) == meta
True
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from . import files

CONTRACT = "datagen.metadata/1"
FILENAME = ".metadata.json"

TableKind = Literal["entity", "fact", "vocab", "touchpoint", "table"]


class _Machine(msgspec.Struct, kw_only=True, omit_defaults=True):
    """Base of machine-written structs: unknown fields are accepted (forward compatible)."""


class GeneratorInfo(_Machine, kw_only=True):
    name: str
    version: str


class SchemaRef(_Machine, kw_only=True):
    path: str
    sha256: str
    name: str | None = None


class FileInfo(_Machine, kw_only=True):
    """One parquet file of a table, relative to the dataset directory."""

    path: str
    rows: int
    bytes: int
    sha256: str


class ColumnInfo(_Machine, kw_only=True):
    name: str
    arrow_type: str
    nullable: bool = True
    primary_key: bool = False
    foreign_key: str | None = None  # "table.column"
    role: str | None = None  # e.g. "created_at", "event_time", "money", "segment"


class ForeignKey(_Machine, kw_only=True):
    column: str
    references_table: str
    references_column: str
    #: how the child row's time (its table's ``created_at_column``) relates to the referenced row's creation
    #: time: ``after`` (an event of the parent: never before it), ``before`` (e.g. attribution touchpoints,
    #: which precede their conversion) or ``none`` (no temporal relation is promised)
    time_order: Literal["after", "before", "none"] = "after"


class TableInfo(_Machine, kw_only=True):
    name: str
    kind: TableKind = "table"
    rows: int = 0
    files: list[FileInfo] = msgspec.field(default_factory=list)
    columns: list[ColumnInfo] = msgspec.field(default_factory=list)
    primary_key: str | None = None
    foreign_keys: list[ForeignKey] = msgspec.field(default_factory=list)
    parents: list[str] = msgspec.field(default_factory=list)
    time_columns: list[str] = msgspec.field(default_factory=list)
    created_at_column: str | None = None
    declared_by: str | None = None  # e.g. "attribution_chain of purchase" for derived tables

    @property
    def sha256(self) -> str | None:
        """The table's checksum when it is a single file."""
        return self.files[0].sha256 if len(self.files) == 1 else None


class DefectRecord(_Machine, kw_only=True):
    """Ground truth for one injected defect: exactly what was changed."""

    kind: str
    target: str  # "table.column" or "table"
    rate: float
    count: int
    affected_keys: list[Any] = msgspec.field(default_factory=list)
    keys_truncated: bool = False
    details: dict[str, Any] = msgspec.field(default_factory=dict)


class Expectation(_Machine, kw_only=True):
    """A scenario's checkable claim about the data (verified by datacruncher)."""

    id: str
    kind: str
    description: str = ""
    params: dict[str, Any] = msgspec.field(default_factory=dict)


class ScenarioInfo(_Machine, kw_only=True):
    name: str
    description: str = ""
    expectations: list[Expectation] = msgspec.field(default_factory=list)


class Timeframe(_Machine, kw_only=True):
    start: str
    end: str


class Lineage(_Machine, kw_only=True):
    """Where polished data came from."""

    derived_from: str
    derived_from_fingerprint: str | None = None
    script: str | None = None
    script_sha256: str | None = None
    steps: list[str] = msgspec.field(default_factory=list)


class DatasetMetadata(_Machine, kw_only=True, omit_defaults=False):
    contract: str = CONTRACT
    dataset_name: str
    generator: GeneratorInfo
    generated_at: str  # ISO-8601 UTC, "Z" suffix
    duration_seconds: float | None = None
    seed: int | None = None
    scale: float = 1.0
    #: the ``--partition-rows`` the data was laid out with: a table planned above it is a folder of parts (0: one
    #: file per table; None: not recorded, e.g. data from another tool)
    partition_rows: int | None = None
    schema: SchemaRef | None = None
    scenario: ScenarioInfo | None = None
    context: dict[str, Any] = msgspec.field(default_factory=dict)
    timeframe: Timeframe | None = None
    timestamp_convention: str = "timestamp[us], tz-naive, UTC"
    tables: list[TableInfo] = msgspec.field(default_factory=list)
    defects: list[DefectRecord] = msgspec.field(default_factory=list)
    lineage: Lineage | None = None

    def table_of_files(self) -> dict[str, str]:
        """Each recorded file's path (relative to the dataset, ``/``-separated) → the name of its table."""
        return {f.path: t.name for t in self.tables for f in t.files}

    def table(self, name: str) -> TableInfo | None:
        return next((t for t in self.tables if t.name == name), None)


def loads_metadata(data: bytes) -> DatasetMetadata:
    return files.load_tagged(data, DatasetMetadata, CONTRACT, FILENAME)


def dumps_metadata(meta: DatasetMetadata) -> bytes:
    return files.encode_json(meta)


def load_metadata(path: files.PathLike) -> DatasetMetadata:
    """Read a ``.metadata.json`` file (or the one inside a dataset directory)."""
    from pathlib import Path

    p = Path(path)
    if p.is_dir():
        p = p / FILENAME
    return files.load_tagged(p, DatasetMetadata, CONTRACT, "dataset metadata")


def dump_metadata(meta: DatasetMetadata, path: files.PathLike) -> None:
    files.write_atomic(path, dumps_metadata(meta))
