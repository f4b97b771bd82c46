"""Path 2 — post-processing: a plan of data fixes, rendered as DuckDB SQL and as Polars, then applied."""

from __future__ import annotations

from .plan import Plan, Step, build_plan

__all__ = ["Plan", "Step", "build_plan"]
