"""``state_transition_model``: a Markov lifecycle per parent, vectorized over parents, looping over steps only.

Each parent enters ``initial_state`` at its creation time; from a non-terminal state it moves after a geometric
number of periods (``transition_prob_per_period``) to a next state drawn from ``next_states``, the weight of
churn states (terminal, or named ``*churn*``) scaled by the segment's ``churn_multiplier`` (and the vintage
curve). Transitions after the window's end are not taken, so times strictly increase and stay inside it.

>>> import numpy as np
>>> from datagen_contracts.dsl import StateTransitionModel, State
>>> m = StateTransitionModel(initial_state="a", states={"a": State(transition_prob_per_period=1.0,
...     next_states={"b": 1.0}), "b": State(terminal=True)})
>>> p, s, prev, t = run_states(m, np.random.default_rng(0), np.zeros(2, np.int64), np.full(2, 10**15), np.ones(2))
>>> p.tolist(), s.tolist(), prev.tolist()
([0, 0, 1, 1], [0, 1, 0, 1], [-1, 0, -1, 0])
"""

from __future__ import annotations

import numpy as np

from datagen_contracts import dsl

from ..timestamps import UNIT_US


def is_churn(name: str, state: dsl.State) -> bool:
    return state.terminal or "churn" in name.lower()


def run_states(
    model: dsl.StateTransitionModel, rng: np.random.Generator, start: np.ndarray, upper: np.ndarray,
    churn_mult: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(parent index, state code, previous state code or -1, time µs) per row, ordered by parent then time."""
    names = list(model.states)
    code = {s: i for i, s in enumerate(names)}
    n_states = len(names)
    prob = np.array([0.0 if model.states[s].terminal else model.states[s].transition_prob_per_period for s in names])
    base = np.zeros((n_states, n_states))
    for s, st in model.states.items():
        for nxt, w in st.next_states.items():
            if nxt in code:
                base[code[s], code[nxt]] = w
    churn_cols = np.array([is_churn(s, model.states[s]) for s in names])
    period = UNIT_US[model.period_unit]
    n = len(start)
    state = np.full(n, code[model.initial_state], dtype=np.int64)
    t = start.astype(np.int64).copy()
    alive = start <= upper
    rows_p, rows_s, rows_prev, rows_t = [np.nonzero(alive)[0]], [state[alive]], [np.full(alive.sum(), -1)], [t[alive]]
    curve = model.vintage_variation.churn_multiplier_curve if model.vintage_variation else None
    for _ in range(max(model.max_transitions, 0)):
        p = prob[state]
        alive &= (p > 0) & (base[state].sum(axis=1) > 0)
        if not alive.any():
            break
        periods = rng.geometric(np.clip(np.where(alive, p, 1.0), 1e-9, 1.0))
        step = ((periods - 1 + rng.random(n)) * period).astype(np.int64)
        t_next = t + np.maximum(step, 1_000_000)
        alive &= t_next <= upper
        mult = churn_mult
        if curve is not None:
            age = (t_next - start) / period
            mult = mult * _curve(curve, age)
        weights = base[state] * np.where(churn_cols[None, :], mult[:, None], 1.0)
        cdf = np.cumsum(weights, axis=1)
        u = rng.random(n) * cdf[:, -1]
        nxt = np.minimum((cdf <= u[:, None]).sum(axis=1), n_states - 1)
        idx = np.nonzero(alive)[0]
        rows_p.append(idx)
        rows_s.append(nxt[idx])
        rows_prev.append(state[idx])
        rows_t.append(t_next[idx])
        state = np.where(alive, nxt, state)
        t = np.where(alive, t_next, t)
    parent = np.concatenate(rows_p)
    order = np.lexsort((np.concatenate(rows_t), parent))
    return (parent[order].astype(np.int64), np.concatenate(rows_s)[order], np.concatenate(rows_prev)[order],
            np.concatenate(rows_t)[order])


def _curve(curve: list[float] | dsl.CurveFn, age: np.ndarray) -> np.ndarray:
    from .vintage import curve_at

    return curve_at(dsl.AgeMultiplier(curve=curve, time_unit="month"), age)
