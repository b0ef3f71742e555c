"""Telegram's own merge rule: a later export of a chat brings an edited message's latest text.

A message keeps its id when edited, so two exports of a chat hold the same post; the export holds only
the message's text as last edited (``edited`` says when). The neutral merge keeps the first copy's
fields; here a later copy (ingest takes inputs in the order given) whose text differs replaces the text
and what is read from it.
"""

from __future__ import annotations

from typing import Any

_TEXT_FIELDS = ("text", "hashtags", "hashtags_norm", "mentions", "urls", "domains")


def merge(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Copy the text-derived fields of NEW into OLD when NEW's text differs; return whether it did."""
    text = new.get("text")
    if text is None or text == old.get("text") or old.get("kind") != new.get("kind"):
        return False
    for name in _TEXT_FIELDS:
        if new.get(name) is not None:
            old[name] = new[name]
    return True
