"""The one exception hierarchy of datapolisher; only the CLI turns these into messages and exit codes."""

from __future__ import annotations


class PolisherError(Exception):
    """Root of every error datapolisher raises on purpose."""


class InputError(PolisherError):
    """A report, dataset, schema or option is missing, unreadable or inconsistent."""


class StaleReportError(InputError):
    """The dataset changed since the crunch report was made (fingerprint mismatch)."""


class OutputExistsError(PolisherError):
    """The output directory or file already exists and overwriting was not asked for."""


class CriticalIssuesError(PolisherError):
    """Approval refused: critical issues remain and no ``--force --reason`` was given."""


class ScriptError(PolisherError):
    """A generated post-processing script failed while it was applied (no output was left behind)."""


class StageError(PolisherError):
    """An external stage (``datagen``, ``datacruncher``) is missing or failed."""


class VerifyError(PolisherError):
    """A manifest does not match its dataset (raised only by callers that want an exception)."""
