"""Simulated posts as Mastodon streaming events, one WebSocket message per line.

What a client subscribed to the federated timeline of one instance (``STREAM_HOST``) writes: each
line is ``{"stream": ["public"], "event": ..., "payload": ...}``, the payload of ``update`` being the
status as JSON *text* (as the WebSocket API sends it), that of ``delete`` the status's local id.

- statuses come from several instances: the ``uri`` is on the author's instance (the community),
  the local ``id`` is the streaming instance's; accounts of other instances are ``user@domain``;
- ``content`` is Mastodon's sanitised HTML (hashtag and mention links, links split into spans);
  ``tags[]`` names the tags lower-cased, as servers send them;
- a boost is a status whose ``reblog`` is the boosted status; a 4.5 quote has
  ``quote.quoted_status``; a reply names its parent by local id (``in_reply_to_id``).
"""

from __future__ import annotations

from html import escape
from typing import Any

import orjson

from . import names
from .campaign import Deletion, Sim
from .people import People
from .segments import compose
from .truth import iso

STREAM_HOST = "mastodon.example"
# Invented instances (never real servers): supporters and the backlash gather on different ones.
INSTANCES = {
    "supporter": ("mastodon.example", "feminist.social.example", "toot.example.org", "kind.example.net"),
    "backlash": ("freespeech.example", "mastodon.example", "based.example.net"),
}


def instance(a: int, stance: str) -> str:
    """The instance account A lives on (by its index: an account keeps its instance)."""
    pool = INSTANCES[stance]
    return pool[(a * 2654435761 >> 7) % len(pool)]


def local_id(sim: Sim) -> str:
    """The status's id on the streaming instance (Mastodon ids are milliseconds << 16, then a sequence)."""
    return str((sim.ms << 16) | (sim.idx & 0xFFFF))


class MastodonRenderer:
    """Renders statuses and deletions as streaming lines; keeps one account object per account."""

    def __init__(self, people: People):
        self.people = people
        self._accounts: dict[int, dict[str, Any]] = {}

    def home(self, a: int) -> str:
        return instance(a, "backlash" if self.people.backlash(a) else "supporter")

    def account(self, a: int) -> dict[str, Any]:
        acc = self._accounts.get(a)
        if acc is None:
            host, user, p = self.home(a), names.handle(a), self.people
            url = f"https://{host}/@{user}"
            note = names.bio(a, p.pronoun(a))
            acc = self._accounts[a] = {
                "id": names.user_id(a), "username": user, "acct": user if host == STREAM_HOST else f"{user}@{host}",
                "display_name": names.display_name(a), "locked": False, "bot": False, "discoverable": True,
                "group": False, "created_at": "2013-04-01T00:00:00.000Z",
                "note": f"<p>{escape(note, quote=False)}</p>" if note else "", "url": url,
                "uri": f"https://{host}/users/{user}", "avatar": f"https://{host}/avatars/original/missing.png",
                "followers_count": p.followers[a], "following_count": 20 + a % 900, "statuses_count": 50 + a % 4000,
                "emojis": [], "fields": [],
            }
        return acc

    def line(self, sim: Sim) -> bytes:
        """The ``update`` event of SIM (its status is kept on SIM for boosts, quotes and replies)."""
        status = self._status(sim)
        # Embedded in a boost or a quote, a status carries no quote of its own: chains stay one deep.
        sim.memo["mastodon"] = {k: v for k, v in status.items() if k != "quote"}
        return orjson.dumps({"stream": ["public"], "event": "update", "payload": orjson.dumps(status).decode()})

    @staticmethod
    def delete(ev: Deletion, lid: str) -> bytes:
        return orjson.dumps({"stream": ["public"], "event": "delete", "payload": lid})

    def _status(self, sim: Sim) -> dict[str, Any]:
        acc = self.account(sim.author)
        host, user = self.home(sim.author), acc["username"]
        lid = local_id(sim)
        uri = f"https://{host}/users/{user}/statuses/{lid}"
        parent = sim.parent
        base: dict[str, Any] = {
            "id": lid, "created_at": iso(sim.ms), "in_reply_to_id": None, "in_reply_to_account_id": None,
            "sensitive": False, "spoiler_text": "", "visibility": "public", "language": sim.lang,
            "uri": uri, "url": f"https://{host}/@{user}/{lid}", "replies_count": 0, "reblogs_count": 0,
            "favourites_count": 0, "edited_at": None, "content": "", "reblog": None, "account": acc,
            "media_attachments": [], "mentions": [], "tags": [], "emojis": [], "card": None, "poll": None,
        }
        if sim.kind == "repost" and parent is not None:
            base.update(uri=uri + "/activity", url=None, language=None, reblog=parent.memo["mastodon"])
            return base
        text_mentions: list[dict[str, Any]] = []

        def mention(a: int) -> str:
            text_mentions.append(self.account(a))
            return "@" + names.handle(a)

        text, spans = compose(sim, mention)
        html: list[str] = []
        pos = 0
        for sp in spans:
            html.append(escape(text[pos:sp.start], quote=False))
            if sp.kind == "tag":
                html.append(f'<a href="https://{host}/tags/{escape(sp.value)}" class="mention hashtag" rel="tag">'
                            f"#<span>{escape(sp.value, quote=False)}</span></a>")
            elif sp.kind == "mention":
                target = self.account(sp.value)
                html.append(f'<span class="h-card" translate="no"><a href="{target["url"]}" class="u-url mention">'
                            f'@<span>{target["username"]}</span></a></span>')
            else:
                scheme, rest = sp.value.split("://", 1)
                html.append(f'<a href="{escape(sp.value)}" target="_blank" rel="nofollow noopener noreferrer" '
                            f'translate="no"><span class="invisible">{scheme}://</span><span class="ellipsis">'
                            f'{escape(rest[:30], quote=False)}</span><span class="invisible">'
                            f"{escape(rest[30:], quote=False)}</span></a>")
            pos = sp.end
        html.append(escape(text[pos:], quote=False))
        base["content"] = "<p>" + "".join(html) + "</p>"
        base["mentions"] = [{"id": m["id"], "username": m["username"], "url": m["url"], "acct": m["acct"]}
                            for m in {m["id"]: m for m in text_mentions}.values()]
        base["tags"] = [{"name": w.lower(), "url": f"https://{host}/tags/{w.lower()}"} for w, _, _ in sim.tag_pos]
        if sim.kind == "reply" and parent is not None:
            pstatus = parent.memo["mastodon"]
            base.update(in_reply_to_id=pstatus["id"], in_reply_to_account_id=pstatus["account"]["id"])
        elif sim.kind == "quote" and parent is not None:
            base["quote"] = {"state": "accepted", "quoted_status": parent.memo["mastodon"]}
        return base
