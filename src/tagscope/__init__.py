"""tagscope: an observatory for hashtag movements and online misogyny."""

from __future__ import annotations

import os
import sys

# Arrow's default allocator (mimalloc) hands freed memory back to the kernel 10 ms after a free, so
# every ingest batch faulted in (zeroed) pages again: the kernel took a sixth of an ingest's CPU time.
# Arrow's jemalloc keeps freed memory for a second: 1M v1.1 posts ingest 5% faster on 6% less CPU,
# with 130 MB less peak memory (bench/RESULTS.md, Session 7). Arrow reads the variable once, when it
# loads (PyPI's Linux wheels ship jemalloc; conda-forge's builds may not, and Arrow would warn on every
# command, so conda environments keep Arrow's default); ARROW_DEFAULT_MEMORY_POOL set by the user wins.
if sys.platform == "linux" and "pyarrow" not in sys.modules and not os.path.isdir(os.path.join(sys.prefix, "conda-meta")):
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")

from . import engines
from .store import Store, events

__version__ = "0.1.0"


def _subscribe_derived() -> None:
    """Import the parts that keep data derived from the posts (each subscribes to the store's events on
    import). Run by the store before its first event, whichever entry point wrote: the store itself
    names none of them. Imported here and not at the top so that reading a store loads none of them."""
    from .analytics import places_cache  # noqa: F401
    from .classify import labels  # noqa: F401
    from .engines import rollup  # noqa: F401
    from .search import index  # noqa: F401


events.add_loader(_subscribe_derived)


def open(path: str | os.PathLike[str] | None = None, engine: str | None = None) -> Store:
    """Open (or create on first ingest) the store at PATH, $TAGSCOPE_STORE or ./tagscope-data.

    ENGINE (a name from ``tagscope.engines.names()``) runs this store's analytics when a call does
    not name one with ``engine=``; without it, ``$TAGSCOPE_ENGINE`` or duckdb does."""
    store = Store(path)
    engines.choose(store, engine)
    return store


__all__ = ["Store", "__version__", "open"]
