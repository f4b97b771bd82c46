"""One operation of a post-processing plan: what it does (``op``), to which table, with which parameters, and
why (the issues it addresses, written as comments in both scripts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: days before the data's last activity within which an entity counts as active (``add_is_active``)
ACTIVE_DAYS = 30


@dataclass(frozen=True)
class Step:
    op: str
    table: str
    params: dict[str, Any]
    why: tuple[str, ...]  # comment lines: the issues it addresses
