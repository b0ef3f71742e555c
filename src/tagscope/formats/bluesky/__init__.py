"""Bluesky: Jetstream events (JSON lines of commits, identity and account events).

One format (``jetstream``). An ``app.bsky.feed.post`` record is read by ``record`` (text, facets,
tags, reply, quote), which AppView post views would share; forget's scrub is ``scrubbing``.
"""

from __future__ import annotations

from . import jetstream

PLATFORM = "bluesky"

FORMATS = (jetstream,)

__all__ = ["FORMATS", "PLATFORM"]
