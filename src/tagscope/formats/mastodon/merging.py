"""Mastodon's own merge rule: an edited status's later copy brings its text.

An edit keeps the status's ``uri``, so a later copy is the same post. The neutral merge keeps the
first copy's fields; here a later copy whose text differs replaces the text and what is read from it
(ingest takes the captures in the order given, so the later one is the later capture). The store keeps
no ``edited_at``: a stale copy ingested after a newer one brings back the older text (a gap).
"""

from __future__ import annotations

from typing import Any

_TEXT_FIELDS = ("text", "hashtags", "hashtags_norm", "mentions", "urls", "domains", "lang", "quote_of_id")


def merge(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Copy the text-derived fields of NEW into OLD when NEW's text differs; return whether it did."""
    text = new.get("text")
    if text is None or text == old.get("text") or old.get("kind") != new.get("kind"):
        return False
    for name in _TEXT_FIELDS:
        if new.get(name) is not None:
            old[name] = new[name]
    return True
