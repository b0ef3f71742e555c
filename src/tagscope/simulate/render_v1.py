"""Simulated posts as Twitter API v1.1 streaming lines (what twarc1 `filter` wrote).

Shape as in real streaming payloads: ``id`` and ``id_str``, a full ``user`` object, ``entities`` with
indices, compat-mode truncation (``text`` cut with "…" and a link, ``truncated: true``, the whole post
in ``extended_tweet``) for texts over 140 characters, ``retweeted_status`` holding the original (the
wrapper's text is cut at 140 and its counts are zero), ``quoted_status`` for quotes, and
``{"delete": ...}`` notices.
"""

from __future__ import annotations

import time
from typing import Any

import orjson

from . import names
from .campaign import Deletion, Sim
from .people import People

_SOURCES = (
    '<a href="http://twitter.com/download/iphone" rel="nofollow">Twitter for iPhone</a>',
    '<a href="http://twitter.com/download/android" rel="nofollow">Twitter for Android</a>',
    '<a href="https://twitter.com" rel="nofollow">Twitter Web Client</a>',
    '<a href="https://tweetdeck.twitter.com" rel="nofollow">TweetDeck</a>',
)
_DAY_MS = 86_400_000


def fragment(obj: Any) -> orjson.Fragment:
    """Pre-serialised JSON to embed in later documents, copied to its exact size (orjson's output
    buffer is over-allocated, which multiplies the memory of long-lived pieces several times)."""
    return orjson.Fragment(bytes(memoryview(orjson.dumps(obj))))


