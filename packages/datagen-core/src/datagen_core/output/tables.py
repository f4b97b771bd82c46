"""What the engine knows about each written table, handed to post-processing steps (defect injection).

>>> facts = TableFacts(name="order", kind="fact", path="order.parquet", pk="order_id",
...                    foreign_keys=[("user_id", "user", "user_id")], created_at_column="ordered_at",
...                    time_columns=["ordered_at"])
>>> facts.foreign_keys[0][1]
'user'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from datagen_contracts import dsl

from ..columns.references import creation_column
from ..errors import required


class FileFacts(NamedTuple):
    """One written file as ``.metadata.json`` lists it, measured by the worker that wrote it."""

    rows: int
    bytes: int
    sha256: str


@dataclass(frozen=True)
class TableFacts:
    """One generated table: its file (relative to the dataset dir) and the keys/times the engine guarantees."""

    name: str
    kind: str  # "entity" | "fact" | "vocab" | "touchpoint"
    path: str  # parquet file (or directory of parts) relative to the dataset directory, e.g. "order.parquet"
    pk: str | None = None
    #: (column, parent_table, parent_column) for every foreign key the engine wrote
    foreign_keys: list[tuple[str, str, str]] = field(default_factory=list)
    #: the column holding the row's creation/event time (vintage created_at, else first datetime/date column)
    created_at_column: str | None = None
    #: every date/datetime column of the table, in declared order
    time_columns: list[str] = field(default_factory=list)
    rows: int = 0
    #: what the engine could not do as declared, e.g. "order: 12 rows not generated: ..." (generation warnings)
    notes: tuple[str, ...] = ()
    #: the table's parquet files relative to the dataset directory: ``(path,)``, or its parts in order
    files: tuple[str, ...] = ()
    #: uploaded to a URI output by the workers that wrote them (see output.destination)
    published: bool = False
    #: each file's rows, bytes and sha256, from the workers that wrote them (missing: read from the file)
    written: dict[str, FileFacts] = field(default_factory=dict)
    arrow: Any = None  # the files' pyarrow schema, from those workers (None: read from the first file)

    @property
    def all_files(self) -> tuple[str, ...]:
        return self.files or (self.path,)


def parent_fk(node: dsl.Node) -> list[str]:
    """The column holding a fact's primary parent's key (none when it is the table's own key)."""
    fk = next((c.name for c in node.columns if c.generator.lookup
               and c.generator.lookup.from_.partition(".")[0] == node.parents[0]), None)
    return [fk] if fk is not None and fk != node.pk else []


def table_facts(schema: dsl.Schema, node: dsl.Node, table: str, rows: int, notes: dict[str, int | None], path: str,
                files: tuple[str, ...]) -> TableFacts:
    """The facts of ``table``: ``node`` itself, or the touchpoint table it carries."""
    if table != node.id:
        pk = required(node.pk, "the conversion's key")
        fks = [(pk, node.id, pk)] + [(c, node.parents[0], required(schema.table(node.parents[0]).pk, "the parent's key"))
                                     for c in parent_fk(node)]
        return TableFacts(table, "touchpoint", path, "touchpoint_id", fks, "touched_at", ["touched_at"], rows,
                          files=files)
    times = [c.name for c in node.columns if c.type in ("date", "datetime")]
    said = tuple(f"{node.id}: {text}" if count is None else f"{node.id}: {count:,} {text}" for text, count in notes.items())
    return TableFacts(node.id, node.kind, path, node.pk, foreign_keys(schema, node), created_at_of(node), times, rows,
                      said, files)


def created_at_of(node: dsl.Node) -> str | None:
    """The row's creation time, the column the engine keeps its children after (see ``references``)."""
    return creation_column(node)


def foreign_keys(schema: dsl.Schema, node: dsl.Node) -> list[tuple[str, str, str]]:
    """(column, parent table, parent column) for lookups onto another table's key and declared foreign keys."""
    out: dict[str, tuple[str, str, str]] = {}
    for col in node.columns:
        lk = col.generator.lookup
        if lk is None:
            continue
        table, _, column = lk.from_.partition(".")
        other = schema.node(table)
        if other is not None and other.pk == column:
            out[col.name] = (col.name, table, column)
    for fk in schema.constraints.foreign_keys:
        t, _, c = fk.from_.partition(".")
        pt, _, pc = fk.to.partition(".")
        if t == node.id and c not in out:
            out[c] = (c, pt, pc)
    return list(out.values())
