"""Simulated posts as Twitter API v2 response pages, one page per line (what `twarc2 search` writes).

Each page holds up to 100 posts in ``data`` (newest first, as the search endpoint returns them),
``includes.users`` (authors, authors of referenced posts, mentioned accounts), ``includes.tweets``
(the posts referenced: a repost's ``text`` is cut at 140 characters with "…", and the full text is
only in ``includes.tweets``), ``meta`` and twarc's ``__twarc`` block.
"""

from __future__ import annotations

from typing import Any

import orjson

from . import names
from .campaign import Sim
from .people import People
from .render_v1 import fragment
from .truth import iso

PAGE_SIZE = 100
_SOURCES = ("Twitter for iPhone", "Twitter for Android", "Twitter Web Client", "TweetDeck")
_QUERY_URL = (
    "https://api.twitter.com/2/tweets/search/all?expansions=author_id%2Cin_reply_to_user_id%2Creferenced_tweets.id"
    "%2Creferenced_tweets.id.author_id%2Centities.mentions.username&tweet.fields=author_id%2Cconversation_id"
    "%2Ccreated_at%2Centities%2Cid%2Cin_reply_to_user_id%2Clang%2Cpublic_metrics%2Creferenced_tweets%2Csource%2Ctext"
    "&user.fields=created_at%2Cdescription%2Cid%2Clocation%2Cname%2Cpublic_metrics%2Cusername%2Cverified"
    "&query=%23YesAllWomen+OR+%23NotAllMen&start_time=2014-05-24T00%3A00%3A00Z&max_results=100"
)


