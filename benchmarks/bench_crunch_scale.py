"""Crunch at scale: gov_scaled.json at ``--scale 7`` (~105M rows, 11 tables, partitioned tables included) through
the default ``datacruncher crunch`` under ``--memory-limit 2GB``, beside the baseline — DuckDB's bare scan of the
same files (every column of every table read and hashed once), each in a fresh subprocess. Reports seconds and peak
RSS. Prints a markdown section on stdout.

    python benchmarks/bench_crunch_scale.py [--scale 7] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from bench_discovery import _best

REPO = Path(__file__).resolve().parents[1]
SCAN = """
import duckdb, pathlib, sys
con = duckdb.connect()
con.execute("SET memory_limit = '2GB'")
root = pathlib.Path(sys.argv[1])
tables = sorted([f for f in root.glob("*.parquet")] + [d for d in root.iterdir() if d.is_dir()])
for t in tables:
    src = f"read_parquet('{t}/*.parquet')" if t.is_dir() else f"read_parquet('{t}')"
    cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()]
    # hash every value (count() or min() could be answered from the footer's statistics)
    con.execute("SELECT " + ", ".join(f'bit_xor(hash("{c}"))' for c in cols) + f" FROM {src}").fetchall()
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--conformance", default=str(REPO.parent / "shared" / "conformance" / "upstream"))
    ap.add_argument("--scale", type=float, default=7.0)
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args()
    bin_dir = Path(sys.executable).parent
    datagen = shutil.which("datagen", path=str(bin_dir)) or str(bin_dir / "datagen")
    cruncher = shutil.which("datacruncher", path=str(bin_dir)) or str(bin_dir / "datacruncher")
    with tempfile.TemporaryDirectory(prefix="bench-crunch-scale-") as tmp:
        data = Path(tmp) / "gov"
        gen = _best([datagen, "generate", str(Path(a.conformance) / "gov_scaled.json"), "-o", str(data), "--scale",
                     str(a.scale), "--yes", "-q", "--partition-rows", "25000000"], 1)
        meta = json.loads((data / ".metadata.json").read_text())
        rows = sum(t["rows"] for t in meta["tables"])
        size = sum(f["bytes"] for t in meta["tables"] for f in t["files"]) / 1e9
        parts = sum(len(t["files"]) > 1 for t in meta["tables"])
        scan = _best([sys.executable, "-c", SCAN, str(data)], a.repeat)
        crunch = _best([cruncher, "crunch", str(data), "-o", str(Path(tmp) / "report.json"), "--memory-limit", "2GB"],
                       a.repeat)
        report = json.loads((Path(tmp) / "report.json").read_text())
    print(f"## datacruncher at scale (gov_scaled.json --scale {a.scale:g}: {rows:,} rows, {len(meta['tables'])} tables, "
          f"{parts} of them partitioned, {size:.2f} GB parquet)\n")
    print("| run | seconds | peak RSS (MB) | rows/s | × bare scan |")
    print("|---|---:|---:|---:|---:|")
    for name, (s, rss, _) in {"DuckDB bare scan of every column, memory limit 2GB (baseline)": scan,
                              "datacruncher crunch (default personas), --memory-limit 2GB": crunch}.items():
        print(f"| {name} | {s:.1f} | {rss:.0f} | {rows / s:,.0f} | {s / scan[0]:.1f} |")
    print()
    print(f"Generated in this run ({gen[0]:.0f} s, peak RSS {gen[1]:.0f} MB). Seconds are the best of {a.repeat} "
          "run(s) end to end (interpreter start-up and imports included); peak RSS is the child process's. The "
          f"crunch found {len(report['issues'])} issues and ran {len(report['checks'])} checks; every check runs "
          "as SQL in DuckDB over the parquet files (no table is loaded into Python).")


if __name__ == "__main__":
    main()
