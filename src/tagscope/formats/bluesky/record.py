"""An ``app.bsky.feed.post`` record (the same in Jetstream, the firehose and AppView views) to post fields.

Facets point into the text by UTF-8 **byte** offsets, end exclusive. A tag facet names its tag itself
(``features[].tag``); the text's bytes are read only when it does not. Malformed facets (no index,
offsets out of range or reversed, a feature without its value, a non-list) are skipped, never fatal:
clients in the wild write all of these. ``record.tags`` (up to 8, never in the text) follow the facet
tags.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ...post import hashtag_fields, unique, url_fields
from ...times import to_utc
from ..base import ParseError

TAG = "app.bsky.richtext.facet#tag"
MENTION = "app.bsky.richtext.facet#mention"
LINK = "app.bsky.richtext.facet#link"
QUOTE_EMBEDS = ("app.bsky.embed.record", "app.bsky.embed.recordWithMedia")
MAX_RECORD_TAGS = 8  # the lexicon's limit: more is a malformed record, the first 8 are kept


def _span(text_bytes: bytes, index: Any) -> str | None:
    """The text a facet's index covers, or None when the index is malformed."""
    if not isinstance(index, dict):
        return None
    start, end = index.get("byteStart"), index.get("byteEnd")
    if start.__class__ is not int or end.__class__ is not int or not 0 <= start < end <= len(text_bytes):
        return None
    return text_bytes[start:end].decode("utf-8", "replace")


def facets(text: str | None, raw_facets: Any) -> tuple[list[str], list[str], list[str]]:
    """The tags, mentioned handles (or DIDs, when the text does not show the handle) and link URIs."""
    tags: list[str] = []
    mentions: list[str] = []
    links: list[str] = []
    if not isinstance(raw_facets, list):
        return tags, mentions, links
    text_bytes = text.encode("utf-8") if isinstance(text, str) else b""
    for facet in raw_facets:
        if not isinstance(facet, dict) or not isinstance(facet.get("features"), list):
            continue
        for feature in facet["features"]:
            if not isinstance(feature, dict):
                continue
            kind = feature.get("$type")
            if kind == TAG:
                tag = feature.get("tag")
                if not isinstance(tag, str) or not tag.strip():
                    tag = _span(text_bytes, facet.get("index"))
                if isinstance(tag, str) and tag.strip().lstrip("#＃"):
                    tags.append(tag.strip())
            elif kind == MENTION:
                shown = _span(text_bytes, facet.get("index"))
                if shown and shown.startswith("@") and len(shown) > 1:
                    mentions.append(shown[1:])
                elif isinstance(feature.get("did"), str):
                    mentions.append(feature["did"])
            elif kind == LINK and isinstance(feature.get("uri"), str):
                links.append(feature["uri"])
    return tags, mentions, links


def quoted_uri(embed: Any) -> str | None:
    """The URI a post quotes: ``embed.record.uri``, or ``embed.record.record.uri`` with media."""
    if not isinstance(embed, dict):
        return None
    kind = embed.get("$type")
    inner = embed.get("record")
    if kind == "app.bsky.embed.recordWithMedia" and isinstance(inner, dict):
        inner = inner.get("record")
    elif kind not in QUOTE_EMBEDS:
        return None
    uri = inner.get("uri") if isinstance(inner, dict) else None
    return uri if isinstance(uri, str) and uri.startswith("at://") else None


def _external(embed: Any) -> list[str]:
    """A link card's URI (``embed.external``, also under ``recordWithMedia.media``)."""
    if not isinstance(embed, dict):
        return []
    if embed.get("$type") == "app.bsky.embed.recordWithMedia":
        embed = embed.get("media")
        if not isinstance(embed, dict):
            return []
    ext = embed.get("external") if embed.get("$type") == "app.bsky.embed.external" else None
    uri = ext.get("uri") if isinstance(ext, dict) else None
    return [uri] if isinstance(uri, str) and uri else []


