"""What every defect kind shares: the job (one defect on one table — a file, or a partitioned table's parts in
order), the deterministic choice of rows, the row-group rewrite into temporary files, and the ground-truth record.

Rows are numbered over the whole table, parts in order, and row groups likewise (a part's first group follows the
previous part's last), so a table gets the same defects whether it is one file or several parts."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from datagen_contracts import dsl
from datagen_contracts.metadata import DefectRecord

from ..errors import DatagenError
from ..output.tables import TableFacts

MAX_KEYS = 1000
SALT = 0xDEFEC7


class DefectError(DatagenError):
    """A ``defects`` entry cannot be applied to the generated data (unknown column, wrong type…)."""


@dataclass(frozen=True)
class Group:
    """One row group of a table: its file, its index there, the table's row number of its first row, its rows."""

    path: Path
    index: int
    start: int
    size: int


def groups(paths: tuple[Path, ...] | list[Path]) -> list[Group]:
    """Every row group of a table stored in ``paths`` (one file, or parts in order), numbered over the table."""
    out, start = [], 0
    for path in paths:
        md = pq.ParquetFile(path).metadata
        for i in range(md.num_row_groups):
            size = md.row_group(i).num_rows
            out.append(Group(path, i, start, size))
            start += size
    return out


@dataclass
class Job:
    """One defect being applied to one table: its file, or its parts in order."""

    index: int
    spec: dsl.DefectSpec
    table: str
    column: str | None
    facts: TableFacts
    paths: tuple[Path, ...]
    seed: int
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """The table's rows (over every part)."""
        return sum(g.size for g in groups(self.paths))

    def schema(self) -> pa.Schema:
        """The table's Arrow schema (every part has the same)."""
        return pq.read_schema(self.paths[0])

    @property
    def col(self) -> str:
        """The target column (every kind that rewrites values has one: ``inject_defects`` checked)."""
        if self.column is None:
            raise DefectError(f"defects[{self.index}]: {self.spec.kind} needs a column")
        return self.column

    def rng(self, *more: int) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence([self.seed & (2**63 - 1), SALT, self.index, *more]))


# ------------------------------------------------------------------------------------------ row selection


def read_at(paths: tuple[Path, ...] | list[Path], rows: np.ndarray, columns: list[str]) -> Any:
    """Yield ``(positions, table)`` per row group holding some of ``rows`` (table row numbers): the group's rows
    among them, read for ``columns`` only, and their positions in ``rows``."""
    order = np.argsort(rows, kind="stable")
    sorted_rows = rows[order]
    files: dict[Path, pq.ParquetFile] = {}
    for g in groups(paths):
        lo, hi = np.searchsorted(sorted_rows, [g.start, g.start + g.size])
        if hi > lo:
            pf = files.setdefault(g.path, pq.ParquetFile(g.path))
            data = pf.read_row_group(g.index, columns=columns).take(pa.array(sorted_rows[lo:hi] - g.start))
            yield order[lo:hi], data


def values_at(paths: tuple[Path, ...] | list[Path], rows: np.ndarray, column: str) -> list[Any]:
    """The values of ``column`` at ``rows`` (table row numbers), in the order of ``rows``."""
    out: list[Any] = [None] * len(rows)
    for positions, data in read_at(paths, rows, [column]):
        for pos, v in zip(positions, data.column(0).to_pylist(), strict=True):
            out[pos] = v
    return out


def choose_rows(job: Job, n_rows: int, count: int, touched: set[int],
            eligible: Callable[..., np.ndarray] | None, columns: list[str]) -> np.ndarray:
    """``count`` distinct row indices in random (deterministic) order, untouched and eligible.

    A pool of candidates is drawn without replacement; if it does not hold enough eligible rows, the whole
    table is taken in random order. Eligibility reads only ``columns`` of the pool's rows, row group by row group.
    """
    if count <= 0 or n_rows == 0:
        return np.zeros(0, dtype=np.int64)
    rng = job.rng()
    pool_size = min(n_rows, 2 * count + len(touched) + 64)
    for attempt in range(2):
        pool = rng.choice(n_rows, size=pool_size, replace=False) if attempt == 0 else rng.permutation(n_rows)
        ok = np.fromiter((int(r) not in touched for r in pool), dtype=bool, count=len(pool))
        if eligible is not None:
            ok &= eligible_rows(job.paths, pool, eligible, columns)
        chosen = pool[ok][:count]
        if len(chosen) == count or pool_size == n_rows:
            return chosen.astype(np.int64)
        pool_size = n_rows
    return chosen.astype(np.int64)  # fewer eligible rows than requested: the record says so


