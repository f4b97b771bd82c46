"""How a CSV (or TSV, PSV; JSON-lines: :func:`read_json_sql`) table is read: its text encoding, told from its bytes
— a UTF-16 byte-order mark, else UTF-8 when the first megabyte decodes as UTF-8, else Windows-1252 when it holds a
byte of 0x80–0x9F (``€``, ``„…“”`` from a Windows spreadsheet), else Latin-1 (every byte is a character: ``Zürich``
saved by a Western-European spreadsheet). DuckDB reads only the encoding it is given and fails on the first byte that
does not fit; it has no Windows-1252, and its Latin-1 refuses those bytes, so such a file is read through a UTF-8
copy made once per run in a temporary folder (:func:`utf8_copy`). Numbers
written with a decimal comma (``1234,56``, the same spreadsheets) are read as numbers when a text column holds
nothing else (:func:`decimal_comma_columns`).

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "a.csv").write_bytes("id;city\\n1;Zürich\\n".encode("latin-1"))
>>> _ = (d / "b.csv").write_bytes("id,city\\n1,Zürich\\n".encode("utf-16"))
>>> _ = (d / "c.csv").write_bytes("\\ufeffid,city\\n1,Zürich\\n".encode("utf-8"))
>>> _ = (d / "e.csv").write_bytes("id;price\\n1;5 €\\n".encode("cp1252"))
>>> [encoding_of(d / n) for n in ("a.csv", "b.csv", "c.csv", "e.csv")]
['latin-1', 'utf-16', 'utf-8', 'cp1252']
"""

from __future__ import annotations

import atexit
import codecs
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from datagen_contracts.text import quote_ident, quote_literal

from ..errors import InputError

_SAMPLE = 1 << 20


