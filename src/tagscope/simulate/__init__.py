"""Synthetic hashtag campaigns written in real Twitter formats, with their ground truth.

:func:`simulate` writes, into one folder:

- ``campaign-v1.jsonl``: Twitter API v1.1 streaming lines (statuses and ``delete`` notices);
- ``campaign-v2.jsonl``: twarc2 search pages (API v2, 100 posts a page);
- ``truth.json``: the figures the generator counted while writing (see :mod:`.truth`).

Each post goes to exactly one of the two files at random (50/50), except about 0.5% written to both
(to exercise deduplication across formats). About 1% of posts are deleted: their delete notices are
v1.1 lines, so deletions only happen when the v1.1 file is written. The same seed gives
byte-identical files.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import orjson

from ..files import write_bytes
from .campaign import Campaign, Deletion
from .render_v1 import V1Renderer
from .render_v2 import V2Renderer
from .truth import Truth

FILES = {"v1": "campaign-v1.jsonl", "v2": "campaign-v2.jsonl"}
TRUTH = "truth.json"
TOPIC_LABELS = "topics.csv"  # simulate --topics: each post's planted sub-topic
DEFAULT_POSTS = 1_200_000
DEFAULT_SEED = 2014
_BUFFER = 1 << 20


def simulate(
    out: str | os.PathLike[str],
    posts: int = DEFAULT_POSTS,
    seed: int = DEFAULT_SEED,
    formats: tuple[str, ...] = ("v1", "v2"),
    progress: Callable[[int, int], None] | None = None,
    topics: bool = False,
) -> dict[str, Any]:
    """Write a campaign of POSTS posts into folder OUT; return its ground truth (also in truth.json).

    TOPICS plants sub-topics (:mod:`.topics`): truth.json gains a ``topics`` key and topics.csv labels
    each post that carries one; without it the files are those the same seed always wrote."""
    unknown = set(formats) - set(FILES)
    if unknown or not formats:
        raise ValueError(f"unknown format(s) {', '.join(sorted(unknown)) or '(none)'}; choose from v1, v2")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    dests = tuple(bit for name, bit in (("v1", 1), ("v2", 2)) if name in formats)
    camp = Campaign(posts, seed, dests=dests, deletes="v1" in formats, topics=topics)
    truth = Truth(camp.people, seed, posts, topics=topics)
    v1 = V1Renderer(camp.people)
    v2 = V2Renderer(camp.people)
    paths = {name: out / FILES[name] for name in formats}
    counts = {name: {"posts": 0, "delete_notices": 0} for name in formats}
    for stale in FILES:
        if stale not in formats:
            (out / FILES[stale]).unlink(missing_ok=True)
    with ExitStack() as stack:
        handles = {name: stack.enter_context(open(paths[name], "wb", buffering=_BUFFER)) for name in formats}
        f1, f2 = handles.get("v1"), handles.get("v2")
        every = max(1, posts // 10)
        written = 0
        for ev in camp.events():
            if isinstance(ev, Deletion):
                if f1 is not None:
                    f1.write(v1.line(ev) + b"\n")
                    counts["v1"]["delete_notices"] += 1
                continue
            truth.add(ev)
            if ev.dest & 1 and f1 is not None:
                f1.write(v1.line(ev) + b"\n")
                counts["v1"]["posts"] += 1
            if ev.dest & 2 and f2 is not None:
                counts["v2"]["posts"] += 1
                page = v2.add(ev)
                if page is not None:
                    f2.write(page + b"\n")
            written += 1
            if progress is not None and (written % every == 0 or written == posts):
                progress(written, posts)
        if f2 is not None:
            page = v2.flush()
            if page is not None:
                f2.write(page + b"\n")
            counts["v2"]["pages"] = v2.pages
    files = {name: {"path": FILES[name], "bytes": paths[name].stat().st_size, **counts[name]} for name in formats}
    result = truth.result(files)
    write_bytes(out / TRUTH, orjson.dumps(result, option=orjson.OPT_INDENT_2) + b"\n")
    if topics:
        write_bytes(out / TOPIC_LABELS, truth.labels_csv())
    else:
        (out / TOPIC_LABELS).unlink(missing_ok=True)
    return result


__all__ = ["DEFAULT_POSTS", "DEFAULT_SEED", "FILES", "TOPIC_LABELS", "TRUTH", "simulate"]
