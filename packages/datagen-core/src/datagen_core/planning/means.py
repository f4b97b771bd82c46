"""Expected values the plan is built from: children per parent (fanout, funnel, state model), choice and
segment shares, a column's time window and the vintage multiplier — each the mean of what generation draws."""

from __future__ import annotations

from datetime import datetime

import numpy as np

from datagen_contracts import dsl
from datagen_contracts.dsl import (
    infer_segment_column,
    parse_weights_kind,
)

from ..behaviours.vintage import curve_value  # the engine's own curve: plan predicts what generation does

SECONDS_PER_UNIT = {"day": 86_400.0, "week": 7 * 86_400.0, "month": 30.4375 * 86_400.0, "year": 365.25 * 86_400.0}


# ------------------------------------------------------------------------------------------- distributions


def fanout_mean(fanout: dsl.Fanout | None, multiplier: float = 1.0) -> float:
    """Expected children per parent row (the contracts' one definition, :func:`datagen_contracts.dsl.fanout_mean`:
    clamped Poisson(λ·m), the uniform integer mean × m, or a heavy-tailed mixture's mean λ·m)."""
    return dsl.fanout_mean(fanout, multiplier)[0]


def describe_fanout(fanout: dsl.Fanout | None) -> str:
    if fanout is None:
        return "1"
    if fanout.distribution == "uniform":
        return f"uniform[{fanout.min},{fanout.max}]"
    shape = {"negative_binomial": f", k={fanout.dispersion or 1.0:g}", "lognormal": f", σ={fanout.sigma or 1.0:g}",
             "zipf": f", a={fanout.exponent or 2.5:g}"}.get(fanout.distribution, "")
    text = f"{fanout.distribution}({fanout.lam or 0:g}{shape})"
    if fanout.dormant:
        text += f" with {fanout.dormant:.0%} dormant"
    if fanout.min is not None or fanout.max is not None:
        lo = "" if fanout.min is None else fanout.min
        hi = "" if fanout.max is None else fanout.max
        text += f" clamp[{lo},{hi}]"
    return text


