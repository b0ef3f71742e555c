"""JSON lines mapped in C++ or by DuckDB: the fast path of ingest for formats that state their mapping in SQL.

Where ``tagscope._native`` is built, a format's native mapping gives the query's rows straight from the
block (``Mapper``); otherwise:

A block of whole lines is written to a scratch file that DuckDB's JSON reader maps on both cores (the
format's ``SQL_MAPPING``, e.g. ``formats.twitter.v1_sql``: SQL text run on this module's own connections);
numpy finds the lines in the same bytes, so each mapped row gets its line number and its raw bytes.
Rows the SQL cannot vouch for, and any block the reader refuses (a record spread over several lines,
say), go to the format's Python parser: what is stored and quarantined does not depend on which path
read a line.
"""

from __future__ import annotations

import os
import tempfile
from types import ModuleType
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..formats.base import line_records
from ..native import native
from ..post import POST_SCHEMA
from .chunk import Chunk, dedup, parse_records
from .sql import spill_dir
from .tables import RAW_SCHEMA

_IS_SPACE = np.zeros(256, bool)
_IS_SPACE[list(b" \t\n\r\x0b\x0c")] = True  # what bytes.strip() strips


def line_breaks(data: bytes | bytearray | memoryview) -> np.ndarray:
    """Offsets of every b"\\n" in DATA.

    ``find`` (memchr) per line: 3x faster than a regex scan on lines of tweets (kilobytes), and
    without numpy's block-sized temporaries, whose page faults cost more than the scan. A memoryview
    (a block of a mapped file, ``ingest._mapped_blocks``) has no ``find``: numpy scans it instead."""
    if isinstance(data, memoryview):
        return np.flatnonzero(np.frombuffer(data, np.uint8) == 10).astype(np.int64)
    out = []
    at = data.find(b"\n")
    while at >= 0:
        out.append(at)
        at = data.find(b"\n", at + 1)
    return np.array(out, np.int64)


def count_breaks(data: bytes | bytearray) -> int:
    """How many b"\\n" DATA holds: numpy over cache-sized slices, 2.5x faster than bytes.count (native:
    without the GIL, which ingest's reading thread holds here otherwise)."""
    if native is not None:
        return int(native.count_lines(data))
    buf = np.frombuffer(data, np.uint8)
    step = 1 << 18
    return sum(int(np.count_nonzero(buf[i:i + step] == 10)) for i in range(0, len(buf), step))


class Lines:
    """The non-blank lines of a block: their numbers and their bytes (without the line break)."""

    def __init__(self, data: bytes | bytearray | memoryview, first_line: int):
        self.data = data
        if native is not None:  # the same rules in C++, without the GIL
            starts, ends, numbers = native.line_spans(data, first_line)
            self.starts, self.ends = np.frombuffer(starts, np.int64), np.frombuffer(ends, np.int64)
            self.numbers = np.frombuffer(numbers, np.int64)
            return
        buf = np.frombuffer(data, np.uint8)
        breaks = line_breaks(data)
        starts = np.concatenate(([0], breaks + 1))
        ends = np.concatenate((breaks, [len(data)]))
        if starts[-1] == len(data):  # the block ends with a line break: no line after it
            starts, ends = starts[:-1], ends[:-1]
        numbers = np.arange(first_line, first_line + len(starts), dtype=np.int64)
        # A line is blank when bytes.strip() leaves nothing; almost every line opens with '{', and
        # only the others are looked at one by one.
        nonblank = (ends > starts) & ~_IS_SPACE[buf[np.minimum(starts, max(len(buf) - 1, 0))]]
        for i in np.flatnonzero(~nonblank & (ends > starts)):
            nonblank[i] = bool(data[starts[i]:ends[i]].strip())
        cr = (ends > starts) & (buf[np.maximum(ends - 1, 0)] == 13)
        ends = ends - cr
        self.starts, self.ends = starts[nonblank], ends[nonblank]
        self.numbers = numbers[nonblank]

    def __len__(self) -> int:
        return len(self.numbers)

    def raw(self, rows: np.ndarray) -> pa.Array:
        """The bytes of these lines (indices) as a binary view array over the block: no copy.

        The block (a bytearray) must not change afterwards; ``ingest._blocks`` yields a new one each time.
        """
        if not len(rows):
            return pa.array([], pa.binary_view())
        starts, lengths = self.starts[rows], self.ends[rows] - self.starts[rows]
        if len(self.data) >= 2**31:
            raise ValueError("block too large: lower TAGSCOPE_SQL_BLOCK_BYTES")
        # Arrow's view layout, 16 bytes a value: length, then up to 12 bytes inline, or else a 4-byte
        # prefix, buffer index 0 and the offset into the block.
        views = np.zeros((len(rows), 4), np.int32)
        views[:, 0] = lengths
        buf = np.frombuffer(self.data, np.uint8)
        prefix = np.zeros((len(rows), 4), np.uint8)
        for k in range(4):
            prefix[:, k] = buf[np.minimum(starts + k, len(buf) - 1)]
        views[:, 1] = prefix.view(np.int32)[:, 0]
        views[:, 3] = starts
        for i in np.flatnonzero(lengths <= 12):  # short values live inside the view
            inline = np.zeros(12, np.uint8)
            inline[: lengths[i]] = buf[starts[i]: starts[i] + lengths[i]]
            views[i, 1:] = inline.view(np.int32)
        return pa.Array.from_buffers(pa.binary_view(), len(rows),
                                     [None, pa.py_buffer(views), pa.py_buffer(self.data)])

    def line(self, i: int) -> bytes:
        return bytes(self.data[self.starts[i]:self.ends[i]])  # the block may be a view of a mapped file