class V1Renderer:
    """Builds v1.1 JSON lines; caches each account's user object as pre-serialised JSON."""

    def __init__(self, people: People):
        self.people = people
        self._users: dict[int, orjson.Fragment] = {}
        self._days: dict[int, tuple[str, str]] = {}

    def created_at(self, ms: int) -> str:
        day = ms // _DAY_MS
        parts = self._days.get(day)
        if parts is None:
            t = time.gmtime(day * 86400)
            dow = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[t.tm_wday]
            mon = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")[t.tm_mon - 1]
            parts = self._days[day] = (f"{dow} {mon} {t.tm_mday:02d}", str(t.tm_year))
        s = (ms % _DAY_MS) // 1000
        return f"{parts[0]} {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d} +0000 {parts[1]}"

    def user(self, a: int) -> orjson.Fragment:
        frag = self._users.get(a)
        if frag is None:
            if len(self._users) > 100_000:
                self._users.clear()
            frag = self._users[a] = fragment(self._user_obj(a))
        return frag

    def _user_obj(self, a: int) -> dict[str, Any]:
        p = self.people
        uid = names.user_id(a)
        h = (a * 2654435761) & 0xFFFFFFFF
        return {
            "id": int(uid),
            "id_str": uid,
            "name": names.display_name(a),
            "screen_name": names.handle(a),
            "location": names.location(a),
            "url": None,
            "description": names.bio(a, p.pronoun(a)),
            "protected": False,
            "verified": p.verified(a),
            "followers_count": p.followers[a],
            "friends_count": 20 + h % 1500,
            "listed_count": p.followers[a] // 200,
            "favourites_count": h % 9000,
            "statuses_count": 50 + (h >> 8) % 40000,
            "created_at": self.created_at(1_230_000_000_000 + (h % 170_000_000) * 1000 * 1),
            "lang": p.lang(a),
            "default_profile": bool(h & 1),
            "profile_image_url_https": f"https://pbs.twimg.com/profile_images/{uid}/avatar_normal.jpg",
        }

    @staticmethod
    def entities(sim: Sim, offset: int = 0, limit: int | None = None) -> dict[str, Any]:
        """Entities of sim's text shifted by OFFSET, keeping those that end within LIMIT characters."""

        def keep(end: int) -> bool:
            return limit is None or end + offset <= limit

        return {
            "hashtags": [{"text": w, "indices": [s + offset, e + offset]} for w, s, e in sim.tag_pos if keep(e)],
            "urls": [
                {"url": t, "expanded_url": x, "display_url": (x.split("://", 1)[1])[:26] + "…", "indices": [s + offset, e + offset]}
                for t, x, _, s, e in sim.url_pos
                if keep(e)
            ],
            "user_mentions": [
                {"screen_name": names.handle(a), "name": names.display_name(a), "id": int(names.user_id(a)),
                 "id_str": names.user_id(a), "indices": [s + offset, e + offset]}
                for a, s, e in sim.mention_pos
                if keep(e)
            ],
            "symbols": [],
        }

    def status(self, sim: Sim, *, nested: bool = False) -> dict[str, Any]:
        """The v1.1 status of a post; NESTED leaves out a quote's own quoted status (as Twitter does)."""
        if sim.kind == "repost" and sim.parent is not None:
            return self._retweet(sim)
        text = sim.text
        st: dict[str, Any] = {
            "created_at": self.created_at(sim.ms),
            "id": int(sim.id),
            "id_str": sim.id,
            "text": text,
            "source": _SOURCES[sim.idx % 4],
            "truncated": False,
            "in_reply_to_status_id": None,
            "in_reply_to_status_id_str": None,
            "in_reply_to_user_id": None,
            "in_reply_to_user_id_str": None,
            "in_reply_to_screen_name": None,
            "user": self.user(sim.author),
            "geo": None,
            "coordinates": None,
            "place": None,
            "contributors": None,
            "is_quote_status": False,
        }
        pid, pauthor = sim.parent_id, sim.parent_author
        if sim.kind == "reply" and pid is not None:
            st["in_reply_to_status_id"] = int(pid)
            st["in_reply_to_status_id_str"] = pid
            st["in_reply_to_user_id"] = int(names.user_id(pauthor))
            st["in_reply_to_user_id_str"] = names.user_id(pauthor)
            st["in_reply_to_screen_name"] = names.handle(pauthor)
        elif sim.kind == "quote" and pid is not None:
            st["is_quote_status"] = True
            st["quoted_status_id"] = int(pid)
            st["quoted_status_id_str"] = pid
            if not nested and sim.parent is not None:  # real payloads sometimes lack it too
                st["quoted_status"] = self.status(sim.parent, nested=True)
            permalink = f"https://twitter.com/{names.handle(pauthor)}/status/{pid}"
            st["quoted_status_permalink"] = {"url": permalink, "expanded": permalink, "display": permalink[8:]}
        memo = sim.memo.get("v1")
        if memo is None:
            memo = sim.memo["v1"] = self._text_parts(sim)
        st.update(memo)
        st.update(
            quote_count=sim.quotes, reply_count=sim.replies, retweet_count=sim.reposts, favorite_count=sim.likes,
            favorited=False, retweeted=False, filter_level="low", lang=sim.lang, timestamp_ms=str(sim.ms),
        )
        return st

    def _text_parts(self, sim: Sim) -> dict[str, Any]:
        """Text, entities and (over 140 characters) the compat-mode cut and ``extended_tweet``."""
        text = sim.text
        if len(text) <= 140:
            return {"entities": fragment(self.entities(sim))}
        cut = text[:115].rstrip() + "…"
        link = "https://t.co/" + sim.id[-10:]
        ents = self.entities(sim, limit=len(cut) - 1)
        ents["urls"].append(
            {"url": link, "expanded_url": f"https://twitter.com/i/web/status/{sim.id}",
             "display_url": f"twitter.com/i/web/status/{sim.id[:6]}…", "indices": [len(cut) + 1, len(cut) + 24]}
        )
        ext = {"full_text": text, "display_text_range": [0, len(text)], "entities": self.entities(sim)}
        return {
            "text": cut + " " + link,
            "truncated": True,
            "display_text_range": [0, len(cut) + 1],
            "entities": fragment(ents),
            "extended_tweet": fragment(ext),
        }

    def _retweet_parts(self, parent: Sim) -> tuple[str, orjson.Fragment]:
        """The wrapper text of a retweet of PARENT (cut at 140) and its entities."""
        memo = parent.memo.get("v1rt")
        if memo is not None:
            return memo
        prefix = f"RT @{names.handle(parent.author)}: "
        full = prefix + parent.text
        text = full if len(full) <= 140 else full[:139] + "…"
        ents = self.entities(parent, offset=len(prefix), limit=len(text) - (len(full) > 140))
        ents["user_mentions"].insert(
            0, {"screen_name": names.handle(parent.author), "name": names.display_name(parent.author),
                "id": int(names.user_id(parent.author)), "id_str": names.user_id(parent.author),
                "indices": [3, 4 + len(names.handle(parent.author))]},
        )
        memo = parent.memo["v1rt"] = (text, fragment(ents))
        return memo

    def _retweet(self, sim: Sim) -> dict[str, Any]:
        parent = sim.parent
        assert parent is not None
        text, ents = self._retweet_parts(parent)
        return {
            "created_at": self.created_at(sim.ms),
            "id": int(sim.id),
            "id_str": sim.id,
            "text": text,
            "source": _SOURCES[sim.idx % 4],
            "truncated": False,
            "in_reply_to_status_id": None,
            "in_reply_to_status_id_str": None,
            "in_reply_to_user_id": None,
            "in_reply_to_user_id_str": None,
            "in_reply_to_screen_name": None,
            "user": self.user(sim.author),
            "geo": None,
            "coordinates": None,
            "place": None,
            "contributors": None,
            "retweeted_status": self.status(parent),
            "is_quote_status": parent.kind == "quote",
            "quote_count": 0,
            "reply_count": 0,
            "retweet_count": 0,
            "favorite_count": 0,
            "entities": ents,
            "favorited": False,
            "retweeted": False,
            "filter_level": "low",
            "lang": parent.lang,
            "timestamp_ms": str(sim.ms),
        }

    def line(self, event: Sim | Deletion) -> bytes:
        """One JSON line (without the newline)."""
        if isinstance(event, Deletion):
            uid = names.user_id(event.author)
            return orjson.dumps(
                {"delete": {"status": {"id": int(event.id), "id_str": event.id, "user_id": int(uid), "user_id_str": uid},
                            "timestamp_ms": str(event.ms)}}
            )
        return orjson.dumps(self.status(event))
