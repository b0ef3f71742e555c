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

from ..native import native
from . import list_columns
from .twitter_v1 import NAME

ENABLED = native is not None  # TAGSCOPE_NATIVE=0: None (see tagscope.native)

_STRINGS = ("id", "author_id", "author_handle", "author_name", "author_bio", "text", "lang", "kind", "reply_to_id",
            "reply_to_user_id", "quote_of_id", "repost_of_id", "repost_of_author", "rt_head")
_INTS = ("author_followers", "like_count", "repost_count", "reply_count", "quote_count")
_LISTS = ("tags0", "mentions0", "urls0")

finish = list_columns.post_lists


def _strings(n: int, buffers: tuple[bytes, bytes, bytes]) -> pa.Array:
    valid, offsets, data = buffers
    return pa.Array.from_buffers(pa.string(), n, [pa.py_buffer(valid), pa.py_buffer(offsets), pa.py_buffer(data)])


def _column(typ: pa.DataType, n: int, buffers: tuple[bytes, bytes]) -> pa.Array:
    return pa.Array.from_buffers(typ, n, [pa.py_buffer(buffers[0]), pa.py_buffer(buffers[1])])


def _list(n: int, buffers: tuple[bytes, tuple[bytes, bytes, bytes]]) -> pa.Array:
    offsets, items = buffers
    values = _strings(len(offsets) // 4 and int(np.frombuffer(offsets, np.int32)[-1]), items)
    return pa.ListArray.from_arrays(pa.Array.from_buffers(pa.int32(), n + 1, [None, pa.py_buffer(offsets)]), values)


def map_lines(data: bytes | bytearray, starts: np.ndarray, ends: np.ndarray) -> pa.Table:
    """One row per line [starts[i], ends[i]) of DATA: the columns of ``twitter_v1_sql.QUERY``, and
    ``tombstone`` (true: the line is a delete notice the native path read; see ``store.sql_lines._split``)."""
    if native is None:
        raise RuntimeError("tagscope._native is not built")
    starts = np.ascontiguousarray(starts, np.int64)
    ends = np.ascontiguousarray(ends, np.int64)
    n = len(starts)
    got = native.map_v1(data, starts, ends)
    cols: dict[str, pa.Array] = {
        "python": pa.Array.from_buffers(pa.bool_(), n, [None, pa.py_buffer(got["python"])]),
        # a delete notice: its post's id in ``id``, its time (or null) in ``created_at``
        "tombstone": pa.Array.from_buffers(pa.bool_(), n, [None, pa.py_buffer(got["tombstone"])]),
        "platform": pa.repeat(pa.scalar("twitter"), n),
    }
    for name in _STRINGS:
        cols[name] = _strings(n, got[name])
    for name in _INTS:
        cols[name] = _column(pa.int64(), n, got[name])
    cols["author_verified"] = _column(pa.bool_(), n, got["author_verified"])
    cols["created_at"] = _column(pa.timestamp("us"), n, got["created_at"])
    for name in _LISTS:
        cols[name] = _list(n, got[name])
    cols["conversation_id"] = pa.nulls(n, pa.string())
    cols["community"] = pa.nulls(n, pa.string())
    cols["source_format"] = pa.repeat(pa.scalar(NAME), n)
    return pa.table(cols)
