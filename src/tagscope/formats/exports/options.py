"""What the user says about export files that do not say it themselves: the platform, the mapping.

A 4CAT CSV names no datasource in most columns sets, and a forum scrape needs a mapping file: the user
gives them on the command line (``tagscope ingest --platform NAME``, ``--map FILE``). The reader of
such a file (``records``, run in the ingesting thread) takes them from here and writes them into each
raw record it yields, so ``parse`` stays a pure function of the record and ``remap`` and ``forget`` need
nothing but the record.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Options:
    platform: str | None = None  # the platform of posts whose file does not say it
    mapping: dict[str, Any] | None = None  # a checked mapping (mapping.load), for the mapped format


_NONE = Options()
_CURRENT: ContextVar[Options | None] = ContextVar("tagscope_export_options", default=None)


def current() -> Options:
    return _CURRENT.get() or _NONE


@contextmanager
def given(*, platform: str | None = None, mapping: dict[str, Any] | None = None) -> Iterator[Options]:
    """Within the block, export readers use PLATFORM and MAPPING (``Store.ingest`` called inside)."""
    token = _CURRENT.set(Options(platform, mapping))
    try:
        yield current()
    finally:
        _CURRENT.reset(token)
