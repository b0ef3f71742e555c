"""Telegram Desktop's JSON export (``result.json``): one chat's history, or a whole account's chats.

The file is one JSON document; ``records`` reads it as a stream (``reader``) and makes each message one
self-contained raw record ``{"chat": {"id", "name", "type", "peer"}, "message": {...}}`` (plus ``"tz"``
when the ingest was given a zone, and ``"mentioned"``: see ``scrubbing``), so ``remap`` and ``forget``
read a stored message alone.

Rules (docs/formats.md states them for users):

- a message of type ``message`` is a post; ``service`` messages (joins, pins, calls...) and
  ``unsupported`` ones map to no post: each is ``Skipped`` (counted by reason in the ingest summary);
- the id is ``<chat id>/<message id>``: message ids are numbered per chat (a channel's and a group's
  message 17 are different posts); a reply's ``reply_to_id`` is named the same way, in the chat of
  ``reply_to_peer_id`` when the export gives one;
- the author is ``from_id`` (``user123``, ``channel123``: Telegram's peer kinds are numbered apart) and
  ``from`` (a display name; the export gives no username); the chat's name is the ``community``;
- a forward (``forwarded_from``, present even when its value is null) is a repost: it carries its own
  copy of the forwarded text and entities, and the export does not give the original's id, so
  ``repost_of_id`` is null and ``repost_of_author`` is the name it was forwarded from;
- the time is ``date_unixtime`` (UTC seconds, newer exports); else ``date``, which has no zone: it is
  the exporting computer's local time, read in the zone given to ``tagscope ingest --tz`` (UTC without
  one);
- an edited message holds its latest text; likes are the sum of its reactions' counts.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson

from ...post import new_post
from ...times import to_utc
from ..base import READ_ERRORS, ParseError, Record, Skipped, as_id, as_int, as_str, mapped, parse_option
from . import reader, scrubbing, text

NAME = "telegram-desktop"
PLATFORM = "telegram"
scrub = scrubbing.scrub
HANDLE_KEYS = scrubbing.HANDLE_KEYS

_EPOCH = datetime(1970, 1, 1)
_CHAT_TYPES = (rb"personal_chat|bot_chat|private_group|private_supergroup|public_supergroup|private_channel|"
               rb"public_channel|saved_messages|replies|verification_codes")
# One chat: an object naming a chat type and holding "messages". A whole account: an object whose first
# key is "about", with one of the account export's own sections.
_CHAT = re.compile(rb'"type"\s*:\s*"(?:' + _CHAT_TYPES + rb')"')
_MESSAGES = re.compile(rb'"messages"\s*:\s*\[')
_ACCOUNT = re.compile(rb'\A\{\s*"about"\s*:\s*"(?:[^"\\]|\\.)*"\s*,\s*"(?:personal_information|profile_pictures|'
                      rb'stories|contacts|frequent_contacts|chats|left_chats|other_data|sessions)"\s*:')
# Telegram Desktop writes a control character other than \n, \r, \t as "\xHH", which JSON has not:
# such a message is read with the escape made "\u00HH" (an even run of backslashes before it is text).
_X_ESCAPE = re.compile(rb'(?<!\\)((?:\\\\)*)\\x([0-9A-Fa-f]{2})')
_SKIPPED_TYPES = frozenset({"service", "unsupported"})
_PEER = re.compile(r"(?:user|channel|chat)(\d+)")
# What Telegram Desktop writes beside result.json: media folders, and chats/ in a whole-account export.
_MEDIA_FOLDERS = frozenset({"photos", "files", "video_files", "voice_messages", "round_video_messages", "stickers",
                            "contacts", "profile_pictures", "chats", "stories", "animations", "audio_files"})
# Chats with one person (or bot, or oneself): named after that person, so their name is no community.
_USER_CHATS = frozenset({"personal_chat", "bot_chat", "saved_messages", "replies", "verification_codes"})


def sniff(head: bytes) -> bool:
    """A chat export (a chat type and its "messages" array) or a whole-account export ("about" first)."""
    h = head[:65536].lstrip(b" \t\r\n\xef\xbb\xbf")
    if not h.startswith(b"{"):
        return False
    return bool(_ACCOUNT.match(h)) or (_MESSAGES.search(h) is not None and _CHAT.search(h) is not None)


def claims_path(path: Path) -> bool:
    """An export folder as Telegram Desktop writes it: ``result.json`` (this format's) beside the media
    folders (``photos/``, ``files/``...), read as one input so the media are not taken for posts."""
    result = path / "result.json"
    if not path.is_dir() or not result.is_file():
        return False
    with open(result, "rb") as fh:
        return sniff(fh.read(65536))


def zip_roots(names: list[str]) -> list[str]:
    """The folders of a zip's member NAMES ("" for its top) holding an export: a ``result.json`` beside
    one of the media folders Telegram Desktop writes (a zip with a ``result.json`` alone needs no claim:
    the file is sniffed on its own, and another tool's ``result.json`` stays its own)."""
    present = set(names)
    roots = []
    for name in sorted(present):
        if name == "result.json" or name.endswith("/result.json"):
            root = name[: -len("result.json")]
            if any(n.startswith(root) and n[len(root):].split("/", 1)[0] in _MEDIA_FOLDERS and "/" in n[len(root):]
                   for n in present):
                roots.append(root)
    return roots


def path_records(path: Path, root: str | None = None) -> Iterator[Record]:
    """The records of an export's ``result.json`` (its media are not read), in a folder or a zip."""
    if path.is_dir():
        with open(path / "result.json", "rb") as fh:
            yield from records(fh, str(path / "result.json"))
        return
    number = 0
    try:
        with zipfile.ZipFile(path) as zf:
            if root is None:
                roots = zip_roots(zf.namelist())
                root = roots[0] if roots else ""
            with zf.open(root + "result.json") as fh:
                for rec in records(fh, f"{path}!{root}result.json"):
                    number = rec.line
                    yield rec
    except (*READ_ERRORS, KeyError) as exc:  # a corrupt member: what was read is kept
        yield Record(number + 1, None, b"", f"{root or ''}result.json: unreadable, read stopped here: "
                                            f"{type(exc).__name__}: {exc}")


def records(stream: IO[bytes], source: str = "") -> Iterator[Record]:
    """One record per message of the export, numbered from 1 across the file's chats; a cut or
    malformed document ends with one quarantined record where it broke."""
    tz = parse_option("tz")
    try:
        for number, chat, data, value in reader.messages(stream):
            yield _record(number, chat, data, value, tz)
    except reader.Broken as exc:
        yield Record(exc.number, None, b"", exc.reason)


def _record(number: int, chat: dict[str, Any], data: bytes, message: Any, tz: str | None) -> Record:
    try:
        if message is None:  # not decoded by the reader yet (or null: decoded again, cheaply)
            message = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        try:
            message = orjson.loads(_X_ESCAPE.sub(rb"\1\\u00\2", data))
        except orjson.JSONDecodeError:
            return Record(number, None, data, f"invalid JSON: {exc}")
    obj: dict[str, Any] = {"chat": {**chat, "peer": _chat_peer(chat)}, "message": message}
    mentioned = scrubbing.mentioned_peers(message)
    if mentioned:
        obj["mentioned"] = mentioned  # so forget finds the record by the peer id (see scrubbing)
    if tz is not None:
        obj["tz"] = tz
    return Record(number, obj, orjson.dumps(obj))


def _chat_peer(chat: dict[str, Any]) -> str | None:
    """The chat's peer id as messages write one (``user1``, ``chat1``, ``channel1``): the export gives
    the bare id and the chat's type."""
    kind, cid = chat.get("type"), as_str(chat.get("id"))
    if cid is None or not isinstance(kind, str):
        return None
    if kind in _USER_CHATS:
        return f"user{cid}"
    return f"chat{cid}" if kind == "private_group" else f"channel{cid}"


def parse(obj: Any) -> list[Any]:
    """The post of one message record (none for a service message)."""
    if not isinstance(obj, dict) or not isinstance(obj.get("message"), dict) or not isinstance(obj.get("chat"), dict):
        raise ParseError("not a Telegram Desktop message record ({chat, message})")
    return mapped("Telegram message", _parse, obj)


def _parse(obj: dict[str, Any]) -> list[Any]:
    chat, msg = obj["chat"], obj["message"]
    kind = msg.get("type")
    if kind in _SKIPPED_TYPES:  # a join, a pin, a call...: no post, counted under its reason
        return [Skipped(f"telegram {kind} message (no post: a join, pin, call...)" if kind == "service"
                        else "telegram unsupported message (the export holds no content for it)")]
    if kind != "message":
        raise ParseError(f"unknown message type {kind!r}")
    chat_id = as_id(chat.get("id"))
    if chat_id is None:
        raise ParseError("missing chat id")
    mid = as_id(msg.get("id"))
    if mid is None:
        raise ParseError("missing message id")
    community = None if chat.get("type") in _USER_CHATS else as_str(chat.get("name"))
    post = new_post(platform=PLATFORM, id=f"{chat_id}/{mid}", author_id=as_str(msg.get("from_id")),
                    author_name=as_str(msg.get("from")), created_at=_time(msg, obj.get("tz")), community=community,
                    like_count=_reactions(msg.get("reactions")), source_format=NAME, **text.read(msg))
    reply = as_id(msg.get("reply_to_message_id"))
    if "forwarded_from" in msg:
        post.update(kind="repost", repost_of_author=as_str(msg.get("forwarded_from")))
    elif reply is not None:
        peer = _PEER.fullmatch(msg["reply_to_peer_id"]) if isinstance(msg.get("reply_to_peer_id"), str) else None
        post.update(kind="reply", reply_to_id=f"{peer.group(1) if peer else chat_id}/{reply}")
    else:
        post["kind"] = "original"
    return [post]


def _time(msg: dict[str, Any], tz: Any) -> datetime:
    """``date_unixtime`` (UTC seconds), else ``date`` (local time) read in the zone TZ (UTC if none)."""
    unix = msg.get("date_unixtime")
    if unix not in (None, ""):
        seconds = as_int(unix)
        if seconds is None or isinstance(unix, float):
            raise ParseError(f"bad date_unixtime: {unix!r}")
        return _EPOCH + timedelta(seconds=seconds)
    date = msg.get("date")
    if not isinstance(date, str) or not date:
        raise ParseError("missing date")
    try:
        created = to_utc(date, _zone(tz if tz is not None else "UTC"))
    except ValueError as exc:
        raise ParseError(f"bad date: {date!r}") from exc
    assert created is not None
    return created


@lru_cache(maxsize=64)
def _zone(name: Any) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ParseError(f"unknown time zone {name!r}") from exc


def _reactions(value: Any) -> int | None:
    """The sum of a message's reaction counts (Telegram's likes); None when it has none listed."""
    if not isinstance(value, list):
        return None
    counts = [as_int(r.get("count")) for r in value if isinstance(r, dict)]
    total = sum(c for c in counts if c is not None and c > 0)
    return total if counts and total < 2**63 else None