def choice_shares(choice: dsl.ChoiceGen) -> dict[str, float]:
    """The share of each listed choice (weights, ``weights_kind`` or uniform); {} for ``choices_ref``."""
    if choice.choices is None:
        return {}
    n = len(choice.choices)
    w = np.ones(n)
    if choice.weights is not None:
        w = np.asarray(choice.weights, dtype=np.float64)
    elif choice.weights_kind is not None and (parsed := parse_weights_kind(choice.weights_kind)) is not None:
        kind, params = parsed
        ranks = np.arange(1, n + 1, dtype=np.float64)
        if kind == "zipf":
            w = 1.0 / ranks ** params[0]
        elif kind == "head_tail":
            h, alpha = params
            n_head = max(1, n // 5)
            w = np.zeros(n)
            w[:n_head] = h / n_head
            if n > n_head:
                tail = 1.0 / np.arange(1, n - n_head + 1, dtype=np.float64) ** alpha
                w[n_head:] = (1.0 - h) * tail / tail.sum()
    total = w.sum()
    shares: dict[str, float] = {}
    for value, weight in zip(choice.choices, w / total if total > 0 else w, strict=True):
        shares[str(value)] = shares.get(str(value), 0.0) + float(weight)
    return shares


def segment_shares(parent: dsl.Node) -> tuple[dict[str, float], bool]:
    """Shares of the parent's segments, and whether they are known (a choice column or ``segments``)."""
    sb = parent.segment_behavior
    if sb is None:
        return {}, False
    column = parent.column(infer_segment_column(parent) or "")
    if column is not None and column.generator.choice is not None and column.generator.choice.choices:
        return choice_shares(column.generator.choice), True
    if sb.segments:
        total = sum(s.base_probability for s in sb.segments.values()) or 1.0
        return {k: s.base_probability / total for k, s in sb.segments.items()}, True
    names = list(sb.behaviors or {})
    return ({k: 1.0 / len(names) for k in names} if names else {}), False


# ------------------------------------------------------------------------------------------------ vintage




def column_window(col: dsl.Column, timeframe: tuple[datetime, datetime]) -> tuple[datetime, datetime] | None:
    """The window a generated time column draws from: its explicit ``within``, else the timeframe (None when
    the explicit window does not parse) — :func:`datagen_contracts.dsl.column_window`.

    >>> col = dsl.Column(name="t", type="datetime", generator=dsl.Generator(datetime_series=dsl.DatetimeSeriesGen(
    ...     within=dsl.Window(start="2024-03-01", end="2024-04-01"))))
    >>> column_window(col, (datetime(2024, 1, 1), datetime(2025, 1, 1)))[0]
    datetime.datetime(2024, 3, 1, 0, 0)
    """
    return dsl.column_window(col, timeframe)


def window_of(node: dsl.Node, column_name: str, timeframe: tuple[datetime, datetime]) -> tuple[datetime, datetime]:
    col = node.column(column_name)
    window = None if col is None else column_window(col, timeframe)
    return window if window is not None and window[0] < window[1] else timeframe


def vintage_fanout_multiplier(parent: dsl.Node, timeframe: tuple[datetime, datetime]) -> float | None:
    """The fanout multiplier of the parent's vintage curves, averaged over each entity's life.

    An entity created at ``c`` (uniform over its created-at window) has children from ``c`` to the timeframe
    end; its multiplier is the curve's mean over that life, and the plan uses the mean over entities.
    """
    vb = parent.vintage_behavior
    if vb is None:
        return None
    curves = []
    for mult in vb.age_based_multipliers.values():
        targets = [mult.applies_to] if isinstance(mult.applies_to, str) else mult.applies_to
        if "fanout" in targets or "all" in targets:
            curves.append(mult)
    if not curves:
        return None
    c_start, c_end = window_of(parent, vb.created_at_column, timeframe)
    end = timeframe[1]
    created = np.linspace(c_start.timestamp(), min(c_end, end).timestamp(), 41)
    fractions = (np.arange(60) + 0.5) / 60  # midpoints along each life
    means = []
    for c in created:
        life = max(end.timestamp() - c, 0.0)
        total = np.ones_like(fractions)
        for mult in curves:
            age = fractions * life / SECONDS_PER_UNIT[mult.time_unit]
            total = total * curve_value(mult.curve, age)
        means.append(float(total.mean()))
    return float(np.mean(means))


# ------------------------------------------------------------------------------------------ funnels, states


def funnel_mean(stages: dsl.StageConfig, multiplier: float = 1.0) -> float:
    """Expected rows per parent: stage 0 is always reached, stage i with min(1, rate_i·m) after stage i-1."""
    total, reach = 0.0, 1.0
    for i, stage in enumerate(stages.stages):
        if i > 0:
            reach *= min(1.0, max(0.0, stage.transition_rate * multiplier))
        total += reach
    return total


def _is_churn_state(name: str, state: dsl.State) -> bool:
    return state.terminal or "churn" in name.lower()


def state_model_mean(model: dsl.StateTransitionModel, periods: float, churn_multiplier: float = 1.0) -> float:
    """Expected rows per parent: the initial state plus the expected transitions.

    Each period a non-terminal state ``s`` moves with probability ``p_s`` to a next state drawn from
    ``next_states`` (the weight of churn states — terminal or named ``*churn*`` — scaled by the churn
    multiplier, then renormalized), at most ``max_transitions`` times. A parent created uniformly in the
    timeframe has between 0 and ``periods`` periods left, so the expectation is averaged over that range.
    """
    names = list(model.states)
    index = {n: i for i, n in enumerate(names)}
    n, cap = len(names), max(model.max_transitions, 0)
    move = np.zeros((n, n))
    stay = np.ones(n)
    for name, st in model.states.items():
        if st.terminal or not st.next_states:
            continue
        weights = {k: v * (churn_multiplier if k in model.states and _is_churn_state(k, model.states[k]) else 1.0)
                   for k, v in st.next_states.items() if k in index}
        total = sum(weights.values())
        if total <= 0:
            continue
        p = st.transition_prob_per_period
        for k, v in weights.items():
            move[index[name], index[k]] += p * v / total
        stay[index[name]] = 1.0 - p
    # dist[s, t]: probability of being in state s after t transitions
    dist = np.zeros((n, cap + 1))
    dist[index[model.initial_state], 0] = 1.0
    whole = int(min(max(periods, 0.0), 10_000))
    expected = [0.0]
    for _ in range(whole):
        moved = move.T @ dist  # (n, cap+1): transitions made this period
        new = dist * stay[:, None]
        new[:, 1:] += moved[:, :-1]
        new[:, cap] += dist[:, cap] * (1.0 - stay)  # at the cap no further transition is made
        dist = new
        expected.append(float((dist * np.arange(cap + 1)).sum()))
    return 1.0 + float(np.mean(expected))
