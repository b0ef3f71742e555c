"""twarc2 response pages mapped in C++ (``tagscope._native.map_v2``, native/v2map.cpp, over simdjson).

Where the module is built, ``store.sql_lines`` maps v2 blocks with it instead of DuckDB: rows of (line,
position) as ``v2_sql.query()`` gives them, each post with its raw record already written (the
tweet and the includes it references, byte for byte what ``v2`` writes), a line it does not
vouch for as one ``python`` row. TAGSCOPE_NATIVE=0 turns it off.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from ... import native as _native
from .. import list_columns
from .v2 import NAME

ENABLED = _native.native is not None
native = _native.native

finish = list_columns.post_lists

# odd: a line with an odd tweet is a python row already
_CONSTANTS = {"odd": pa.scalar(None, pa.bool_()), "community": pa.scalar(None, pa.string()),
              "source_format": pa.scalar(NAME)}


def map_lines(data: bytes | bytearray, starts: np.ndarray, ends: np.ndarray) -> pa.Table:
    """The rows of the lines [starts[i], ends[i]) of DATA, in (line, position) order."""
    return _native.table("map_v2", data, starts, ends, _CONSTANTS)
