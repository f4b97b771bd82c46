"""Render a plan as a standalone Polars script: ``python postprocess.py [IN OUT] [--overwrite]``.

It does what the SQL script does, step for step, and writes its output through a temporary sibling that is
renamed into place, so a failure leaves nothing behind. Run again over an output that datapolisher wrote with
the same plan and verified, it reports "already up to date" instead of refusing.
"""

from __future__ import annotations

import pprint
from typing import Any

from datagen_contracts.text import comment

from .ops import BY_OP
from .plan import Plan, Step, describe

ROUNDING = (
    "def round_half_away(x: pl.Expr, decimals: int) -> pl.Expr:",
    '    """Half away from zero on the value as written (2.005 -> 2.01), bit for bit as postprocess.sql rounds:',
    "    plain IEEE arithmetic (the 1e-9 nudge absorbs binary representation, 2.005 being 2.00499999...), then",
    '    round() to land on the nearest double (Polars divides through the reciprocal: 201 * 0.01 != 2.01)."""',
    "    x, scale = x.cast(pl.Float64), 10 ** decimals",
    "    return (x.sign() * (x.abs() * scale + 0.5 + 1e-9).floor() / scale).round(decimals)",
    "",
    "",
)


def _expr(step: Step) -> str:
    return str(BY_OP[step.op].python(step))


_MAIN = '''

def files(root: Path, rel: str) -> list[Path]:
    """A table's parquet files; a directory's hidden parts (.x, _x) are skipped, as datacruncher does."""
    found = sorted(root.glob(rel)) if "*" in rel else [root / rel]
    return [f for f in found if not any(p.startswith((".", "_")) for p in f.relative_to(root).parts)]


def read(found: Path | list[Path], **options: Any) -> pl.DataFrame:
    try:
        return pl.read_parquet(found, **options)
    except pl.exceptions.PolarsError as exc:  # e.g. a decimal of more digits (40) than Polars holds (38)
        what = ", ".join(map(str, found)) if isinstance(found, list) else str(found)
        raise SystemExit(f"Polars cannot read {what}: {exc}. postprocess.sql (DuckDB) reads it: "
                         "duckdb < postprocess.sql") from None


def load(root: Path) -> dict[str, pl.DataFrame]:
    """Every table; a table of parts keeps each row's part in ``__part``, so the output writes it back there."""
    out = {}
    for name, rel in SOURCES.items():
        found = files(root, rel)
        if name not in PARTS:
            out[name] = read(found)
            continue
        unknown = sorted({f.relative_to(root).as_posix() for f in found} - set(PARTS[name]))
        if unknown:
            raise SystemExit(f"{name}: parts this script does not know: {', '.join(unknown)}")
        hive = bool(HIVE.get(name))  # key=value folders: their columns come from the path, as DuckDB reads them
        out[name] = pl.concat([read(root / p, hive_partitioning=hive).with_columns(pl.lit(p).alias("__part"))
                               for p in PARTS[name]], how="diagonal_relaxed")  # parts may add columns
    return out


def write(out: Path, name: str, frame: pl.DataFrame) -> None:
    """One file, or each part's rows to that part's path (hive key=value columns left to the path)."""
    if name not in PARTS:
        frame.write_parquet(out / SOURCES[name], compression="zstd")  # named as in the input
        return
    drop = ["__part", *(k for k in HIVE.get(name, []) if k in frame.columns)]
    by_part = frame.partition_by("__part", as_dict=True, maintain_order=True)  # one pass, not a filter per part
    for p in PARTS[name]:
        (out / p).parent.mkdir(parents=True, exist_ok=True)
        by_part.get((p,), frame.clear()).drop(drop).write_parquet(out / p, compression="zstd")


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fingerprint(root: Path) -> str:
    """The input's fingerprint as datacruncher computes it: each file's relative path, size and sha256."""
    read = [f for rel in SOURCES.values() for f in files(root, rel)]
    h = hashlib.sha256()
    for rel, f in sorted((f.relative_to(root).as_posix(), f) for f in read):
        h.update(f"{rel}\\0{f.stat().st_size}\\0{sha256(f)}\\n".encode())
    return h.hexdigest()


def describe(out: Path, src: Path, derived_from: str) -> dict:
    """METADATA with what only this run knows filled in, as postprocess.sql fills it in."""
    meta = json.loads(json.dumps(METADATA))
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()  # reproducible builds: pins the timestamp
    at = datetime.datetime.fromtimestamp(int(epoch), datetime.UTC) if epoch else datetime.datetime.now(datetime.UTC)
    meta["generated_at"] = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    for table in meta["tables"]:
        paths = sorted(PARTS.get(table["name"], [SOURCES[table["name"]]]))
        rows = [pl.scan_parquet(out / p).select(pl.len()).collect().item() for p in paths]  # from each file's footer
        table.update(rows=sum(rows), files=[{"path": p, "rows": n, "bytes": (out / p).stat().st_size,
                                             "sha256": sha256(out / p)} for p, n in zip(paths, rows, strict=True)])
    meta["lineage"].update(derived_from=derived_from, derived_from_fingerprint=fingerprint(src),
                           script=Path(__file__).name, script_sha256=sha256(Path(__file__).resolve()))
    return meta


def up_to_date(out: Path) -> bool:
    """True when ``out`` was written from this same plan and its files still match its .metadata.json."""
    meta_path = out / ".metadata.json"
    if not meta_path.is_file():
        return False
    meta = json.loads(meta_path.read_text())
    if (meta.get("lineage") or {}).get("steps") != STEPS:
        return False
    files = [f for table in meta.get("tables", []) for f in table.get("files", [])]
    return bool(files) and all((out / f["path"]).is_file() and sha256(out / f["path"]) == f["sha256"] for f in files)


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def main(argv: list[str]) -> int:
    overwrite = "--overwrite" in argv
    args = [a for a in argv if a != "--overwrite"]
    if len(args) not in (0, 2):
        print(__doc__, file=sys.stderr)
        return 2
    here = Path(__file__).resolve().parent
    src, out = (Path(args[0]), Path(args[1])) if args else (here / DEFAULT_IN, here / DEFAULT_OUT)
    if out.exists() and not overwrite:
        if up_to_date(out):
            print(f"{out} is already up to date (written from this script, checksums match)")
            return 0
        print(f"{out} already exists; pass --overwrite to replace it", file=sys.stderr)
        return 1
    t = load(src)
    fix(t)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for name, frame in t.items():
            write(tmp, name, frame)
        meta = describe(tmp, src, args[0] if args else DEFAULT_IN)
        (tmp / ".metadata.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\\n")
        tmp.chmod(0o777 & ~umask())  # mkdtemp makes 0700; the output is an ordinary directory
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    print(f"wrote {len(t)} table(s) and .metadata.json to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
'''