def eligible_rows(paths: tuple[Path, ...], rows: np.ndarray, test: Callable[..., np.ndarray],
                  columns: list[str]) -> np.ndarray:
    out = np.zeros(len(rows), dtype=bool)
    for positions, data in read_at(paths, rows, columns):
        out[positions] = test(*(data.column(c).combine_chunks() for c in columns))
    return out


def not_null(values: pa.Array, *_: pa.Array) -> np.ndarray:
    return np.asarray(values.is_valid().to_numpy(zero_copy_only=False), dtype=bool)


# ------------------------------------------------------------------------------------------------ rewrite


def rewrite_file(
    job: Job,
    chosen: np.ndarray,
    change: Callable[[pa.Table, np.ndarray, np.random.Generator], pa.Table] | None,
    *,
    schema: pa.Schema | None = None,
    append: Callable[[pa.Table, np.ndarray, np.random.Generator], pa.Table] | None = None,
    keys_of_appended: bool = False,
) -> list[Any]:
    """Stream the table through ``change`` (per row group, with the group's chosen local rows) into new files.

    ``append`` builds extra rows from each group's chosen rows; they are written after the table's last group
    (in its last part). A part with no chosen row, the same schema and nothing to append keeps its file.
    Returns the primary-key values of the affected rows, in row order, capped at ``MAX_KEYS`` + 1.
    """
    chosen_sorted = np.sort(chosen)
    keys: list[Any] = []
    extra: list[pa.Table] = []
    by_part: dict[Path, list[Group]] = {}
    for g in groups(job.paths):
        by_part.setdefault(g.path, []).append(g)
    rg = 0  # the table's row-group number: the random stream of a group does not depend on the parts
    for k, path in enumerate(job.paths):
        part = by_part.get(path, [])
        pf = pq.ParquetFile(path)
        out_schema = schema or pf.schema_arrow
        last = k == len(job.paths) - 1
        span = (part[0].start, part[-1].start + part[-1].size) if part else (0, 0)
        lo, hi = np.searchsorted(chosen_sorted, span)
        if len(job.paths) > 1 and hi == lo and out_schema == pf.schema_arrow and not (last and extra):
            rg += len(part)
            continue
        # a fresh name in the run's private output directory, created by the writer itself: mkstemp's 0600 would
        # leave the rewritten table unreadable to the group while every other file gets the usual mode
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
        try:
            with pq.ParquetWriter(tmp, out_schema, compression="zstd") as writer:
                for g in part:
                    data = pf.read_row_group(g.index)
                    a, b = np.searchsorted(chosen_sorted, [g.start, g.start + g.size])
                    local = chosen_sorted[a:b] - g.start
                    rng = job.rng(rg)
                    rg += 1
                    if len(local):
                        if job.facts.pk and len(keys) <= MAX_KEYS:
                            keys.extend(data.column(job.facts.pk).take(pa.array(local)).to_pylist())
                        if change is not None:
                            data = change(data, local, rng)
                        if append is not None:
                            extra.append(append(data, local, rng))
                    writer.write_table(conform(data, out_schema), row_group_size=max(len(data), 1))
                if last and extra:
                    more = pa.concat_tables(extra)
                    writer.write_table(conform(more, out_schema), row_group_size=max(len(more), 1))
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    return keys


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    return table.cast(schema) if table.schema != schema else table


def replace_values(table: pa.Table, column: str, local: np.ndarray, values: pa.Array) -> pa.Table:
    """``table`` with ``column[local] = values``."""
    col = table.column(column).combine_chunks()
    mask = np.zeros(len(table), dtype=bool)
    mask[local] = True
    full = pa.nulls(len(table), type=col.type)
    positions = np.full(len(table), -1, dtype=np.int64)
    positions[local] = np.arange(len(local))
    if len(values):
        full = values.take(pa.array(np.where(mask, positions, 0)))
    new = pc.if_else(pa.array(mask), full, col)
    return table.set_column(table.schema.get_field_index(column), table.schema.field(column), new)


