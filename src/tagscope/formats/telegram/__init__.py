"""Telegram: chats and channels as Telegram Desktop exports them in JSON (``result.json``).

One format (``telegram-desktop``) reads both exports Telegram Desktop writes: one chat's history and the
whole account's data (its chats and left chats). The document is read as a stream, a message at a time
(``reader``); hashtags, mentions and links come from Telegram's entities (``text``); forget's scrub is
``scrubbing``; an edited message's later export wins by ``merging``.
"""

from __future__ import annotations

from . import desktop
from .merging import merge

PLATFORM = "telegram"

FORMATS = (desktop,)

__all__ = ["FORMATS", "PLATFORM", "merge"]
