"""The one clock every stage writes with: ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention) pins it.

When the variable is set, every timestamp a stage writes (``generated_at``, ``analysis_date``, the manifest's
times) is that instant, and measured durations are left out, so the same inputs give byte-identical
``.metadata.json``, ``crunch_report.json`` and ``.manifest.yaml``. Unset, it is the wall clock (UTC).

>>> import os
>>> os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
>>> utc_stamp(), pinned()
('2023-11-14T22:13:20Z', True)
>>> del os.environ["SOURCE_DATE_EPOCH"]
>>> pinned()
False
"""

from __future__ import annotations

import datetime as dt
import os

from .errors import ContractError

ENV = "SOURCE_DATE_EPOCH"


class ClockError(ContractError):
    """``SOURCE_DATE_EPOCH`` is set but is not a whole number of seconds since 1970-01-01 UTC."""


def pinned() -> bool:
    """Whether ``SOURCE_DATE_EPOCH`` pins the clock (then durations are not written either)."""
    return bool(os.environ.get(ENV, "").strip())


def now() -> dt.datetime:
    """The current instant (timezone-aware UTC), or the pinned one."""
    text = os.environ.get(ENV, "").strip()
    if not text:
        return dt.datetime.now(dt.UTC)
    try:
        return dt.datetime.fromtimestamp(int(text), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise ClockError(f"{ENV} must be a whole number of seconds since 1970-01-01 UTC, got {text!r}") from None


def utc_stamp(at: dt.datetime | None = None) -> str:
    """``2025-01-31T12:00:00Z``: ``at`` (default :func:`now`) in UTC, to the second."""
    return (at or now()).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def duration(seconds: float, digits: int = 3) -> float | None:
    """A measured duration to write, or None when the clock is pinned (a timing is never reproducible)."""
    return None if pinned() else round(seconds, digits)
