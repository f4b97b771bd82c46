"""The one exception hierarchy of datagen-core; only the CLI turns these into messages and exit codes."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


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


def required(value: T | None, what: str) -> T:
    """``value``, which the engine guarantees is set where this is called (a generator's own spec in the
    function dispatched on it, a fact chunk's parent rows); a None is a bug, never a user error.

    >>> required(3, "x")
    3
    >>> required(None, "the parent rows")
    Traceback (most recent call last):
    AssertionError: internal: the parent rows is not set
    """
    if value is None:
        raise AssertionError(f"internal: {what} is not set")
    return value
