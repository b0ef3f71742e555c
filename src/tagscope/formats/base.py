"""What every format shares: the record type, the parse errors, JSON record readers, value coercions.

The contract a format keeps is in :mod:`tagscope.formats.contract`.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import IO, Any

import orjson

from ..times import to_utc

# What the user says of one ingest run that the files do not say themselves, the one way a format
# hears it: ``tz`` (the zone of times a file writes without one), ``platform`` (of an export naming
# none), ``mapping`` (a checked ``--map`` file), ``include_private``. A reader that uses one writes it
# into its raw records, so a remap, which runs without options, reads each record as the ingest did.
_OPTIONS: ContextVar[Mapping[str, Any]] = ContextVar("tagscope_parse_options", default=MappingProxyType({}))

# ``include_private`` is read by ``parse``, which also runs in the ingest's worker processes: they
# inherit the environment, not context variables, so that option is carried there as well.
INCLUDE_PRIVATE_ENV = "TAGSCOPE_INCLUDE_PRIVATE"


def parse_option(name: str) -> Any:
    """The value of the ingest option NAME for this run (None when not given)."""
    return _OPTIONS.get().get(name)


@contextmanager
def parse_options(**values: Any) -> Iterator[None]:
    """Run the block with these ingest options added to those already given (None values are left out)."""
    given = {k: v for k, v in values.items() if v is not None}
    token = _OPTIONS.set(MappingProxyType({**_OPTIONS.get(), **given}))
    before = os.environ.get(INCLUDE_PRIVATE_ENV)
    if "include_private" in given:
        os.environ[INCLUDE_PRIVATE_ENV] = "1" if given["include_private"] else "0"
    try:
        yield
    finally:
        _OPTIONS.reset(token)
        if "include_private" in given:
            if before is None:
                os.environ.pop(INCLUDE_PRIVATE_ENV, None)
            else:
                os.environ[INCLUDE_PRIVATE_ENV] = before


class FormatWarning(UserWarning):
    """A format read its input with a gap the user should know of (issued once per input, not per
    record): ``tagscope ingest`` prints it; a library caller sees it as a Python warning."""


class ParseError(ValueError):
    """A record that cannot be mapped to a post; the message is the quarantine reason."""


# What mapping a malformed record raises (a wrong type, a missing key, an absurd number, nesting too
# deep): the record is quarantined with the error, never the run stopped.
MAPPING_ERRORS: tuple[type[Exception], ...] = (
    TypeError, AttributeError, KeyError, ValueError, IndexError, OverflowError, RecursionError)


def cannot_map(what: str, exc: BaseException) -> str:
    """The quarantine reason of WHAT (a record, or one post of it) whose mapping raised EXC."""
    return f"cannot map {what}: {type(exc).__name__}: {exc}"


def mapped(what: str, fn: Callable[[Any], list[Any]], obj: Any,
           errors: tuple[type[Exception], ...] = MAPPING_ERRORS) -> list[Any]:
    """FN(OBJ), with a mapping error turned into the ParseError (quarantine reason) naming WHAT."""
    try:
        return fn(obj)
    except ParseError:
        raise
    except errors as exc:
        raise ParseError(cannot_map(what, exc)) from exc


# What a cut-off or corrupt file or zip member raises as it is read: a truncated deflate or gzip stream
# (EOFError, zlib.error; BadGzipFile is an OSError), a bad CRC (BadZipFile). store/sources adds the
# other decompressors' errors.
READ_ERRORS: tuple[type[Exception], ...] = (EOFError, OSError, zlib.error, zipfile.BadZipFile)


@dataclass(slots=True)
class Skipped:
    """A post ``parse`` leaves out on purpose (a Mastodon direct message): not stored, not quarantined,
    counted in the ingest summary's ``skipped`` under REASON, so nothing is lost silently."""

    reason: str


def include_private() -> bool:
    """Whether this run keeps what formats skip for privacy (``ingest --include-private``)."""
    return os.environ.get(INCLUDE_PRIVATE_ENV) == "1"


@dataclass(slots=True)
class Rejected:
    """A malformed part of a record that holds several posts (a tweet of a v2 page): ``parse`` returns
    it beside the record's good posts, so it alone is quarantined (with the record's line, REASON and
    RAW) instead of the whole record and every good post in it."""

    reason: str
    raw: bytes


@dataclass(slots=True)
class Record:
    """One raw input record: its position, its decoded value (or the error), its bytes."""

    line: int
    obj: Any
    raw: bytes
    error: str | None = None


def _first_non_space(data: bytes) -> int:
    for b in data:
        if b not in b" \t\r\n\xef\xbb\xbf":
            return b
    return -1