def connect(sql_mod: ModuleType) -> duckdb.DuckDBPyConnection:
    """A private connection for one mapping thread, with the mapping's macros."""
    con = duckdb.connect()
    # No memory_limit here: a cap slowed the JSON reader twofold (measured); the block size bounds it.
    # One thread: ingest runs a connection per core on separate blocks, which parallelises better
    # than two threads on one block (measured).
    con.execute("SET threads = 1; SET preserve_insertion_order = true; SET enable_progress_bar = false; "
                f"SET temp_directory = '{spill_dir()}'")
    con.execute(sql_mod.MACROS)
    return con


class Mapper:
    """One DuckDB connection and scratch folder for a run of blocks of one format; or, where the format
    has a native mapping that is built (its SQL module's ``NATIVE``: ``formats.twitter.v1_native``,
    ``formats.twitter.v2_native``), that: the same rows from C++, no scratch file, no connection."""

    def __init__(self, sql_mod: ModuleType, scratch: str):
        self.sql = sql_mod
        native = getattr(sql_mod, "NATIVE", None)
        self.native: ModuleType | None = native if native is not None and native.ENABLED else None
        self.con: duckdb.DuckDBPyConnection | None = None if self.native else connect(sql_mod)
        self.scratch = scratch

    def map_block(self, data: bytes, first_line: int) -> tuple[Lines, pa.Table | None]:
        """The block's lines and the query's rows (None: the reader refused the block)."""
        lines = Lines(data, first_line)
        if self.native is not None:
            return lines, self.native.map_lines(data, lines.starts, lines.ends)
        fd, path = tempfile.mkstemp(suffix=".jsonl", dir=self.scratch)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            try:
                table = self.con.execute(self.sql.query(), [path]).to_arrow_table()
            except duckdb.Error:
                return lines, None
        finally:
            os.unlink(path)
        return lines, table

    def close(self) -> None:
        if self.con is not None:
            self.con.close()


def chunk(mapper: Mapper, mod: ModuleType, source: str, data: bytes, first_line: int) -> Chunk:
    """Parse one block of whole lines: mapped rows from DuckDB, the rest with the Python parser.

    A query gives either one row per line (v1.1: the raw record is the line) or, with a ``line``
    column, any number of rows per line and their own ``raw`` (v2 pages: a post per tweet)."""
    lines, table = mapper.map_block(data, first_line)
    finish = getattr(mapper.native or mapper.sql, "finish", None)  # what the format completes in Arrow (v2: raw records)
    if table is not None and finish is not None:
        table = finish(table)
    split = None if table is None else _split(lines, table)
    if split is None:
        return parse_records(mod, source, line_records(bytes(data).split(b"\n"), first_line))
    posts, fast_lines, raw, slow_lines, gone = split
    posts = posts.append_column("source_file", pa.array([source] * len(posts), pa.string()))
    posts = posts.append_column("source_line", pa.array(lines.numbers[fast_lines]))
    for f in POST_SCHEMA:  # fields a mapping has no source for (Twitter: no indexed time) are typed nulls
        if f.name not in posts.column_names:
            posts = posts.append_column(f, pa.nulls(len(posts), f.type))
    posts = posts.select(POST_SCHEMA.names).cast(POST_SCHEMA)
    raws = pa.table({
        "platform": posts.column("platform"), "id": posts.column("id"),
        "source_format": posts.column("source_format"), "source_file": posts.column("source_file"),
        "source_line": posts.column("source_line"), "raw": raw,
    }, schema=RAW_SCHEMA)
    # Runs of consecutive lines left to Python are parsed run by run: a post repeated on both paths
    # is then merged in line order, as the record-by-record parser merges it.
    runs = [parse_records(mod, source, (r for i in run for r in line_records([lines.line(i)], int(lines.numbers[i]))))
            for run in np.split(slow_lines, np.flatnonzero(np.diff(slow_lines) != 1) + 1) if len(run)]
    rest_posts = [c.posts for c in runs if len(c.posts)]
    if rest_posts:
        posts = pa.concat_tables([posts, *rest_posts])
        posts = posts.take(pc.sort_indices(posts, sort_keys=[("source_line", "ascending")]))  # a stable sort
        raws = pa.concat_tables([raws, *(c.raws for c in runs if len(c.raws))])
    posts, dups = dedup(posts)
    tombs = [{"platform": mod.PLATFORM if p is None else p, "id": i, "reason": r, "at": at, "source_file": source,
              "source_line": int(lines.numbers[k])} for k, p, i, r, at in gone]
    tombs = sorted(tombs + [t for c in runs for t in c.tombstones], key=lambda t: t["source_line"])  # stable
    skipped: dict[str, int] = {}
    for c in runs:
        for reason, n in c.skipped.items():
            skipped[reason] = skipped.get(reason, 0) + n
    return Chunk(posts, raws, tombs, [q for c in runs for q in c.quarantine], len(lines),
                 len(fast_lines) + sum(c.nposts for c in runs), dups + sum(c.duplicates for c in runs), skipped,
                 [h for c in runs for h in c.handles])


