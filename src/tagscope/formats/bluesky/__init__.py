"""Bluesky: Jetstream events (JSON lines of commits, identity and account events) and AppView post views.

Two formats (``jetstream``, ``appview``). An ``app.bsky.feed.post`` record is read by ``record`` (text, facets,
tags, reply, quote), which both share; forget's scrub of AppView copies is ``scrubbing``.
"""

from __future__ import annotations

from . import appview, jetstream

PLATFORM = "bluesky"

FORMATS = (jetstream, appview)

__all__ = ["FORMATS", "PLATFORM"]
