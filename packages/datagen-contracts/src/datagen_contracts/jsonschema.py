"""JSON Schemas generated from the contract Structs.

The generated files are committed under ``datagen_contracts/schemas/`` (and shipped in the wheel) so that tools
in any language can validate our files; a test fails when a Struct changes and the files were not regenerated
(``python -m datagen_contracts schemas --write``). The DSL schema describes the *canonical* form: aliases such as
``mu`` or ``sigma`` are accepted by ``load_schema`` but not listed here.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

SCHEMA_DIR = Path(__file__).parent / "schemas"


def _targets() -> dict[str, tuple[type, str]]:
    from . import dsl, manifest, metadata, report

    return {
        "dsl-v1.schema.json": (dsl.Schema, "Datagen DSL v1 schema (canonical form)"),
        "metadata-v1.schema.json": (metadata.DatasetMetadata, f"{metadata.FILENAME} ({metadata.CONTRACT})"),
        "crunch_report-v2.schema.json": (report.CrunchReport, f"{report.FILENAME} ({report.CONTRACT})"),
        "manifest-v1.schema.json": (manifest.Manifest, f"{manifest.FILENAME} ({manifest.CONTRACT})"),
    }


def render_json_schemas() -> dict[str, bytes]:
    """File name → JSON Schema bytes (deterministic), for every contract."""
    out: dict[str, bytes] = {}
    for name, (type_, title) in _targets().items():
        schema = msgspec.json.schema(type_)
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **schema}
        raw = msgspec.json.encode(schema, order="sorted")
        out[name] = msgspec.json.format(raw, indent=2) + b"\n"
    return out


def write_json_schemas(directory: Path = SCHEMA_DIR) -> list[Path]:
    from .files import write_atomic

    return [write_atomic(directory / name, data) for name, data in render_json_schemas().items()]


def stale_json_schemas(directory: Path = SCHEMA_DIR) -> list[str]:
    """Names of the committed schema files that differ from what the Structs generate now."""
    stale = []
    for name, data in render_json_schemas().items():
        path = directory / name
        if not path.is_file() or path.read_bytes() != data:
            stale.append(name)
    return stale
