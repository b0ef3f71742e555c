"""One campaign across platforms: each thread lives on one platform, written in that platform's format.

An original post goes to a platform drawn by its stance (supporters mostly on Twitter, Bluesky and
Mastodon; the backlash mostly on Twitter and Reddit), from a random stream of its own, so the
campaign itself (times, authors, texts, cascades) is the one the Twitter-only simulation draws. A
repost, reply or quote lives on its parent's platform. Twitter posts are written as today (v1.1 lines
and v2 pages, delete notices in v1.1); Bluesky as Jetstream events, Mastodon as streaming events,
Reddit as Pushshift submissions and comments.

The ground truth counts what was written, per platform and in all: a Reddit repost is not written
(Reddit has none) and a Reddit quote of a comment is written as a reply, and counted so.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from .campaign import Campaign, Deletion, Sim
from .render_bluesky import BlueskyRenderer
from .render_mastodon import MastodonRenderer, instance, local_id
from .render_reddit import RedditRenderer
from .render_v1 import V1Renderer
from .render_v2 import V2Renderer
from .truth import Truth

PLATFORMS = ("twitter", "bluesky", "mastodon", "reddit")
# Share of a stance's originals on each platform (relative weights).
WEIGHTS = {
    "supporter": {"twitter": 45, "bluesky": 25, "mastodon": 20, "reddit": 10},
    "backlash": {"twitter": 35, "bluesky": 10, "mastodon": 10, "reddit": 45},
}
FILES = {
    "v1": "campaign-v1.jsonl",
    "v2": "campaign-v2.jsonl",
    "bluesky": "campaign-bluesky-jetstream.jsonl",
    "mastodon": "campaign-mastodon-stream.jsonl",
    "reddit-submissions": "campaign-reddit-RS.ndjson",
    "reddit-comments": "campaign-reddit-RC.ndjson",
}
_BUFFER = 1 << 20
# Per-platform keys of the truth (the rest of Truth's figures are for the whole campaign).
_KEYS = ("posts", "deleted", "authors", "first_post", "last_post", "kinds", "posts_without_reposts", "hashtags",
         "hashtags_without_reposts", "main_tag_per_day", "main_tag_per_day_without_reposts")


def files_for(platforms: tuple[str, ...], formats: tuple[str, ...]) -> dict[str, str]:
    """The files a multi-platform run writes (Twitter's only in the FORMATS given)."""
    out = {k: FILES[k] for k in formats if "twitter" in platforms}
    for p in platforms:
        if p == "reddit":
            out.update({k: FILES[k] for k in ("reddit-submissions", "reddit-comments")})
        elif p != "twitter":
            out[p] = FILES[p]
    return out


def _community(platform: str, sim: Sim, mastodon: MastodonRenderer) -> str | None:
    if platform == "mastodon":
        return instance(sim.author, "backlash" if mastodon.people.backlash(sim.author) else "supporter")
    if platform == "reddit":
        return sim.memo["reddit"]["subreddit"]
    return None


def simulate_platforms(out: Path, posts: int, seed: int, platforms: tuple[str, ...], formats: tuple[str, ...],
                       progress: Callable[[int, int], None] | None = None,
                       topics: bool = False) -> tuple[dict[str, Any], bytes | None]:
    """Write the campaign across PLATFORMS into OUT; return the truth (the caller writes truth.json) and,
    with TOPICS, the planted topics' labels as CSV, each post named by the id the store gives it."""
    unknown = [p for p in platforms if p not in PLATFORMS]
    if unknown or not platforms:
        raise ValueError(f"unknown platform(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(PLATFORMS)}")
    dests = tuple(bit for name, bit in (("v1", 1), ("v2", 2)) if name in formats)
    camp = Campaign(posts, seed, dests=dests or (1,), deletes=True, topics=topics)
    where = random.Random(f"tagscope-platforms-{seed}")  # its own stream: the campaign is unchanged
    weights = {s: ([p for p in PLATFORMS if p in platforms], [w[p] for p in PLATFORMS if p in platforms])
               for s, w in WEIGHTS.items()}
    total = Truth(camp.people, seed, posts, topics=topics)
    stored_id: dict[str, str] = {}  # a post with a planted topic: its campaign id -> its id in the store
    truths = {p: Truth(camp.people, seed, posts) for p in platforms}
    communities: dict[str, Counter[str]] = {p: Counter() for p in platforms}
    renders = {"v1": V1Renderer(camp.people), "v2": V2Renderer(camp.people)}
    bsky, masto, reddit = BlueskyRenderer(camp.people), MastodonRenderer(camp.people), RedditRenderer(camp.people)
    names = files_for(platforms, formats)
    for stale in FILES.values():
        if stale not in names.values():
            (out / stale).unlink(missing_ok=True)
    counts: dict[str, Counter[str]] = {k: Counter() for k in names}
    not_written: Counter[str] = Counter()
    pending: dict[str, tuple[str, Any]] = {}  # a deleted post's id -> (platform, what its deletion names)
    every = max(1, posts // 10)
    with ExitStack() as stack:
        fh = {k: stack.enter_context(open(out / v, "wb", buffering=_BUFFER)) for k, v in names.items()}

        def put(key: str, line: bytes, what: str = "posts") -> None:
            fh[key].write(line + b"\n")
            counts[key][what] += 1

        n = 0
        for ev in camp.events():
            if isinstance(ev, Deletion):
                platform, ref = pending.pop(ev.id, ("", None))
                if platform == "twitter" and "v1" in fh:
                    put("v1", renders["v1"].line(ev), "delete_notices")
                elif platform == "bluesky":
                    put("bluesky", bsky.delete(ev, ref), "deletes")
                elif platform == "mastodon":
                    put("mastodon", masto.delete(ev, ref), "deletes")
                continue
            parent = ev.parent
            if parent is not None and "platform" in parent.memo:
                platform = parent.memo["platform"]
            elif ev.idx == 0 and "twitter" in platforms:
                platform = "twitter"  # the campaign's first use, as #YesAllWomen's was
            else:
                choices, w = weights[ev.stance]
                platform = where.choices(choices, w)[0]
            ev.memo["platform"] = platform
            n += 1
            if progress is not None and (n % every == 0 or n == posts):
                progress(n, posts)
            if platform != "twitter":
                ev.dest = 0  # Twitter's file bits: no copy in both Twitter files
            elif "v1" not in fh:
                ev.deleted = False  # Twitter deletions are v1.1 notices: none without that file
            if platform == "twitter":
                if ev.dest & 1 and "v1" in fh:
                    put("v1", renders["v1"].line(ev))
                if ev.dest & 2 and "v2" in fh:
                    counts["v2"]["posts"] += 1
                    page = renders["v2"].add(ev)
                    if page is not None:
                        fh["v2"].write(page + b"\n")
                if ev.deleted:
                    pending[ev.id] = ("twitter", None)
            elif platform == "bluesky":
                for line in bsky.lines(ev):
                    fh["bluesky"].write(line + b"\n")
                counts["bluesky"]["posts"] += 1
                if ev.deleted:
                    pending[ev.id] = ("bluesky", ev.memo["bsky"])
            elif platform == "mastodon":
                put("mastodon", masto.line(ev))
                if ev.deleted:
                    pending[ev.id] = ("mastodon", local_id(ev))
            else:
                if ev.kind == "repost":
                    not_written["reddit_reposts"] += 1
                    continue
                key, line, kind = reddit.line(ev)
                put("reddit-submissions" if key == "RS" else "reddit-comments", line)
                ev.kind = kind  # counted as written: a quote of a comment is a reply on Reddit
            total.add(ev)
            if topics and getattr(ev, "topic", None):
                stored_id[ev.id] = _stored_id(platform, ev)
            truths[platform].add(ev)
            if not ev.deleted:
                community = _community(platform, ev, masto)
                if community is not None:
                    communities[platform][community] += 1
        if "v2" in fh:
            page = renders["v2"].flush()
            if page is not None:
                fh["v2"].write(page + b"\n")
            counts["v2"]["pages"] = renders["v2"].pages
    if "bluesky" in counts:
        counts["bluesky"].update(likes=bsky.likes, identity_events=bsky.identities)
    files = {k: {"path": v, "bytes": (out / v).stat().st_size, **dict(sorted(counts[k].items()))}
             for k, v in names.items()}
    result = total.result(files)
    per: dict[str, Any] = {}
    for p in platforms:
        full = truths[p].result({})
        per[p] = {k: full[k] for k in _KEYS}
        per[p]["reposts"] = full["kinds"].get("repost", 0)
        per[p]["communities"] = dict(sorted(communities[p].items(), key=lambda kv: (-kv[1], kv[0])))
    if "reddit" in per:
        per["reddit"].update(removed=reddit.removed, deleted_by_author=reddit.deleted)
    result["platforms"] = per
    result["not_written"] = dict(not_written)
    result["posts_generated"] = posts
    labels = None
    if topics:
        labels = ("id,topic\n" + "".join(f"{stored_id.get(pid, pid)},{name}\n"
                                         for pid, name in total.topic_labels)).encode()
    return result, labels


def _stored_id(platform: str, sim: Sim) -> str:
    """The id the store gives SIM's post on PLATFORM (AT URI, status URI, Reddit fullname, tweet id)."""
    if platform == "bluesky":
        return sim.memo["bsky"]["uri"]
    if platform == "mastodon":
        return sim.memo["mastodon"]["uri"]
    if platform == "reddit":
        return sim.memo["reddit"]["name"]
    return sim.id
