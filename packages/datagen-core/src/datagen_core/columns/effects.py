"""Effect modifiers: a per-row factor from the rows of an effect table whose keys match and whose time window
contains the row's time — a vectorized interval join (sort + cumulative sums + searchsorted), never quadratic.

Where several effect rows match, the factor is their mean (a product of hundreds of overlapping windows would
explode or vanish); where none matches, ``map.default``. When ``map.field`` is not a column of the effect table,
the effect is an indicator: 1 inside a matching window, ``default`` outside.

>>> import numpy as np
>>> from datagen_core.output.store import KeptTable
>>> eff = KeptTable("promo", 2, {"s": np.array([0, 10]), "e": np.array([5, 20]), "m": np.array([2.0, 4.0])})
>>> window_factor(eff, "s", "e", "m", np.array([1, 7, 12, 30]), default=1.0).tolist()
[2.0, 1.0, 4.0, 1.0]
"""

from __future__ import annotations

import numpy as np

from ..output.store import KeptTable, as_numpy


def _key_codes(effect_keys: list[np.ndarray], row_keys: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of composite keys, shared between effect rows and data rows (-1: key absent in effects)."""
    eff = np.zeros(len(effect_keys[0]), dtype=np.int64)
    row = np.zeros(len(row_keys[0]), dtype=np.int64)
    for ek, rk in zip(effect_keys, row_keys, strict=True):
        ek = np.asarray(ek).astype(str) if ek.dtype.kind in "OUS" or np.asarray(rk).dtype.kind in "OUS" else ek
        rk = np.asarray(rk).astype(str) if np.asarray(ek).dtype.kind == "U" else rk
        uniq = np.unique(ek)
        e_code = np.searchsorted(uniq, ek)
        pos = np.clip(np.searchsorted(uniq, rk), 0, max(len(uniq) - 1, 0))
        found = (len(uniq) > 0) & (uniq[pos] == rk) if len(uniq) else np.zeros(len(rk), bool)
        r_code = np.where(found, pos, -1)
        eff = eff * (len(uniq) + 1) + e_code
        row = np.where((row < 0) | (r_code < 0), -1, row * (len(uniq) + 1) + r_code)
    return eff, row


def window_factor(
    table: KeptTable, start_col: str | None, end_col: str | None, field: str, times: np.ndarray | None,
    default: float, on: dict[str, str] | None = None, row_keys: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """The effect factor per data row (see module doc); ``times`` in µs (None: match on keys only)."""
    n_rows = len(times) if times is not None else len(next(iter(row_keys.values()))) if row_keys else 0
    if field in table.columns:
        values = as_numpy(table.columns[field]).astype(np.float64)
        values = np.where(np.isnan(values), default, values)
    else:
        values = np.ones(table.n)  # indicator effect
    on = on or {}
    e_keys = [as_numpy(table.columns[remote]) for remote in on.values()]
    r_keys = [np.asarray((row_keys or {})[local]) for local in on]
    if on:
        e_code, r_code = _key_codes(e_keys, r_keys)
    else:
        e_code, r_code = np.zeros(table.n, dtype=np.int64), np.zeros(n_rows, dtype=np.int64)
    if times is None or start_col is None or end_col is None:
        starts = np.full(table.n, np.iinfo(np.int64).min // 4)
        ends = np.full(table.n, np.iinfo(np.int64).max // 4)
        times = np.zeros(n_rows, dtype=np.int64)
    else:
        starts = as_numpy(table.columns[start_col]).astype(np.int64)
        ends_raw = table.columns[end_col]
        ends = as_numpy(ends_raw).astype(np.int64)
        if end_col in table.nulls:  # an open-ended window (null end) lasts forever
            ends = np.where(table.nulls[end_col], np.iinfo(np.int64).max // 4, ends)
        lo, hi = np.minimum(starts, ends), np.maximum(starts, ends)
        starts, ends = lo, hi
    # sweep per key: +value/+1 at start, -value/-1 just after end; prefix sums give sum/count at any time
    key = np.concatenate([e_code, e_code])
    t = np.concatenate([starts, ends + 1])
    dv = np.concatenate([values, -values])
    dc = np.concatenate([np.ones(table.n), -np.ones(table.n)])
    order = np.lexsort((t, key))
    key, t, dv, dc = key[order], t[order], dv[order], dc[order]
    csum_v, csum_c = np.cumsum(dv), np.cumsum(dc)
    out = np.full(n_rows, float(default))
    if len(key) == 0:
        return out
    # for each data row: the last event with (key == row key and t <= row time)
    span_lo = np.searchsorted(key, r_code, side="left")
    span_hi = np.searchsorted(key, r_code, side="right")
    idx = np.full(n_rows, -1, dtype=np.int64)
    valid = (r_code >= 0) & (span_hi > span_lo)
    if valid.any():
        # offset key groups so one global searchsorted works: (key, t) lexicographic via a stable remap
        uniq_keys, _first = np.unique(key, return_index=True)
        tmin = min(int(t.min()), int(times.min()) if len(times) else 0)
        tspan = max(int(t.max()), int(times.max()) if len(times) else 0) - tmin + 2
        if tspan * (len(uniq_keys) + 1) < 2**62:
            kpos = np.searchsorted(uniq_keys, key)
            comp = kpos.astype(np.int64) * tspan + (t - tmin)
            rk = np.searchsorted(uniq_keys, r_code)
            rk = np.clip(rk, 0, len(uniq_keys) - 1)
            rcomp = rk.astype(np.int64) * tspan + (times - tmin)
            pos = np.searchsorted(comp, rcomp, side="right") - 1
            idx = np.where(valid & (pos >= span_lo), pos, -1)
        else:  # pathological ranges: per key group
            for k in np.unique(r_code[valid]):
                rows = np.nonzero(r_code == k)[0]
                a, b = np.searchsorted(key, k, "left"), np.searchsorted(key, k, "right")
                p = np.searchsorted(t[a:b], times[rows], side="right") - 1
                idx[rows] = np.where(p >= 0, a + p, -1)
    # subtract the key group's running total before its first event
    base_v = np.where(span_lo > 0, csum_v[np.maximum(span_lo - 1, 0)], 0.0)
    base_c = np.where(span_lo > 0, csum_c[np.maximum(span_lo - 1, 0)], 0.0)
    hit = idx >= 0
    s = np.where(hit, csum_v[np.maximum(idx, 0)] - base_v, 0.0)
    c = np.where(hit, csum_c[np.maximum(idx, 0)] - base_c, 0.0)
    matched = c > 0.5
    out[matched] = s[matched] / np.round(c[matched])
    return out
