"""tagscope: an observatory for hashtag movements and online misogyny."""

from __future__ import annotations

import os

from .store import Store

__version__ = "0.1.0"


def open(path: str | os.PathLike[str] | None = None) -> Store:
    """Open (or create on first ingest) the store at PATH, $TAGSCOPE_STORE or ./tagscope-data."""
    return Store(path)


__all__ = ["Store", "__version__", "open"]
