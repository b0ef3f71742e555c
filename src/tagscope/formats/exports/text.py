"""What a caption or a forum post links to when its platform gives no entities: hashtags, @mentions, URLs.

TikTok, Instagram and Threads items, 4CAT CSV bodies and mapped forum posts are plain text. A post uses
a tag when its text has ``#tag`` (the rule a reader applies, as on Reddit). URLs are taken out before tags
and mentions are looked for, so a link's fragment (``page#top``) or path (``x.com/@name``) is neither.
"""

from __future__ import annotations

import re
from typing import Any

from ...post import hashtag_fields, unique, url_fields

__all__ = ["hashtag_fields", "links", "split_list", "tags", "url_fields"]

_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_URL_TAIL = ".,;:!?*'\")]}"
# A tag: '#' after neither a word character (``page#top``), '&' (``&#39;``) nor '#' (``##``), then word
# characters of which at least one is a letter (``#1`` is a number, not a tag).
_TAG = re.compile(r"(?<![\w&#])[#＃](\w*[^\W\d_]\w*)")
# @name: Instagram, Threads and TikTok handles are letters, digits, '_' and '.' (not at the end).
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?)")


def tags(text: str | None) -> list[str]:
    """The hashtags of TEXT as written, without '#', in order (links' fragments left out)."""
    if not text or ("#" not in text and "＃" not in text):
        return []
    return _TAG.findall(_URL.sub(" ", text) if "://" in text else text)


def links(text: str | None, *, tags_given: list[str] | None = None, mentions_given: list[str] | None = None,
          urls_given: list[str] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    """The hashtags, mentions, urls and domains of TEXT. A list the source gives (TAGS_GIVEN,
    MENTIONS_GIVEN: from its own entities or columns) replaces what the text would give; URLS_GIVEN
    come first, then the text's links."""
    text = text or ""
    found = list(urls_given)
    rest = text
    if "://" in text:
        found += [m.group(0).rstrip(_URL_TAIL) for m in _URL.finditer(text)]
        rest = _URL.sub(" ", text)
    if tags_given is None:
        tags_given = _TAG.findall(rest) if ("#" in rest or "＃" in rest) else []
    if mentions_given is None:
        mentions_given = _MENTION.findall(rest) if "@" in rest else []
    return {**hashtag_fields(tags_given), "mentions": unique([m for m in mentions_given if m]), **url_fields(found)}


def split_list(value: Any, sep: str = ",") -> list[str]:
    """A list cell: a JSON-style list, or values separated by SEP (4CAT writes ``a,b,c``); blanks dropped."""
    if isinstance(value, list):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    if not isinstance(value, str) or not value.strip():
        return []
    s = value.strip()
    if s.startswith("[") and s.endswith("]"):
        import orjson

        try:
            items = orjson.loads(s)
        except orjson.JSONDecodeError:
            items = None
        if isinstance(items, list):
            return split_list(items)
    return [v.strip() for v in s.split(sep) if v.strip()]
