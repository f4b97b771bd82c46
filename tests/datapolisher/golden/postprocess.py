#!/usr/bin/env python3
"""postprocess.py — written by datapolisher.

Usage: python postprocess.py [IN OUT] [--overwrite]
Without arguments it reads output/ and writes output_polished/.
Needs only Polars (pip install polars). The output is written to a temporary sibling, then renamed.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import polars as pl

DEFAULT_IN = 'output'
DEFAULT_OUT = 'output_polished'
SOURCES = {'order': 'order.parquet', 'user': 'user.parquet'}
PARTS = {}  # tables of parts: the output keeps their parts
HIVE = {}  # their key=value folder names
STEPS = [
    'cast order.user_id to BIGINT',
    'normalize 2 variant(s) of user.country',
    'trim whitespace in user.name',
    "fill nulls of order.status with 'pending'",
    'round order.unit price to 2 decimals',
    'keep the first row per order.order_id',
    'swap order.placed_at/shipped_at where start > end',
    'drop order rows whose user_id has no user.user_id',
    'move order.placed_at to at/after user.created_at (shifting order.shipped_at by the same amount)',
    'add user.is_active (activity in the last 30 days of the data)',
    'add user.lifetime_value (sum of order.unit price)',
]
# The output's .metadata.json as datapolisher knew it; describe() fills in what only a run knows.
METADATA = {'contract': 'datagen.metadata/1',
 'dataset_name': 'shop',
 'generator': {'name': 'datapolisher', 'version': '0.2.0'},
 'generated_at': '',
 'duration_seconds': None,
 'seed': 42,
 'scale': 1.0,
 'partition_rows': None,
 'schema': None,
 'scenario': None,
 'context': {},
 'timeframe': None,
 'timestamp_convention': 'timestamp[us], tz-naive, UTC',
 'tables': [{'name': 'order',
             'kind': 'fact',
             'columns': [{'name': 'order_id', 'arrow_type': 'int64', 'nullable': False, 'primary_key': True},
                         {'name': 'user_id', 'arrow_type': 'int64', 'foreign_key': 'user.user_id'},
                         {'name': 'unit price', 'arrow_type': 'double', 'role': 'money'},
                         {'name': 'placed_at', 'arrow_type': 'timestamp[us]'},
                         {'name': 'shipped_at', 'arrow_type': 'timestamp[us]'},
                         {'name': 'status', 'arrow_type': 'string'}],
             'primary_key': 'order_id',
             'foreign_keys': [{'column': 'user_id', 'references_table': 'user', 'references_column': 'user_id'}],
             'parents': ['user'],
             'time_columns': ['placed_at', 'shipped_at'],
             'created_at_column': 'placed_at'},
            {'name': 'user',
             'kind': 'entity',
             'columns': [{'name': 'user_id', 'arrow_type': 'int64', 'nullable': False, 'primary_key': True},
                         {'name': 'name', 'arrow_type': 'string'},
                         {'name': 'country', 'arrow_type': 'string', 'role': 'country'},
                         {'name': 'created_at', 'arrow_type': 'timestamp[us]'},
                         {'name': 'last_login', 'arrow_type': 'timestamp[us]'},
                         {'name': 'is_active', 'arrow_type': 'bool', 'nullable': False},
                         {'name': 'lifetime_value', 'arrow_type': 'double', 'nullable': False}],
             'primary_key': 'user_id',
             'time_columns': ['created_at', 'last_login'],
             'created_at_column': 'created_at'}],
 'defects': [],
 'lineage': {'derived_from': '',
             'steps': ['cast order.user_id to BIGINT',
                       'normalize 2 variant(s) of user.country',
                       'trim whitespace in user.name',
                       "fill nulls of order.status with 'pending'",
                       'round order.unit price to 2 decimals',
                       'keep the first row per order.order_id',
                       'swap order.placed_at/shipped_at where start > end',
                       'drop order rows whose user_id has no user.user_id',
                       'move order.placed_at to at/after user.created_at (shifting order.shipped_at by the same '
                       'amount)',
                       'add user.is_active (activity in the last 30 days of the data)',
                       'add user.lifetime_value (sum of order.unit price)']}}


def round_half_away(x: pl.Expr, decimals: int) -> pl.Expr:
    """Half away from zero on the value as written (2.005 -> 2.01), bit for bit as postprocess.sql rounds:
    plain IEEE arithmetic (the 1e-9 nudge absorbs binary representation, 2.005 being 2.00499999...), then
    round() to land on the nearest double (Polars divides through the reciprocal: 201 * 0.01 != 2.01)."""
    x, scale = x.cast(pl.Float64), 10 ** decimals
    return (x.sign() * (x.abs() * scale + 0.5 + 1e-9).floor() / scale).round(decimals)


def fix(t: dict[str, pl.DataFrame]) -> None:
    """Every fix, in order; each rebinds one table."""
    # cast order.user_id to BIGINT
    #   fixes ids_as_float:order.user_id [medium] ids_as_float on order.user_id
    t['order'] = t['order'].with_columns(pl.col('user_id').round(0).cast(pl.Int64, strict=False))

    # normalize 2 variant(s) of user.country
    #   fixes format_inconsistency:user.country [medium] format_inconsistency on user.country
    t['user'] = t['user'].with_columns(pl.col('country').replace({'USA': 'US', 'us ': 'US'}))

    # trim whitespace in user.name
    #   fixes whitespace:user.name [low] whitespace on user.name
    t['user'] = t['user'].with_columns(pl.col('name').str.strip_chars(' \t\n\r'))

    # fill nulls of order.status with 'pending'
    #   fixes null_violations:order.status [medium] null_violations on order.status
    t['order'] = t['order'].with_columns(pl.col('status').fill_null('pending'))

    # round order.unit price to 2 decimals
    #   fixes money_precision:order.unit price [low] money_precision on order.unit price
    t['order'] = t['order'].with_columns(round_half_away(pl.col('unit price'), 2))

    # keep the first row per order.order_id
    #   fixes pk_duplicates:order.order_id [critical] pk_duplicates on order.order_id
    t['order'] = t['order'].unique(subset=['order_id'], keep='first', maintain_order=True)

    # swap order.placed_at/shipped_at where start > end
    #   fixes temporal_within:order.placed_at [high] temporal_within on order.placed_at
    t['order'] = t['order'].with_columns(
        pl.when(pl.col('placed_at') > pl.col('shipped_at')).then(pl.col('shipped_at')).otherwise(pl.col('placed_at')).alias('placed_at'),
        pl.when(pl.col('placed_at') > pl.col('shipped_at')).then(pl.col('placed_at')).otherwise(pl.col('shipped_at')).alias('shipped_at'),
    )

    # drop order rows whose user_id has no user.user_id
    #   fixes fk_orphans:order.user_id [critical] fk_orphans on order.user_id
    t['order'] = t['order'].filter(pl.col('user_id').is_null() | pl.col('user_id').is_in(t['user'].get_column('user_id').implode()))

    # move order.placed_at to at/after user.created_at (shifting order.shipped_at by the same amount)
    #   fixes temporal_fk:order.placed_at [critical] temporal_fk on order.placed_at
    t['order'] = (
        t['order'].join(t['user'].select(pl.col('user_id').alias('__key'), pl.col('created_at').alias('__parent_time')), left_on='user_id', right_on='__key', how='left', maintain_order='left', coalesce=False)
        .with_columns(pl.when(pl.col('placed_at') < pl.col('__parent_time')).then(pl.col('shipped_at') + (pl.col('__parent_time').cast(t['order'].schema['placed_at']) - pl.col('placed_at'))).otherwise(pl.col('shipped_at')).alias('shipped_at'))
        .with_columns(pl.when(pl.col('placed_at') < pl.col('__parent_time'))
                      .then(pl.col('__parent_time').cast(t['order'].schema['placed_at']))
                      .otherwise(pl.col('placed_at')).alias('placed_at'))
        .drop('__key', '__parent_time')
    )

    # add user.is_active (activity in the last 30 days of the data)
    #   fixes requested: --add is_active=user
    t['user'] = t['user'].with_columns(
        (pl.col('last_login') >= pl.col('last_login').max() - pl.duration(days=30)).fill_null(False).alias('is_active')
    )

    # add user.lifetime_value (sum of order.unit price)
    #   fixes requested: --add lifetime_value=user
    t['user'] = (
        t['user'].join(
            t['order'].group_by('user_id').agg(round_half_away(pl.col('unit price').sum(), 2).alias('lifetime_value')).rename({'user_id': '__key'}),
            left_on='user_id', right_on='__key', how='left', maintain_order='left', coalesce=False,
        )
        .with_columns(pl.col('lifetime_value').fill_null(0.0))
        .drop('__key')
    )


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
        h.update(f"{rel}\0{f.stat().st_size}\0{sha256(f)}\n".encode())
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
        (tmp / ".metadata.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
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
