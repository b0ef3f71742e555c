"""A Telegram message's text and what it links to, read from Telegram's own entities.

Telegram Desktop writes a message's text twice: ``text``, a string when the text is plain and otherwise a
list of strings and entity objects (``{"type": "hashtag", "text": "#tag"}``), and ``text_entities``
(newer exports), the same parts always as objects (plain ones ``{"type": "plain"}``). Telegram's clients
found the hashtags, mentions and links when the message was sent, so they are taken from the entities,
never from the text: a post uses a tag when its hashtag entities have it.
"""

from __future__ import annotations

from typing import Any

from ...post import hashtag_fields, unique, url_fields


def parts(msg: dict[str, Any]) -> list[Any]:
    """The message's text as parts: ``text_entities`` when present (complete and uniform), else ``text``."""
    entities = msg.get("text_entities")
    if isinstance(entities, list):
        return entities
    text = msg.get("text")
    if isinstance(text, list):
        return text
    return [text] if isinstance(text, str) else []


def read(msg: dict[str, Any]) -> dict[str, Any]:
    """The post fields read from a message's text: ``text``, hashtags, mentions, urls and domains."""
    pieces: list[str] = []
    tags: list[str] = []
    mentions: list[str] = []
    urls: list[str] = []
    for part in parts(msg):
        if isinstance(part, str):
            pieces.append(part)
            continue
        if not isinstance(part, dict) or not isinstance(part.get("text"), str):
            continue
        written = part["text"]
        pieces.append(written)
        kind = part.get("type")
        if kind == "hashtag":
            tags.append(written)
        elif kind == "mention":
            mentions.append(written.lstrip("@"))
        elif kind == "link":
            urls.append(written)
        elif kind == "text_link" and isinstance(part.get("href"), str):
            urls.append(part["href"])
    text = "".join(pieces)
    return {"text": text or None, **hashtag_fields(tags), "mentions": unique([m for m in mentions if m]),
            **url_fields(urls)}
