"""Structural decoding of a DSL schema: aliases normalized, every problem collected with its JSON path.

msgspec's own decoder stops at the first error; users of a hand-written schema want all of them at once, with
a "did you mean". So the raw document is walked against the Structs' type information (``msgspec.inspect``),
aliases (each Struct's ``__aliases__``) are renamed to canonical keys, a few legacy shapes are rewritten by the
normalizers below, and only a document without problems is converted to Structs and handed to the rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import msgspec
from msgspec import inspect as mi

from .. import files
from ..errors import ContractFileError, ContractVersionError, Problem, SchemaError
from ..paths import child, did_you_mean
from .base import SCHEMA_VERSION
from .context import resolve_document
from .generators import LookupGen
from .nodes import Column, Fanout, SegmentBehavior
from .rules import check_schema
from .schema import Schema

_BAD = object()
_INT64 = 2**63

COLUMN_TYPE_ALIASES = {
    "integer": "int", "int64": "int", "bigint": "int", "long": "int",
    "double": "float", "float64": "float", "number": "float", "decimal": "float",
    "str": "string", "text": "string", "varchar": "string",
    "boolean": "bool",
    "timestamp": "datetime", "date_time": "datetime",
}


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _expected(t: mi.Type) -> str:
    if isinstance(t, mi.IntType):
        return "an integer"
    if isinstance(t, mi.FloatType):
        return "a number"
    if isinstance(t, mi.StrType):
        return "a string"
    if isinstance(t, mi.BoolType):
        return "true or false"
    if isinstance(t, mi.NoneType):
        return "null"
    if isinstance(t, mi.LiteralType):
        return "one of " + ", ".join(repr(v) for v in t.values)
    if isinstance(t, mi.ListType):
        return "a list"
    if isinstance(t, mi.StructType | mi.DictType):
        return "an object"
    if isinstance(t, mi.UnionType):
        return " or ".join(dict.fromkeys(_expected(x) for x in t.types))
    return "a value"


class _Walker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, path: str, message: str) -> object:
        self.problems.append(Problem(path, message))
        return _BAD

    def walk(self, value: Any, t: mi.Type, path: str) -> Any:
        if isinstance(t, mi.AnyType):
            return value
        if isinstance(t, mi.StructType):
            return self.struct(value, t, path)
        if isinstance(t, mi.UnionType):
            return self.union(value, t, path)
        if isinstance(t, mi.ListType):
            if not isinstance(value, list):
                return self.fail(path, f"expected a list, got {json_type(value)}")
            return [self.walk(v, t.item_type, child(path, i)) for i, v in enumerate(value)]
        if isinstance(t, mi.DictType):
            if not isinstance(value, dict):
                return self.fail(path, f"expected an object, got {json_type(value)}")
            return {k: self.walk(v, t.value_type, child(path, k)) for k, v in value.items()}
        return self.leaf(value, t, path)

    def leaf(self, value: Any, t: mi.Type, path: str) -> Any:
        ok = (
            (isinstance(t, mi.IntType) and isinstance(value, int) and not isinstance(value, bool))
            or (isinstance(t, mi.FloatType) and isinstance(value, int | float) and not isinstance(value, bool))
            or (isinstance(t, mi.StrType) and isinstance(value, str))
            or (isinstance(t, mi.BoolType) and isinstance(value, bool))
            or (isinstance(t, mi.NoneType) and value is None)
            or (isinstance(t, mi.LiteralType) and value in t.values and type(value) is not bool)
        )
        if not ok:
            if isinstance(t, mi.LiteralType) and isinstance(value, str):
                hint = did_you_mean(value, [str(v) for v in t.values])
                return self.fail(path, f"{value!r} is not {_expected(t)}{hint}")
            return self.fail(path, f"expected {_expected(t)}, got {json_type(value)}")
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _INT64:
            return self.fail(path, f"number {value} is too large (at most 2**63 - 1)")
        if isinstance(t, mi.FloatType) and isinstance(value, int):
            return float(value)
        return value

    def union(self, value: Any, t: mi.UnionType, path: str) -> Any:
        types = t.types
        if value is None and any(isinstance(x, mi.NoneType) for x in types):
            return None
        if isinstance(value, dict):
            structs = [x for x in types if isinstance(x, mi.StructType)]
            tagged = [x for x in structs if x.tag_field]
            if tagged:
                field = str(tagged[0].tag_field)
                by_tag = {str(x.tag): x for x in tagged}
                tag = value.get(field)
                if tag is None:
                    return self.fail(path, f"missing required key {field!r} (one of {', '.join(map(repr, by_tag))})")
                if tag not in by_tag:
                    hint = did_you_mean(str(tag), list(by_tag))
                    return self.fail(
                        child(path, field), f"unknown {field} {tag!r}; expected one of {', '.join(map(repr, by_tag))}{hint}"
                    )
                return self.struct(value, by_tag[tag], path)
            if structs:
                return self.struct(value, structs[0], path)
            dicts = [x for x in types if isinstance(x, mi.DictType)]
            if dicts:
                return self.walk(value, dicts[0], path)
        if isinstance(value, list):
            lists = [x for x in types if isinstance(x, mi.ListType)]
            if lists:
                return self.walk(value, lists[0], path)
        scalars = [x for x in types if not isinstance(x, mi.StructType | mi.ListType | mi.DictType | mi.NoneType)]
        for x in scalars:
            sub = _Walker()
            out = sub.leaf(value, x, path)
            if out is not _BAD:
                return out
        if len(scalars) == 1 and not isinstance(value, list | dict):
            return self.leaf(value, scalars[0], path)
        return self.fail(path, f"expected {_expected(t)}, got {json_type(value)}")

    def struct(self, value: Any, t: mi.StructType, path: str) -> Any:
        if not isinstance(value, dict):
            return self.fail(path, f"expected an object, got {json_type(value)}")
        normalize = NORMALIZERS.get(t.cls)
        if normalize is not None:
            value = normalize(dict(value), path, self)
        fields = {f.encode_name: f for f in t.fields}
        aliases: dict[str, str] = getattr(t.cls, "__aliases__", {})
        out: dict[str, Any] = {}
        if t.tag_field:
            out[t.tag_field] = t.tag
        for key, item in value.items():
            if t.tag_field and key == t.tag_field:
                continue
            if not isinstance(key, str):
                self.fail(path, f"keys must be strings, got {json_type(key)}")
                continue
            name = key
            if key not in fields:
                if key not in aliases:
                    options = [*fields, *aliases]
                    self.fail(child(path, key), f"unknown key {key!r}{did_you_mean(key, options)}")
                    continue
                name = aliases[key]
                if name in value or name in out:
                    self.fail(child(path, key), f"{key!r} is another spelling of {name!r}; give only one of them")
                    continue
            out[name] = self.walk(item, fields[name].type, child(path, key))
        for name, f in fields.items():
            if f.required and name not in out:
                self.fail(path, f"missing required key {name!r}")
        return out


# --------------------------------------------------------------------------------- legacy-shape normalizers


def _normalize_column(raw: dict[str, Any], path: str, walker: _Walker) -> dict[str, Any]:
    kind = raw.get("type")
    if isinstance(kind, str) and kind.lower() in COLUMN_TYPE_ALIASES:
        raw["type"] = COLUMN_TYPE_ALIASES[kind.lower()]
    return raw


def _normalize_fanout(raw: dict[str, Any], path: str, walker: _Walker) -> dict[str, Any]:
    clamp = raw.pop("clamp", None)
    if clamp is not None:
        if not (isinstance(clamp, list) and len(clamp) == 2):
            walker.fail(child(path, "clamp"), "expected [min, max]")
        elif "min" in raw or "max" in raw:
            walker.fail(child(path, "clamp"), "give either 'clamp' or 'min'/'max', not both")
        else:
            raw["min"], raw["max"] = clamp
    return raw


def _normalize_lookup(raw: dict[str, Any], path: str, walker: _Walker) -> dict[str, Any]:
    on = raw.get("on")
    # an earlier shape: {"this_key": "course_id"} joins this row's course_id to the same-named column there
    if isinstance(on, dict) and set(on) == {"this_key"} and isinstance(on["this_key"], str):
        raw["on"] = {on["this_key"]: on["this_key"]}
    return raw


_SEGMENT_FIELDS = ("segment_column", "behaviors", "segments", "applies_to_columns", "comment")


def _normalize_segments(raw: dict[str, Any], path: str, walker: _Walker) -> dict[str, Any]:
    # the flat shape {seg: {fanout_multiplier, value_multiplier, decay_rate}} becomes {behaviors: {...}}
    flat = {k: v for k, v in raw.items() if k not in _SEGMENT_FIELDS and isinstance(v, dict)}
    if flat:
        if "behaviors" in raw:
            for k in flat:
                walker.fail(child(path, k), f"unknown key {k!r}; segments go under 'behaviors'")
        else:
            raw = {k: v for k, v in raw.items() if k not in flat}
            raw["behaviors"] = flat
    return raw


NORMALIZERS: dict[type, Callable[[dict[str, Any], str, _Walker], dict[str, Any]]] = {
    Column: _normalize_column,
    Fanout: _normalize_fanout,
    LookupGen: _normalize_lookup,
    SegmentBehavior: _normalize_segments,
}


# ------------------------------------------------------------------------------------------------- entry


def parse_document(data: bytes | str, source: str) -> Any:
    """JSON when it looks like JSON (or the file says .json), YAML otherwise."""
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    stripped = text.lstrip()
    if not stripped:
        raise ContractFileError(f"{source} is empty")
    if source.endswith((".yaml", ".yml")) or not stripped.startswith(("{", "[")):
        return files.parse_yaml(text, source)
    return files.parse_json(text, source)


def decode_schema(
    data: bytes | str,
    *,
    source: str = "schema",
    scenario: str | None = None,
    overrides: dict[str, Any] | None = None,
) -> Any:
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    if not text.lstrip().startswith(("{", "[")) and CREATE_TABLE.search(text):
        raise SchemaError([Problem("$", "this is SQL DDL (CREATE TABLE statements), not a datagen schema (DSL v1: an "
                                        "object with version, metadata, timeframe and nodes; see docs/dsl.md); "
                                        "`datagen import` converts it")], source)
    raw = parse_document(text, source)
    if (other := foreign_format(raw)) is not None:
        convert = "; `datagen import` converts it" if other.startswith(IMPORTABLE) else ""
        raise SchemaError([Problem("$", f"this is {other}, not a datagen schema (DSL v1: an object with version, "
                                        f"metadata, timeframe and nodes; see docs/dsl.md){convert}")], source)
    if not isinstance(raw, dict):
        raise SchemaError([Problem("$", f"a schema must be an object, got {json_type(raw)}")], source)
    version = raw.get("version")
    if isinstance(version, str | int | float) and not isinstance(version, bool):
        major = str(version).split(".")[0]
        if major != SCHEMA_VERSION.split(".")[0]:
            raise ContractVersionError(
                f"{source}: DSL version {version!r} is not supported; this reader understands version "
                f"{SCHEMA_VERSION!r} (major 1). Upgrade datagen-contracts or convert the schema."
            )
        raw["version"] = str(version) if isinstance(version, str) else f"{version}"
    walker = _Walker()
    raw = resolve_document(raw, scenario, overrides, walker.problems)
    normalized = walker.walk(raw, mi.type_info(Schema), "$")
    if walker.problems:
        raise SchemaError(walker.problems, source)
    try:
        schema = msgspec.convert(normalized, Schema)
    except msgspec.ValidationError as exc:  # the walker should have caught it; still never a traceback
        raise SchemaError([Problem("$", str(exc))], source) from None
    errors = [p for p in check_schema(schema) if p.severity == "error"]
    if errors:
        raise SchemaError(errors, source)
    return schema


#: the keys a Snowfakery recipe's top-level entries start with
_SNOWFAKERY = {"object", "var", "macro", "include_file", "plugin", "option", "snowfakery_version"}


def _all_dicts(items: Any, key: str) -> bool:
    return isinstance(items, list) and bool(items) and all(isinstance(i, dict) and key in i for i in items)


#: the formats :func:`foreign_format` names that ``datagen import`` (datagen-core) converts to the DSL
IMPORTABLE = ("SDV metadata", "a Frictionless Data Package", "a Frictionless Table Schema", "a dbt properties file",
              "a dbt manifest", "a data contract", "a Snowfakery recipe", "a JSON Schema", "an OpenAPI document",
              "an Avro schema", "a BigQuery table schema", "a Spark schema", "SQL DDL", "a Prisma schema", "DBML")
#: BigQuery's column types (``bq show --schema``): a list of fields naming only these is a BigQuery table schema
BIGQUERY_TYPES = frozenset({"STRING", "BYTES", "INTEGER", "INT64", "FLOAT", "FLOAT64", "NUMERIC", "BIGNUMERIC",
                            "DECIMAL", "BIGDECIMAL", "BOOLEAN", "BOOL", "DATE", "DATETIME", "TIMESTAMP", "TIME",
                            "RECORD", "STRUCT", "GEOGRAPHY", "JSON", "INTERVAL", "RANGE"})
#: a ``CREATE TABLE`` statement at the start of a line: SQL DDL, which ``datagen import`` reads
CREATE_TABLE = re.compile(
    r"(?im)^\s*create\s+(?:or\s+replace\s+)?(?:(?:global\s+|local\s+)?temp(?:orary)?\s+|unlogged\s+|transient\s+)?"
    r"table\b")


def bigquery_fields(doc: Any) -> tuple[list[Any], str | None] | None:
    """The fields of a BigQuery table schema (``bq show --schema``'s list, the API's ``{"fields"}``, a table resource's
    ``schema.fields``) and its ``tableReference.tableId``, if any; None for anything else — a Frictionless Table
    Schema's fields have lower-case types and no ``mode`` (tests/datagen_core/test_import_engines.py)."""
    if isinstance(doc, dict) and isinstance(doc.get("schema"), dict) and isinstance(doc["schema"].get("fields"), list) \
            and ("tableReference" in doc or doc.get("kind") == "bigquery#table"):
        ref: dict[str, Any] = doc["tableReference"] if isinstance(doc.get("tableReference"), dict) else {}
        return doc["schema"]["fields"], ref.get("tableId") if isinstance(ref.get("tableId"), str) else None
    fields = doc.get("fields") if isinstance(doc, dict) and len(doc) == 1 else doc
    if isinstance(fields, list) and fields and all(
            isinstance(f, dict) and isinstance(f.get("name"), str) and isinstance(f.get("type"), str) for f in fields) \
            and all(f["type"].upper() in BIGQUERY_TYPES for f in fields) \
            and (any(f["type"].isupper() for f in fields) or any("mode" in f for f in fields)):
        return fields, None
    return None


