"""The one exception hierarchy of datagen-contracts.

Every error a reader raises is a :class:`ContractError`; callers (the CLIs) turn it into a message and an exit
code. A :class:`SchemaError` carries *all* problems of a DSL schema at once, each with a JSON path.
"""

from __future__ import annotations

from dataclasses import dataclass


class ContractError(Exception):
    """Root of every error raised by datagen-contracts."""


class ContractFileError(ContractError):
    """A contract file is missing, unreadable, not JSON/YAML, or not the expected shape."""


class DatasetLayoutError(ContractFileError):
    """A dataset directory cannot be read as tables: a symlink leading outside it, a table folder whose engine's
    log cannot be read faithfully."""


class ContractVersionError(ContractError):
    """A file declares a contract (or a major version) this reader does not know."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in a document: where (``$.nodes[1].columns[0]``) and what."""

    path: str
    message: str
    severity: str = "error"  # "error" stops loading; "warning" is reported by lint_schema / datagen check

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{prefix}{self.path}: {self.message}"


class SchemaError(ContractError):
    """A DSL schema (or another hand-written document) has one or more problems.

    ``problems`` lists every one of them, in document order, so a user fixes them in one pass.
    """

    def __init__(self, problems: list[Problem], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        where = f" in {source}" if source else ""
        count = len(self.problems)
        lines = [f"{count} problem{'s' if count != 1 else ''}{where}:"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))
