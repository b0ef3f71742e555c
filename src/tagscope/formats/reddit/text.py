"""What a Reddit text links to: hashtags, ``u/`` mentions and URLs, read from its Markdown.

Reddit has no entities: a post uses a tag when its text has ``#tag``, so the rules are the ones a
reader applies. URLs are taken out before tags and mentions are looked for, so a link's fragment
(``.../wiki#rules``) or path (``reddit.com/u/name``) is neither.
"""

from __future__ import annotations

import html
import re
from typing import Any

from ...post import hashtag_fields, unique, url_fields

# A link ends at white space or at the Markdown that closes it (``[text](url)``, ``<url>``); a pair of
# parentheses inside it is its own (``wiki/Cut_(film)``).
_URL = re.compile(r"https?://(?:[^\s<>\"'()\[\]]|\([^\s<>\"'()\[\]]*\))+", re.IGNORECASE)
_URL_TAIL = ".,;:!?*'\"\\"
# A tag: '#' after neither a word character (``page#top``), '&' (``&#39;``) nor '#' (``##Heading``),
# then word characters of which at least one is a letter (``#1`` is a number, not a tag).
_TAG = re.compile(r"(?<![\w&#])[#＃](\w*[^\W\d_]\w*)")
# ``u/name`` or ``/u/name``: Reddit usernames are 3 to 20 letters, digits, '_' or '-'.
_MENTION = re.compile(r"(?<![\w/])/?u/([A-Za-z0-9_-]{3,20})(?![\w-])")
# Reddit's own image and video hosts: a post's own media, not a link it shares (as Twitter's photos).
_MEDIA_HOSTS = ("i.redd.it", "v.redd.it", "preview.redd.it", "external-preview.redd.it")


def unescape(value: Any) -> str | None:
    """A body, title or selftext as written: Reddit's JSON escapes ``&``, ``<`` and ``>`` as HTML
    entities (``&amp;gt;`` is a '>' the writer typed as '&gt;'); an empty text is None."""
    if not isinstance(value, str) or not value:
        return None
    return html.unescape(value) if "&" in value else value


def is_media(url: str) -> bool:
    rest = url.split("://", 1)[-1].lower()
    host = rest.split("/", 1)[0]
    return host in _MEDIA_HOSTS or "reddit.com/gallery/" in rest


def links(text: str | None, extra: list[str] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    """The hashtags, mentions, urls and domains of TEXT (with EXTRA urls first: a link post's url)."""
    found: list[str] = list(extra)
    rest = text or ""
    if "://" in rest:
        for m in _URL.finditer(rest):
            found.append(m.group(0).rstrip(_URL_TAIL).replace("\\", ""))
        rest = _URL.sub(" ", rest)
    tags = _TAG.findall(rest) if ("#" in rest or "＃" in rest) else []
    mentions = unique(_MENTION.findall(rest)) if "u/" in rest else []
    return {**hashtag_fields(tags), "mentions": mentions, **url_fields([u for u in found if not is_media(u)])}
