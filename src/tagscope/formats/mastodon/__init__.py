"""Mastodon: statuses as the REST API and the streaming API give them.

One format (``mastodon``) reads a status, an array or page of them (timelines, an account's statuses),
search and context results, and streaming events (Server-Sent Events text, or the WebSocket API's JSON
lines). HTML content becomes text with the standard library (``html_text``); the stream is split into
events by ``streaming``; forget's scrub is ``scrubbing``; an edit's later text wins by ``merging``.
"""

from __future__ import annotations

from . import statuses
from .merging import merge

PLATFORM = "mastodon"

FORMATS = (statuses,)

__all__ = ["FORMATS", "PLATFORM", "merge"]
