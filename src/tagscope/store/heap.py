"""glibc heap settings for a process that ingests and then exits (the ``tagscope ingest`` command).

An ingest allocates and frees tens of MB at a time (blocks, Arrow buffers, Parquet pages) from several
threads. With glibc's defaults, freed memory at the top of the heap goes back to the kernel and comes
back as fresh pages the kernel must zero again: ~2.5 s of system time per 1M v1.1 posts. Keeping up to
1 GiB of it (and serving allocations under 64 MiB from the heap) cut system time by a quarter to a
third, ~0.5 CPU-s per 1M posts, for ~150 MB more peak memory (measured, bench/RESULTS.md Session 6).

The settings are process-wide and permanent, so only the CLI applies them, never the Python API (a
long-lived process that ingests should keep the defaults). TAGSCOPE_MALLOPT=0 turns them off.
"""

from __future__ import annotations

import ctypes
import os

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def keep_freed_memory() -> bool:
    """Apply the settings where the C library is glibc; True if applied."""
    if os.environ.get("TAGSCOPE_MALLOPT", "1") == "0":
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to tune
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, 64 << 20)) and bool(mallopt(_M_TRIM_THRESHOLD, 1 << 30))
