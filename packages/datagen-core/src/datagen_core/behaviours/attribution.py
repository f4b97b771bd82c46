"""``attribution_chain``: touchpoints before each conversion, written as their own (declared) table.

Each conversion gets between ``min_touches`` and ``max_touches`` touches on ``channels`` within
``time_window_days`` before it, never before the parent's creation and strictly before the conversion; credit
per touch follows ``attribution_model`` and sums to 1 per conversion. When the conversion has a money column
(:func:`money_column`), each touch also carries ``attributed_<column>`` = that value × its credit, so the
attributed amounts of a conversion add up to its value.

>>> import numpy as np
>>> from datagen_contracts.dsl import AttributionChain
>>> ac = AttributionChain(channels=["seo", "ads"], min_touches=2, max_touches=2, attribution_model="linear")
>>> conv, ch, t, pos, credit = run_touchpoints(ac, np.random.default_rng(0), np.array([10**12]), np.array([0]))
>>> conv.tolist(), pos.tolist(), credit.tolist(), bool((t < 10**12).all())
([0, 0], [1, 2], [0.5, 0.5], True)
>>> money_column(dsl.Node(id="purchase", pk="purchase_id", columns=[
...     dsl.Column(name="purchase_id", type="int", generator=dsl.Generator(sequence=dsl.SequenceGen())),
...     dsl.Column(name="order_value", type="float", generator=dsl.Generator(expression=dsl.ExpressionGen(code="9")))]))
'order_value'
"""

from __future__ import annotations

import numpy as np

from datagen_contracts import dsl

from ..timestamps import DAY

#: name words of a conversion's money column (``amount``, ``order_value``, ``total_price``, ``revenue_usd`` …)
MONEY_WORDS = ("amount", "revenue", "value", "price", "total", "spend", "sales", "gmv", "mrr", "arr", "payment",
               "subtotal", "cost")


def money_column(node: dsl.Node) -> str | None:
    """The conversion's money column: its first int/float column (not a key) with a money word in its name."""
    for col in node.columns:
        if col.type not in ("int", "float") or col.name == node.pk or col.generator.lookup is not None:
            continue
        if col.generator.sequence is None and set(col.name.lower().split("_")) & set(MONEY_WORDS):
            return col.name
    return None


def run_touchpoints(
    ac: dsl.AttributionChain, rng: np.random.Generator, conv_time: np.ndarray, lower: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(conversion index, channel code, time µs, position 1.., credit) per touchpoint (credit not rounded)."""
    n = len(conv_time)
    lo = np.maximum(lower, conv_time - int(ac.time_window_days * DAY))
    count = rng.integers(ac.min_touches, ac.max_touches + 1, n)
    count = np.where(lo < conv_time, count, 0)  # no room before the conversion: no touchpoint at all
    conv = np.repeat(np.arange(n), count)
    span = (conv_time - lo)[conv]
    t = lo[conv] + (rng.random(len(conv)) * span).astype(np.int64)
    t = np.minimum(t, conv_time[conv] - 1)
    order = np.lexsort((t, conv))
    conv, t = conv[order], t[order]
    starts = np.repeat(np.cumsum(count) - count, count)
    pos = np.arange(len(conv)) - starts + 1
    k = count[conv]
    if ac.attribution_model == "first_touch":
        credit = (pos == 1).astype(np.float64)
    elif ac.attribution_model == "last_touch":
        credit = (pos == k).astype(np.float64)
    elif ac.attribution_model == "time_decay":
        w = np.power(0.5, (conv_time[conv] - t) / (ac.time_decay_halflife_days * DAY))
        total = np.bincount(conv, weights=w, minlength=n)
        credit = w / total[conv]
    else:
        credit = 1.0 / k
    channel = rng.integers(0, len(ac.channels), len(conv))
    return conv.astype(np.int64), channel, t, pos.astype(np.int64), credit
