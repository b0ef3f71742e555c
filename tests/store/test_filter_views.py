"""filter_views selects rows of tables with binary-view columns as a plain filter would."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from tagscope.store.tables import filter_views

values = st.lists(st.one_of(st.none(), st.binary(max_size=40)), max_size=30)


@settings(max_examples=60, deadline=None)
@given(chunks=st.lists(values, min_size=1, max_size=4), data=st.data())
def test_filter_views_matches_a_plain_filter(chunks: list[list[bytes | None]], data: st.DataObject) -> None:
    flat = [v for c in chunks for v in c]
    keep = data.draw(st.lists(st.booleans(), min_size=len(flat), max_size=len(flat)))
    raw = pa.chunked_array([pa.array(c, pa.binary_view()) for c in chunks], pa.binary_view())
    table = pa.table({"n": pa.array(range(len(flat)), pa.int64()), "raw": raw})
    got = filter_views(table, pa.array(keep, pa.bool_()))
    assert got.schema == table.schema
    assert got.to_pylist() == [row for row, k in zip(table.to_pylist(), keep, strict=True) if k]


def test_filter_views_keeps_pointing_into_the_block() -> None:
    block = pa.py_buffer(b"x" * 100)
    arr = pa.array([b"x" * 30, b"x" * 50], pa.binary_view())  # then rebuilt over BLOCK, as ingest does
    arr = pa.Array.from_buffers(pa.binary_view(), 2, [None, arr.buffers()[1], block])
    got = filter_views(pa.table({"raw": arr}), pa.array([False, True]))
    assert got.column("raw").chunk(0).buffers()[2].address == block.address  # no record was copied
    assert got.column("raw").to_pylist() == [b"x" * 50]
