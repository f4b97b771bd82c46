"""How a CSV table is read: its text encoding, told from its bytes — a UTF-16 byte-order mark, else UTF-8 when
the first megabyte decodes as UTF-8, else Latin-1 (every byte is a character: ``Zürich`` saved by a Western-European
spreadsheet). DuckDB reads only the encoding it is given and fails on the first byte that does not fit.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "a.csv").write_bytes("id;city\\n1;Zürich\\n".encode("latin-1"))
>>> _ = (d / "b.csv").write_bytes("id,city\\n1,Zürich\\n".encode("utf-16"))
>>> _ = (d / "c.csv").write_bytes("\\ufeffid,city\\n1,Zürich\\n".encode("utf-8"))
>>> [encoding_of(d / n) for n in ("a.csv", "b.csv", "c.csv")]
['latin-1', 'utf-16', 'utf-8']
"""

from __future__ import annotations

from pathlib import Path

from datagen_contracts.text import quote_literal

from ..errors import InputError

_SAMPLE = 1 << 20


def encoding_of(path: Path) -> str:
    """``utf-8``, ``utf-16`` or ``latin-1``: the encoding DuckDB should read ``path`` with."""
    try:
        with path.open("rb") as fh:
            head = fh.read(_SAMPLE)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a character cut by the end of the sample is not an error
        if not (len(head) == _SAMPLE and exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"):
            return "latin-1"
    return "utf-8"


def read_csv_sql(files: list[Path]) -> str:
    """The ``read_csv`` call for a table's CSV files (one encoding for all: that of most of them)."""
    if empty := next((f for f in files if f.stat().st_size == 0), None):
        raise InputError(f"empty file (0 bytes), not CSV: {empty}")
    found = [encoding_of(f) for f in files]
    encoding = max(sorted(set(found)), key=found.count)
    listed = "[" + ", ".join(quote_literal(str(f)) for f in files) + "]"
    return f"SELECT * FROM read_csv({listed}, union_by_name = true, encoding = {quote_literal(encoding)})"
