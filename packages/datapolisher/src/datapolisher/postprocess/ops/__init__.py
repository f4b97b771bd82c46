"""The operations a post-processing plan is made of: one module per operation, each with its DuckDB SQL form
(``sql``: a ``SELECT`` over the table that replaces it) and its Polars form (``python``: an expression over the
frame), so the two scripts datapolisher writes cannot drift apart. :data:`OPS` lists them in the order a plan
applies them; a new operation is a module here, added to ``OPS``, and a problem handler in ``plan`` that emits it.
"""

from __future__ import annotations

from types import ModuleType

from . import (
    add_is_active,
    add_lifetime_value,
    cast,
    clamp_min,
    clamp_to_parent_time,
    dedupe_key,
    dedupe_rows,
    drop_orphans,
    fill_default,
    normalize_codes,
    null_non_finite,
    null_orphans,
    round_money,
    swap_interval,
    trim_whitespace,
)

#: every operation, in the order a plan applies them (types first, computed columns last)
OPS: tuple[ModuleType, ...] = (
    cast,
    normalize_codes,
    trim_whitespace,
    null_non_finite,
    fill_default,
    clamp_min,
    round_money,
    dedupe_rows,
    dedupe_key,
    swap_interval,
    drop_orphans,
    null_orphans,
    clamp_to_parent_time,
    add_is_active,
    add_lifetime_value,
)
BY_OP: dict[str, ModuleType] = {m.OP: m for m in OPS}
