"""A plan: one analytic statement over derived relations, and what the engine needs to run it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import relations
from .filters import Filters


@dataclass
class Plan:
    """One analytic statement over derived relations.

    ``sql`` reads relation names from :data:`relations.NAMES` and ``posts``; ``scan`` says the
    rollups cannot answer exactly (window edges off the minute, a window on a relation without
    time), so the relations must be computed from ``posts`` with ``filters`` applied first.
    """

    sql: str
    params: list[Any] = field(default_factory=list)
    needs: tuple[str, ...] = ()
    tags: list[str] = field(default_factory=list)
    filters: Filters = field(default_factory=Filters)
    scan: bool = False
    k: int = relations.FIRST_K
