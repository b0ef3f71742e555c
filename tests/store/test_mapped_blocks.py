"""ingest._mapped_blocks: a plain file's blocks mapped instead of read, the same lines as _blocks reads."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tagscope.formats.twitter import v1_native as twitter_v1_native
from tagscope.store import Store, ingest, sql_lines
from tagscope.store.sources import Unit, open_sniffed, regular_fd
from tweetfactory import delete_notice, tweet, write_jsonl

lines = st.lists(st.one_of(st.just(b""), st.just(b"  "), st.binary(max_size=9000).map(lambda b: b.replace(b"\n", b"x"))),
                 max_size=30)


def _blocks_of(path: Path, offset: int, size: int) -> list[tuple[bytes, int]]:
    fd = os.open(path, os.O_RDONLY)
    try:
        return [(bytes(b), n) for b, n in ingest._mapped_blocks(fd, offset, 7, size)]
    finally:
        os.close(fd)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=lines, lead=st.integers(0, 5000), size=st.sampled_from([64, 4096, 5000, 1 << 16]), end=st.booleans())
def test_blocks_cover_the_file_in_whole_lines_numbered_from_the_first(tmp_path: Path, lines: list[bytes], lead: int,
                                                                     size: int, end: bool) -> None:
    """Every byte after OFFSET once, in order; blocks end at a line break (but the file's last line);
    each block's number is that of its first line; lines longer than a block stay whole."""
    body = b"\n".join(lines) + (b"\n" if end and lines else b"")
    path = tmp_path / "f.jsonl"
    path.write_bytes(b"h" * lead + body)
    blocks = _blocks_of(path, lead, size)
    assert b"".join(b for b, _ in blocks) == body
    seen = 0
    for i, (block, number) in enumerate(blocks):
        assert number == 7 + body[:seen].count(b"\n")
        assert block and (block.endswith(b"\n") or i == len(blocks) - 1)
        seen += len(block)


def test_only_plain_regular_files_are_mapped(tmp_path: Path) -> None:
    plain = write_jsonl(tmp_path / "a.jsonl", [tweet("1")])
    _, stream = open_sniffed(Unit(str(plain), lambda: open(plain, "rb")))  # noqa: SIM115 (closed below)
    assert regular_fd(stream) is not None
    stream.close()
    _, stream = open_sniffed(Unit("-", lambda: io.BufferedReader(io.BytesIO(plain.read_bytes()))))  # type: ignore[arg-type]
    assert regular_fd(stream) is None


@pytest.mark.parametrize("mapped", [True, False], ids=["mapped", "read"])
def test_a_mapped_file_ingests_as_a_read_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mapped: bool) -> None:
    """Small blocks, a blank first line, a bad line, a notice and a last line without a break."""
    monkeypatch.setattr(ingest, "MAP_FILES", mapped)
    monkeypatch.setattr(ingest, "SQL_BLOCK_BYTES", 300)
    records = [tweet(str(i), "#YesAllWomen " + "x" * (i * 40)) for i in range(1, 25)] + [delete_notice("3")]
    path = write_jsonl(tmp_path / "a.jsonl", records)
    path.write_bytes(b"\n" + path.read_bytes().replace(b"\n", b"\n{bad\n", 1).rstrip(b"\n"))
    store = Store(tmp_path / f"s-{mapped}")
    summary = store.ingest([str(path)])
    assert (summary["ingested"], summary["quarantined"], summary["deleted"]) == (23, 1, 1)
    assert store.sql("SELECT source_line FROM quarantine").column(0).to_pylist() == [3]
    got = store.sql("SELECT id, source_line, text FROM posts ORDER BY source_line").to_pylist()
    assert [r["source_line"] for r in got] == [2, 4, *range(6, 27)] and got[-1]["id"] == "24"  # 3 deleted
    raw = store.sql("SELECT raw FROM raw WHERE id = '24'").column(0).to_pylist()[0]
    assert raw == path.read_bytes().split(b"\n")[25]


def test_a_mapped_file_ingests_without_the_native_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where tagscope._native is not built (or TAGSCOPE_NATIVE=0), DuckDB maps the blocks and numpy finds
    their lines: a mapped block is a memoryview, which has no ``find`` (it crashed every plain file)."""
    monkeypatch.setattr(sql_lines, "native", None)
    monkeypatch.setattr(twitter_v1_native, "ENABLED", False)
    monkeypatch.setattr(ingest, "MAP_FILES", True)
    path = write_jsonl(tmp_path / "a.jsonl", [tweet(str(i), f"#YesAllWomen {i}") for i in range(1, 6)]
                       + [delete_notice("3")])
    path.write_bytes(path.read_bytes() + b"{cut")
    store = Store(tmp_path / "s")
    summary = store.ingest([str(path)])
    assert (summary["ingested"], summary["quarantined"], summary["deleted"]) == (4, 1, 1)
    assert store.sql("SELECT id FROM posts ORDER BY source_line").column(0).to_pylist() == ["1", "2", "4", "5"]
    assert store.sql("SELECT source_line FROM quarantine").column(0).to_pylist() == [7]
