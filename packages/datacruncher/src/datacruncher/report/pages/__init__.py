"""HTML pages: the crunch report (:func:`render_report`) and its charts and relationship diagram."""

from __future__ import annotations

from .report import render as render_report

__all__ = ["render_report"]
