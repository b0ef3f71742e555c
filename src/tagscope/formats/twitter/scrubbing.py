"""Forget's scrub for every Twitter format: embedded copies of forgotten posts and accounts.

Twitter's formats embed other posts and accounts in a record, and one record may mix layouts (a v1.1
status quoting a tweet, a Gnip activity with URL enrichment): the copies are found by shape, wherever
they sit in the record, so one function serves v1.1, v2, Gnip, the X archive and twarc-csv.
"""

from __future__ import annotations

import re
from typing import Any

from ..contract import Forgotten

# The JSON keys under which Twitter's records name an account's handle (forget's search pattern).
HANDLE_KEYS = ("screen_name", "username", "preferredUsername")
# What a v2 mention is without the profile twarc2 flatten adds to it.
_MENTION_KEYS = frozenset({"start", "end", "username", "id"})
STATUS_URL = re.compile(r"(?i)(?:twitter|x)\.com/@?([a-z0-9_]{1,15})/status(?:es)?/([0-9]+)")


def scrub(obj: Any, forgotten: Forgotten) -> bool:
    """Remove, in place, the embedded copies of forgotten posts and accounts from one raw record: a
    quote's v1.1 ``quoted_status`` or Gnip ``twitter_quoted_status``, the v2 ``includes`` of a quote or
    reply, an inlined referenced tweet, a mention's copied display name, Gnip's enrichment of a status
    link. The record's own fields stay (its mapping never reads the copies'). Returns whether anything
    changed."""
    return _scrub(obj, forgotten.ids, forgotten.accounts, forgotten.handles)


def _scrub(obj: Any, ids: frozenset[str], accounts: frozenset[str], handles: frozenset[str]) -> bool:
    def gone_user(user: dict[str, Any]) -> bool:
        return (str(user.get("id_str") or user.get("id")) in accounts
                or str(user.get("screen_name") or user.get("username")).lower() in handles)

    def gone_tweet(t: Any) -> bool:
        if not isinstance(t, dict):
            return False
        user = t.get("user") if isinstance(t.get("user"), dict) else t.get("author")
        user = user if isinstance(user, dict) else {}
        return str(t.get("id_str") or t.get("id")) in ids or str(t.get("author_id")) in accounts or gone_user(user)

    changed = False
    if isinstance(obj, list):
        for item in obj:
            changed |= _scrub(item, ids, accounts, handles)
        return changed
    if not isinstance(obj, dict):
        return False
    q = obj.get("quoted_status")
    if gone_tweet(q):  # v1.1: keep only the id the quote's mapping reads
        obj["quoted_status"] = {"id_str": str(q.get("id_str") or q.get("id"))}
        changed = True
    for m in obj.get("user_mentions") or () if isinstance(obj.get("user_mentions"), list) else ():
        # A mention of the account in someone else's post keeps its handle (it is in their text) but
        # not the account's display name, which v1.1 copies into the mention.
        if isinstance(m, dict) and "name" in m and (str(m.get("id_str") or m.get("id")) in accounts
                                                    or str(m.get("screen_name")).lower() in handles):
            del m["name"]
            changed = True
    for m in obj.get("mentions") or () if isinstance(obj.get("mentions"), list) else ():
        # twarc2 flatten copies the mentioned account's profile into the mention: the handle and id
        # stay (they are the mention), the rest of the profile goes.
        extra = set(m) - _MENTION_KEYS if isinstance(m, dict) else set()
        if extra and gone_user(m):
            for k in extra:
                del m[k]
            changed = True
    gq = obj.get("twitter_quoted_status")
    if isinstance(gq, dict) and len(gq) > 1:  # Gnip: ids are "tag:search.twitter.com,2005:NNN"
        actor = gq.get("actor") if isinstance(gq.get("actor"), dict) else {}
        if (str(gq.get("id")).rsplit(":", 1)[-1] in ids or str(actor.get("id")).rsplit(":", 1)[-1] in accounts
                or str(actor.get("preferredUsername")).lower() in handles):
            obj["twitter_quoted_status"] = {"id": gq.get("id")}
            changed = True
    url = obj.get("expanded_url")
    if isinstance(url, str) and ("expanded_url_title" in obj or "expanded_url_description" in obj):
        # Gnip's URL enrichment quotes the linked page: for a forgotten post's status link, its text.
        m = STATUS_URL.search(url)
        if m and (m.group(2) in ids or m.group(1).lower() in handles):
            obj.pop("expanded_url_title", None)
            obj.pop("expanded_url_description", None)
            changed = True
    refs = obj.get("referenced_tweets")
    if isinstance(refs, list):  # twarc2 flatten inlines the referenced tweets
        for j, ref in enumerate(refs):
            if isinstance(ref, dict) and len(ref) > 2 and gone_tweet(ref):
                refs[j] = {k: ref[k] for k in ("type", "id") if k in ref}
                changed = True
    replied = obj.get("in_reply_to_user")
    if isinstance(replied, dict) and len(replied) > 1 and gone_user(replied):
        # twarc2 flatten inlines the replied-to account's profile (the mapping reads in_reply_to_user_id)
        obj["in_reply_to_user"] = {"id": replied["id"]} if "id" in replied else {}
        changed = True
    inc = obj.get("includes")
    if isinstance(inc, dict):  # v2: the referenced tweets and their authors
        users = inc.get("users") if isinstance(inc.get("users"), list) else None
        for u in users or ():
            if isinstance(u, dict) and str(u.get("username")).lower() in handles:
                accounts = accounts | {str(u.get("id"))}
        tweets = inc.get("tweets") if isinstance(inc.get("tweets"), list) else None
        if tweets is not None and any(gone_tweet(t) for t in tweets):
            inc["tweets"] = tweets = [t for t in tweets if not gone_tweet(t)]
            changed = True
        if users is not None and changed:
            main = obj.get("data")
            needed = {str(t.get("author_id")) for t in [*(main if isinstance(main, list) else [main]), *(tweets or ())]
                      if isinstance(t, dict)}
            inc["users"] = [u for u in users if isinstance(u, dict) and str(u.get("id")) in needed
                            and str(u.get("id")) not in accounts]
        elif users is not None and any(isinstance(u, dict) and str(u.get("id")) in accounts for u in users):
            inc["users"] = [u for u in users if not (isinstance(u, dict) and str(u.get("id")) in accounts)]
            changed = True
    for k, v in obj.items():
        if k not in ("quoted_status", "includes") and isinstance(v, dict | list):
            changed |= _scrub(v, ids, accounts, handles)
    return changed
