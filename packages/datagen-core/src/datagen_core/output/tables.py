"""What the engine knows about each written table, handed to post-processing steps (defect injection).

>>> facts = TableFacts(name="order", kind="fact", path="order.parquet", pk="order_id",
...                    foreign_keys=[("user_id", "user", "user_id")], created_at_column="ordered_at",
...                    time_columns=["ordered_at"])
>>> facts.foreign_keys[0][1]
'user'
"""

from __future__ import annotations

from dataclasses import dataclass, field


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

    @property
    def all_files(self) -> tuple[str, ...]:
        return self.files or (self.path,)
