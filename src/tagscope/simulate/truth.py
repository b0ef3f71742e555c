"""Ground truth of a simulated campaign, counted by the generator while it writes (never by the store).

Every figure counts live posts only (deleted ones excluded), each post once even when it was written
to both files, reposts included unless the name says otherwise. Hashtags count under the key the
generator assigned to each spelling (case variants together, the typo apart), not through the
product's folding code, so the end-to-end tests check that code rather than repeat it.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from . import content, geography, names
from .campaign import Sim
from .people import NOTABLES, People
from .topics import TOPICS

PHRASE = "supreme gentleman"


_DAYS: dict[int, str] = {}


def iso(ms: int) -> str:
    """ISO-8601 UTC time with milliseconds, as API v2 writes it (day prefixes cached: it runs per post)."""
    day, rest = divmod(ms, 86_400_000)
    prefix = _DAYS.get(day)
    if prefix is None:
        prefix = _DAYS[day] = datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%dT")
    s, milli = divmod(rest, 1000)
    return f"{prefix}{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.{milli:03d}Z"


class Truth:
    """Accumulates the figures; feed it every post with :meth:`add`, then call :meth:`result`."""

    def __init__(self, people: People, seed: int, n_posts: int, topics: bool = False):
        self.people = people
        # Planted sub-topics (simulate --topics): posts per topic, and each labelled post's (id, topic).
        self.topics = topics
        self.topic_posts: Counter[str] = Counter()
        self.topic_posts_no_reposts: Counter[str] = Counter()
        self.topic_first: dict[str, str] = {}
        self.topic_labels: list[tuple[str, str]] = []
        self.seed = seed
        self.n_posts = n_posts
        self.live = 0
        self.deleted = 0
        self.in_both = 0
        self.authors = bytearray(people.count)
        self.kinds: Counter[str] = Counter()
        self.langs: Counter[str] = Counter()
        self.stances: Counter[str] = Counter()
        self.tags: Counter[str] = Counter()
        self.tags_no_reposts: Counter[str] = Counter()
        self.main_per_day: Counter[str] = Counter()
        self.main_per_day_no_reposts: Counter[str] = Counter()
        self.domains: Counter[str] = Counter()
        self.phrase = 0
        self.places: dict[str, Counter[str]] = {content.MAIN: Counter(), content.COUNTER: Counter()}
        self.places_no_reposts: dict[str, Counter[str]] = {content.MAIN: Counter(), content.COUNTER: Counter()}
        self.first_ms: int | None = None
        self.last_ms: int | None = None
        self.main_first: dict[str, Any] | None = None

    def add(self, sim: Sim) -> None:
        if sim.dest == 3:
            self.in_both += 1
        if sim.deleted:
            self.deleted += 1
            return
        self.live += 1
        self.authors[sim.author] = 1
        if self.first_ms is None:
            self.first_ms = sim.ms
        self.last_ms = sim.ms
        self.kinds[sim.kind] += 1
        self.langs[sim.lang] += 1
        self.stances[sim.stance] += 1
        repost = sim.kind == "repost"
        day = None
        for _, key in sim.tags:
            self.tags[key] += 1
            if not repost:
                self.tags_no_reposts[key] += 1
            if key == content.MAIN:
                day = day or iso(sim.ms - sim.ms % 86_400_000)[:10]
                self.main_per_day[day] += 1
                if not repost:
                    self.main_per_day_no_reposts[day] += 1
                if self.main_first is None:
                    self.main_first = {
                        "id": sim.id,
                        "author_id": names.user_id(sim.author),
                        "author_handle": names.handle(sim.author),
                        "created_at": iso(sim.ms),
                    }
        for _, _, domain, _, _ in sim.url_pos:
            self.domains[domain] += 1
        if PHRASE in sim.text:
            self.phrase += 1
        if sim.topic and self.topics:
            self.topic_posts[sim.topic] += 1
            if not repost:
                self.topic_posts_no_reposts[sim.topic] += 1
            self.topic_first.setdefault(sim.topic, iso(sim.ms))
            self.topic_labels.append((sim.id, sim.topic))
        if sim.place is not None:
            for _, key in sim.tags:
                if key in self.places:
                    self.places[key][sim.place] += 1
                    if not repost:
                        self.places_no_reposts[key][sim.place] += 1

    def result(self, files: dict[str, Any]) -> dict[str, Any]:
        people = self.people
        pronouns: Counter[str] = Counter()
        for idx, active in enumerate(self.authors):
            if active:
                pronouns[people.pronoun(idx)] += 1
        return {
            "seed": self.seed,
            "posts_generated": self.n_posts,
            "posts": self.live,
            "deleted": self.deleted,
            "in_both_files": self.in_both,
            "authors": sum(self.authors),
            "first_post": iso(self.first_ms) if self.first_ms is not None else None,
            "last_post": iso(self.last_ms) if self.last_ms is not None else None,
            "kinds": dict(sorted(self.kinds.items())),
            "posts_without_reposts": self.live - self.kinds["repost"],
            "langs": dict(sorted(self.langs.items())),
            "content_stance": dict(sorted(self.stances.items())),
            "main_tag": content.MAIN,
            "counter_tag": content.COUNTER,
            "hashtags": dict(self.tags.most_common()),
            "hashtags_without_reposts": dict(self.tags_no_reposts.most_common()),
            "main_tag_per_day": dict(sorted(self.main_per_day.items())),
            "main_tag_per_day_without_reposts": dict(sorted(self.main_per_day_no_reposts.items())),
            "main_tag_first": self.main_first,
            "creator": names.handle(0),
            "notable_accounts": [names.handle(i) for i in range(1, NOTABLES + 1)],
            "authors_by_pronoun": dict(sorted(pronouns.items())),
            "domains": dict(self.domains.most_common()),
            "phrase": {"text": PHRASE, "posts": self.phrase},
            # Posts using each tag that name each planted place (simulate/geography.py), reposts included or not.
            "places": {key: dict(sorted(c.items())) for key, c in self.places.items()},
            "places_without_reposts": {key: dict(sorted(c.items())) for key, c in self.places_no_reposts.items()},
            "place_names": geography.names(),
            "files": files,
            **({"topics": self.planted()} if self.topics else {}),
        }

    def planted(self) -> dict[str, Any]:
        """The planted sub-topics: their words, start (and end) times, posts; labels are in topics.csv."""
        from .campaign import START

        start = int(START.timestamp() * 1000)
        rows = []
        for topic in TOPICS:
            rows.append({
                "name": topic.name, "words": list(topic.words), "share_of_eligible": topic.share,
                "starts": iso(start + int(topic.start_day * 86_400_000)),
                "ends": iso(start + int(topic.end_day * 86_400_000)) if topic.end_day is not None else None,
                "first_post": self.topic_first.get(topic.name),
                "posts": self.topic_posts[topic.name], "posts_without_reposts": self.topic_posts_no_reposts[topic.name],
            })
        labelled = sum(self.topic_posts.values())
        return {"planted": rows, "posts_with_a_topic": labelled, "posts_without_a_topic": self.live - labelled,
                "eligible": "English originals and quotes by supporters (reposts carry their subject's topic)",
                "labels": "topics.csv"}

    def labels_csv(self) -> bytes:
        """Each live post with a planted topic: id,topic (every other live post has none)."""
        return ("id,topic\n" + "".join(f"{pid},{name}\n" for pid, name in self.topic_labels)).encode()
