"""Column profiles: a compact distribution summary of every column, written into each report.

Per column: the non-null count and approximate distinct count (from discovery's profiling pass), and, from
aggregate queries run two at a time (one per quantiled column, one for a table's histograms):

- categorical (booleans, and strings with a category-like role and at most ``MAX_CATEGORIES`` distinct values):
  the ``TOP_K`` most
  frequent values with exact counts (DuckDB ``histogram``);
- numeric and temporal (epoch seconds): the 0th, 5th, …, 100th percentiles, mean and standard deviation.
  Quantiles are exact: from the counts of each distinct value when a column repeats its values (at most one
  distinct value in ``FEW_VALUES`` rows: amounts, counts, dates — fast and bounded in memory at any size),
  otherwise ``quantile_cont`` (a sort of the column) for tables up to ``EXACT_QUANTILE_ROWS`` rows; beyond,
  DuckDB's ``approx_quantile`` (a t-digest, typically within a fraction of a percentile rank, bounded memory,
  but its merge order makes the last digits vary between runs).

Id columns and free text get counts only (kind ``other``). A later crunch compares against these profiles with
``--baseline REPORT`` exactly as it would against the baseline dataset itself.

>>> import tempfile, pathlib, pyarrow as pa, pyarrow.parquet as pq
>>> from datacruncher.model.catalog import open_catalog
>>> from datacruncher.model.discovery import discover
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> pq.write_table(pa.table({"plan": ["a", "b", "a", None] * 10, "x": [1.0, 2.0, 3.0, 4.0] * 10}), d / "t.parquet")
>>> with open_catalog(d) as cat:
...     plan, x = profile_columns(cat, discover(cat))
>>> plan.kind, plan.nulls, plan.top, x.kind, x.quantiles[0], x.quantiles[-1], x.mean
('categorical', 10, [('a', 20), ('b', 10)], 'numeric', 1.0, 4.0, 2.5)
"""

from __future__ import annotations

import math
from typing import Any, cast

import duckdb

from datagen_contracts.report import ColumnProfile

from ..model.catalog import Catalog
from ..model.semantic import Column, Model

QUANTILES = [i / 20 for i in range(21)]
TAILS = [0.01, 0.99]  # measured in the same scan for the reference window, not part of the profile
EXACT_QUANTILE_ROWS = 20_000_000  # above: approximate quantiles (bounded memory, not bit-for-bit repeatable)
FEW_VALUES = 16  # a column with at most 1/16 as many distinct values as rows: quantiles from its value counts
#: categorical columns whose histograms one query computes: a table of 800 such columns in one query ran out of
#: 2 GB (a hash table per column per thread); the columns are read in batches instead, the same bytes in all
HIST_BATCH = 64
TOP_K = 50
MAX_CATEGORIES = 1000  # beyond this a string column is text, not a category
CATEGORY_ROLES = {"category", "status", "country", "channel", "segment", "feature"}


def profile_kind(col: Column) -> str:
    """categorical | numeric | temporal | other (ids and free text)."""
    if "id" in col.roles:
        return "other"
    if col.kind == "bool" or (col.kind == "string" and 0 < col.distinct <= MAX_CATEGORIES and CATEGORY_ROLES & set(col.roles)):
        return "categorical"
    if col.numeric:
        return "numeric"
    return "temporal" if col.temporal else "other"


def _value_expr(col: Column, kind: str) -> str:
    return f"epoch(CAST({col.sql} AS TIMESTAMP))" if kind == "temporal" else f"CAST({col.finite_sql} AS DOUBLE)"


def _grouped_quantiles(value: str, source: str) -> str:
    """The same list as ``quantile_cont`` (the same ranks and interpolation; DuckDB's own arithmetic may round the
    last place otherwise) and the mean and standard deviation, from the counts of
    each distinct value: a parallel hash aggregate and a sort of the distinct values instead of a sort of every
    row — several times faster on the columns that repeat values (amounts, counts, dates), and bounded in memory.

    The value of rank r (0-based) is the smallest value whose cumulative count exceeds r; each quantile
    interpolates between ranks floor and ceil of q × (n − 1), as ``quantile_cont`` does.
    """
    qs = f"{QUANTILES + TAILS}::DOUBLE[]"
    return (f"WITH h AS (SELECT {value} AS v, count(*) AS n FROM {source} WHERE v IS NOT NULL GROUP BY ALL), "
            "c AS (SELECT v, sum(n) OVER (ORDER BY v ROWS UNBOUNDED PRECEDING) AS cum FROM h), "
            "t AS (SELECT sum(n) AS total, sum(v * n) / sum(n) AS mean FROM h), "
            "p AS (SELECT i, q * (total - 1) AS pos, floor(q * (total - 1)) AS lo, ceil(q * (total - 1)) AS hi "
            f"FROM (SELECT unnest({qs}) AS q, generate_subscripts({qs}, 1) AS i), t WHERE total > 0), "
            "x AS (SELECT i, any_value(pos) AS pos, any_value(lo) AS lo, min(v) AS xlo, "
            "min(v) FILTER (WHERE cum > hi) AS xhi FROM p, c WHERE cum > lo GROUP BY i) "
            "SELECT [(SELECT list(xlo + (pos - lo) * (xhi - xlo) ORDER BY i) FROM x), "
            "[any_value(mean), (SELECT CASE WHEN any_value(total) > 1 THEN "
            "sqrt(sum(n * (h.v - t.mean) ** 2) / (any_value(total) - 1)) END FROM h, t)]] FROM t")


