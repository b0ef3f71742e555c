"""Mastodon statuses: REST responses (a status, arrays and pages, search and context results) and
streaming events (``update``, ``status.update``, ``delete``, ``conversation``, ``notification``).

Rules (docs/formats.md states them for users):

- the post id is the status's ``uri``, its ActivityPub id: the same status seen from several instances
  has a different local ``id`` on each, one ``uri`` everywhere; the author id is the account's ``url``
  (its profile page: global, and what ``mentions[]`` name too), the handle the full ``user@domain``;
- the community is the instance the status lives on: the host of its ``uri``;
- a boost (``reblog``) is a repost carrying the boosted status's text and tags, as a retweet does;
  a 4.5+ quote (``quote.quoted_status``) is a quote;
- ``in_reply_to_id`` is a local id: it is turned into the parent's ``uri`` only when the same record
  holds the parent (a context response), else the reply names no parent (a gap: docs/formats.md);
- a streaming ``delete`` names a local id: ``streaming`` resolves it to the ``uri`` of the status the
  same stream carried before; one it cannot resolve is quarantined, saying so.
"""

from __future__ import annotations

from typing import Any

import orjson

from ...post import Tombstone, domain_of, fold_tag, hashtag_fields, kind_of, new_post, unique, url_fields
from ..base import (
    MAPPING_ERRORS,
    ParseError,
    Rejected,
    Skipped,
    as_int,
    as_str,
    cannot_map,
    include_private,
    mapped,
    parse_iso,
)
from . import html_text, scrubbing, streaming

NAME = "mastodon"
PLATFORM = "mastodon"
scrub = scrubbing.scrub
records = streaming.records
sniff = streaming.sniff
HANDLE_KEYS = scrubbing.HANDLE_KEYS

# Streaming events that carry a status, and where in their payload it is.
_STATUS_EVENTS = ("update", "status.update")
# Streaming events that carry no post: counted as skipped records, not quarantined.
# Visibilities kept out of the store unless the run asks for them (``ingest --include-private``): a
# direct message is addressed to named people and a followers-only status to an author's followers;
# neither was published, and a capture holds them only because its account could read them.
PRIVATE = frozenset({"direct", "private"})
_NO_POST_EVENTS = frozenset({"filters_changed", "announcement", "announcement.reaction", "announcement.delete",
                             "encrypted_message", "notifications_merged"})


def parse(obj: Any) -> list[Any]:
    """The posts (or the tombstone) of one status, page, search or context result, or streaming event."""
    return mapped("Mastodon record", _parse, obj)


def _parse(obj: Any) -> list[Any]:
    if isinstance(obj, list):
        return _many(obj, {})
    if not isinstance(obj, dict):
        raise ParseError("record is not a JSON object")
    if isinstance(obj.get("event"), str) and "payload" in obj:
        return _event(obj)
    if _is_status(obj):
        if "uri" not in obj and "id" not in obj:  # an edit history entry: an earlier version, named by nothing
            return []
        return [_private(obj) or status_post(obj, {})]
    if isinstance(obj.get("statuses"), list):  # a search result (v2): its accounts and hashtags are not posts
        return _many(obj["statuses"], {})
    if isinstance(obj.get("ancestors"), list) or isinstance(obj.get("descendants"), list):
        thread = [s for key in ("ancestors", "descendants") for s in obj.get(key) or ()]
        local = {s["id"]: s["uri"] for s in thread if isinstance(s, dict) and isinstance(s.get("id"), str)
                 and isinstance(s.get("uri"), str)}
        return _many(thread, local)
    if isinstance(obj.get("last_status"), dict) and "accounts" in obj:  # a conversation
        return _many([obj["last_status"]], {})
    if isinstance(obj.get("status"), dict) and "type" in obj:  # a notification about a status
        return _many([obj["status"]], {})
    if "type" in obj and "account" in obj:  # a notification with no status (a follow): no post
        return []
    raise ParseError("not a Mastodon status, page, search or context result, or streaming event")


def _private(st: Any) -> Skipped | None:
    """A Skipped for a direct or followers-only status, unless the run keeps them (see PRIVATE)."""
    if isinstance(st, dict) and st.get("visibility") in PRIVATE and not include_private():
        return Skipped(f"mastodon {st['visibility']} status (kept out; ingest --include-private keeps it)")
    return None


def _is_status(obj: dict[str, Any]) -> bool:
    return "account" in obj and "created_at" in obj and ("content" in obj or "reblog" in obj)


def _many(items: list[Any], local: dict[str, str]) -> list[Any]:
    """The posts of several statuses, each with its own raw record; a bad one is rejected alone."""
    out: list[Any] = []
    for item in items:
        skip = _private(item)
        if skip is not None:
            out.append(skip)
            continue
        raw = orjson.dumps(item)
        try:
            if not isinstance(item, dict):
                raise ParseError("status is not a JSON object")
            post = status_post(item, local)
        except ParseError as exc:
            out.append(Rejected(str(exc), raw))
            continue
        except MAPPING_ERRORS as exc:
            out.append(Rejected(cannot_map("Mastodon status", exc), raw))
            continue
        post["_raw"] = raw
        out.append(post)
    return out