def encoding_of(path: Path) -> str:
    """``utf-8``, ``utf-16`` or ``latin-1``: the encoding DuckDB should read ``path`` with."""
    import pyarrow as pa

    try:  # a .gz or .zst file is read through its decompressor
        with pa.input_stream(str(path), compression="detect") as fh:
            head = fh.read(_SAMPLE)
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a character cut by the end of the sample is not an error
        if not (len(head) == _SAMPLE and exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"):
            return "cp1252" if any(0x80 <= b <= 0x9F for b in head.translate(None, _PRINTABLE)) else "latin-1"
    return "utf-8"


#: every byte but 0x80–0x9F, deleted before looking for those (a bytes.translate: no loop over the sample in Python)
_PRINTABLE = bytes(b for b in range(256) if not 0x80 <= b <= 0x9F)
_COPIES: dict[tuple[str, int, int], Path] = {}
_COPIES_LOCK = threading.Lock()


def _windows_or_latin1(err: UnicodeError) -> tuple[str, int]:
    """The five bytes Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) read as Latin-1 reads them."""
    if not isinstance(err, UnicodeDecodeError):
        raise err
    return err.object[err.start:err.end].decode("latin-1"), err.end


codecs.register_error("datacruncher-latin1", _windows_or_latin1)


def utf8_copy(path: Path) -> Path:
    """A UTF-8 copy of the Windows-1252 text file ``path`` (decompressed if ``.gz``/``.zst``), made once per run
    in ``datacruncher-<pid>-csv`` under the temporary folder (removed at exit; after a crash, by the next run's
    sweep of dead processes' folders); transcoded in blocks of 1 MB."""
    import pyarrow as pa

    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    with _COPIES_LOCK:
        if key in _COPIES and _COPIES[key].exists():
            return _COPIES[key]
        folder = Path(tempfile.gettempdir()) / f"datacruncher-{os.getpid()}-csv"
        if not folder.exists():
            folder.mkdir(mode=0o700)
            atexit.register(shutil.rmtree, folder, True)
        out = folder / f"{len(_COPIES)}.csv"
        decoder = codecs.getincrementaldecoder("cp1252")("datacruncher-latin1")
        try:
            with pa.input_stream(str(path), compression="detect") as src, out.open("w", encoding="utf-8",
                                                                                 newline="") as dst:
                while block := src.read(_SAMPLE):
                    dst.write(decoder.decode(block))
        except (OSError, pa.ArrowException) as exc:
            raise InputError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
        _COPIES[key] = out
        return out


def files_read(files: list[Path]) -> tuple[list[Path], str]:
    """The files DuckDB reads for a table's CSV ``files`` and their encoding (that of most of them): the files
    themselves, or for Windows-1252 their UTF-8 copies (a Latin-1 file is Windows-1252 without 0x80–0x9F)."""
    found = [encoding_of(f) for f in files]
    encoding = max(sorted(set(found)), key=found.count)
    if encoding != "cp1252":
        return files, encoding
    return [utf8_copy(f) if e in ("cp1252", "latin-1") else f for f, e in zip(files, found, strict=True)], "utf-8"


def read_csv_sql(files: list[Path], *, decimal_comma: bool = False) -> str:
    """The ``read_csv`` call for a table's CSV files (one encoding for all: that of most of them); with
    ``decimal_comma``, numbers written ``1234,56`` or ``1.234,56`` are read as numbers."""
    if empty := next((f for f in files if f.stat().st_size == 0), None):
        raise InputError(f"empty file (0 bytes), not CSV: {empty}")
    files, encoding = files_read(files)
    listed = "[" + ", ".join(quote_literal(str(f)) for f in files) + "]"
    comma = ", decimal_separator = ',', thousands = '.'" if decimal_comma else ""
    return f"SELECT * FROM read_csv({listed}, union_by_name = true, encoding = {quote_literal(encoding)}{comma})"


def read_json_sql(files: list[Path]) -> str:
    """The ``read_json`` call for a table's JSON files: one object per line (or an array of objects); objects
    and arrays nested in a record are struct and list columns."""
    if empty := next((f for f in files if f.stat().st_size == 0), None):
        raise InputError(f"empty file (0 bytes), not JSON: {empty}")
    listed = "[" + ", ".join(quote_literal(str(f)) for f in files) + "]"
    return f"SELECT * FROM read_json({listed}, format = 'auto', union_by_name = true)"


#: a whole number, its thousands maybe grouped by points (``1.234.567``) as European spreadsheets write them
WHOLE = r"[-+]?([0-9]{1,3}(\.[0-9]{3})+|[0-9]+)"
#: a number written with a decimal comma (``-1234,5``, ``1.234,50``), as European spreadsheets export it
DECIMAL_COMMA = WHOLE + ",[0-9]+"


def decimal_comma_columns(con: Any, table: str, columns: list[tuple[str, str]]) -> list[str]:
    """The text columns of ``table`` (``columns``: name and DuckDB type) whose every value is a whole number or a
    number with a decimal comma (thousands maybe grouped by points), at least one with the comma — and none when a
    column already holds decimals read with a point (a file does not mix the two)."""
    text = [name for name, kind in columns if kind == "VARCHAR"]
    if not text or any(kind in ("DOUBLE", "FLOAT") or kind.startswith("DECIMAL") for _, kind in columns):
        return []
    probes = ", ".join(
        f"count({quote_ident(c)}) FILTER "
        f"(WHERE NOT regexp_full_match(trim({quote_ident(c)}), '{DECIMAL_COMMA}|{WHOLE}')),"
        f" count({quote_ident(c)}) FILTER (WHERE regexp_full_match(trim({quote_ident(c)}), '{DECIMAL_COMMA}'))"
        for c in text)
    row = con.execute(f"SELECT {probes} FROM {table}").fetchone() or ()
    return [c for i, c in enumerate(text) if row[2 * i] == 0 and row[2 * i + 1] > 0]


#: text standing for no value in exported tables (compared trimmed, in lower case): R's NA, Excel's #N/A, a
#: database dump's NULL, a spreadsheet's dash
NULL_TOKENS = ("", "null", "none", "nil", "na", "n/a", "#n/a", "nan", "-", "--", "?", "(null)", "missing")
NUMBER = r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?"


#: a column read as numbers and NULL: (its DuckDB type, [(token as written, rows)])
Tokens = tuple[str, list[tuple[str, int]]]


def null_token_columns(con: Any, table: str, columns: list[tuple[str, str]]) -> dict[str, Tokens]:
    """The text columns of ``table`` whose every value is a number or a token of :data:`NULL_TOKENS`, with at
    least one of each (``12.5``, ``N/A``, ``NULL``): column -> (the type its numbers are read as, [(token as
    written, rows)])."""
    text = [name for name, kind in columns if kind == "VARCHAR"]
    if not text:
        return {}
    tokens = ", ".join(quote_literal(t) for t in NULL_TOKENS)
    probes = []
    for c in text:
        v = f"trim({quote_ident(c)})"
        probes += [f"count({v}) FILTER (WHERE NOT regexp_full_match({v}, '{NUMBER}') AND lower({v}) NOT IN ({tokens}))",
                   f"count({v}) FILTER (WHERE regexp_full_match({v}, '{NUMBER}'))",
                   f"count({v}) FILTER (WHERE regexp_full_match({v}, '[-+]?[0-9]{{1,18}}'))", f"count({v})"]
    row = con.execute(f"SELECT {', '.join(probes)} FROM {table}").fetchone() or ()
    found = {}
    for i, c in enumerate(text):
        other, numbers, whole, total = row[4 * i: 4 * i + 4]
        if other or not numbers or numbers == total:
            continue
        v = f"trim({quote_ident(c)})"
        seen = con.execute(f"SELECT {v}, count(*) FROM {table} WHERE {quote_ident(c)} IS NOT NULL AND NOT "
                           f"regexp_full_match({v}, '{NUMBER}') GROUP BY ALL ORDER BY 2 DESC, 1").fetchall()
        found[c] = ("BIGINT" if whole == numbers else "DOUBLE", [(str(t), int(n)) for t, n in seen])
    return found


def null_token_sql(found: dict[str, Tokens]) -> str:
    """The ``REPLACE`` list reading those columns as numbers, their tokens as NULL."""
    return ", ".join(f"CASE WHEN regexp_full_match(trim({quote_ident(c)}), '{NUMBER}') "
                     f"THEN CAST(trim({quote_ident(c)}) AS {kind}) END AS {quote_ident(c)}"
                     for c, (kind, _) in found.items())
