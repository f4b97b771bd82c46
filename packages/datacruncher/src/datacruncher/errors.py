"""The one exception hierarchy of datacruncher.

Library code raises these; only ``cli.py`` turns them into messages and exit codes.
"""

from __future__ import annotations


class CruncherError(Exception):
    """Root of every error raised by datacruncher."""

    exit_code = 2


class ResourceError(CruncherError):
    """DuckDB ran out of memory (or temp space) even when the work ran one statement at a time."""

    exit_code = 3


class InputError(CruncherError):
    """The dataset (or a file next to it) is missing, empty, corrupt or unreadable."""


class PersonaError(CruncherError):
    """A persona file is invalid, or a requested persona does not exist."""


class CheckDefinitionError(CruncherError):
    """A check's SQL or text template refers to something that does not exist."""


class BaselineError(CruncherError):
    """A ``--baseline`` dataset or report cannot be used."""


class ThresholdError(CruncherError):
    """A thresholds file or ``--benchmark`` override is invalid or names an unknown check."""


class WorkflowError(CruncherError):
    """A workflow definitions file is invalid, or names a workflow or view that does not exist."""


class ToolError(CruncherError):
    """A tool call is wrong: unknown tool, bad arguments, or a view whose tables the dataset lacks."""
