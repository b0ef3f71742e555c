"""A few Store handles shared by the request threads.

A DuckDB connection must not be used by two threads at once, so each request borrows a Store of
its own from the pool. On borrow the Store re-reads the manifest: when ingest or a collector has
committed, the next request sees the new posts (the views follow the manifest generation).
"""

from __future__ import annotations

import queue
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..store import Store


class StorePool:
    def __init__(self, path: Path, size: int = 4, threads: int = 1):
        self.path = Path(path)
        self._idle: queue.LifoQueue[Store] = queue.LifoQueue()
        for _ in range(size):
            self._idle.put(Store(self.path, threads=threads, derived=False))

    @contextmanager
    def borrow(self) -> Iterator[Store]:
        st = self._idle.get()
        try:
            st.refresh()
            yield st
        finally:
            self._idle.put(st)

    def close(self) -> None:
        while not self._idle.empty():
            self._idle.get_nowait().close()
