"""The campaign model: a time-ordered stream of simulated posts and deletions.

Shape of the campaign (loosely after #YesAllWomen, May 2014): the creator's first use, a burst the
next day, a press bump a week later and an exponential decay over 30 days, with a daily rhythm in UTC.
Reposts, replies and quotes pick their parent from an urn of recent posts in which each post gets
entries in proportion to its author's reach and one more per repost (rich get richer: heavy-tailed
cascade sizes). Supporters mostly amplify supporters; backlash accounts mostly reply to supporters.
Only a bounded window of recent posts is kept, so memory does not grow with the campaign.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from . import content, geography, names
from .people import CREATOR, NOTABLES, People
from .topics import Planter as TopicPlanter

START = datetime(2014, 5, 24, 20, 13, 7, tzinfo=UTC)
DAYS = 30
TWITTER_EPOCH_MS = 1288834974657
_DAY_MS = 86_400_000
_HOUR_MS = 3_600_000
# UTC hour-of-day activity: North American evenings peak, the European morning is quiet.
HOUR_WEIGHTS = (9, 10, 10, 9, 8, 6, 4, 3, 2, 2, 2, 3, 4, 5, 6, 6, 7, 7, 7, 8, 8, 8, 8, 9)
KIND_CUM = (("original", 0.30), ("repost", 0.83), ("reply", 0.95), ("quote", 1.0))
DELETE_SHARE = 0.01
BOTH_SHARE = 0.005
URN_SIZE = 25_000
FIRST_TEXT = "Every woman I know has a story like this. Every single one. It is time we said it out loud."


@dataclass(slots=True)
class Sim:
    """One simulated post, with entity positions computed once for every renderer."""

    idx: int
    id: str
    ms: int
    author: int
    kind: str
    stance: str
    lang: str
    text: str
    tags: list[tuple[str, str]]  # (as written, counting key); a repost's are its parent's
    tag_pos: list[tuple[str, int, int]] = field(default_factory=list)
    mention_pos: list[tuple[int, int, int]] = field(default_factory=list)  # (account, start, end)
    url_pos: list[tuple[str, str, str, int, int]] = field(default_factory=list)  # (t.co, expanded, domain, start, end)
    parent: Sim | None = None  # the object while it is needed (links further up are cut: bounded memory)
    parent_id: str | None = None
    parent_author: int = -1
    conversation: str = ""
    likes: int = 0
    reposts: int = 0
    replies: int = 0
    quotes: int = 0
    deleted: bool = False
    dest: int = 1  # bit 0: v1.1 file, bit 1: v2 file
    memo: dict[str, Any] = field(default_factory=dict)  # renderers' serialised pieces, reused when reposted
    topic: str = ""  # the planted sub-topic (simulate --topics); a repost's is its subject's
    place: str | None = None  # the place a planted sentence names (simulate/geography.py); a repost's is its parent's


@dataclass(slots=True)
class Deletion:
    """A delete notice for post ``id`` of account ``author``, sent at ``ms``."""

    ms: int
    id: str
    author: int


def day_weights() -> list[float]:
    """Relative volume per day: first use, burst, decay, a press bump on day 7."""
    w = [0.03, 1.0, 0.78, 0.55, 0.4, 0.3, 0.24, 0.33, 0.27]
    while len(w) < DAYS:
        w.append(max(w[-1] * 0.83, 0.004))
    return w


def split(total: int, weights: list[float] | tuple[int, ...]) -> list[int]:
    """TOTAL shared in proportion to WEIGHTS, exactly (largest remainders)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: out[i] - raw[i])[: total - sum(out)]:
        out[i] += 1
    return out


def _times(rng: random.Random, n_posts: int) -> Iterator[int]:
    """Post times in ms since the Unix epoch, ascending; the first is the campaign's first use."""
    start_ms = int(START.timestamp() * 1000)
    yield start_ms
    day0_ms = start_ms - start_ms % _DAY_MS
    per_day = split(n_posts - 1, day_weights())
    for day, n_day in enumerate(per_day):
        first_hour = START.hour if day == 0 else 0
        hours = list(range(first_hour, 24))
        for hour, n in zip(hours, split(n_day, [HOUR_WEIGHTS[h] for h in hours]), strict=True):
            lo = day0_ms + day * _DAY_MS + hour * _HOUR_MS
            if day == 0 and hour == first_hour:
                lo = start_ms + 1
            hi = day0_ms + day * _DAY_MS + (hour + 1) * _HOUR_MS
            yield from sorted(rng.randrange(lo, hi) for _ in range(n))


