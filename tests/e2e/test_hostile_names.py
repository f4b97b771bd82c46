"""Hostile identifiers through the whole chain: generate → crunch → polish → both scripts run by hand.

Every name below is a column of the shipped e-commerce example, renamed: a newline that would end a comment of
``postprocess.sql`` and start a ``COPY … TO`` of the attacker's choosing, a carriage return with ``\"\"\"`` and
Python code for ``postprocess.py``, backticks, ``*/``, a bidi override, an escape sequence, a NUL, quotes and a
10 kB name. The chain must work (the scripts still produce the polished data), nothing may be written outside
the output (the payloads each name a marker file), and no terminal line may carry a raw control character.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "schemas" / "ecommerce.json"
ENV_BIN = str(Path(sys.executable).parent)
PATH = os.pathsep.join([ENV_BIN, os.environ.get("PATH", "")])

pytestmark = [
    pytest.mark.skipif(shutil.which("datagen", path=PATH) is None, reason="the datagen CLI is not installed"),
    pytest.mark.skipif(shutil.which("datacruncher", path=PATH) is None, reason="the datacruncher CLI is not installed"),
    pytest.mark.skipif(shutil.which("datapolisher", path=PATH) is None, reason="the datapolisher CLI is not installed"),
]

MARKERS = ("PWN_sql.csv", "PWN_py.txt", "PWN_bidi.txt", "PWN_nul.csv")
HOSTILE = {  # column of the example → its hostile name
    "line_total": "line_total\n;COPY (SELECT 'pwned') TO 'PWN_sql.csv';\n--",
    "country": "country\r\"\"\"\nimport os; open('PWN_py.txt', 'w')\n#",
    "email": "e`mail */ \u202egnp.exe\x1b[2J" + "m" * 10_000,
    "order_id": "order_id'); COPY (SELECT 1) TO 'PWN_nul.csv'; --\x00",
    "list_price": 'list"price\u2028\'\'\'\nopen("PWN_bidi.txt", "w")',
}


def _rename(node: object, hostile: dict[str, str], key: str | None = None) -> object:
    """The example with every column in ``hostile`` renamed, and each reference to it ("table.column") followed."""
    if isinstance(node, dict):
        return {k: _rename(v, hostile, k) for k, v in node.items()}
    if isinstance(node, list):
        return [_rename(v, hostile, key) for v in node]
    if isinstance(node, str) and key != "method":
        for old, new in hostile.items():
            if node == old:
                return new
            table, dot, column = node.partition(".")
            if dot and column == old and "." not in table:
                return f"{table}.{new}"
    return node


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(args, cwd=cwd, env={**os.environ, "PATH": PATH}, capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, f"{args[:3]} → exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    for stream in (proc.stdout, proc.stderr):  # no raw control character reaches the terminal
        assert not any(ch in stream for ch in "\r\x00\x1b\u202e\u2028"), stream[-2000:]
    return proc


def _markers(*roots: Path) -> list[Path]:
    return [p for root in roots for m in MARKERS for p in root.rglob(m)]


@pytest.mark.parametrize("carriage_return", [False, True], ids=["shell-safe", "with-CR-NUL"])
def test_hostile_names_survive_the_whole_chain(tmp_path: Path, carriage_return: bool) -> None:
    """With a carriage return or a NUL in a name the DuckDB shell cannot address it (it drops both from its input): the
    script says so in a note and the shell stops at that name having written nothing; every other path works."""
    schema = json.loads(EXAMPLE.read_text())
    for node in schema["nodes"]:
        if node.get("rows"):
            node["rows"] = min(node["rows"], 300)
    hostile = HOSTILE if carriage_return else {k: v.replace("\r", "").replace("\0", "") for k, v in HOSTILE.items()}
    (tmp_path / "schema.json").write_text(json.dumps(_rename(schema, hostile)))
    _run(["datagen", "generate", "schema.json", "--seed", "3", "-o", "output"], tmp_path)
    _run(["datacruncher", "crunch", "output", "--schema", "schema.json"], tmp_path)
    _run(["datapolisher", "polish", "crunch_report.json", "--path", "postprocess", "-o", "polished"], tmp_path)

    sql, py = (tmp_path / "postprocess.sql").read_text(), (tmp_path / "postprocess.py").read_text()
    # the fixes name the hostile columns, and no comment line lets one of them escape
    assert "PWN_sql.csv" in sql and "PWN_py.txt" in py
    import ast

    import duckdb

    statements = duckdb.extract_statements("\n".join(ln for ln in sql.splitlines() if not ln.startswith(".")))
    injected = [s.query.strip()[:80] for s in statements if s.query.strip().startswith("COPY (SELECT 1")
                or "'pwned'" in s.query.strip()[:40]]
    assert injected == []  # each payload stayed inside a quoted name or a comment
    tree = ast.parse(py)
    imports = [a.name for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom) for a in node.names]
    assert imports.count("os") == 1 and "PWN" not in " ".join(imports)
    opened = [ast.unparse(n)[:80] for n in ast.walk(tree) if isinstance(n, ast.Call)
              and isinstance(n.func, ast.Name) and n.func.id == "open"]
    assert opened == []

    duckdb = shutil.which("duckdb", path=PATH)
    if duckdb is not None:  # the DuckDB shell, as a user runs the script
        script = sql.replace("polished", "by_sql")
        proc = subprocess.run([duckdb], input=script, cwd=tmp_path, capture_output=True, text=True, check=False)
        if carriage_return:
            assert "carriage return or a NUL" in sql and proc.returncode == 1 and "Binder Error" in proc.stderr
            assert not (tmp_path / "by_sql").exists()
        else:
            assert "carriage return" not in sql and proc.returncode == 0, proc.stderr[-2000:]
        assert carriage_return or sorted(p.name for p in (tmp_path / "by_sql").glob("*.parquet")) == sorted(
            p.name for p in (tmp_path / "polished").glob("*.parquet"))
    pytest.importorskip("polars")
    _run([sys.executable, "postprocess.py", "output", "by_python"], tmp_path)
    assert sorted(p.name for p in (tmp_path / "by_python").glob("*.parquet")) == sorted(
        p.name for p in (tmp_path / "polished").glob("*.parquet"))

    assert _markers(tmp_path, Path.cwd(), Path(ENV_BIN).parent) == []
    # the polished data still carries the hostile columns, fixed
    import pyarrow.parquet as pq

    items = pq.read_table(tmp_path / "by_python" / "order_item.parquet")
    assert hostile["line_total"] in items.column_names
    assert min(items.column(hostile["line_total"]).to_pylist()) >= 0
