"""Cross-reference rules of a decoded DSL schema: every reference resolves, every list has the right length.

Each rule is a plain function ``(ctx) -> iterable of Problem``; ``RULES`` lists them in order, and
``check_schema`` runs them all (callers may pass their own tuple)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..errors import Problem
from .rule_context import Ctx
from .rules_columns import rule_columns
from .rules_nodes import rule_behaviours, rule_nodes, rule_top_level
from .rules_relations import (
    rule_constraints,
    rule_cycles,
    rule_defects,
    rule_ignored_modifiers,
    rule_open_intervals,
    rule_scenarios,
    rule_targets,
)
from .schema import Schema

Rule = Callable[[Ctx], Iterable[Problem]]
RULES: tuple[Rule, ...] = (
    rule_top_level, rule_nodes, rule_columns, rule_behaviours, rule_constraints, rule_targets, rule_defects,
    rule_cycles, rule_scenarios, rule_ignored_modifiers, rule_open_intervals,
)


def check_schema(schema: Schema, rules: tuple[Rule, ...] = RULES) -> list[Problem]:
    """Every cross-reference problem of ``schema`` (errors and warnings), in rule order."""
    ctx = Ctx(schema)
    return [p for rule in rules for p in rule(ctx)]