class Urn:
    """A fixed-size ring of recent posts; a post's share of entries is its chance to be picked."""

    def __init__(self, size: int):
        self.ring: list[Sim | None] = [None] * size
        self.pos = 0
        self.filled = 0

    def add(self, sim: Sim, times: int) -> None:
        ring, size, pos = self.ring, len(self.ring), self.pos
        end = pos + times
        if end <= size:
            ring[pos:end] = [sim] * times
        else:
            ring[pos:] = [sim] * (size - pos)
            ring[: end - size] = [sim] * (end - size)
        self.pos = end % size
        self.filled = min(size, self.filled + times)

    def pick(self, rng: random.Random) -> Sim | None:
        if not self.filled:
            return None
        return self.ring[rng.randrange(self.filled)]


class Campaign:
    """Generates the posts of one campaign; iterate :meth:`events` once."""

    def __init__(self, n_posts: int, seed: int, dests: tuple[int, ...] = (1, 2), deletes: bool = True, topics: bool = False):
        if n_posts < 1:
            raise ValueError("a campaign needs at least 1 post")
        self.n_posts = n_posts
        self.rng = random.Random(seed)
        self.people = People(self.rng, max(NOTABLES + 26, n_posts // 4))
        self.dests = dests
        self.deletes = deletes
        self.topic_planter = TopicPlanter(seed, int(START.timestamp() * 1000)) if topics else None  # its own random stream
        self.urns = {"supporter": Urn(URN_SIZE), "backlash": Urn(URN_SIZE)}
        self.planter = geography.Planter(seed, int(START.timestamp() * 1000))
        # Each notable account joins with one to three originals during the burst.
        self.notable_at: dict[int, int] = {}
        if n_posts > 200:
            for acct in range(1, NOTABLES + 1):
                for _ in range(self.rng.randint(1, 3)):
                    self.notable_at[self.rng.randrange(max(2, n_posts // 50), max(3, n_posts // 2))] = acct

    def events(self) -> Iterator[Sim | Deletion]:
        """Posts in time order, with delete notices interleaved at the time they were sent."""
        pending: list[tuple[int, int, Deletion]] = []
        for idx, ms in enumerate(_times(self.rng, self.n_posts)):
            while pending and pending[0][0] <= ms:
                yield heapq.heappop(pending)[2]
            sim = self._post(idx, ms)
            if sim.deleted:
                after = 60_000 + int(self.rng.expovariate(1 / (4 * _HOUR_MS)))
                heapq.heappush(pending, (ms + after, idx, Deletion(ms + after, sim.id, sim.author)))
            yield sim
        while pending:
            yield heapq.heappop(pending)[2]

    # -- one post ------------------------------------------------------------------------------
    def _post(self, idx: int, ms: int) -> Sim:
        rng, people = self.rng, self.people
        author = CREATOR if idx == 0 else self.notable_at.get(idx, -1)
        forced = author >= 0
        if not forced:
            author = people.pick(rng)
        stance = "backlash" if people.backlash(author) else "supporter"
        lang = people.lang(author)
        kind = "original"
        r = rng.random()
        if not forced:
            for name, cum in KIND_CUM:
                if r < cum:
                    kind = name
                    break
        parent = None
        if kind != "original":
            parent = self._parent(kind, stance)
            if parent is None or parent.author == author:
                kind, parent = "original", None
        pid = str(((ms - TWITTER_EPOCH_MS) << 22) | (idx & 0x3FFFFF))
        sim = Sim(idx, pid, ms, author, kind, stance, lang, "", [], parent=parent)
        if parent is not None:
            sim.parent_id, sim.parent_author = parent.id, parent.author
            if parent.parent is not None:
                # Renderers embed at most two levels (a retweet of a quote); dropping the third keeps
                # reply and quote chains from holding the whole history in memory.
                parent.parent.parent = None
        if parent is not None and kind == "repost":
            sim.stance, sim.lang, sim.text, sim.tags = parent.stance, parent.lang, parent.text, parent.tags
            sim.tag_pos, sim.mention_pos, sim.url_pos = parent.tag_pos, parent.mention_pos, parent.url_pos
            sim.topic = parent.topic
            sim.place = parent.place
            parent.reposts += 1
            self.urns[parent.stance].add(parent, 1)
        else:
            self._compose(sim, forced)
        sim.conversation = parent.conversation if (parent is not None and kind == "reply") else pid
        if parent is not None and kind == "reply":
            parent.replies += 1
        elif parent is not None and kind == "quote":
            parent.quotes += 1
        f = people.followers[author]
        sim.likes = int(rng.expovariate(1.0) * (1 + f**0.5 / 6)) if kind != "repost" else 0
        sim.deleted = self.deletes and not forced and rng.random() < DELETE_SHARE
        if len(self.dests) == 2:
            sim.dest = 3 if rng.random() < BOTH_SHARE else (1 if rng.random() < 0.5 else 2)
        else:
            sim.dest = self.dests[0]
        if kind != "repost" and not sim.deleted:
            self.urns[stance].add(sim, people.reach(author))
        return sim

    def _parent(self, kind: str, stance: str) -> Sim | None:
        r = self.rng.random()
        if kind == "reply":
            side = ("supporter" if r < 0.7 else "backlash") if stance == "backlash" else ("supporter" if r < 0.85 else "backlash")
        else:
            side = stance if r < 0.9 else ("backlash" if stance == "supporter" else "supporter")
        return self.urns[side].pick(self.rng) or self.urns[stance].pick(self.rng)

    def _compose(self, sim: Sim, forced: bool) -> None:
        """Text with mentions, hashtags and a link, and the positions of each."""
        rng = self.rng
        if sim.idx == 0:
            text, tags = FIRST_TEXT, [("YesAllWomen", content.MAIN)]
        else:
            text = content.body(rng, sim.stance, sim.kind, sim.lang)
            if self.topic_planter is not None:
                text, sim.topic = self.topic_planter.plant(sim.ms, sim.stance, sim.kind, sim.lang, text)
            tags = content.hashtags(rng, sim.stance, sim.kind, sim.lang)
            if forced and not any(k in (content.MAIN, content.COUNTER) for _, k in tags):
                tags.insert(0, ("NotAllMen", content.COUNTER) if sim.stance == "backlash" else ("YesAllWomen", content.MAIN))
        mentioned: list[int] = []
        if sim.kind == "reply" and sim.parent is not None:
            mentioned.append(sim.parent.author)
        elif sim.kind == "original" and rng.random() < 0.05:
            mentioned.append(rng.randint(1, NOTABLES))
        link = None
        if sim.kind in ("original", "quote") and rng.random() < 0.15:
            link = names.news_url(rng.getrandbits(32))
        for attempt in range(2):
            parts: list[str] = []
            if sim.kind == "reply":
                parts += ["@" + names.handle(a) for a in mentioned]
            inline = tags and rng.random() < 0.2
            if inline:
                parts.append("#" + tags[0][0])
            parts.append(text)
            if sim.kind != "reply":
                parts += ["@" + names.handle(a) for a in mentioned]
            parts += ["#" + w for w, _ in (tags[1:] if inline else tags)]
            tco = None
            if link is not None:
                tco = "https://t.co/" + "".join(rng.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(10))
                parts.append(tco)
            full = " ".join(parts)
            if len(full) <= 280 or attempt == 1:
                break
            text = text.split(". ")[0].rstrip(".") + "."
        if sim.idx and sim.lang == "en" and sim.stance == "supporter" and sim.kind in ("original", "quote"):
            planted = self.planter.sentence(sim.ms)
            if planted is not None and len(full) + 1 + len(planted[0]) <= 280:
                full = full.replace(text, text + " " + planted[0], 1)
                sim.place = planted[1]
        sim.text, sim.tags = full, tags
        pos = 0
        for a in mentioned:
            h = "@" + names.handle(a)
            start = full.find(h, pos)
            sim.mention_pos.append((a, start, start + len(h)))
        for written, _ in tags:
            start = full.find("#" + written)
            sim.tag_pos.append((written, start, start + 1 + len(written)))
        if link is not None and tco is not None:
            start = full.find(tco)
            sim.url_pos.append((tco, link[1], link[0], start, start + len(tco)))
