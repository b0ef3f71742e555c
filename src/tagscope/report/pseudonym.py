"""Stable pseudonyms for authors who are not public figures.

A published report names the accounts a reader would expect to see named (the notables) and hides
everyone else behind ``author-3f9a2c``: a keyed hash (HMAC-SHA256) of the handle, so the same
person gets the same pseudonym throughout a report and across reports from the same store, yet
nobody can reverse it by hashing a list of handles without the key. The key is random, created on
first use and kept in ``STORE/derived/report/pseudonym.key``; delete it to unlink future reports
from past ones.

Who is notable (shown by name): a public figure, i.e. an account the platform marked verified, or
with at least ``NOTABLE_FOLLOWERS`` (10,000) followers. Follower counts come from the notables
analytic (as of the account's latest post in the store; its top 200 are looked at) or from the row
itself when it carries them. Everyone else is pseudonymised, including the tag's first users, and so
are their post ids (``post-7c01e4``): an id resolves to its author on x.com/i/status/ID.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..files import write_bytes

NOTABLE_FOLLOWERS = 10_000
# Columns / keys that hold an account name and get pseudonymised.
AUTHOR_KEYS = ("author", "author_handle", "handle", "account", "screen_name", "user", "repost_of_author")
# Columns that identify a person but carry no meaning for a reader once pseudonymised.
DROP_KEYS = ("author_name", "author_id", "author_bio", "name", "bio")
# Columns that hold the row's own post id: x.com/i/status/ID resolves it to its author, so it is shown
# only for public figures; ids of posts the row refers to (whose author it does not give) never are.
POST_ID_KEYS = ("id", "post_id", "first_post_id", "example_id")
REF_ID_KEYS = ("reply_to_id", "quote_of_id", "conversation_id", "repost_of_id")
# Hosts that serve Twitter/X posts and profiles under the same paths: twitter.com and x.com (any
# subdomain: www, mobile, m), the embed fixers (fxtwitter, vxtwitter, fixupx, fixvx, twittpr) and the
# nitter mirrors (nitter.net, nitter.<anything>, xcancel.com).
TWITTER_HOSTS = (r"(?:[a-z0-9-]+\.)*(?:(?:twitter|x|fxtwitter|vxtwitter|fixupx|fixvx|twittpr|xcancel)\.com"
                 r"|[a-z0-9-]*nitter[a-z0-9-]*(?:\.[a-z0-9-]+)+)")
# A link to a post or profile on them names its account in the path (twitter.com/<handle>/status/...).
PROFILE_URL = re.compile(
    rf"(?i)(?<![\w.-])((?:https?://)?{TWITTER_HOSTS}/)@?([a-z0-9_]{{1,15}})"
    r"(?:(/status(?:es)?/)([0-9]+))?(?![\w-])"
)
# A status link without a handle (twitter.com/i/web/status/ID, x.com/i/status/ID, twitter.com/statuses/ID):
# the id alone leads to the author, whom the link does not name, so it is always pseudonymised.
ID_URL = re.compile(rf"(?i)(?<![\w.-])((?:https?://)?{TWITTER_HOSTS}/(?:i/web/status|i/status|statuses)/)([0-9]+)(?![\w-])")
# First path segments of twitter.com / x.com that are pages, not accounts.
SITE_PATHS = frozenset({"i", "statuses", "intent", "hashtag", "search", "home", "share", "explore", "settings", "login",
                        "signup", "messages", "notifications", "tos", "privacy", "about", "compose"})


def load_key(store_path: str | os.PathLike[str] | None) -> bytes:
    """The store's pseudonym key, created on first use (a throwaway key when there is no store)."""
    if store_path is None:
        return secrets.token_bytes(32)
    path = Path(store_path) / "derived" / "report" / "pseudonym.key"
    try:
        return bytes.fromhex(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        write_bytes(path, key.hex().encode())
        return key


class Pseudonymiser:
    """Replaces non-notable handles by stable pseudonyms; ``reveal=True`` turns it off."""

    def __init__(self, key: bytes, notables: Iterable[str] = (), *, reveal: bool = False):
        self.key = key
        self.notables = {n.lower().lstrip("@") for n in notables if n}
        self.reveal = reveal

    def is_notable(self, handle: str, row: dict[str, Any] | None = None) -> bool:
        if handle.lower().lstrip("@") in self.notables:
            return True
        if row:
            followers = row.get("followers", row.get("author_followers"))
            if isinstance(followers, int | float) and followers >= NOTABLE_FOLLOWERS:
                return True
            if row.get("verified") is True or row.get("author_verified") is True:
                return True
        return False

    def name(self, handle: str | None, row: dict[str, Any] | None = None) -> str | None:
        """The handle as it may be published."""
        if handle is None or self.reveal or self.is_notable(handle, row):
            return handle
        digest = hmac.new(self.key, handle.lower().lstrip("@").encode(), hashlib.sha256).hexdigest()
        return "author-" + digest[:6]

    def post_id(self, post_id: str | None) -> str | None:
        """A post id as it may be published for a non-public author: keyed like handles (an id leads to
        its author on x.com/i/status/ID, undoing the pseudonym), stable, irreversible without the key."""
        if post_id is None or self.reveal:
            return post_id
        digest = hmac.new(self.key, b"post:" + str(post_id).encode(), hashlib.sha256).hexdigest()
        return "post-" + digest[:6]

    def urls(self, text: str) -> str:
        """``text`` with the handles (and status ids) in Twitter/X post and profile links pseudonymised,
        on twitter.com, x.com and the mirrors that serve the same paths (nitter, fxtwitter...).

        The links analytic lists the URLs posts shared, and a quoted or linked post's URL names its
        author: left as it is, a private account's handle would be published through its status links.
        """

        def sub(m: re.Match[str]) -> str:
            handle = m.group(2)
            if handle.lower() in SITE_PATHS:
                return m.group(0)
            shown = self.name(handle) or handle
            if not m.group(4):
                return m.group(1) + shown
            # The status id leads to the author as surely as the handle does.
            return m.group(1) + shown + m.group(3) + (m.group(4) if shown == handle else self.post_id(m.group(4)) or "")

        if self.reveal or "." not in text:
            return text
        text = ID_URL.sub(lambda m: m.group(1) + (self.post_id(m.group(2)) or ""), text)
        return PROFILE_URL.sub(sub, text)

    def row(self, row: dict[str, Any]) -> dict[str, Any]:
        """A copy of a table row safe to publish."""
        if self.reveal:
            return dict(row)
        handle = next((row[k] for k in AUTHOR_KEYS[:5] if isinstance(row.get(k), str)), None)
        notable = handle is not None and self.is_notable(handle, row)
        out: dict[str, Any] = {}
        for k, v in row.items():
            if k in AUTHOR_KEYS and isinstance(v, str):
                out[k] = self.name(v, row if k != "repost_of_author" else None)
            elif k in DROP_KEYS and not notable:
                out[k] = None if v is None else "(hidden)"
            elif k in POST_ID_KEYS and not notable and isinstance(v, str | int):
                out[k] = self.post_id(str(v))
            elif k in REF_ID_KEYS and isinstance(v, str | int):
                reposted = row.get("repost_of_author") if k == "repost_of_id" else None
                public = isinstance(reposted, str) and self.is_notable(reposted)
                out[k] = str(v) if public else self.post_id(str(v))
            elif isinstance(v, str):
                out[k] = self.urls(v)
            else:
                out[k] = v
        return out
