"""CSV rows as raw records: one ``{column: cell}`` object per row, with its first physical line.

Shared by the CSV formats (twarc-csv, 4CAT's CSV, mapped CSV files). A row of the wrong width, or a file the csv module cannot
read, becomes a record with an error (quarantined with its file and line); the rest of the file goes on.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Iterator
from typing import IO, Any

import orjson

from .base import Record

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def rows(stream: IO[bytes], extra: Callable[[dict[str, Any]], dict[str, Any]] = lambda row: row,
         delimiter: str = ",", header_check: Callable[[list[str]], str | None] = lambda header: None) -> Iterator[Record]:
    """The records of a CSV stream; EXTRA turns a row into the stored record (adds what the user
    gave); HEADER_CHECK names what the header lacks (then every row is an error saying so)."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    try:
        yield from _rows(csv.reader(text, delimiter=delimiter), extra, header_check)
    finally:
        text.detach()  # the caller owns (and closes) the byte stream


def _rows(reader: Any, extra: Callable[[dict[str, Any]], dict[str, Any]],
          header_check: Callable[[list[str]], str | None]) -> Iterator[Record]:
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        yield Record(1, None, b"", f"unreadable CSV header: {exc}")
        return
    width = len(header)
    problem = header_check(header)
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield Record(line, None, b"", f"malformed CSV row: {exc}")
            line = reader.line_num + 1
            continue
        start, line = line, reader.line_num + 1
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if problem:
            yield Record(start, None, orjson.dumps(row), problem)
            continue
        if len(row) != width:
            yield Record(start, None, orjson.dumps(row), f"malformed CSV row: {len(row)} fields where the header has {width}")
            continue
        obj = extra(dict(zip(header, row, strict=True)))
        yield Record(start, obj, orjson.dumps(obj))