def _event(obj: dict[str, Any]) -> list[Any]:
    event, payload = obj["event"], obj["payload"]
    if event == "delete":
        uri = obj.get("uri")
        if isinstance(uri, str) and uri:
            return [Tombstone(PLATFORM, uri, "deleted")]
        raise ParseError(f"delete of local status id {payload!r}: the stream did not carry the status before, "
                         "so its uri (the post id) is unknown")
    if event in _NO_POST_EVENTS:
        return []
    if isinstance(payload, str):  # the WebSocket API sends the payload as JSON text
        try:
            payload = orjson.loads(payload)
        except orjson.JSONDecodeError as exc:
            raise ParseError(f"{event} event with a payload that is not JSON: {exc}") from None
    if event in _STATUS_EVENTS:
        if not isinstance(payload, dict):
            raise ParseError(f"{event} event without a status")
        return [_private(payload) or status_post(payload, {})]
    if event in ("conversation", "notification") and isinstance(payload, dict):
        return _parse(payload)
    raise ParseError(f"unknown streaming event {event!r}")


def _host(url: Any) -> str | None:
    return domain_of(url) if isinstance(url, str) and "://" in url else None


def account_id(account: dict[str, Any]) -> str | None:
    """An account's global id: its profile ``url``, else its ActivityPub ``uri``."""
    return as_str(account.get("url")) or as_str(account.get("uri"))


def full_acct(who: dict[str, Any]) -> str | None:
    """``user@domain`` of an account or a mention: a local one's ``acct`` has no domain, its url's host
    is it (an instance whose WebFinger domain differs from its web host is named by the latter)."""
    acct = as_str(who.get("acct"))
    if acct is None or "@" in acct:
        return acct
    host = _host(who.get("url")) or _host(who.get("uri"))
    return f"{acct}@{host}" if host else acct


def status_post(st: dict[str, Any], local: dict[str, str]) -> dict[str, Any]:
    """One status to a post; LOCAL maps the local ids of statuses the same record holds to their uris."""
    pid = as_str(st.get("uri"))
    if pid is None:
        raise ParseError("missing uri" if st.get("uri") in (None, "") else f"bad uri: {st.get('uri')!r}")
    account = st.get("account")
    if not isinstance(account, dict) or account_id(account) is None:
        raise ParseError("missing account")
    if st.get("created_at") in (None, ""):
        raise ParseError("missing created_at")
    created = parse_iso(st["created_at"])
    boosted = st.get("reblog")
    boosted = boosted if isinstance(boosted, dict) else None
    source = boosted or st
    body = html_text.read(source.get("content"))
    spoiler = as_str(source.get("spoiler_text"))
    text = f"{spoiler}\n\n{body.text}" if spoiler and body.text else spoiler or body.text or None
    mentions = [m for m in map(full_acct, (x for x in source.get("mentions") or () if isinstance(x, dict))) if m]
    card = source.get("card")
    card_url = card.get("url") if isinstance(card, dict) and isinstance(card.get("url"), str) else None
    urls = [*body.links, *([card_url] if card_url else [])]
    quote = source.get("quote")
    quoted = quote.get("quoted_status") if isinstance(quote, dict) else None
    quoted = quoted if isinstance(quoted, dict) else None
    repost_author = None
    if boosted is not None:
        b_account = boosted.get("account")
        repost_author = full_acct(b_account) if isinstance(b_account, dict) else None
        if repost_author:
            mentions = [repost_author, *mentions]
        if as_str(boosted.get("uri")) is None:
            raise ParseError("boost of a status without uri")
    kind = kind_of(repost=boosted is not None, reply=st.get("in_reply_to_id") is not None, quote=isinstance(quote, dict))
    followers = as_int(account.get("followers_count"))
    return new_post(
        platform=PLATFORM, id=pid, author_id=account_id(account), author_handle=full_acct(account),
        author_name=as_str(account.get("display_name")), author_followers=followers,
        author_bio=html_text.text(account.get("note")), created_at=created, text=text,
        lang=as_str(source.get("language")), **hashtag_fields(_tags(source, body.tags)),
        mentions=unique(mentions), **url_fields(urls), kind=kind,
        reply_to_id=local.get(st["in_reply_to_id"]) if isinstance(st.get("in_reply_to_id"), str) else None,
        reply_to_user_id=_replied_account(st, account),
        quote_of_id=as_str(quoted.get("uri")) if quoted else None,
        repost_of_id=as_str(boosted.get("uri")) if boosted else None, repost_of_author=repost_author,
        community=_host(pid), like_count=as_int(source.get("favourites_count")),
        repost_count=as_int(source.get("reblogs_count")), reply_count=as_int(source.get("replies_count")),
        quote_count=as_int(source.get("quotes_count")), source_format=NAME,
        # One copy shows only whether the status was edited; the merge counts the edits seen (merging.py).
        edit_count=1 if st.get("edited_at") else 0)


def _tags(st: dict[str, Any], written: list[str]) -> list[str]:
    """``tags[]`` (the server's list, lower-cased by some servers), each as the text writes it when the
    text's tag links show it: ``#IchBinHanna`` in the text, ``IchbinHanna`` in ``tags[]`` (first use)."""
    as_written = {}
    for tag in written:
        as_written.setdefault(fold_tag(tag), tag)
    if not isinstance(st.get("tags"), list):  # not sent: the text's tag links are all there is
        return written
    names = [t["name"] for t in st["tags"] if isinstance(t, dict) and isinstance(t.get("name"), str)]
    return [as_written.get(fold_tag(n), n) for n in names if n.strip()]


def _replied_account(st: dict[str, Any], account: dict[str, Any]) -> str | None:
    """The global id of the account replied to: ``in_reply_to_account_id`` is local, so it is found
    among the status's own account and its mentions (a reply mentions whom it answers)."""
    target = st.get("in_reply_to_account_id")
    if not isinstance(target, str):
        return None
    if account.get("id") == target:
        return account_id(account)
    for m in st.get("mentions") or ():
        if isinstance(m, dict) and m.get("id") == target:
            return account_id(m)
    return None