def _split(lines: Lines, table: pa.Table) -> tuple[pa.Table, np.ndarray, pa.Array, np.ndarray, list[tuple]] | None:
    """Mapped posts, the line index of each, their raw records, the lines left to Python, and the
    tombstones the query found (line index, platform, id, reason, time); None when the rows do not account
    for every line exactly (then the Python parser reads the block)."""
    if "line" in table.column_names:
        return _split_rows(lines, table)
    if len(table) != len(lines):  # one row per line (v1.1)
        return None
    python = pc.fill_null(table.column("python"), True).to_numpy(zero_copy_only=False)
    posts = table.drop_columns(["python"])
    tomb = np.zeros(len(python), bool)
    if "tombstone" in table.column_names:  # delete notices read by the native mapping
        tomb = table.column("tombstone").to_numpy(zero_copy_only=False) & ~python
        posts = posts.drop_columns(["tombstone"])
    skip = np.zeros(len(python), bool)
    if "skip" in table.column_names:  # lines that map to nothing (a Jetstream like, an identity event)
        skip = pc.fill_null(table.column("skip"), False).to_numpy(zero_copy_only=False) & ~python & ~tomb
        posts = posts.drop_columns(["skip"])
    gone = []
    if tomb.any():
        t = table.filter(pa.array(tomb))
        # A mapping may name each tombstone's reason (Reddit: deleted or removed); else a delete notice's.
        reasons = (t.column("tombstone_reason").to_pylist() if "tombstone_reason" in t.column_names
                   else ["deleted"] * len(t))
        gone = _tombstones(t, np.flatnonzero(tomb).tolist(), reasons, t.column("created_at").to_pylist())
    if "tombstone_reason" in posts.column_names:
        posts = posts.drop_columns(["tombstone_reason"])
    fast = np.flatnonzero(~python & ~tomb & ~skip)
    if len(fast) < len(posts):
        posts = posts.take(pa.array(fast))
    return posts, fast, lines.raw(fast), np.flatnonzero(python), gone


def _tombstones(t: pa.Table, line: list[int], reason: list[str], at: list[Any]) -> list[tuple]:
    """(line index, platform, id, reason, time) of the tombstone rows T."""
    return list(zip(line, t.column("platform").to_pylist(), t.column("id").to_pylist(), reason, at, strict=True))


def _split_rows(lines: Lines, table: pa.Table) -> tuple[pa.Table, np.ndarray, pa.Array, np.ndarray, list[tuple]] | None:
    """As :func:`_split`, for a query giving any number of rows per line, each with its own raw record."""
    line, pos = table.column("line").to_numpy(), table.column("pos").to_numpy()
    step = np.diff(line)
    if ((step < 0) | ((step == 0) & (np.diff(pos) < 0))).any():  # unless a format's finish() ordered them
        table = table.sort_by([("line", "ascending"), ("pos", "ascending")])
        line = table.column("line").to_numpy()
    if not np.array_equal(np.unique(line), np.arange(len(lines))):
        return None
    python = pc.fill_null(table.column("python"), True).to_numpy(zero_copy_only=False)
    # A line with an odd row (one the query cannot vouch for) goes to Python whole.
    odd = pc.fill_null(table.column("odd"), False).to_numpy(zero_copy_only=False)
    if odd.any():
        python |= np.isin(line, np.unique(line[odd]))
    tomb = table.column("tombstone").is_valid().to_numpy(zero_copy_only=False) & ~python
    gone = []
    if tomb.any():
        t = table.filter(pa.array(tomb))
        gone = _tombstones(t, t.column("line").to_pylist(), t.column("tombstone").to_pylist(), [None] * len(t))
    fast = np.flatnonzero(~python & ~tomb)
    posts = table.drop_columns(["python", "line", "raw", "pos", "tombstone", "odd"])
    raw = table.column("raw")
    if len(fast) < len(posts):
        posts, raw = posts.take(pa.array(fast)), raw.take(pa.array(fast))
    raw = raw.combine_chunks().cast(pa.binary()).cast(pa.binary_view())
    return posts, line[fast], raw, np.unique(line[python]), gone