def make_record(job: Job, n_rows: int, chosen: np.ndarray, keys: list[Any], **details: Any) -> DefectRecord:
    count = len(chosen)
    requested = round(job.spec.rate * n_rows)
    info = {**job.details, **details, "rows_before": n_rows}
    if count != requested:
        info["requested"] = requested
    if not job.facts.pk:
        keys = sorted(int(r) for r in chosen)[: MAX_KEYS + 1]
        info["keys_are"] = "row numbers (the table has no primary key)"
    return DefectRecord(kind=job.spec.kind, target=job.spec.target, rate=job.spec.rate, count=count,
                        affected_keys=plain_values(keys[:MAX_KEYS]), keys_truncated=count > MAX_KEYS, details=info)


def plain_values(values: list[Any]) -> list[Any]:
    return [v.isoformat() if isinstance(v, date | datetime) else v for v in values]


def defect_count(job: Job, n_rows: int) -> int:
    return round(job.spec.rate * n_rows)


def numeric_type(job: Job) -> pa.DataType:
    assert job.column is not None
    t = job.schema().field(job.column).type
    if not (pa.types.is_integer(t) or pa.types.is_floating(t)):
        raise DefectError(f"defects[{job.index}]: {job.spec.kind} needs a numeric column, {job.spec.target} is {t}")
    return t


def map_numeric(job: Job, touched: set[int], fn: Callable[[np.ndarray, np.random.Generator], np.ndarray],
                 eligible: Callable[[np.ndarray], np.ndarray], **details: Any) -> DefectRecord:
    assert job.column is not None
    col_type = numeric_type(job)
    n = job.rows

    def ok(values: pa.Array) -> np.ndarray:
        valid = not_null(values)
        v = values.fill_null(0).to_numpy(zero_copy_only=False).astype(np.float64)
        return valid & eligible(v)

    chosen = choose_rows(job, n, defect_count(job, n), touched, ok, [job.column])

    def change(t: pa.Table, local: np.ndarray, g: np.random.Generator) -> pa.Table:
        old = t.column(job.column).take(pa.array(local)).to_numpy(zero_copy_only=False).astype(np.float64)
        new = fn(old, g)
        if pa.types.is_integer(col_type):
            new = np.round(new)
        return replace_values(t, job.col, local, pa.array(new).cast(col_type, safe=False))

    keys = rewrite_file(job, chosen, change)
    touched.update(int(r) for r in chosen)
    return make_record(job, n, chosen, keys, **details)


def map_strings(job: Job, touched: set[int], variant: Callable[[str, np.random.Generator], str], **details: Any) -> DefectRecord:
    assert job.column is not None
    ctype = job.schema().field(job.column).type
    if not (pa.types.is_string(ctype) or pa.types.is_large_string(ctype)):
        raise DefectError(f"defects[{job.index}]: {job.spec.kind} needs a string column, {job.spec.target} is {ctype}")
    n = job.rows
    probe = np.random.default_rng(0)

    def ok(values: pa.Array) -> np.ndarray:
        return np.array([v is not None and variant(v, probe) != v for v in values.to_pylist()], dtype=bool)

    chosen = choose_rows(job, n, defect_count(job, n), touched, ok, [job.column])
    seen: dict[str, set[str]] = {}

    def change(t: pa.Table, local: np.ndarray, g: np.random.Generator) -> pa.Table:
        old = t.column(job.column).take(pa.array(local)).to_pylist()
        new = [variant(v, g) for v in old]
        for a, b in zip(old, new, strict=True):
            if len(seen) < 50 or a in seen:
                seen.setdefault(a, set()).add(b)
        return replace_values(t, job.col, local, pa.array(new, type=ctype))

    keys = rewrite_file(job, chosen, change)
    touched.update(int(r) for r in chosen)
    return make_record(job, n, chosen, keys, **details, variants={k: sorted(v) for k, v in sorted(seen.items())})
