"""The mapping file of ``tagscope ingest --map FILE``: which column of a CSV or JSON-lines file is what.

TOML (or JSON, when the file ends in ``.json``): one key per post field, naming a column; a JSON-lines
column may be a dotted path into nested objects (``user.name``). Example (docs/formats.md has the
rules)::

    platform = "forum"            # a fixed name, or: platform_column = "site"
    id = "post_id"                # required
    time = "posted"               # required
    time_format = "%d/%m/%Y %H:%M" # "iso" (default), "unix", "unix_ms", or a strptime pattern
    time_zone = "Europe/Paris"    # the zone of times written without one (default UTC)
    text = "message"
    author = "username"
    author_id = "user_id"         # default: the author column
    community = "board"
    reply_to = "parent_id"
    repost_of = "shared_id"
    quote_of = "quoted_id"
    conversation = "thread_id"
    urls = "links"                # a list column: JSON list, or values split on list_separator
    hashtags = "tags"             # without it, hashtags are read from the text
    mentions = "mentioned"
    lang = "language"
    likes = "likes"
    format = "csv"                # "csv" or "jsonl" (default: from the file's first byte)
    delimiter = ";"               # CSV only (default ",")
    list_separator = ","

``load`` checks the file (unknown keys, missing required ones, a bad zone or format) and returns the
mapping as a plain dict; ``check_columns`` checks that the columns it names exist in a file's header.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Post fields a column may fill, and the mapping key naming that column.
COLUMN_KEYS = ("id", "time", "text", "author", "author_id", "author_name", "community", "reply_to", "repost_of",
               "quote_of", "conversation", "urls", "hashtags", "mentions", "lang", "likes", "reposts", "replies",
               "quotes", "platform_column")
SETTINGS = ("platform", "time_format", "time_zone", "format", "delimiter", "list_separator")
REQUIRED = ("id", "time")
TIME_FORMATS = ("iso", "unix", "unix_ms")


class MappingError(ValueError):
    """A mapping file that cannot be used; the message says what to change."""


def load(path: str | Path, platform: str | None = None) -> dict[str, Any]:
    """The checked mapping of the file at PATH; PLATFORM (``ingest --platform``) is its platform when
    the file names none."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MappingError(f"cannot read the mapping file {path}: {exc.strerror or exc}") from None
    try:
        raw = json.loads(data) if path.suffix.lower() == ".json" else tomllib.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise MappingError(f"mapping file {path} is not valid {'JSON' if path.suffix.lower() == '.json' else 'TOML'}: {exc}") from None
    if isinstance(raw, dict) and platform and "platform" not in raw and "platform_column" not in raw:
        raw = {**raw, "platform": platform}
    return check(raw, str(path))


def check(raw: Any, where: str = "mapping") -> dict[str, Any]:
    """RAW as a mapping: only known keys, string values, the required columns, a platform."""
    if not isinstance(raw, dict):
        raise MappingError(f"{where}: a mapping is a table of keys (id = \"column\", ...)")
    unknown = sorted(set(raw) - set(COLUMN_KEYS) - set(SETTINGS))
    if unknown:
        raise MappingError(f"{where}: unknown key {', '.join(unknown)}; known keys: {', '.join(COLUMN_KEYS + SETTINGS)}")
    bad = sorted(k for k, v in raw.items() if not isinstance(v, str) or not v)
    if bad:
        raise MappingError(f"{where}: {', '.join(bad)} must be a non-empty string")
    missing = [k for k in REQUIRED if k not in raw]
    if missing:
        raise MappingError(f"{where}: name the column of {' and '.join(missing)} (e.g. {missing[0]} = \"...\")")
    if ("platform" in raw) == ("platform_column" in raw):
        raise MappingError(f"{where}: give the platform, as platform = \"name\" or platform_column = \"column\" "
                           "(or ingest --platform NAME)")
    fmt = raw.get("time_format", "iso")
    if fmt not in TIME_FORMATS and "%" not in fmt:
        raise MappingError(f"{where}: time_format is iso, unix, unix_ms or a strptime pattern like %Y-%m-%d %H:%M")
    if "time_zone" in raw:
        try:
            ZoneInfo(raw["time_zone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise MappingError(f"{where}: unknown time_zone {raw['time_zone']!r} (an IANA name like Europe/Paris)") from None
    if raw.get("format", "csv") not in ("csv", "jsonl"):
        raise MappingError(f"{where}: format is csv or jsonl")
    if len(raw.get("delimiter", ",")) != 1:
        raise MappingError(f"{where}: delimiter is one character")
    return dict(sorted(raw.items()))


def columns(mapping: dict[str, Any]) -> dict[str, str]:
    """Mapping key -> the column it names."""
    return {k: v for k, v in mapping.items() if k in COLUMN_KEYS}


def check_columns(mapping: dict[str, Any], header: list[str]) -> str | None:
    """What the mapping names that a CSV header lacks (None if nothing)."""
    missing = [f"{k} = {v!r}" for k, v in columns(mapping).items() if v not in header]
    if not missing:
        return None
    return f"the mapping names columns this file does not have: {', '.join(missing)} (columns: {', '.join(header)})"
