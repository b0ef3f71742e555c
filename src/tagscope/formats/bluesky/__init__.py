"""Bluesky: Jetstream events (JSON lines of commits, identity and account events), AppView post views,
firehose captures (``subscribeRepos`` frames) and repository CAR exports.

Four formats (``jetstream``, ``appview``, ``firehose``, ``repo_car``; the last two decode CBOR and CAR in
``car`` and map each record as Jetstream does). An ``app.bsky.feed.post`` record is read by ``record`` (text, facets,
tags, reply, quote), which both share; forget's scrub of AppView copies is ``scrubbing``.
"""

from __future__ import annotations

from . import appview, firehose, jetstream, repo_car

PLATFORM = "bluesky"

FORMATS = (jetstream, appview, firehose, repo_car)

__all__ = ["FORMATS", "PLATFORM"]
