"""The one exception hierarchy of datagen-core; only the CLI turns these into messages and exit codes."""

from __future__ import annotations


class DatagenError(Exception):
    """Root of every error datagen-core raises on purpose."""


class OutputExistsError(DatagenError):
    """The output directory exists and ``overwrite`` was not given."""


class PlanTooLargeError(DatagenError):
    """The plan exceeds the size guard; ask for ``--scale`` or ``--yes``."""


class GenerationError(DatagenError):
    """A table could not be generated as declared."""


class ValidationFailed(DatagenError):
    """``validate`` found failing checks (the report is attached)."""

    def __init__(self, message: str, report: object | None = None) -> None:
        super().__init__(message)
        self.report = report


class DatasetReadError(DatagenError):
    """A dataset directory or one of its files cannot be read (missing directory, corrupt parquet…)."""
