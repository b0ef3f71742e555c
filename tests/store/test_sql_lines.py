"""store.sql_lines.Lines: the line numbers and raw bytes that the DuckDB path pairs with mapped rows."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tagscope.store.sql_lines import Lines

line_text = st.one_of(
    st.just(""), st.just("   "), st.just("\t"),
    st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")).map(lambda b: b.decode("latin-1")),
    st.text(alphabet=st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs",)), max_size=30),
)


def expected(data: bytes, first: int) -> list[tuple[int, bytes]]:
    """What the record-by-record reader sees: non-blank lines, CR of a CRLF removed, numbered."""
    out = []
    for i, line in enumerate(data.split(b"\n")):
        if line.endswith(b"\r"):
            line = line[:-1]
        if line.strip():
            out.append((first + i, line))
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(line_text, st.booleans()), max_size=30), st.booleans(), st.integers(1, 10**6))
def test_lines_and_raw_views_match_a_plain_split(lines, final_break, first):
    data = "".join(t + ("\r\n" if crlf else "\n") for t, crlf in lines).encode("utf-8")
    if not final_break and data.endswith(b"\n"):
        data = data[:-1]
    block = bytearray(data)
    got = Lines(block, first)
    want = expected(data, first)
    assert got.numbers.tolist() == [n for n, _ in want]
    raw = got.raw(np.arange(len(got)))
    # Views (short values inline, long ones pointing into the block) read back as the lines' bytes.
    assert raw.to_pylist() == [b for _, b in want]
    some = np.arange(len(got))[::2]
    assert got.raw(some).to_pylist() == [want[i][1] for i in some]
