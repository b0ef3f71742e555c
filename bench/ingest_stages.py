"""One ingest in this process, timed by stage: for A/B runs of ingest changes without the CLI's start-up.

Run: ``.venv/bin/python bench/ingest_stages.py STORE FILE`` (STORE is created; set ``SRC`` to another
checkout's ``src`` to time that code instead, e.g. a ``git worktree`` of the commit before a change).
Prints the process CPU and wall time of the whole ingest, posts/s (of 1,000,000: the simulated files'
size), peak RSS, and per stage: mapping blocks (``chunk``, thread CPU of the mapping threads), commits
(thread CPU of the commit thread), and the end-of-run tail (deletions applied to the posts files, then
rollups; process CPU, nothing else runs then).
"""

from __future__ import annotations

import collections
import os
import resource
import sys
import threading
import time
from typing import Any

sys.path.insert(0, os.environ.get("SRC", os.path.join(os.path.dirname(__file__), "..", "src")))

import tagscope.engines.rollup as rollup
from tagscope.store import Store, sql_lines
from tagscope.store import commit as committer

acc: collections.Counter[str] = collections.Counter()
lock = threading.Lock()


def timed(name: str, mod: Any, attr: str, process: bool = False) -> None:
    fn = getattr(mod, attr)
    clock = time.process_time if process else time.thread_time

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        cpu, wall = clock(), time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            with lock:
                acc[f"{name} cpu"] += clock() - cpu
                acc[f"{name} wall"] += time.perf_counter() - wall

    setattr(mod, attr, wrapper)


def main() -> None:
    timed("chunk", sql_lines, "chunk")
    timed("commit", committer, "commit_batch")
    timed("tail: deletions (process)", committer, "apply_tombstones", process=True)
    timed("tail: rollups (process)", rollup, "update", process=True)
    cpu, wall = time.process_time(), time.time()
    Store(sys.argv[1]).ingest([sys.argv[2]])
    wall = time.time() - wall
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"total cpu {time.process_time() - cpu:.1f} wall {wall:.1f} sys {usage.ru_stime:.1f} "
          f"posts/s {1e6 / wall:.0f} maxrss MB {usage.ru_maxrss // 1024}")
    for key in sorted(acc):
        print(key, round(acc[key], 2))


if __name__ == "__main__":
    main()
