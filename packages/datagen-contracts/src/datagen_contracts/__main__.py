"""``python -m datagen_contracts``: export the JSON Schemas, or check a DSL schema / contract file.

    python -m datagen_contracts schemas [--write] [--out DIR]   # print names, or (re)write the JSON Schemas
    python -m datagen_contracts check FILE...                   # validate DSL schemas and contract files

Exit codes: 0 ok, 1 a file has problems (or committed schemas are stale with --check), 2 usage error.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .errors import ContractError

USAGE = __doc__ or ""


def _check(paths: list[str]) -> int:
    from .dsl import lint_schema, load_schema
    from .manifest import load_manifest
    from .metadata import load_metadata
    from .report import load_report

    status = 0
    for path in paths:
        name = Path(path).name
        try:
            if name.endswith(".metadata.json") or name == ".metadata.json":
                load_metadata(path)
            elif name.endswith("crunch_report.json"):
                load_report(path)
            elif name.endswith((".manifest.yaml", ".manifest.yml")):
                load_manifest(path)
            else:
                schema = load_schema(path)
                for warning in lint_schema(schema):
                    print(f"{path}: {warning}")
            print(f"{path}: ok")
        except ContractError as exc:
            print(f"{exc}", file=sys.stderr)
            status = 1
    return status


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command == "schemas":
        from .jsonschema import SCHEMA_DIR, render_json_schemas, stale_json_schemas, write_json_schemas

        out = Path(rest[rest.index("--out") + 1]) if "--out" in rest else SCHEMA_DIR
        if "--write" in rest:
            for path in write_json_schemas(out):
                print(path)
            return 0
        if "--check" in rest:
            stale = stale_json_schemas(out)
            for name in stale:
                print(f"stale: {name} (run: python -m datagen_contracts schemas --write)", file=sys.stderr)
            return 1 if stale else 0
        for name in render_json_schemas():
            print(name)
        return 0
    if command == "check" and rest:
        return _check(rest)
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
