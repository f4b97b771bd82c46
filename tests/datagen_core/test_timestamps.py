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