def foreign_format(raw: Any) -> str | None:
    """What a document written for another tool is, told by its shape (never for a document with one of the DSL's
    own keys ``nodes``, ``timeframe``, ``metadata``): the user gets one line naming it instead of a list of unknown
    keys.

    >>> foreign_format({"METADATA_SPEC_VERSION": "MULTI_TABLE_V1", "tables": {}})
    'SDV metadata (METADATA_SPEC_VERSION)'
    >>> foreign_format([{"object": "Account", "count": 10}]), foreign_format({"nodes": [], "tables": {}})
    ('a Snowfakery recipe (a list of objects)', None)
    >>> foreign_format({"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json"}})
    'a dbt manifest (manifest/v12.json)'

    """
    if bigquery_fields(raw) is not None:
        return "a BigQuery table schema (" + ("schema.fields)" if isinstance(raw, dict) and "schema" in raw else
                                              "a list of fields)" if isinstance(raw, list) else "fields)")
    if isinstance(raw, list):
        recipe = any(isinstance(i, dict) and "object" in i for i in raw) and all(
            isinstance(i, dict) and i.keys() & _SNOWFAKERY for i in raw)
        return "a Snowfakery recipe (a list of objects)" if recipe else None
    if isinstance(raw, dict) and isinstance(raw.get("metadata"), dict) and "dbt_schema_version" in raw["metadata"]:
        kind = str(raw["metadata"]["dbt_schema_version"]).rstrip("/").rsplit("/", 2)[-2:]  # …/manifest/v12.json
        return f"a dbt {kind[0] if len(kind) == 2 else 'artifact'} ({'/'.join(kind)})"
    if not isinstance(raw, dict) or any(k in raw for k in ("nodes", "timeframe", "metadata")):
        return None  # a DSL schema, perhaps with a typo: its own problems say more
    contract = raw.get("contract")
    tables = raw.get("tables")
    sdv_tables = isinstance(tables, dict) and any(
        isinstance(t, dict) and isinstance(t.get("columns"), dict)
        and any(isinstance(c, dict) and "sdtype" in c for c in t["columns"].values()) for t in tables.values())
    checks: list[tuple[bool, str]] = [
        (isinstance(contract, str) and contract.startswith("datagen."), f"a {contract} file (written by a datagen stage)"),
        ("METADATA_SPEC_VERSION" in raw, "SDV metadata (METADATA_SPEC_VERSION)"),
        (sdv_tables, "SDV metadata (tables with sdtype columns)"),
        (_all_dicts(raw.get("resources"), "name") or raw.get("profile") == "data-package",
         "a Frictionless Data Package (resources)"),
        (raw.get("type") == "record" and isinstance(raw.get("fields"), list), "an Avro schema (record)"),
        (raw.get("type") == "struct" and isinstance(raw.get("fields"), list), "a Spark schema (struct)"),
        (_all_dicts(raw.get("fields"), "name") and "type" in raw["fields"][0], "a Frictionless Table Schema (fields)"),
        (isinstance(raw.get("openapi"), str) or isinstance(raw.get("swagger"), str),
         f"an OpenAPI document ({'openapi ' + str(raw.get('openapi')) if raw.get('openapi') else 'swagger 2'})"),
        ("$schema" in raw or ("properties" in raw and raw.get("type") == "object")
         or "$defs" in raw or "definitions" in raw, "a JSON Schema"),
        ("@context" in raw and ("recordSet" in raw or "distribution" in raw), "Croissant metadata"),
        (raw.get("kind") == "DataContract", "a data contract (ODCS)"),
        ("dataContractSpecification" in raw, "a data contract (Data Contract Specification)"),
        ("expectation_suite_name" in raw or _all_dicts(raw.get("expectations"), "expectation_type"),
         "a Great Expectations suite"),
        (any(isinstance(k, str) and k.startswith("checks for ") for k in raw), "a Soda checks file"),
        (_all_dicts(raw.get("models"), "name") or _all_dicts(raw.get("sources"), "name"), "a dbt properties file"),
    ]
    return next((what for found, what in checks if found), None)
