"""SlotSampler: the guide-table slot lookup is an exact ``searchsorted``, so sampled times never changed."""

from __future__ import annotations

import numpy as np

from datagen_core.timestamps import HOUR, SlotSampler, to_us


def test_slot_lookup_is_an_exact_searchsorted() -> None:
    rng = np.random.default_rng(5)
    start, end = to_us("2024-01-01T00:00:00Z"), to_us("2024-03-31T23:59:59Z")
    for patterns in ([], [("hour", [0.0] * 8 + [1.0] * 16)], [("dow", [1, 1, 1, 1, 1, 0, 0])],
                     [("hour", list(rng.random(24)))]):
        s = SlotSampler(start, end, patterns)
        u = np.concatenate([rng.random(50_000) * s.cdf[-1], s.cdf, np.nextafter(s.cdf, 0), np.nextafter(s.cdf, np.inf)])
        expected = np.clip(np.searchsorted(s.cdf, u, side="right") - 1, 0, len(s.w) - 1)
        assert (s._slot_of(u) == expected).all()


def test_sample_stays_in_each_rows_window() -> None:
    s = SlotSampler(0, 10 * HOUR + 5, [])
    t = s.sample(np.random.default_rng(0), np.array([0, 3 * HOUR]), np.array([10 * HOUR, 3 * HOUR + 7]))
    assert 0 <= t[0] <= 10 * HOUR and 3 * HOUR <= t[1] <= 3 * HOUR + 7


def _reference_sample(s: SlotSampler, u: np.ndarray) -> np.ndarray:
    """The sampler's time for each cdf position ``u``, spelled out with a binary search and no precomputed tables."""
    i = np.clip(np.searchsorted(s.cdf, u, side="right") - 1, 0, len(s.w) - 1)
    frac = np.where(s.w[i] > 0, (u - s.cdf[i]) / np.where(s.w[i] > 0, s.w[i], 1), 0.5)
    slot_lo = np.maximum(s.slots[i], s.start)
    slot_hi = np.minimum(s.slots[i] + HOUR, s.end + 1)
    return slot_lo + (frac * (slot_hi - slot_lo)).astype(np.int64)


def _reference_cdf_at(s: SlotSampler, t: np.ndarray) -> np.ndarray:
    t = np.clip(t, s.start, s.end + 1)
    i = np.clip((t - s.slots[0]) // HOUR, 0, len(s.slots) - 1)
    lo, hi = np.maximum(s.slots[i], s.start), np.minimum(s.slots[i] + HOUR, s.end + 1)
    return s.cdf[i] + np.where(hi > lo, (t - lo) / np.maximum(hi - lo, 1), 0.0) * s.w[i]


def test_sampled_times_match_a_plain_binary_search() -> None:
    """Row windows, zero-weight hours and a window long enough to cap the guide table (two years of hours)."""
    rng = np.random.default_rng(11)
    cases = [("2024-01-01T00:30:00Z", "2024-02-29T23:59:59Z", [("hour", [0.0] * 7 + list(rng.random(17)))]),
             ("2023-01-01T00:00:00Z", "2024-12-31T23:59:59Z", [("dow", [1, 1.1, 1.1, 1.1, 1, 0.2, 0.1])])]
    for start_text, end_text, patterns in cases:
        start, end = to_us(start_text), to_us(end_text)
        s = SlotSampler(start, end, patterns)
        lo = np.sort(rng.integers(start, end, 20_000))
        hi = np.where(rng.random(20_000) < 0.5, end, np.minimum(lo + rng.integers(0, 40 * HOUR, 20_000), end))
        got = s.sample(np.random.default_rng(3), lo, hi)
        a, b = _reference_cdf_at(s, lo), _reference_cdf_at(s, hi + 1)
        assert (s.cdf_at(lo) == a).all()
        u = a + np.random.default_rng(3).random(len(lo)) * (b - a)
        assert (got == np.clip(_reference_sample(s, u), lo, hi)).all()
        assert ((got >= lo) & (got <= hi)).all()
