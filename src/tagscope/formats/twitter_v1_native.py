"""The v1.1 status mapping in C++ (``tagscope._native.map_v1``, native/v1map.cpp, over simdjson).

The fastest of ingest's three paths for v1.1 lines: where the module is built (setup.py compiles it
when the package is installed; it is optional), ``store.sql_lines`` maps blocks with it instead of
DuckDB's JSON reader, ~5x less CPU. It gives the same columns as ``twitter_v1_sql.QUERY`` (and the same
``python`` flag: lines it does not vouch for go to ``twitter_v1.parse``), so the rest of the path is
shared. TAGSCOPE_NATIVE=0 turns it off.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..native import columns, native
from . import list_columns
from .twitter_v1 import NAME

ENABLED = native is not None  # TAGSCOPE_NATIVE=0: None (see tagscope.native)

finish = list_columns.post_lists


def map_lines(data: bytes | bytearray, starts: np.ndarray, ends: np.ndarray) -> pa.Table:
    """One row per line [starts[i], ends[i]) of DATA: the columns of ``twitter_v1_sql.QUERY``, and
    ``tombstone`` (true: the line is a delete notice the native path read; see ``store.sql_lines._split``)."""
    if native is None:
        raise RuntimeError("tagscope._native is not built")
    n = len(starts)
    cols = columns(native.map_v1(data, np.ascontiguousarray(starts, np.int64), np.ascontiguousarray(ends, np.int64)), n)
    cols["platform"] = pa.repeat(pa.scalar("twitter"), n)
    cols["conversation_id"] = pa.nulls(n, pa.string())
    cols["community"] = pa.nulls(n, pa.string())
    cols["source_format"] = pa.repeat(pa.scalar(NAME), n)
    return pa.table(cols)
