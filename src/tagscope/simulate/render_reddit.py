"""Simulated posts as Pushshift NDJSON: submissions (``RS_``) and comments (``RC_``), one object a line.

- an original is a submission (``title`` and ``selftext``; a link post has ``url``, ``is_self`` false)
  in a subreddit, the community; a reply is a comment (``parent_id`` the parent's fullname,
  ``link_id`` the thread's submission); a quote of a submission is a crosspost (``crosspost_parent``),
  a quote of a comment can only be a comment answering it (so it is written, and counted, as a reply);
- Reddit has no reposts: the campaign's reposts that fall on Reddit are not written (counted apart);
- hashtags are ``#tag`` in the text (Reddit has no entities); mentions are ``u/name``;
- a post taken down before the capture is written as Pushshift holds it: text ``[deleted]`` and
  author ``[deleted]`` when its author deleted it, text ``[removed]`` when a moderator removed it
  (here: backlash posts are removed, supporters' deleted by their authors);
- texts escape ``&``, ``<`` and ``>`` as Reddit's JSON does.
"""

from __future__ import annotations

from typing import Any

import orjson

from . import names
from .campaign import Sim
from .people import People
from .segments import compose

SUBREDDITS = {
    "supporter": {"en": ("TwoXChromosomes", "AskWomen", "feminisms", "TwoXChromosomes"), "es": ("es",), "fr": ("france",)},
    "backlash": {"en": ("MensRights", "PurplePillDebate", "MensRights"), "es": ("es",), "fr": ("france",)},
}
_ID_BASE = 0x60000000  # ids of 2014 are six base36 digits, as Reddit's were then
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_RETRIEVED_S = 36 * 3600  # Pushshift fetched each post about a day and a half after it was made


def base36(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = _DIGITS[r] + out
    return out or "0"


def subreddit(a: int, stance: str, lang: str) -> str:
    pool = SUBREDDITS[stance].get(lang) or SUBREDDITS[stance]["en"]
    return pool[(a * 40503 >> 5) % len(pool)]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class RedditRenderer:
    """Renders a post as (file, line): ``"RS"`` for submissions, ``"RC"`` for comments."""

    def __init__(self, people: People):
        self.people = people
        self.removed = 0
        self.deleted = 0

    def line(self, sim: Sim) -> tuple[str, bytes, str]:
        """(file, the JSON line, the kind written: original, quote or reply)."""
        parent = sim.parent
        rid = base36(_ID_BASE + sim.idx)
        created = sim.ms // 1000
        text, _ = compose(sim, lambda a: "u/" + names.handle(a))
        gone = None
        if sim.deleted:
            gone = "[removed]" if sim.stance == "backlash" else "[deleted]"
            if gone == "[removed]":
                self.removed += 1
            else:
                self.deleted += 1
        author = "[deleted]" if gone == "[deleted]" else names.handle(sim.author)
        common: dict[str, Any] = {"author": author, "created_utc": created, "id": rid,
                                  "retrieved_on": created + _RETRIEVED_S, "score": 1 + sim.likes}
        if author != "[deleted]":
            common["author_fullname"] = "t2_" + base36(int(names.user_id(sim.author)))
        is_comment = sim.kind == "reply" or (sim.kind == "quote" and parent is not None and
                                            parent.memo["reddit"]["name"].startswith("t1_"))
        if is_comment and parent is not None:
            pref = parent.memo["reddit"]
            sub, link = pref["subreddit"], pref["link_id"]
            name = "t1_" + rid
            obj = {**common, "body": gone or _escape(text), "controversiality": 0, "link_id": link, "name": name,
                   "parent_id": pref["name"], "permalink": f"/r/{sub}/comments/{link[3:]}/comment/{rid}/",
                   "subreddit": sub, "subreddit_id": "t5_" + base36(hash_sub(sub))}
            sim.memo["reddit"] = {"name": name, "link_id": link, "subreddit": sub}
            return "RC", orjson.dumps(dict(sorted(obj.items()))), "reply"
        sub = subreddit(sim.author, sim.stance, sim.lang)
        name = "t3_" + rid
        title, _, rest = text.partition(". ")
        title, selftext = (title + ".", rest) if rest else (text, "")
        link = sim.url_pos[0][1] if sim.url_pos else None
        obj = {**common, "domain": link.split("/")[2] if link else f"self.{sub}", "is_self": link is None,
               "name": name, "num_comments": sim.replies, "num_crossposts": sim.quotes, "over_18": False,
               "permalink": f"/r/{sub}/comments/{rid}/", "selftext": gone or _escape(selftext),
               "subreddit": sub, "subreddit_id": "t5_" + base36(hash_sub(sub)), "subreddit_name_prefixed": f"r/{sub}",
               "title": "[deleted by user]" if gone else _escape(title),
               "url": link or f"https://www.reddit.com/r/{sub}/comments/{rid}/"}
        kind = "original"
        if sim.kind == "quote" and parent is not None:
            obj["crosspost_parent"] = parent.memo["reddit"]["name"]
            kind = "quote"
        sim.memo["reddit"] = {"name": name, "link_id": name, "subreddit": sub}
        return "RS", orjson.dumps(dict(sorted(obj.items()))), kind


def hash_sub(name: str) -> int:
    """A stable subreddit id from its name."""
    h = 0
    for ch in name.lower():
        h = (h * 131 + ord(ch)) & 0xFFFFFFF
    return h
