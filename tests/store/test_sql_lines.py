"""store.sql_lines.Lines: the line numbers and raw bytes that the fast paths pair with mapped rows.

Each case runs twice: with the C++ line scanner (tagscope._native) and with the numpy one."""

from __future__ import annotations

from unittest import mock

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tagscope.native import native
from tagscope.store import sql_lines
from tagscope.store.sql_lines import Lines, count_breaks, line_breaks

SCANNERS = [native, None]


def test_the_native_scanner_is_built() -> None:
    assert native is not None, "tagscope._native is not built: pip install -e . compiles it"

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
    for scanner in SCANNERS:
        with mock.patch.object(sql_lines, "native", scanner):
            got = Lines(block, first)
        want = expected(data, first)
        assert got.numbers.tolist() == [n for n, _ in want]
        raw = got.raw(np.arange(len(got)))
        # Views (short values inline, long ones pointing into the block) read back as the lines' bytes.
        assert raw.to_pylist() == [b for _, b in want]
        some = np.arange(len(got))[::2]
        assert got.raw(some).to_pylist() == [want[i][1] for i in some]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600_000).map(lambda b: b.replace(b"\x00", b"\n")))
@example(np.random.default_rng(7).integers(0, 40, 700_000, dtype=np.uint8).tobytes().replace(b"\x00", b"\n"))
def test_line_breaks_and_count_agree_with_bytes(data: bytes) -> None:
    """The break scans span numpy's 256 KiB slices: drawn blocks reach past two of them."""
    assert line_breaks(data).tolist() == [i for i, c in enumerate(data) if c == 10]
    assert line_breaks(memoryview(data)).tolist() == line_breaks(data).tolist()  # a mapped file's block
    for scanner in SCANNERS:
        with mock.patch.object(sql_lines, "native", scanner):
            assert count_breaks(data) == count_breaks(bytearray(data)) == data.count(b"\n")
