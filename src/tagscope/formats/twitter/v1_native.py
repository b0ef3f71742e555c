"""The v1.1 status mapping in C++ (``tagscope._native.map_v1``, native/v1map.cpp, over simdjson).

The fastest of ingest's three paths for v1.1 lines: where the module is built (setup.py compiles it
when the package is installed; it is optional), ``store.sql_lines`` maps blocks with it instead of
DuckDB's JSON reader, ~5x less CPU. It gives the same columns as ``v1_sql.QUERY`` (and the same
``python`` flag: lines it does not vouch for go to ``v1.parse``), so the rest of the path is
shared. TAGSCOPE_NATIVE=0 turns it off.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from ... import native as _native
from .. import list_columns
from .v1 import NAME

ENABLED = _native.native is not None  # TAGSCOPE_NATIVE=0: None (see tagscope.native)
native = _native.native

finish = list_columns.post_lists

_CONSTANTS = {"platform": pa.scalar("twitter"), "conversation_id": pa.scalar(None, pa.string()),
              "community": pa.scalar(None, pa.string()), "source_format": pa.scalar(NAME)}


def map_lines(data: bytes | bytearray, starts: np.ndarray, ends: np.ndarray) -> pa.Table:
    """One row per line [starts[i], ends[i]) of DATA: the columns of ``v1_sql.QUERY``, and
    ``tombstone`` (true: the line is a delete notice the native path read; see ``store.sql_lines._split``)."""
    return _native.table("map_v1", data, starts, ends, _CONSTANTS)