def profile_columns(catalog: Catalog, model: Model,
                    tails: dict[tuple[str, str], tuple[float | None, float | None]] | None = None) -> list[ColumnProfile]:
    """Profiles of every column of every table, in table and column order.

    ``tails``, when given, receives the 99th and 1st percentiles of each temporal column (epoch seconds), measured
    in the same scan, for :func:`datacruncher.model.discovery.set_reference_window`.
    """
    out: list[ColumnProfile] = []
    plans = []
    for t in model.tables.values():
        kinds = [profile_kind(c) for c in t.columns]
        parts: dict[int, str] = {}  # counts and distinct counts come from discovery's profiling pass
        for i, (c, kind) in enumerate(zip(t.columns, kinds, strict=True)):
            if kind == "categorical":
                parts[i] = f"histogram(CAST({c.sql} AS VARCHAR))"
            elif kind in ("numeric", "temporal"):
                v = _value_expr(c, kind)
                if c.distinct * FEW_VALUES <= t.rows:
                    parts[i] = _grouped_quantiles(v, t.sql)  # a full query of its own, exact at any size
                else:
                    fn = "quantile_cont" if t.rows <= EXACT_QUANTILE_ROWS else "approx_quantile"
                    parts[i] = f"[{fn}({v}, {QUANTILES + TAILS}), [avg({v}), stddev_samp({v})]]"
        plans.append((t, kinds, parts))
    # one query per quantiled column (an exact quantile sorts on one thread, so two columns run side by side)
    # and one per HIST_BATCH of a table's histograms
    queries: list[tuple[str, list[int], str]] = []
    approximated = {(t.name, i) for t, _, parts in plans for i, sql in parts.items() if "approx_quantile(" in sql}
    for t, kinds, parts in plans:
        if not t.rows:
            continue
        hist = [i for i in parts if kinds[i] == "categorical"]
        groups = [[i] for i in parts if kinds[i] != "categorical"] + [hist[k:k + HIST_BATCH]
                                                                        for k in range(0, len(hist), HIST_BATCH)]
        queries += [(t.name, g, parts[g[0]] if parts[g[0]].startswith("WITH") else
                     f"SELECT {', '.join(parts[i] for i in g)} FROM {t.sql}") for g in groups]
    results = catalog.fetchone_each([sql for _, _, sql in queries], errors=True)
    for k, r in enumerate(results):
        if isinstance(r, duckdb.OutOfMemoryException) and "quantile_cont(" in queries[k][2]:
            # an exact quantile holds the column in memory and cannot spill: under a tight --memory-limit the
            # profile falls back to DuckDB's bounded t-digest (its last digits may vary between runs)
            results[k] = catalog.fetchone_each([queries[k][2].replace("quantile_cont(", "approx_quantile(")])[0]
            approximated.update((queries[k][0], i) for i in queries[k][1])
        elif isinstance(r, duckdb.Error):
            catalog.raise_error(r)  # already retried alone when it ran out of memory
    stats_by: dict[str, dict[int, Any]] = {}
    for (table, group, _), row in zip(queries, results, strict=True):
        if row is not None:
            stats_by.setdefault(table, {}).update(zip(group, row, strict=True))
    for t, kinds, _parts in plans:
        stats_of = stats_by.get(t.name, {})
        for i, (c, kind) in enumerate(zip(t.columns, kinds, strict=True)):
            stats = stats_of.get(i)
            p = ColumnProfile(table=t.name, column=c.name, kind=cast(Any, kind), rows=t.rows, nulls=t.rows - c.non_null,
                              distinct=c.distinct if c.kind != "other" else None)
            if kind == "categorical" and stats:
                p.top = sorted(((str(k), int(v)) for k, v in stats.items()), key=lambda kv: (-kv[1], kv[0]))[:TOP_K]
            elif kind in ("numeric", "temporal") and stats and stats[0] is not None:
                finite = [q for q in (_finite(q) for q in stats[0][:len(QUANTILES)]) if q is not None]
                # an infinite value makes a quantile infinite: JSON has no such number, so none is reported
                p.quantiles = finite if len(finite) == len(QUANTILES) else []
                exact = (t.name, i) not in approximated
                if tails is not None and kind == "temporal" and exact:  # exact quantiles only
                    tails[(t.name, c.name)] = (_finite(stats[0][-1]), _finite(stats[0][-2]))
                # 12 significant digits: DuckDB's parallel sums may differ in the last bits from run to run, and
                # the same data must give the same report bytes
                p.mean, p.std = _digits(_finite(stats[1][0])), _digits(_finite(stats[1][1]))
                if kind == "numeric" and p.quantiles:
                    # the 5% quantile, not the minimum: a few negative amounts (refunds, defects) do not turn a
                    # price column's scale linear, where its long right tail would look like thousands of outliers
                    p5, p10, q1, q2, q3, p90 = (p.quantiles[i] for i in (1, 2, 5, 10, 15, 18))
                    # Bowley's quartile skewness, or Kelly's on the 10th/90th percentiles: quartiles of counts
                    # sit on round numbers (10, 20, 30 items) and read symmetric while the tail is long
                    c.skewed = p5 >= 0 and (q3 + q1 - 2 * q2 > 0.2 * (q3 - q1) or p90 + p10 - 2 * q2 > 0.2 * (p90 - p10))
                    if exact:
                        c.reach = robust_reach(p.quantiles, c.skewed)
            out.append(p)
    return out


