"""Any CSV or JSON-lines file, read with a mapping file (``tagscope ingest --map FILE``): forum scrapes.

The mapping (see :mod:`.mapping`) names which column is the id, the time (with its format and zone),
the text, the author, the community, what a post replies to, reposts or quotes, its links, and the
platform (a fixed name or a column). Each stored raw record is ``{"map": mapping, "row": row}``: the
row as read and the mapping it was read with, so ``remap`` and ``forget`` need nothing else; a file of
such records (JSON lines starting ``{"map":``) is this format's own, sniffed without ``--map``.

Traps handled: an empty cell is a null; an id the file holds as a JSON float is refused (its digits
are lost); a time without a zone is read in ``time_zone`` (default UTC); hashtags come from the text
unless a column is named; a mapping that names a column the CSV header lacks quarantines every row
with a message naming it (``tagscope ingest`` checks plain files before it starts).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import orjson

from ...post import new_post
from .. import csv_rows
from ..base import ParseError, Record, as_id, as_int, as_str, json_records, line_records, mapped, parse_option
from . import mapping, text
from .items import unix_time

NAME = "mapped"
PLATFORM = "exports"
HANDLE_KEYS: tuple[str, ...] = ()  # the columns are the user's: forget finds a row by its post's key
_EPOCH = datetime(1970, 1, 1)


def scrub(obj: Any, forgotten: Any) -> bool:
    """A mapped row is one post and embeds no copy of another: nothing to scrub."""
    return False


def sniff(head: bytes) -> bool:
    """This format's own stored records (``{"map": {...}, "row": ...}`` lines); a plain CSV or JSON
    file is read as mapped only with ``--map``."""
    return head.lstrip(b" \t\r\n\xef\xbb\xbf").startswith(b'{"map":{')


def records(stream: IO[bytes], source: str = "") -> Iterator[Record]:
    """The rows of a CSV or JSON-lines file, each with the mapping given (``--map``); without one,
    the stored ``{"map", "row"}`` records of a file of them."""
    m = parse_option("mapping")
    if m is None:
        return json_records(stream, source)
    tz = parse_option("tz")  # ingest --tz: the zone of times written without one, unless the mapping names it
    if tz and "time_zone" not in m:
        m = {**m, "time_zone": tz}
    if not hasattr(stream, "peek"):
        stream = io.BufferedReader(stream)  # type: ignore[arg-type]
    fmt = m.get("format") or ("jsonl" if stream.peek(64).lstrip(b" \t\r\n\xef\xbb\xbf")[:1] == b"{" else "csv")  # type: ignore[attr-defined]
    if fmt == "jsonl":
        return _json_rows(stream, m)
    return csv_rows.rows(stream, lambda row: {"map": m, "row": row}, delimiter=m.get("delimiter", ","),
                         header_check=lambda header: mapping.check_columns(m, header))


def _json_rows(stream: IO[bytes], m: dict[str, Any]) -> Iterator[Record]:
    if stream.peek(3)[:3] == b"\xef\xbb\xbf":  # type: ignore[attr-defined]  # a byte-order mark opens no record
        stream.read(3)
    for rec in line_records(stream, 1):
        if rec.error is not None:
            yield rec
            continue
        obj = {"map": m, "row": rec.obj}
        yield Record(rec.line, obj, orjson.dumps(obj))


def preflight(m: dict[str, Any], paths: list[str]) -> str | None:
    """What is wrong with reading the plain CSV files among PATHS with mapping M (None if nothing):
    checked before ingest starts, so a wrong column name is one clear error, not a quarantined file."""
    if m.get("format") == "jsonl":
        return None
    for p in paths:
        path = Path(p)
        if not path.is_file() or path.suffix.lower() not in (".csv", ".tsv", ".txt"):
            continue
        with open(path, "rb") as fh:
            first = next(iter(csv_rows.rows(fh, delimiter=m.get("delimiter", ","),
                                            header_check=lambda header: mapping.check_columns(m, header))), None)
        if first is not None and first.error is not None and first.error.startswith("the mapping names"):
            return f"{p}: {first.error}"
    return None


def parse(obj: Any) -> list[Any]:
    """The post of one mapped row."""
    if not isinstance(obj, dict) or not isinstance(obj.get("map"), dict) or not isinstance(obj.get("row"), dict):
        raise ParseError("not a mapped row ({\"map\": ..., \"row\": ...})")
    return mapped("mapped row", _parse, obj)


def _get(row: dict[str, Any], column: str | None) -> Any:
    """The value of COLUMN (a JSON-lines column may be a dotted path into nested objects); '' is None."""
    if column is None:
        return None
    if column in row:
        value = row[column]
    else:
        value = row
        for part in column.split("."):
            if not isinstance(value, dict) or part not in value:
                return None
            value = value[part]
    return None if value == "" else value


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _time(value: Any, fmt: str, zone: str | None, column: str) -> datetime:
    if value is None:
        raise ParseError(f"missing time (column {column!r})")
    try:
        if fmt == "unix":
            return unix_time(value, f"time (column {column!r})")
        if fmt == "unix_ms":
            return _EPOCH + timedelta(milliseconds=int(float(value)))
        s = str(value).strip()
        if fmt == "iso":
            dt = datetime.fromisoformat(s[:-1] + "+00:00" if s.endswith(("Z", "z")) else s)
        else:
            dt = datetime.strptime(s, fmt)
    except (ValueError, OverflowError, TypeError):
        raise ParseError(f"bad time {value!r} (column {column!r}, time_format {fmt!r})") from None
    if dt.tzinfo is None:
        if not zone:
            return dt
        dt = dt.replace(tzinfo=_zone(zone))
    return dt.astimezone(UTC).replace(tzinfo=None)


def _list(value: Any, sep: str) -> list[str] | None:
    return None if value is None else text.split_list(value, sep)


def _parse(obj: dict[str, Any]) -> list[Any]:
    m, row = obj["map"], obj["row"]
    col = m  # a column key names its column in the mapping itself (mapping.COLUMN_KEYS)
    pid = as_id(_get(row, col["id"]))
    if not pid:
        raise ParseError(f"missing id (column {col['id']!r})")
    platform = as_str(m.get("platform")) or as_str(_get(row, col.get("platform_column")))
    if not platform:
        raise ParseError(f"missing platform (column {col.get('platform_column')!r})")
    created = _time(_get(row, col["time"]), m.get("time_format", "iso"), m.get("time_zone"), col["time"])
    body = as_str(_get(row, col.get("text")))
    author = as_str(_get(row, col.get("author")))
    sep = m.get("list_separator", ",")
    reply_to, repost_of, quote_of = (as_str(_get(row, col.get(k))) for k in ("reply_to", "repost_of", "quote_of"))
    kind = "repost" if repost_of else "quote" if quote_of else "reply" if reply_to else "original"
    post = new_post(
        platform=platform.strip().lower(), id=pid, author_id=as_str(_get(row, col.get("author_id"))) or author,
        author_handle=author.lstrip("@") if author else None, author_name=as_str(_get(row, col.get("author_name"))),
        created_at=created, text=body, lang=as_str(_get(row, col.get("lang"))), kind=kind, reply_to_id=reply_to,
        repost_of_id=repost_of, quote_of_id=quote_of, conversation_id=as_str(_get(row, col.get("conversation"))),
        community=as_str(_get(row, col.get("community"))), like_count=as_int(_get(row, col.get("likes"))),
        repost_count=as_int(_get(row, col.get("reposts"))), reply_count=as_int(_get(row, col.get("replies"))),
        quote_count=as_int(_get(row, col.get("quotes"))), source_format=NAME)
    # A named list column is the whole list (empty: none); without one, the text says.
    tags = (_list(_get(row, col["hashtags"]), sep) or []) if "hashtags" in col else None
    mentions = [x.lstrip("@") for x in _list(_get(row, col["mentions"]), sep) or []] if "mentions" in col else None
    post.update(text.links(body, tags_given=tags, mentions_given=mentions,
                           urls_given=_list(_get(row, col.get("urls")), sep) or []))
    return [post]
