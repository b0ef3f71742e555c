"""The contract every input format keeps, and every platform folder that holds formats.

A **format** is a plain module (millions of records go through it: module functions are the cheapest
thing to call) under ``formats/<platform>/``. It declares:

- ``NAME``: its name (``--format NAME``), the ``source_format`` of its posts and raw records;
- ``PLATFORM``: the platform its posts live on (the ``platform`` of every post and tombstone);
- ``sniff(head: bytes) -> bool``: whether a file's first bytes (up to 64 KiB) look like this format;
  it must reject every other registered format's files (tests/formats/test_sniff.py checks the matrix);
- ``parse(obj) -> list[post dict | Tombstone | Rejected | Skipped | Handle]``: pure, from one raw record
  (a decoded JSON value) to posts (dicts made like :func:`tagscope.post.new_post`), tombstones, the
  rejected parts of a record that holds several posts, posts left out on purpose (``Skipped``, counted by
  reason) and accounts' handles from records that are no posts (``Handle``, the ``handles`` table); it raises nothing but :class:`ParseError` (the quarantine
  reason) on any JSON value. A post may carry ``"_raw"`` (bytes): its own self-contained raw record
  when one input record holds several posts; otherwise the input record is kept;
- ``scrub(obj, forgotten: Forgotten) -> bool``: remove, in place, the embedded copies of forgotten
  posts and accounts from one of its raw records (a quote's copy of the quoted post, the users a page
  includes...), and say whether anything changed. The record's own post is not scrubbed: ``forget``
  drops the records of forgotten posts whole. Mandatory: a format without it is refused at
  registration, since a raw record nobody can scrub would keep a forgotten person's words;
- ``HANDLE_KEYS`` (optional, default none): the JSON keys under which its raw records name an
  account's handle; ``forget`` finds the records to scrub by these (and by ids), so a handle that is
  only a word of someone's text does not make every record a candidate.

Splitting a source into raw records, each with its position (``Record.line``: a line, a row, or the
record's number in a document), is :func:`tagscope.formats.base.json_records` unless the format has:

- ``records(stream, source) -> Iterator[Record]`` for files that are not JSON lines or documents;
- ``claims_path(path) -> bool`` and ``path_records(path, root=None) -> Iterator[Record]`` for inputs
  read as a whole (a folder, a zip), and ``zip_roots(names) -> list[str]`` for such inputs found
  inside a larger zip.

A stored raw record is one JSON value (``Record.raw``, or a post's ``_raw``): ``tagscope remap`` parses
it again alone, and ``forget`` decodes it to scrub it.

A format may state its JSON-lines mapping in SQL for ingest's fast path: ``SQL_MAPPING`` names a
module of its folder (``".v1_sql"``) keeping :class:`SqlMapping`. That module is text and Arrow only:
the store opens the DuckDB connection, runs ``MACROS`` on it, then ``query()`` per block.

A **platform folder** (``formats/<platform>/__init__.py``) declares ``PLATFORM``, ``FORMATS`` (its
format modules in sniffing order, the most specific first) and, optionally, ``merge(old, new) -> bool``:
a platform's own rule for merging a later copy of a post into the known one, run before the neutral
rule of :func:`tagscope.post.merge_fields` (Twitter's: a full text completes a compat-mode cut one).
The registry (``formats/__init__.py``) finds the folders by themselves: adding a platform touches no
list outside its folder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Protocol

import pyarrow as pa

# What a format module must define; the registry refuses one that lacks any.
REQUIRED = ("NAME", "PLATFORM", "sniff", "parse", "scrub")


@dataclass(frozen=True)
class Forgotten:
    """What ``forget`` removed and later records must not carry copies of: post ids, account ids,
    and handles (lower-case, without ``@``)."""

    ids: frozenset[str] = field(default_factory=frozenset)
    accounts: frozenset[str] = field(default_factory=frozenset)
    handles: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, ids: Iterable[str] = (), accounts: Iterable[str] = (), handles: Iterable[str] = ()) -> Forgotten:
        return cls(frozenset(ids), frozenset(accounts), frozenset(handles))

    def __bool__(self) -> bool:
        return bool(self.ids or self.accounts or self.handles)


class Format(Protocol):
    """What a format module provides (see the module docstring); modules satisfy it structurally."""

    NAME: str
    PLATFORM: str

    def sniff(self, head: bytes) -> bool: ...

    def parse(self, obj: Any) -> list[Any]: ...

    def scrub(self, obj: Any, forgotten: Forgotten) -> bool: ...


class SqlMapping(Protocol):
    """A format's JSON-lines mapping in SQL (ingest's fast path; see store/sql_lines.py)."""

    BLOCK_BYTES: int  # bytes of lines per query
    MACROS: str  # run once on each connection
    NATIVE: ModuleType | None  # the same mapping in C++ (``ENABLED``, ``map_lines``, ``finish``), if any
    finish: Callable[[pa.Table], pa.Table] | None  # what is completed in Arrow after the query

    def query(self) -> str: ...


def check(mod: ModuleType) -> ModuleType:
    """MOD, or a TypeError naming what it lacks of the contract."""
    missing = [name for name in REQUIRED if not hasattr(mod, name)]
    if missing:
        raise TypeError(f"format module {mod.__name__} lacks {', '.join(missing)} (see tagscope.formats.contract)")
    return mod