def _digits(x: float | None, n: int = 12) -> float | None:
    """``x`` to ``n`` significant digits.

    >>> _digits(7.745103998189073), _digits(7.745103998189072), _digits(None)
    (7.74510399819, 7.74510399819, None)
    """
    return None if x is None else float(f"{x:.{n}g}")


def robust_reach(quantiles: list[float], logged: bool) -> float | None:
    """An upper bound of how many robust deviations (1.4826 × MAD) the farthest value lies from the median, from
    the exact 5%-step quantiles (minimum and maximum included), on the scale the outlier checks use.

    At least half the values lie within one MAD of the median, so the MAD is at least half the shortest span
    holding half of them; on the 5% grid that span is at least ``q[a + 0.5] - q[a + 0.05]``. Zero spread: None.

    >>> round(robust_reach([float(i) for i in range(21)], False), 1)  # uniform 0..20: no value is far out
    1.5
    """
    qs = [math.copysign(math.log1p(abs(q)), q) if logged else q for q in quantiles]
    mad_low = min(qs[a + 10] - qs[a + 1] for a in range(len(qs) - 10)) / 2
    if mad_low <= 0:
        return None
    return max(qs[-1] - qs[10], qs[10] - qs[0]) / (1.4826 * mad_low)


def _finite(value: object) -> float | None:
    if value is None:
        return None
    x = float(value)  # type: ignore[arg-type]
    return x if math.isfinite(x) else None


def shares(profile: ColumnProfile) -> dict[str, float]:
    """Category shares of the non-null values; whatever lies beyond the top values is lumped as ``(other)``."""
    n = profile.rows - profile.nulls
    if n <= 0:
        return {}
    out = {k: v / n for k, v in profile.top}
    rest = n - sum(v for _, v in profile.top)
    if rest > 0:
        out["(other)"] = rest / n
    return out


def time_shapes(catalog: Catalog, model: Model, profiles: list[ColumnProfile]) -> None:
    """Fill the creation column's profile of every table with its rows per month and its weekday × hour grid
    (one grouped scan of that column per table; what the HTML report draws as coverage and a heatmap)."""
    by_key = {(p.table, p.column): p for p in profiles}
    wanted = [(t, by_key[(t.name, t.created_at)]) for t in model.tables.values()
              if t.rows and t.created_at and (t.name, t.created_at) in by_key
              and by_key[(t.name, t.created_at)].kind == "temporal"]
    sqls = []
    for t, _ in wanted:
        col = t.column(t.created_at or "")
        assert col is not None  # a profiled column of the table
        # one scan: rows per hour, then months and the weekday × hour grid from those (few) hours
        hours = (f"(SELECT date_trunc('hour', CAST({col.sql} AS TIMESTAMP)) AS ts_hour, count(*) AS n FROM {t.sql} "
                 f"WHERE {col.sql} IS NOT NULL GROUP BY 1)")
        sqls.append(f"WITH h AS MATERIALIZED {hours} "
                    f"SELECT (SELECT list({{'m': strftime(m, '%Y-%m'), 'n': n}} ORDER BY m) FROM "
                    f"(SELECT date_trunc('month', ts_hour) AS m, sum(n)::BIGINT AS n FROM h GROUP BY 1)), "
                    f"(SELECT list({{'d': d, 'h': hr, 'n': n}}) FROM "
                    f"(SELECT isodow(ts_hour) AS d, hour(ts_hour) AS hr, sum(n)::BIGINT AS n FROM h GROUP BY 1, 2))")
    for (_, profile), row in zip(wanted, catalog.fetchone_each(sqls), strict=True):
        months, cells = row if row is not None else (None, None)
        profile.months = [(str(x["m"]), int(x["n"])) for x in months or []]
        grid = [[0] * 24 for _ in range(7)]
        for x in cells or []:
            grid[int(x["d"]) - 1][int(x["h"])] = int(x["n"])
        if any(any(r[1:]) for r in grid):  # dates (every row at hour 0) have no hours to show
            profile.week_hours = grid
