"""twarc2 response pages mapped in C++ (``tagscope._native.map_v2``, native/v2map.cpp, over simdjson).

Where the module is built, ``store.sql_lines`` maps v2 blocks with it instead of DuckDB: rows of (line,
position) as ``twitter_v2_sql.query()`` gives them, each post with its raw record already written (the
tweet and the includes it references, byte for byte what ``twitter_v2`` writes), a line it does not
vouch for as one ``python`` row. TAGSCOPE_NATIVE=0 turns it off.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..native import columns, native
from . import list_columns
from .twitter_v2 import NAME

ENABLED = native is not None

finish = list_columns.post_lists


def map_lines(data: bytes | bytearray, starts: np.ndarray, ends: np.ndarray) -> pa.Table:
    """The rows of the lines [starts[i], ends[i]) of DATA, in (line, position) order."""
    if native is None:
        raise RuntimeError("tagscope._native is not built")
    got = native.map_v2(data, np.ascontiguousarray(starts, np.int64), np.ascontiguousarray(ends, np.int64))
    n = len(got["line"][1]) // 8
    cols = columns(got, n)
    cols["odd"] = pa.nulls(n, pa.bool_())  # a line with an odd tweet is a python row already
    cols["community"] = pa.nulls(n, pa.string())
    cols["source_format"] = pa.repeat(pa.scalar(NAME), n)
    return pa.table(cols)
