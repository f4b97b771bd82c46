"""``datapolisher export DIR --format frictionless|croissant|odcs``: an approved dataset in a catalog standard.

Everything comes from the dataset's ``.manifest.yaml`` (so only a signed description is exported):

- ``frictionless`` — a Frictionless Data Package (``datapackage.json``), one tabular resource per table with
  its fields, primary key, foreign keys, bytes and sha256;
- ``croissant`` — an MLCommons Croissant 1.0 JSON-LD (``croissant.json``): a FileObject per parquet file and a
  RecordSet per table whose fields extract the parquet columns;
- ``odcs`` — an Open Data Contract Standard v3 contract (``datacontract.odcs.yaml``) with one schema object
  per table and its quality summary.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from datagen_contracts import ContractError, load_manifest
from datagen_contracts.files import encode_yaml, write_atomic
from datagen_contracts.manifest import FILENAME, Manifest, ManifestTable

from ..dataset import find_tables
from ..errors import InputError

FORMATS = ("frictionless", "croissant", "odcs")
DEFAULT_NAMES = {"frictionless": "datapackage.json", "croissant": "croissant.json", "odcs": "datacontract.odcs.yaml"}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-") or "dataset"


def type_kind(arrow: str) -> str:
    """The kind of an Arrow type name, as catalogs type fields: ``int64`` → ``integer``."""
    a = arrow.lower()
    if a.startswith(("int", "uint")):
        return "integer"
    if a in ("double", "float", "halffloat") or a.startswith("decimal"):
        return "number"
    if a in ("bool", "boolean"):
        return "boolean"
    if a.startswith("date"):
        return "date"
    if a.startswith("timestamp"):
        return "datetime"
    if a.startswith("time"):
        return "time"
    return "string"


#: each table's files (paths relative to the dataset), as the dataset's layout and metadata name them
Owned = dict[str, set[str]]


def _table_file(manifest: Manifest, table: str, owned: Owned | None = None) -> list[Any]:
    if owned is not None and table in owned:  # a table whose file is not named after it (Kunden_Liste-<hash>.parquet)
        return [f for f in manifest.files if f.path in owned[table]]
    return [f for f in manifest.files if f.path == f"{table}.parquet" or f.path.startswith(f"{table}/")]


def to_frictionless(manifest: Manifest, owned: Owned | None = None) -> dict[str, Any]:
    resources = []
    for t in manifest.schema.tables:
        files = _table_file(manifest, t.name, owned)
        fields = [{"name": c.name, "type": type_kind(c.type), **({"constraints": {"required": True}}
                  if not c.nullable else {})} for c in t.columns]
        schema: dict[str, Any] = {"fields": fields}
        pk = [c.name for c in t.columns if c.pk]
        if pk:
            schema["primaryKey"] = pk
        fks = [{"fields": [c.name], "reference": {"resource": c.fk.partition(".")[0], "fields": [c.fk.partition(".")[2]]}}
               for c in t.columns if c.fk]
        if fks:
            schema["foreignKeys"] = fks
        res: dict[str, Any] = {
            "name": _slug(t.name), "type": "table", "title": t.name,
            "path": [f.path for f in files] if len(files) > 1 else files[0].path,
            "format": "parquet", "mediatype": "application/vnd.apache.parquet", "schema": schema,
        }
        if len(files) == 1:
            res["bytes"] = files[0].bytes
            res["hash"] = f"sha256:{files[0].sha256}"
        resources.append(res)
    for res in resources:  # references name resources by their slug
        for fk in res["schema"].get("foreignKeys", []):
            fk["reference"]["resource"] = _slug(fk["reference"]["resource"])
    return {
        "name": _slug(manifest.dataset_name), "title": manifest.dataset_name,
        "created": manifest.generated_at, "licenses": [{"name": manifest.license or "CC0-1.0"}],
        "resources": resources,
    }


_CR_TYPES = {"integer": "sc:Integer", "number": "sc:Float", "boolean": "sc:Boolean", "date": "sc:Date",
             "datetime": "sc:DateTime", "time": "sc:Text", "string": "sc:Text"}

CROISSANT_CONTEXT = {
    "@language": "en", "@vocab": "https://schema.org/", "citeAs": "cr:citeAs", "column": "cr:column",
    "conformsTo": "dct:conformsTo", "cr": "http://mlcommons.org/croissant/", "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"}, "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/", "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract", "field": "cr:field", "fileProperty": "cr:fileProperty", "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet", "format": "cr:format", "includes": "cr:includes", "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath", "key": "cr:key", "md5": "cr:md5", "parentField": "cr:parentField",
    "path": "cr:path", "recordSet": "cr:recordSet", "references": "cr:references", "regex": "cr:regex",
    "repeated": "cr:repeated", "replace": "cr:replace", "sc": "https://schema.org/", "separator": "cr:separator",
    "source": "cr:source", "subField": "cr:subField", "transform": "cr:transform",
    "samplingRate": "cr:samplingRate", "equivalentProperty": "cr:equivalentProperty",
}


def _cr_id(*parts: str) -> str:
    """Croissant @ids may not contain whitespace (even escaped): ``unit price`` → ``unit_price``."""
    return "/".join(re.sub(r"\s+", "_", p) for p in parts)


def _cr_fields(t: ManifestTable, file_id: str) -> list[dict[str, Any]]:
    out = []
    for c in t.columns:
        field: dict[str, Any] = {
            "@type": "cr:Field", "@id": _cr_id(t.name, c.name), "name": c.name, "description": f"{t.name}.{c.name}",
            "dataType": _CR_TYPES[type_kind(c.type)],
            "source": {"fileObject": {"@id": file_id}, "extract": {"column": c.name}},
        }
        if c.fk:
            parent, _, pcol = c.fk.partition(".")
            field["references"] = {"field": {"@id": _cr_id(parent, pcol)}}
        out.append(field)
    return out


def to_croissant(manifest: Manifest, owned: Owned | None = None) -> dict[str, Any]:
    distribution, record_sets = [], []
    for t in manifest.schema.tables:
        for f in _table_file(manifest, t.name, owned):
            distribution.append({
                "@type": "cr:FileObject", "@id": _cr_id(f.path), "name": f.path, "contentUrl": f.path,
                "encodingFormat": "application/x-parquet", "contentSize": f"{f.bytes} B", "sha256": f.sha256,
            })
        files = _table_file(manifest, t.name, owned)
        rs: dict[str, Any] = {"@type": "cr:RecordSet", "@id": _cr_id(t.name), "name": t.name,
                              "description": f"{t.rows} rows", "field": _cr_fields(t, _cr_id(files[0].path))}
        pk = [c.name for c in t.columns if c.pk]
        if pk:
            rs["key"] = [{"@id": _cr_id(t.name, k)} for k in pk]
        record_sets.append(rs)
    q = manifest.validation
    return {
        "@context": CROISSANT_CONTEXT, "@type": "sc:Dataset", "name": manifest.dataset_name,
        "description": f"{manifest.dataset_name}: synthetic dataset, quality score {manifest.quality_score}, "
                       f"findings {q.findings.critical} critical / {q.findings.high} high",
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "citeAs": f"{manifest.dataset_name}, generated by datagen {manifest.generator_version or ''}".strip(),
        "license": manifest.license or "CC0-1.0",
        "url": f"file:{_slug(manifest.dataset_name)}", "datePublished": manifest.generated_at,
        "version": manifest.generator_version or "0.0.0",
        "distribution": distribution, "recordSet": record_sets,
    }


def to_odcs(manifest: Manifest, owned: Owned | None = None) -> dict[str, Any]:
    schema = []
    for t in manifest.schema.tables:
        props = []
        for c in t.columns:
            prop: dict[str, Any] = {"name": c.name, "physicalType": c.type, "logicalType": _odcs_type(c.type),
                                    "required": not c.nullable}
            if c.pk:
                prop.update(primaryKey=True, primaryKeyPosition=1, unique=True)
            if c.fk:
                prop["description"] = f"references {c.fk}"
            props.append(prop)
        files = [f.path for f in _table_file(manifest, t.name, owned)]
        physical = files[0] if len(files) == 1 else (files[0].split("/")[0] if files else f"{t.name}.parquet")
        schema.append({"name": t.name, "physicalName": physical, "logicalType": "object",
                       "physicalType": "table", "description": f"{t.rows} rows", "properties": props})
    f = manifest.validation.findings
    return {
        "apiVersion": "v3.0.2", "kind": "DataContract", "id": _slug(manifest.dataset_name),
        "name": manifest.dataset_name, "version": manifest.generator_version or "0.0.0",
        "status": "active" if manifest.approval and manifest.approval.approved else "draft",
        "description": {"purpose": f"Approved dataset {manifest.dataset_name}",
                        "usage": f"quality score {manifest.quality_score}; findings: {f.critical} critical, "
                                 f"{f.high} high, {f.medium} medium, {f.low} low"},
        "schema": schema,
        "customProperties": [
            {"property": "license", "value": manifest.license or "CC0-1.0"},
            {"property": "approvalHash", "value": manifest.approval.hash if manifest.approval else ""},
        ],
    }


def _odcs_type(arrow: str) -> str:
    kind = type_kind(arrow)
    return {"datetime": "timestamp", "time": "string"}.get(kind, kind)


def export(directory: Path, fmt: str, output: Path | None = None) -> Path:
    """Write the description of ``directory`` in ``fmt``; returns the written path."""
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if not (directory / FILENAME).is_file():
        raise InputError(f"no {FILENAME} in {directory}: approve it first (datapolisher polish --path approve)")
    try:
        manifest = load_manifest(directory)
    except ContractError as exc:
        raise InputError(str(exc)) from None
    owned = {t.name: {f.relative_to(directory).as_posix() for f in t.files} for t in find_tables(directory)}
    doc = {"frictionless": to_frictionless, "croissant": to_croissant, "odcs": to_odcs}[fmt](manifest, owned)
    target = output or directory / DEFAULT_NAMES[fmt]
    data = encode_yaml(doc) if fmt == "odcs" else (json.dumps(doc, indent=2) + "\n").encode()
    return write_atomic(target, data)
