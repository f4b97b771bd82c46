"""Generate benchmark: rows/s and peak RSS of `datagen generate`, next to the parquet-writer-alone ceiling and a
per-row mimesis loop, all measured in this run. Prints a markdown section on stdout (nox collects it).

    python benchmarks/bench_generate.py [--conformance DIR] [--skip-scale4]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil
import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
USERS = {
    "version": "1.0", "metadata": {"name": "bench_users"}, "constraints": {},
    "timeframe": {"start": "2024-01-01T00:00:00Z", "end": "2024-12-31T23:59:59Z"},
    "nodes": [{"id": "users", "rows": 1_000_000, "pk": "user_id", "columns": [
        {"name": "user_id", "type": "int", "generator": {"sequence": {}}},
        {"name": "name", "type": "string", "generator": {"faker": {"method": "name"}}},
        {"name": "email", "type": "string", "generator": {"faker": {"method": "email"}}},
        {"name": "country", "type": "string", "generator": {"choice": {"choices": ["US", "DE", "FR", "UK"]}}},
        {"name": "age", "type": "int", "generator": {"distribution": {"type": "normal", "params": {"mean": 38, "std": 11}, "clamp": [18, 90]}}},
        {"name": "signup", "type": "datetime", "generator": {"datetime_series": {"within": "timeframe"}}}]}],
}


def run_generate(schema: Path, out: Path, *args: str) -> tuple[float, int, int, float]:
    """(seconds, peak RSS bytes of the child process tree, rows, engine seconds) of one `datagen generate` run;
    engine seconds (``duration_seconds`` of .metadata.json) leave out interpreter start-up and imports."""
    cmd = [str(Path(sys.executable).parent / "datagen"), "generate", str(schema), "-o", str(out), "--quiet", "--yes", *args]
    t0 = time.perf_counter()
    proc = psutil.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        try:
            rss = proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(recursive=True))
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.02)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"generate failed: {proc.stderr.read().decode()}")
    meta = json.loads((out / ".metadata.json").read_text())
    return seconds, peak, sum(t["rows"] for t in meta["tables"]), float(meta["duration_seconds"])


def writer_ceiling(out: Path) -> float:
    """Seconds for the parquet writer alone to write arrays of the same types and row counts (zstd, 64k chunks)."""
    rng = np.random.default_rng(0)
    words = pa.array([f"value-{i}-{'x' * (i % 17)}" for i in range(4096)])
    total = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for f in sorted(out.glob("*.parquet")):
            schema, rows = pq.read_schema(f), pq.ParquetFile(f).metadata.num_rows
            t0 = time.perf_counter()
            writer = pq.ParquetWriter(Path(tmp) / f.name, schema, compression="zstd")
            for a in range(0, rows, 65_536):
                n = min(65_536, rows - a)
                cols = []
                for field in schema:
                    if pa.types.is_string(field.type):
                        cols.append(words.take(pa.array(rng.integers(0, 4096, n))))
                    elif pa.types.is_boolean(field.type):
                        cols.append(pa.array(rng.random(n) < 0.5))
                    elif pa.types.is_floating(field.type):
                        cols.append(pa.array(rng.normal(50, 10, n)))
                    elif pa.types.is_date32(field.type):
                        cols.append(pa.array(rng.integers(19000, 20000, n).astype(np.int32), type=pa.date32()))
                    elif pa.types.is_timestamp(field.type):
                        cols.append(pa.array(rng.integers(1.7e15, 1.73e15, n), type=field.type))
                    else:
                        cols.append(pa.array(a + np.arange(n, dtype=np.int64)))
                writer.write_table(pa.Table.from_arrays(cols, schema=schema))
            writer.close()
            total += time.perf_counter() - t0
    return total


def mimesis_loop(n: int = 20_000) -> float:
    """Rows/s of the naive baseline: one mimesis call per field per row (users-like rows)."""
    from mimesis import Address, Person
    from mimesis.random import Random

    p, a, r = Person(seed=1), Address(seed=1), Random(1)
    t0 = time.perf_counter()
    rows = [(i, p.full_name(), p.email(), a.country_code(), r.randint(18, 90), i) for i in range(n)]
    assert len(rows) == n
    return n / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--conformance", default=str(REPO.parent / "shared" / "conformance" / "upstream"))
    ap.add_argument("--skip-scale4", action="store_true")
    args = ap.parse_args()
    gov = Path(args.conformance) / "gov_scaled.json"
    naive = mimesis_loop()
    lines = ["## datagen generate", "",
             f"Measured {time.strftime('%Y-%m-%d')} on {psutil.cpu_count()} cores; per-row mimesis loop (naive "
             f"baseline, 20k users-like rows): **{naive:,.0f} rows/s**.", "",
             "| case | rows | seconds | rows/s | peak RSS | writer-alone ceiling rows/s | ratio to ceiling | "
             "engine seconds | engine ratio |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    with tempfile.TemporaryDirectory() as tmp:
        users = Path(tmp) / "users.json"
        users.write_text(json.dumps(USERS))
        cases = [("(a) 1M-row users table", users, []), ("(b) gov_scaled.json", gov, [])]
        if not args.skip_scale4:
            cases.append(("(c) gov_scaled.json --scale 4", gov, ["--scale", "4"]))
        for label, schema, extra in cases:
            out = Path(tmp) / f"out{len(lines)}"
            seconds, peak, rows, engine = run_generate(schema, out, *extra)
            ceiling = writer_ceiling(out)
            lines.append(f"| {label} | {rows:,} | {seconds:.1f} | {rows / seconds:,.0f} | {peak / 2**20:,.0f} MB | "
                         f"{rows / ceiling:,.0f} | {seconds / ceiling:.2f}× | {engine:.1f} | {engine / ceiling:.2f}× |")
            import shutil

            shutil.rmtree(out)
    lines += ["", "Seconds include interpreter start-up and imports (about 1 s: Python, pyarrow — whose first array "
              "imports pandas —, mimesis), schema loading and metadata (sha256 of every file); engine seconds are "
              "the `duration_seconds` of .metadata.json (schema loaded, every table generated and written, "
              "sha256 and metadata), without start-up. The ceiling writes random arrays of the same arrow types and "
              "row counts (zstd, 64k-row chunks) in this process, already warm. "
              "Goals: within 2.5× of the ceiling; peak RSS flat from scale 1 to 4 and under 1 GB."]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
