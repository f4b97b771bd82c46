"""What the cross-reference rules share: the schema's look-ups (``Ctx``), JSON paths and limits."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..errors import Problem
from ..paths import did_you_mean
from .nodes import Node
from .schema import Schema

MAX_ROWS = 10**12
PATTERN_LENGTHS = {"hour": 24, "dow": 7, "month": 12}
FREQUENCY = re.compile(r"^\d*\s*(ms|us|s|S|sec|min|T|h|H|D|d|W|w|M|MS|ME|Q|QS|Y|YS|A|AS)$")
EXPRESSION_FUNCTIONS = ("abs", "min", "max", "round", "floor", "ceil", "sqrt", "log", "exp", "clip", "where")


class Ctx:
    """Look-ups shared by the rules."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.nodes = {n.id: n for n in schema.nodes}
        self.derived = {n.touchpoint_table: n for n in schema.nodes if n.touchpoint_table}

    def table_names(self) -> list[str]:
        return [*self.nodes, *self.derived]

    def ref(self, ref: str, path: str) -> Iterator[Problem]:
        """Problems of a ``table.column`` reference."""
        table, dot, column = ref.partition(".")
        if not dot or not table or not column:
            yield Problem(path, f"expected 'table.column', got {ref!r}")
        elif table in self.derived:
            return
        elif table not in self.nodes:
            yield Problem(path, f"unknown table {table!r}{did_you_mean(table, self.table_names())}")
        elif self.nodes[table].column(column) is None:
            names = [c.name for c in self.nodes[table].columns]
            yield Problem(path, f"unknown column {column!r} of table {table!r}{did_you_mean(column, names)}")

    def column_of(self, node: Node, name: str, path: str, what: str = "column") -> Iterator[Problem]:
        if node.column(name) is None:
            names = [c.name for c in node.columns]
            yield Problem(path, f"unknown {what} {name!r} of table {node.id!r}{did_you_mean(name, names)}")


def node_path(i: int) -> str:
    return f"$.nodes[{i}]"


def col_path(i: int, j: int) -> str:
    return f"$.nodes[{i}].columns[{j}]"
