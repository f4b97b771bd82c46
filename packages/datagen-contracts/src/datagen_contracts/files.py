"""Reading and writing contract files: JSON through msgspec, YAML through ruamel safe-load, atomic writes.

Every contract file carries a tag ``"contract": "<name>/<major>"``. Readers check the tag before decoding the
rest, so a file from a future major version is refused with a clear message instead of a confusing type error.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from .errors import ContractFileError, ContractVersionError

T = TypeVar("T")

PathLike = str | os.PathLike[str]


class _Tagged(msgspec.Struct):
    contract: str | None = None


def read_bytes(path: PathLike, what: str) -> bytes:
    """Read a whole file, turning OS errors into :class:`ContractFileError`."""
    p = Path(path)
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise ContractFileError(f"{what} not found: {p}") from None
    except IsADirectoryError:
        raise ContractFileError(f"{what} is a directory, expected a file: {p}") from None
    except OSError as exc:
        raise ContractFileError(f"cannot read {what} {p}: {exc.strerror or exc}") from None


def parse_yaml(data: bytes | str, source: str) -> Any:
    """Safe-load YAML into plain Python values (no tags, no arbitrary objects)."""
    try:
        from ruamel.yaml import YAML
        from ruamel.yaml.error import YAMLError
    except ImportError as exc:  # pragma: no cover - ruamel.yaml is a declared dependency
        raise ContractFileError("reading YAML requires ruamel.yaml: pip install ruamel.yaml") from exc
    yaml = YAML(typ="safe", pure=True)
    try:
        return check_depth(yaml.load(data), source)
    except YAMLError as exc:
        raise ContractFileError(f"{source} is not valid YAML: {exc}") from None
    except RecursionError:
        raise _too_deep(source) from None


def parse_json(data: bytes | str, source: str) -> Any:
    """Parse JSON into plain Python values, with the line/column of a syntax error."""
    try:
        return check_depth(msgspec.json.decode(data), source)
    except msgspec.DecodeError as exc:
        raise ContractFileError(f"{source} is not valid JSON: {exc}") from None
    except RecursionError:
        raise _too_deep(source) from None


MAX_DEPTH = 64  # no contract file nests deeper than ~10 levels; this bounds every recursive reader after us


def _too_deep(source: str) -> ContractFileError:
    return ContractFileError(f"{source}: nested more than {MAX_DEPTH} levels deep (lists/mappings); refusing to read it")


def check_depth(obj: Any, source: str, limit: int = MAX_DEPTH) -> Any:
    """``obj`` unchanged, or :class:`ContractFileError` when its lists/mappings nest deeper than ``limit``
    (walked without recursion, so the check itself cannot overflow).

    >>> check_depth({"a": [[1]]}, "x.json")
    {'a': [[1]]}
    """
    stack = [(obj, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            raise _too_deep(source)
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return obj


def check_tag(obj: Any, expected: str, source: str) -> None:
    """Refuse a document whose ``contract`` tag is missing, of another contract, or of an unknown major."""
    name, _, major = expected.partition("/")
    if not isinstance(obj, dict):
        raise ContractFileError(f"{source}: expected a mapping at the top level, got {type(obj).__name__}")
    tag = obj.get("contract")
    if tag is None:
        raise ContractVersionError(f"{source}: missing 'contract' tag (expected {expected!r})")
    if not isinstance(tag, str) or "/" not in tag:
        raise ContractVersionError(f"{source}: malformed contract tag {tag!r} (expected {expected!r})")
    got_name, _, got_major = tag.partition("/")
    if got_name != name:
        raise ContractVersionError(f"{source}: this is a {got_name!r} file, expected {name!r}")
    if got_major != major:
        raise ContractVersionError(
            f"{source}: contract {tag!r} has major version {got_major}, this reader understands "
            f"only major {major}; upgrade datagen-contracts (pip install -U datagen-contracts)"
        )


def convert(obj: Any, type_: type[T], source: str) -> T:
    """Convert plain values to ``type_``, reporting the JSON path of the first mismatch."""
    try:
        return msgspec.convert(obj, type_, strict=True)
    except msgspec.ValidationError as exc:
        raise ContractFileError(f"{source}: {exc}") from None


def load_tagged(path_or_bytes: PathLike | bytes, type_: type[T], tag: str, what: str, *, yaml: bool = False) -> T:
    """Read a tagged contract file (JSON or YAML) into ``type_``."""
    if isinstance(path_or_bytes, bytes | bytearray):
        data, source = bytes(path_or_bytes), what
    else:
        data, source = read_bytes(path_or_bytes, what), str(path_or_bytes)
    obj = parse_yaml(data, source) if yaml else parse_json(data, source)
    check_tag(obj, tag, source)
    return convert(obj, type_, source)


def to_builtins(obj: Any) -> Any:
    """Plain values with a deterministic key order (Struct fields in declaration order, dicts sorted)."""
    return msgspec.to_builtins(obj, order="deterministic")


def encode_json(obj: Any) -> bytes:
    """Pretty, deterministic JSON bytes ending with a newline."""
    raw = msgspec.json.encode(obj, order="deterministic")
    return msgspec.json.format(raw, indent=2) + b"\n"


def encode_yaml(obj: Any) -> bytes:
    """Deterministic block-style YAML bytes (safe dumper, no anchors, unicode kept)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]  # keep the order we built
    yaml.width = 4096
    yaml.representer.ignore_aliases = lambda *_: True
    buf = io.StringIO()
    yaml.dump(to_builtins(obj), buf)
    return buf.getvalue().encode("utf-8")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary sibling and an atomic rename.

    A reader never sees a half-written file, and an interrupted write leaves the old file untouched; the
    temporary sibling is named after this process, so one left by a crash is removed by the next write.
    """
    from .staging import staging_path, sweep

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep(target)
    tmp = Path(f"{staging_path(target)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 & ~_umask())
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