def json_records(stream: IO[bytes], source: str = "") -> Iterator[Record]:
    """Records of a JSON-lines file, or of a whole JSON document when the file is one.

    A file whose first line is not a complete JSON value but whose first character opens an
    array or object is read as a single document (pretty-printed API responses); an array
    yields one record per element, numbered from 1.
    """
    first = stream.readline()
    while first and not first.strip():
        first = stream.readline()
    if not first:
        return
    try:
        obj = orjson.loads(first)
        single_line = True
    except orjson.JSONDecodeError:
        single_line = False
    if not single_line and _first_non_space(first) in (ord("["), ord("{")):
        data = first + stream.read()
        try:
            doc = orjson.loads(data)
        except orjson.JSONDecodeError:
            # Not one document: JSON lines whose first line is broken.
            yield from line_records(data.split(b"\n"), 1)
            return
        if isinstance(doc, list):
            yield from _array_records(doc)
        else:
            yield Record(1, doc, data)
        return
    if single_line and isinstance(obj, list):
        rest = stream.read()
        if not rest.strip():
            yield from _array_records(obj)
            return
        yield Record(1, obj, first)
        yield from line_records(rest.splitlines(keepends=False), 2)
        return
    yield from line_records(_chain_first(first, stream), 1)


def _chain_first(first: bytes, stream: IO[bytes]) -> Iterator[bytes]:
    yield first
    yield from stream


def line_records(lines: Any, start: int) -> Iterator[Record]:
    for lineno, line in enumerate(lines, start):
        if not line.strip():
            continue
        line = line.rstrip(b"\r\n")
        try:
            yield Record(lineno, orjson.loads(line), line)
        except orjson.JSONDecodeError as exc:
            yield Record(lineno, None, line, f"invalid JSON: {exc}")


def document_records(data: bytes) -> Iterator[Record]:
    """Records of one JSON document (a whole file)."""
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        yield Record(1, None, data[:65536], f"invalid JSON document: {exc}")
        return
    if isinstance(obj, list):
        yield from _array_records(obj)
    else:
        yield Record(1, obj, data)


def _array_records(items: list[Any]) -> Iterator[Record]:
    for i, item in enumerate(items, 1):
        yield Record(i, item, orjson.dumps(item))


def require(obj: Any, *path: str) -> Any:
    """obj[path...], or a ParseError naming the missing field."""
    cur = obj
    for key in path:
        if not isinstance(cur, dict) or cur.get(key) in (None, ""):
            raise ParseError(f"missing {'.'.join(path)}")
        cur = cur[key]
    return cur


def as_int(value: Any) -> int | None:
    """An integer from an int, float or numeric string (archives store counts as strings)."""
    if value.__class__ is int:  # the common case first
        return value if -(2**63) <= value < 2**63 else None
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        n = int(value)
    except (TypeError, ValueError):
        try:
            n = int(float(value))
        except (TypeError, ValueError, OverflowError):
            return None
    return n if -(2**63) <= n < 2**63 else None  # the store's columns are int64


def as_str(value: Any) -> str | None:
    """A non-empty string or None (numbers become their decimal string)."""
    if value.__class__ is str:  # the common case first
        return value or None
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    s = str(value)
    return s if s else None


def as_id(value: Any) -> str | None:
    """A post id as ``as_str`` gives it; a JSON float (``"id": 8.7e+17``) raises ParseError: the double
    has lost the id's last digits, and stored as its text it would merge different posts into one."""
    if value.__class__ is float:
        raise ParseError("id is not an integer")
    return as_str(value)


def parse_iso(value: Any) -> datetime:
    """An ISO-8601 time ('2021-09-22T16:37:29.000Z', any offset) as a naive UTC datetime."""
    if not isinstance(value, str):
        raise ParseError(f"bad created_at: {value!r}")
    try:
        if value.endswith("Z"):
            # The common case, once per post: already UTC, parsed naive (5x faster than times.to_utc).
            return datetime.fromisoformat(value[:-1])
        return to_utc(value)  # type: ignore[return-value]
    except ValueError as exc:
        raise ParseError(f"bad created_at: {value!r}") from exc


def id_after(tag: Any, sep: str = ":") -> str | None:
    """The id at the end of 'tag:search.twitter.com,2005:NNN' or '.../statuses/NNN' (None if not digits)."""
    if not isinstance(tag, str):
        return None
    tail = tag.rsplit(sep, 1)[-1]
    return tail if tail.isdigit() else None


def is_media_link(url: str) -> bool:
    """A link to a tweet's own photo or video ('pic.twitter.com/...', '.../status/N/photo/1').

    v1.1 lists media apart from links (``entities.media``); v2 and twarc-csv mix them into the URLs.
    Dropping them keeps ``urls`` the same whatever format a tweet came from.
    """
    if url.startswith(("pic.twitter.com/", "https://pic.twitter.com/", "http://pic.twitter.com/")):
        return True
    return "/status/" in url and ("/photo/" in url or "/video/" in url) and ("twitter.com/" in url or "x.com/" in url)
