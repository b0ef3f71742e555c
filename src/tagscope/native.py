"""``tagscope._native``, the C++ parts of ingest (native/), or None where it was not built.

setup.py compiles it when the package is installed, if a C++17 compiler is there; everything it does
has a Python (or DuckDB) path beside it, and TAGSCOPE_NATIVE=0 turns it off.
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import Any

import numpy as np
import pyarrow as pa

native: ModuleType | None
try:
    from . import _native as native  # type: ignore[attr-defined,no-redef]
except ImportError:
    native = None
if os.environ.get("TAGSCOPE_NATIVE", "1") == "0":
    native = None

# The columns a native mapping returns, by type: Arrow buffers (validity bitmap, offsets, bytes).
STRINGS = ("id", "author_id", "author_handle", "author_name", "author_bio", "text", "lang", "kind", "reply_to_id",
           "reply_to_user_id", "quote_of_id", "repost_of_id", "repost_of_author", "rt_head", "conversation_id",
           "platform", "tombstone", "raw")
INTS = ("author_followers", "like_count", "repost_count", "reply_count", "quote_count", "line", "pos")
LISTS = ("tags0", "mentions0", "urls0")


def _strings(n: int, buffers: tuple[bytes, bytes, bytes], typ: pa.DataType) -> pa.Array:
    valid, offsets, data = buffers
    return pa.Array.from_buffers(typ, n, [pa.py_buffer(valid), pa.py_buffer(offsets), pa.py_buffer(data)])


def _list(n: int, buffers: tuple[bytes, tuple[bytes, bytes, bytes]]) -> pa.Array:
    offsets, items = buffers
    values = _strings(int(np.frombuffer(offsets, np.int32)[-1]), items, pa.string())
    return pa.ListArray.from_arrays(pa.Array.from_buffers(pa.int32(), n + 1, [None, pa.py_buffer(offsets)]), values)


def columns(got: dict[str, Any], n: int) -> dict[str, pa.Array]:
    """The Arrow arrays of a native mapping's N rows (each column its buffers, as the C++ wrote them)."""
    cols: dict[str, pa.Array] = {}
    for name, buffers in got.items():
        if name == "python" or (name == "tombstone" and isinstance(buffers, bytes)):
            cols[name] = pa.Array.from_buffers(pa.bool_(), n, [None, pa.py_buffer(buffers)])
        elif name in STRINGS:
            cols[name] = _strings(n, buffers, pa.binary() if name == "raw" else pa.string())
        elif name in INTS or name == "created_at":
            typ = pa.timestamp("us") if name == "created_at" else pa.int64()
            cols[name] = pa.Array.from_buffers(typ, n, [pa.py_buffer(buffers[0]), pa.py_buffer(buffers[1])])
        elif name == "author_verified":
            cols[name] = pa.Array.from_buffers(pa.bool_(), n, [pa.py_buffer(buffers[0]), pa.py_buffer(buffers[1])])
        elif name in LISTS:
            cols[name] = _list(n, buffers)
        else:
            raise ValueError(f"unknown native column {name!r}")
    return cols


def table(method: str, data: bytes | bytearray, starts: np.ndarray, ends: np.ndarray,
          constants: dict[str, pa.Scalar]) -> pa.Table:
    """The rows native.METHOD maps from the lines [starts[i], ends[i]) of DATA, with CONSTANTS (a value,
    or a typed null, for every row) beside its columns."""
    if native is None:
        raise RuntimeError("tagscope._native is not built")
    got = getattr(native, method)(data, np.ascontiguousarray(starts, np.int64), np.ascontiguousarray(ends, np.int64))
    n = len(got["created_at"][1]) // 8  # every mapping returns created_at: 8 bytes a row
    cols = columns(got, n)
    for name, value in constants.items():
        cols[name] = pa.repeat(value, n)
    return pa.table(cols)
