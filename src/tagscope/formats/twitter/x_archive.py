"""The X (Twitter) account archive: "Download an archive of your data", as a .zip or unzipped folder.

Layout read: ``data/account.js`` (accountId, username, accountDisplayName: the author of every
tweet, which the tweets themselves do not name), ``data/profile.js`` (bio), ``data/tweets.js`` and
its parts ``data/tweets-part1.js``... (older archives: ``data/tweet.js``), ``data/community-tweet.js``,
``data/deleted-tweets.js``. Each file is JavaScript: ``window.YTD.tweets.part0 = [ {"tweet": {...}} ]``.

Traps handled: counts and ids are strings; there are no follower counts; a retweet is only its
"RT @name: " prefix and a cut text (kind ``repost``, ``repost_of_author`` from the prefix, text kept
as written: the original is not in the archive); ``deleted-tweets.js`` holds tweets the owner
deleted (each with ``deleted_at``): they become ``deleted`` tombstones, so they count nowhere.

Each record handed to the store is self-contained: ``{"account": {...}, "tweet": {...}}``. Without
``account.js`` (a partial copy, one file alone) the tweets are kept with an unknown author, and the reader
warns once per input (a ``FormatWarning``).
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from ...post import Tombstone, hashtag_fields, kind_of, new_post, unique, url_fields
from ..base import READ_ERRORS, FormatWarning, ParseError, Record, as_id, as_int, as_str, mapped
from . import scrubbing
from .v1 import parse_time

NAME = "x-archive"
PLATFORM = "twitter"
scrub = scrubbing.scrub
HANDLE_KEYS = scrubbing.HANDLE_KEYS
_PREFIX = re.compile(rb"^\s*window\.YTD\.[A-Za-z0-9_]+\.part\d+\s*=\s*")
# Files holding tweets, in reading order (parts sorted by number after these names).
_TWEET_FILES = ("tweets", "tweet", "community-tweet", "deleted-tweets")


def sniff(head: bytes) -> bool:
    """One archive file on its own: ``window.YTD.<name>.partN = [``."""
    return _PREFIX.match(head[:200].lstrip(b"\xef\xbb\xbf")) is not None


def _js_value(data: bytes) -> Any:
    m = _PREFIX.match(data[:4096].lstrip(b"\xef\xbb\xbf"))
    if m is None:
        raise ParseError("not an X archive file (no 'window.YTD...' assignment)")
    body = data.lstrip(b"\xef\xbb\xbf")[m.end():].rstrip().rstrip(b";")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ParseError(f"invalid archive file: {exc}") from exc


def records(stream: IO[bytes], source: str = "") -> Iterator[Record]:
    """Records of one archive file read alone (its author is unknown without ``account.js``)."""
    warned = False
    for line, obj, raw, error in _items(stream):
        if not warned and _authorless(obj):
            _warn_no_account(source or "an archive file")
            warned = True
        yield Record(line, obj, raw, error)


def _authorless(obj: Any) -> bool:
    """A tweet (not a deletion) read without the account that names its author."""
    if not isinstance(obj, dict) or "account" in obj:
        return False
    tw = obj.get("tweet", obj if "id_str" in obj else None)
    return isinstance(tw, dict) and not tw.get("deleted_at")


def _warn_no_account(where: str) -> None:
    """Say once per input that its tweets get no author: ``account.js`` alone names it."""
    warnings.warn(FormatWarning(
        f"{where}: no data/account.js, which alone names the archive's owner: its tweets are stored with an "
        "unknown author (null author_id). Ingest the archive again with its data/account.js (the whole "
        "download) to fill in the author."), stacklevel=3)


def _items(stream: IO[bytes]) -> Iterator[tuple[int, Any, bytes, str | None]]:
    """(line, value, bytes, error) of each element of a ``window.YTD... = [ ... ]`` file, one at a time.

    Archive files are pretty-printed: each element of the list opens at a line "  {" and closes at
    "  }" or "  }," (JSON strings hold no raw newline, so such a line is always a boundary). Elements
    are cut there and parsed one by one, so memory stays bounded by one tweet however large the file.
    Any other layout (minified, re-indented) is read whole.
    """
    lineno = 0
    first = b""
    for first in stream:
        lineno += 1
        if first.strip():
            break
    head = first.lstrip(b"\xef\xbb\xbf")
    m = _PREFIX.match(head)
    if m is None:
        if head.strip():
            yield lineno, None, first[:65536], "not an X archive file (no 'window.YTD...' assignment)"
        return
    if head[m.end():].strip() != b"[":
        yield from _whole(first + stream.read(), lineno)
        return
    buf: list[bytes] = []
    start = 0
    for line in stream:
        lineno += 1
        if not buf:
            if not line.strip():
                continue
            if line.strip() in (b"]", b"];"):
                return
            if line.rstrip() != b"  {":
                yield from _whole(first + line + stream.read(), 1)
                return
            start = lineno
        buf.append(line)
        if line.rstrip() in (b"  }", b"  },"):
            chunk = b"".join(buf).rstrip().rstrip(b",")
            buf = []
            try:
                yield start, orjson.loads(chunk), chunk, None
            except orjson.JSONDecodeError as exc:
                yield start, None, chunk[:65536], f"invalid JSON: {exc}"
    if buf:
        yield start, None, b"".join(buf)[:65536], "archive file ends inside a record (cut off?)"
    else:
        yield lineno, None, b"", "archive file ends before its closing ']' (cut off?)"


def _whole(data: bytes, line: int) -> Iterator[tuple[int, Any, bytes, str | None]]:
    """Elements of a file in another layout, parsed whole (numbered from 1)."""
    try:
        items = _js_value(data)
    except ParseError as exc:
        yield line, None, data[:65536], str(exc)
        return
    if not isinstance(items, list):
        yield line, None, data[:65536], "archive file does not hold a list"
        return
    for i, item in enumerate(items, 1):
        yield i, item, orjson.dumps(item), None


# --- a whole archive (folder or zip) -----------------------------------------------------------

class _Archive:
    """Files of an archive under its ``data/`` folder, from a folder or a zip."""

    def __init__(self, path: Path, root: str = ""):
        self.path = path
        self.zip: zipfile.ZipFile | None = None
        if path.is_dir():
            base = path / "data" if (path / "data").is_dir() else path
            self.names = {p.name: p for p in base.iterdir() if p.is_file()}
        else:
            self.zip = zipfile.ZipFile(path)
            self.names = {}
            for n in self.zip.namelist():
                if n.startswith(root + "data/") and "/" not in n[len(root) + 5:] and not n.endswith("/"):
                    self.names[n[len(root) + 5:]] = n

    def read(self, name: str) -> bytes | None:
        where = self.names.get(name)
        if where is None:
            return None
        if self.zip is not None:
            return self.zip.read(where)  # type: ignore[arg-type]
        return where.read_bytes()  # type: ignore[union-attr]

    def open(self, name: str) -> IO[bytes]:
        where = self.names[name]
        if self.zip is not None:
            return self.zip.open(where)  # type: ignore[arg-type]
        return open(where, "rb")  # type: ignore[arg-type]

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


def _has_archive_names(names: Any) -> bool:
    return any(n in ("account.js", "tweets.js", "tweet.js") for n in names)


def zip_roots(names: list[str]) -> list[str]:
    """The folders of a zip's member NAMES ("" for the zip's top) that hold an archive's
    ``data/account.js`` or ``data/tweets.js`` (or ``tweet.js``): one per archive the zip holds."""
    roots = set()
    for n in names:
        parts = n.split("/")
        if len(parts) >= 2 and parts[-2] == "data" and _has_archive_names([parts[-1]]):
            roots.add("".join(p + "/" for p in parts[:-2]))
    return sorted(roots)


def claims_path(path: Path) -> bool:
    """A folder holding ``data/account.js`` or ``data/tweets.js`` (or ``tweet.js``), or a .zip that is
    one archive and nothing else: a zip that also holds other files or archives is read member by
    member, each archive in it claimed by ``zip_roots`` (so a zip of a collection gives every archive in it)."""
    try:
        if path.is_dir():
            data = path / "data"
            if data.is_dir():
                return _has_archive_names(p.name for p in data.iterdir())
            return path.name == "data" and (path / "account.js").is_file()
        if path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
            roots = zip_roots(names)
            return len(roots) == 1 and all(n.startswith(roots[0]) for n in names)
    except (OSError, zipfile.BadZipFile):
        return False
    return False


def _part_key(name: str) -> tuple[int, int]:
    stem = name[:-3]
    base, _, part = stem.partition("-part")
    order = _TWEET_FILES.index(base) if base in _TWEET_FILES else len(_TWEET_FILES)
    return order, int(part) if part.isdigit() else 0


def _account(archive: _Archive) -> dict[str, Any] | None:
    data = archive.read("account.js")
    if data is None:
        return None
    items = _js_value(data)
    acc = items[0].get("account") if isinstance(items, list) and items and isinstance(items[0], dict) else None
    if not isinstance(acc, dict):
        return None
    out = {k: acc[k] for k in ("accountId", "username", "accountDisplayName") if k in acc}
    profile = archive.read("profile.js")
    if profile is not None:
        try:
            prof = _js_value(profile)
            bio = prof[0]["profile"]["description"]["bio"]
            if isinstance(bio, str) and bio:
                out["bio"] = bio
        except (ParseError, LookupError, TypeError):
            pass
    return out


def path_records(path: Path, root: str | None = None) -> Iterator[Record]:
    """Records of every tweet file of the archive, numbered on across its files, each carrying the account.

    ROOT: the archive's folder inside a zip (see ``zip_roots``); by default the zip's only one."""
    if root is None and path.is_file():
        with zipfile.ZipFile(path) as zf:
            roots = zip_roots(zf.namelist())
        root = roots[0] if roots else ""
    archive = _Archive(path, root or "")
    try:
        try:
            account = _account(archive)
        except ParseError as exc:
            yield Record(1, None, b"", f"data/account.js: {exc}")
            account = None
        except READ_ERRORS as exc:
            yield Record(1, None, b"", f"data/account.js: unreadable: {type(exc).__name__}: {exc}")
            account = None
        names = sorted(
            (n for n in archive.names if n.endswith(".js") and n[:-3].partition("-part")[0] in _TWEET_FILES),
            key=_part_key,
        )
        if account is None and any(n != "deleted-tweets.js" for n in names):
            _warn_no_account(str(path) + (f" ({root})" if root else ""))
        line = 1
        for name in names:
            try:
                with archive.open(name) as stream:
                    for _, obj, raw, error in _items(stream):
                        if error is not None:
                            yield Record(line, None, raw, f"data/{name}: {error}")
                        elif isinstance(obj, dict):
                            obj = {"account": account or {}, **obj}
                            yield Record(line, obj, orjson.dumps(obj))
                        else:
                            yield Record(line, obj, raw)
                        line += 1
            except READ_ERRORS as exc:  # a corrupt zip member: keep what it gave, read the other files
                yield Record(line, None, b"", f"data/{name}: unreadable, read stopped here: {type(exc).__name__}: {exc}")
                line += 1
    finally:
        archive.close()


# --- mapping ------------------------------------------------------------------------------------

def parse(obj: Any) -> list[Any]:
    """The post (or deletion) of one ``{"account": ..., "tweet": ...}`` record."""
    if not isinstance(obj, dict):
        raise ParseError("record is not a JSON object")
    return mapped("archive record", _parse, obj)


def _parse(obj: dict[str, Any]) -> list[Any]:
    tw = obj.get("tweet")
    if tw is None and "id_str" in obj:
        tw = obj  # archives from 2018-2019 list the tweets without the {"tweet": ...} wrapper
    if not isinstance(tw, dict):
        if "noteTweet" in obj or "like" in obj:
            return []  # other archive entries carry no post of their own
        raise ParseError("no tweet object")
    pid = as_id(tw.get("id_str")) or as_id(tw.get("id"))
    if not pid:
        raise ParseError("missing id_str")
    if tw.get("deleted_at"):
        return [Tombstone("twitter", pid, "deleted", parse_time(tw["deleted_at"]))]
    versions = _edit_versions(tw.get("edit_info"))
    if versions and versions[-1] != pid and pid in versions:
        return [Tombstone("twitter", pid, "edited")]  # the newer version is in the archive too
    tombs = [Tombstone("twitter", v, "edited") for v in versions[: versions.index(pid)]] if pid in versions else []
    account = obj.get("account") if isinstance(obj.get("account"), dict) else {}
    # Without account.js (a partial copy, one file alone) the author is unknown: the post is kept with a
    # null author (the reader warned once), and a later ingest with account.js fills it in.
    author_id = as_str(account.get("accountId"))
    if not tw.get("created_at"):
        raise ParseError("missing created_at")
    text = tw.get("full_text") if tw.get("full_text") is not None else tw.get("text")
    entities = tw.get("entities") if isinstance(tw.get("entities"), dict) else {}
    tags = [h["text"] for h in entities.get("hashtags") or () if isinstance(h, dict) and isinstance(h.get("text"), str)]
    mentions = [m["screen_name"] for m in entities.get("user_mentions") or ()
                if isinstance(m, dict) and isinstance(m.get("screen_name"), str)]
    urls = [u.get("expanded_url") or u.get("url") for u in entities.get("urls") or () if isinstance(u, dict)]
    reply_to = as_str(tw.get("in_reply_to_status_id_str")) or as_str(tw.get("in_reply_to_status_id"))
    quote_of = as_str(tw.get("quoted_status_id_str")) or as_str(tw.get("quoted_status_id"))
    rt_author = _rt_author(text)
    kind = kind_of(repost=bool(rt_author), reply=bool(reply_to), quote=bool(quote_of))
    post = new_post(
        platform="twitter",
        id=pid,
        author_id=author_id,
        author_handle=as_str(account.get("username")),
        author_name=as_str(account.get("accountDisplayName")),
        author_bio=as_str(account.get("bio")),
        created_at=parse_time(tw["created_at"]),
        text=text if isinstance(text, str) else as_str(text),
        lang=as_str(tw.get("lang")),
        mentions=unique(mentions),
        kind=kind,
        reply_to_id=reply_to,
        reply_to_user_id=as_str(tw.get("in_reply_to_user_id_str")) or as_str(tw.get("in_reply_to_user_id")),
        quote_of_id=quote_of,
        repost_of_author=rt_author,
        community=as_str(tw.get("community_id_str")) or as_str(tw.get("community_id")),
        like_count=None if rt_author else as_int(tw.get("favorite_count")),
        repost_count=None if rt_author else as_int(tw.get("retweet_count")),
        source_format=NAME,
    )
    post.update(hashtag_fields(tags))
    post.update(url_fields([u for u in urls if isinstance(u, str)]))
    return [*tombs, post]


def _edit_versions(info: Any) -> list[str]:
    """Ids of every version of an edited tweet, oldest first (``edit_info.initial`` or ``.edit``)."""
    if not isinstance(info, dict):
        return []
    node = info.get("initial")
    if not isinstance(node, dict):
        edit = info.get("edit")
        node = edit.get("editControlInitial") if isinstance(edit, dict) else None
    ids = node.get("editTweetIds") if isinstance(node, dict) else None
    if not isinstance(ids, list) or len(ids) < 2:
        return []
    return [i for i in map(as_str, ids) if i]


def _rt_author(text: Any) -> str | None:
    if isinstance(text, str) and text.startswith("RT @"):
        end = text.find(":", 4)
        if end > 4 and " " not in text[4:end]:
            return text[4:end]
    return None