def _uri(ref: Any) -> str | None:
    uri = ref.get("uri") if isinstance(ref, dict) else None
    return uri if isinstance(uri, str) and uri.startswith("at://") else None


def fields(rec: dict[str, Any]) -> dict[str, Any]:
    """Text, language, tags, mentions, links, kind, reply and quote of one post record."""
    text = rec.get("text") if isinstance(rec.get("text"), str) and rec.get("text") else None
    tags, mentions, links = facets(text, rec.get("facets"))
    embed = rec.get("embed")
    reply = rec.get("reply") if isinstance(rec.get("reply"), dict) else {}
    parent, root = _uri(reply.get("parent")), _uri(reply.get("root"))
    quote = quoted_uri(embed)
    langs = rec.get("langs")
    lang = langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) else None
    return {
        "text": text,
        "lang": lang,
        **tag_fields(rec, tags),
        "mentions": unique(mentions),
        **url_fields(links + _external(embed)),
        "kind": "reply" if parent else "quote" if quote else "original",
        "reply_to_id": parent,
        "reply_to_user_id": did_of(parent),
        "quote_of_id": quote,
        "conversation_id": root or parent,
    }


def did_of(uri: str | None) -> str | None:
    """The repository (author) DID of an AT URI ``at://did/collection/rkey``."""
    if not uri:
        return None
    did = uri[5:].split("/", 1)[0]
    return did if did.startswith("did:") else None


# No post of any platform predates the Unix epoch: an earlier createdAt (year 0001, or a client's zero
# date) is a broken clock, not a time. Later ones are kept however old (imported archives are backdated).
EARLIEST = datetime(1970, 1, 1)
# How far a client's clock may run ahead of the server's before createdAt is judged implausible: real
# captures show posts a second "after" Jetstream saw them; those keep their createdAt.
CLOCK_SKEW = timedelta(minutes=10)


def created_time(value: Any, indexed: datetime | None, indexed_name: str = "time_us") -> datetime:
    """The post's ``created_at`` from its ``createdAt`` (the client's clock) and INDEXED (the server's).

    ``createdAt`` when it is a plausible time: a valid RFC 3339 time, not before 1970, and not more
    than CLOCK_SKEW after the server saw the post (Bluesky's own AppView orders by the earlier of the
    two, its ``sortAt``: a client clock running ahead is clamped). Otherwise the indexed time; a
    ParseError (the record is quarantined) when there is none to fall back on."""
    created = valid_time(value)
    if created is not None and created < EARLIEST:
        created = None
    if created is None:
        if indexed is None:
            if not value:
                raise ParseError(f"missing createdAt and {indexed_name}")
            raise ParseError(f"no valid createdAt and no {indexed_name}" if valid_time(value) is None
                             else f"implausible createdAt {value!r} (before 1970) and no {indexed_name}")
        return indexed
    if indexed is not None and created > indexed + CLOCK_SKEW:
        return indexed
    return created


def valid_time(value: Any) -> datetime | None:
    """VALUE as a UTC time, or None when it is absent or no valid time (a client's or a server's clock)."""
    if isinstance(value, str) and value:
        try:
            return to_utc(value)
        except (ValueError, OverflowError):
            return None
    return None


def tag_fields(rec: dict[str, Any], facet_tags: list[str]) -> dict[str, Any]:
    """``hashtags``/``hashtags_norm`` from the facet tags then ``record.tags``, and ``hashtags_hidden``:
    the tags (as written) that only ``record.tags`` gives, which the text never shows."""
    extra = rec.get("tags")
    hidden = [t for t in extra[:MAX_RECORD_TAGS] if isinstance(t, str)] if isinstance(extra, list) else []
    cols = hashtag_fields(facet_tags + hidden)
    in_text = {t.lstrip("#＃") for t in facet_tags}
    only_hidden = {h.lstrip("#＃") for h in hidden} - in_text
    cols["hashtags_hidden"] = [t for t in cols["hashtags"] if t in only_hidden]
    return cols