def _docstring(text: str) -> str:
    """Text for the script's docstring: one visible line that cannot close the string or start an escape."""
    return comment(text).replace("\\", "\\\\").replace('"', '\\"')


def render(plan: Plan, input_dir: str, output_dir: str, *, metadata: dict[str, Any], header: str = "") -> str:
    """The whole script; the default IN/OUT are relative to the script's own directory when relative.

    ``metadata`` is the output's ``.metadata.json`` template (``postprocess.metadata.template``).
    """
    lines = [
        "#!/usr/bin/env python3",
        f'"""postprocess.py — written by datapolisher.{(" " + _docstring(header)) if header else ""}',
        "",
        "Usage: python postprocess.py [IN OUT] [--overwrite]",
        f"Without arguments it reads {_docstring(input_dir.rstrip('/'))}/ and writes {_docstring(output_dir.rstrip('/'))}/.",
        "Needs only Polars (pip install polars). The output is written to a temporary sibling, then renamed.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "import datetime",
        "import hashlib",
        "import json",
        "import os",
        "import shutil",
        "import sys",
        "import tempfile",
        "from pathlib import Path",
        "from typing import Any",
        "",
        "import polars as pl",
        "",
        f"DEFAULT_IN = {input_dir.rstrip('/')!r}",
        f"DEFAULT_OUT = {output_dir.rstrip('/')!r}",
        f"SOURCES = {plan.tables!r}",
        f"PARTS = {pprint.pformat(plan.parts, width=116)}  # tables of parts: the output keeps their parts",
        f"HIVE = {pprint.pformat({t: plan.hive_keys(t) for t in plan.parts if plan.hive_keys(t)}, width=116)}"
        "  # their key=value folder names",
        "STEPS = [" + "".join(f"\n    {d!r}," for d in plan.fixes) + ("\n]" if plan.fixes else "]"),
        "# The output's .metadata.json as datapolisher knew it; describe() fills in what only a run knows.",
        f"METADATA = {pprint.pformat(metadata, width=116, sort_dicts=False)}",
        "",
        "",
        *(ROUNDING if plan.rounds_money else ()),
        "def fix(t: dict[str, pl.DataFrame]) -> None:",
        '    """Every fix, in order; each rebinds one table."""',
    ]
    if not plan.steps:
        lines.append("    return  # nothing to fix: the output is a copy of the input")
    for i, step in enumerate(plan.steps):
        if i:
            lines.append("")
        lines.append(f"    # {comment(describe(step))}")
        lines += [f"    #   fixes {comment(w)}" for w in step.why]
        lines.append(f"    t[{step.table!r}] = {_expr(step)}")
    return "\n".join(lines) + "\n" + _MAIN
