"""Forget's scrub for Mastodon records: the copies of other people's statuses and profiles they carry.

A status embeds whole the status it boosts (``reblog``) and the one it quotes (``quote.quoted_status``,
4.5+), each with its author's profile; a conversation lists its participants' profiles; a search result
lists accounts. A forgotten one is cut to its ids (``id``, ``uri``): the post still names what it boosts
or quotes, and nothing of the forgotten person's words, name or bio stays.
"""

from __future__ import annotations

from typing import Any

import orjson

from ...post import domain_of
from ..contract import Forgotten

# The key under which Mastodon's records name an account's handle (``user`` or ``user@domain``).
HANDLE_KEYS = ("acct",)
_CONTAINERS = ("statuses", "ancestors", "descendants")


def scrub(obj: Any, forgotten: Forgotten) -> bool:
    """Cut, in place, each embedded status or account of a forgotten post or person to its ids; return
    whether anything changed. The record's own status stays (forget drops its record whole)."""
    if isinstance(obj, list):
        return any([scrub(item, forgotten) for item in obj])  # a list, not a generator: every item is scrubbed
    if not isinstance(obj, dict):
        return False
    if isinstance(obj.get("event"), str) and "payload" in obj:
        payload = obj["payload"]
        if isinstance(payload, str) and payload.startswith("{"):
            try:
                decoded = orjson.loads(payload)
            except orjson.JSONDecodeError:
                return False
            if scrub(decoded, forgotten):
                obj["payload"] = orjson.dumps(decoded).decode()
                return True
            return False
        return scrub(payload, forgotten)
    changed = False
    for key in _CONTAINERS:
        items = obj.get(key)
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict) and _gone(item, forgotten):
                    items[i], changed = _ids(item), True
                else:
                    changed = scrub(item, forgotten) or changed
    for key in ("accounts",):
        items = obj.get(key)
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict) and _account_gone(item, forgotten):
                    items[i], changed = _ids(item), True
    for key in ("last_status", "status"):
        if isinstance(obj.get(key), dict):
            changed = _embedded(obj, key, forgotten) or changed
    changed = _mentions(obj, forgotten) or changed
    changed = _embedded(obj, "reblog", forgotten) or changed
    quote = obj.get("quote")
    if isinstance(quote, dict):
        changed = _embedded(quote, "quoted_status", forgotten) or changed
    return changed


def _mentions(status: dict[str, Any], forgotten: Forgotten) -> bool:
    """A mention of a forgotten account keeps what names it (its full handle, ids and url): its
    ``username`` alone, often the person's display name too, goes."""
    mentions = status.get("mentions")
    if not isinstance(mentions, list):
        return False
    changed = False
    for i, m in enumerate(mentions):
        if isinstance(m, dict) and _account_gone(m, forgotten):
            kept = {k: m[k] for k in ("id", "url") if k in m}
            handle = _full(m)
            if handle is not None:
                kept["acct"] = handle
            if kept != m:
                mentions[i], changed = kept, True
    return changed


def _full(who: dict[str, Any]) -> str | None:
    acct = who.get("acct")
    if not isinstance(acct, str) or "@" in acct:
        return acct if isinstance(acct, str) else None
    host = _host(who.get("url")) or _host(who.get("uri"))
    return f"{acct}@{host}" if host else acct


def _embedded(holder: dict[str, Any], key: str, forgotten: Forgotten) -> bool:
    status = holder.get(key)
    if not isinstance(status, dict):
        return False
    if _gone(status, forgotten):
        holder[key] = _ids(status)
        return holder[key] != status
    return scrub(status, forgotten)


def _ids(item: dict[str, Any]) -> dict[str, Any]:
    return {k: item[k] for k in ("id", "uri") if k in item}


def _gone(status: dict[str, Any], forgotten: Forgotten) -> bool:
    if isinstance(status.get("uri"), str) and status["uri"] in forgotten.ids:
        return True
    account = status.get("account")
    return isinstance(account, dict) and _account_gone(account, forgotten)


def _account_gone(account: dict[str, Any], forgotten: Forgotten) -> bool:
    ids = {v for v in (account.get("url"), account.get("uri")) if isinstance(v, str)}
    if not ids.isdisjoint(forgotten.accounts):
        return True
    acct = account.get("acct")
    if not isinstance(acct, str):
        return False
    return acct.lower() in forgotten.handles or (_full(account) or "").lower() in forgotten.handles


def _host(url: Any) -> str | None:
    return domain_of(url) if isinstance(url, str) and "://" in url else None
