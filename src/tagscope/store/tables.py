"""Arrow schemas of the store's side tables, and building Arrow tables from row dicts."""

from __future__ import annotations

import itertools
import operator
from array import array
from typing import Any

import pyarrow as pa

from ..post import POST_SCHEMA

RAW_SCHEMA = pa.schema(
    [
        ("platform", pa.string()),
        ("id", pa.string()),
        ("source_format", pa.string()),
        ("source_file", pa.string()),
        ("source_line", pa.int64()),
        # Views: ingest's fast path points into the block it read instead of copying every record.
        ("raw", pa.binary_view()),
    ]
)

TOMBSTONE_SCHEMA = pa.schema(
    [
        ("platform", pa.string()),
        ("id", pa.string()),
        ("reason", pa.string()),
        ("at", pa.timestamp("us")),
        ("source_file", pa.string()),
        ("source_line", pa.int64()),
    ]
)

QUARANTINE_SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("source_line", pa.int64()),
        ("source_format", pa.string()),
        ("reason", pa.string()),
        ("raw", pa.string()),
    ]
)

SCHEMAS = {"posts": POST_SCHEMA, "raw": RAW_SCHEMA, "tombstones": TOMBSTONE_SCHEMA, "quarantine": QUARANTINE_SCHEMA}


def binary_array(values: list[bytes]) -> pa.Array:
    """A binary column from one joined buffer and offsets: ~20x faster than pa.array for big values."""
    offsets = [0, *itertools.accumulate(map(len, values))]
    if offsets[-1] >= 2**31:
        return pa.array(values, pa.large_binary()).cast(pa.binary())
    return pa.Array.from_buffers(
        pa.binary(), len(values), [None, pa.py_buffer(array("i", offsets)), pa.py_buffer(b"".join(values))]
    )


def to_table(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """Column-wise build (much faster than from_pylist for wide rows)."""
    try:
        getter = operator.itemgetter(*schema.names)
        columns = list(zip(*map(getter, rows), strict=True)) if rows else [() for _ in schema.names]
    except KeyError:
        columns = [[r.get(name) for r in rows] for name in schema.names]
    arrays = []
    for f, col in zip(schema, columns, strict=True):
        col = list(col)
        if f.type in (pa.binary(), pa.binary_view()) and None not in col:
            arrays.append(binary_array(col).cast(f.type))
        else:
            arrays.append(pa.array(col, type=f.type))
    return pa.Table.from_arrays(arrays, schema=schema)