class V2Renderer:
    """Collects posts into pages; :meth:`add` returns a finished page's bytes when one is full."""

    def __init__(self, people: People):
        self.people = people
        self.pages = 0
        self._users: dict[int, orjson.Fragment] = {}
        self._new_page()

    def _new_page(self) -> None:
        self.data: list[dict[str, Any]] = []
        self.users: dict[int, orjson.Fragment] = {}
        self.tweets: dict[str, dict[str, Any]] = {}

    def add(self, sim: Sim) -> bytes | None:
        """Render SIM into the current page now (its parent links are only valid now)."""
        self.data.append(self.tweet(sim))
        self._add_users(self.users, sim)
        if sim.parent is not None and sim.parent.id not in self.tweets:
            self.tweets[sim.parent.id] = self.tweet(sim.parent)
            self._add_users(self.users, sim.parent)
        return self.flush() if len(self.data) >= PAGE_SIZE else None

    def flush(self) -> bytes | None:
        """The current page as one JSON line (without the newline), or None when it is empty."""
        if not self.data:
            return None
        data = self.data[::-1]
        page: dict[str, Any] = {"data": data, "includes": {"users": list(self.users.values())}}
        if self.tweets:
            page["includes"]["tweets"] = list(self.tweets.values())
        self._new_page()
        self.pages += 1
        page["meta"] = {
            "newest_id": data[0]["id"],
            "oldest_id": data[-1]["id"],
            "result_count": len(data),
            "next_token": f"b26v89c19zqg8o3f{self.pages:09d}",
        }
        page["__twarc"] = {"url": _QUERY_URL, "version": "2.14.0", "retrieved_at": "2023-03-01T12:00:00+00:00"}
        return orjson.dumps(page)

    def _add_users(self, users: dict[int, orjson.Fragment], sim: Sim) -> None:
        for a in (sim.author, *(m[0] for m in sim.mention_pos)):
            if a not in users:
                users[a] = self.user(a)
        if sim.kind == "repost" and sim.parent is not None and sim.parent.author not in users:
            users[sim.parent.author] = self.user(sim.parent.author)

    def user(self, a: int) -> orjson.Fragment:
        frag = self._users.get(a)
        if frag is None:
            if len(self._users) > 100_000:
                self._users.clear()
            p = self.people
            h = (a * 2654435761) & 0xFFFFFFFF
            obj = {
                "id": names.user_id(a),
                "username": names.handle(a),
                "name": names.display_name(a),
                "description": names.bio(a, p.pronoun(a)) or "",
                "verified": p.verified(a),
                "protected": False,
                "location": names.location(a),
                "created_at": iso(1_230_000_000_000 + (h % 170_000_000) * 1000),
                "public_metrics": {
                    "followers_count": p.followers[a],
                    "following_count": 20 + h % 1500,
                    "tweet_count": 50 + (h >> 8) % 40000,
                    "listed_count": p.followers[a] // 200,
                },
            }
            if obj["location"] is None:
                del obj["location"]
            frag = self._users[a] = fragment(obj)
        return frag

    @staticmethod
    def entities(sim: Sim, offset: int = 0, limit: int | None = None) -> dict[str, Any]:
        def keep(end: int) -> bool:
            return limit is None or end + offset <= limit

        ents: dict[str, Any] = {}
        tags = [{"start": s + offset, "end": e + offset, "tag": w} for w, s, e in sim.tag_pos if keep(e)]
        if tags:
            ents["hashtags"] = tags
        mentions = [
            {"start": s + offset, "end": e + offset, "username": names.handle(a), "id": names.user_id(a)}
            for a, s, e in sim.mention_pos
            if keep(e)
        ]
        if mentions:
            ents["mentions"] = mentions
        urls = [
            {"start": s + offset, "end": e + offset, "url": t, "expanded_url": x, "display_url": x.split("://", 1)[1][:26] + "…"}
            for t, x, _, s, e in sim.url_pos
            if keep(e)
        ]
        if urls:
            ents["urls"] = urls
        return ents

    def _retweet_parts(self, parent: Sim) -> tuple[str, orjson.Fragment]:
        """The text of a retweet of PARENT (cut at 140 characters with "…") and its entities."""
        memo = parent.memo.get("v2rt")
        if memo is not None:
            return memo
        prefix = f"RT @{names.handle(parent.author)}: "
        full = prefix + parent.text
        text = full if len(full) <= 140 else full[:139] + "…"
        ents = self.entities(parent, offset=len(prefix), limit=len(text) - (len(full) > 140))
        ents.setdefault("mentions", []).insert(
            0, {"start": 3, "end": 4 + len(names.handle(parent.author)), "username": names.handle(parent.author),
                "id": names.user_id(parent.author)}
        )
        memo = parent.memo["v2rt"] = (text, fragment(ents))
        return memo

    def tweet(self, sim: Sim) -> dict[str, Any]:
        """The v2 tweet object of a post."""
        parent = sim.parent
        t: dict[str, Any] = {"id": sim.id, "author_id": names.user_id(sim.author)}
        metrics = {"retweet_count": sim.reposts, "reply_count": sim.replies, "like_count": sim.likes, "quote_count": sim.quotes}
        if sim.kind == "repost" and parent is not None:
            text, ents = self._retweet_parts(parent)
            t["text"] = text
            t["referenced_tweets"] = [{"type": "retweeted", "id": parent.id}]
            metrics = {"retweet_count": parent.reposts, "reply_count": 0, "like_count": 0, "quote_count": 0}
        else:
            t["text"] = sim.text
            if "v2" not in sim.memo:
                plain = self.entities(sim)
                sim.memo["v2"] = fragment(plain) if plain else None
            ents = sim.memo["v2"]
            if sim.kind == "reply" and sim.parent_id is not None:
                t["referenced_tweets"] = [{"type": "replied_to", "id": sim.parent_id}]
                t["in_reply_to_user_id"] = names.user_id(sim.parent_author)
            elif sim.kind == "quote" and sim.parent_id is not None:
                t["referenced_tweets"] = [{"type": "quoted", "id": sim.parent_id}]
        if ents:
            t["entities"] = ents
        t.update(
            conversation_id=sim.conversation,
            created_at=iso(sim.ms),
            lang=sim.lang,
            source=_SOURCES[sim.idx % 4],
            reply_settings="everyone",
            possibly_sensitive=False,
            public_metrics=metrics,
            edit_history_tweet_ids=[sim.id],
        )
        return t
