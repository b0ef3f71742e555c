"""Mastodon's own merge rule: an edited status's later copy brings its text, and counts the edit.

An edit keeps the status's ``uri``, so a later copy is the same post. The neutral merge keeps the
first copy's fields; here a later copy whose text differs replaces the text and what is read from it
(ingest takes the captures in the order given, so the later one is the later capture).

``edit_count``: a copy says only whether the status was edited (``edited_at`` set: 1, else 0). A later
edited copy with another text is one more edit (a ``status.update`` event, a re-capture after an
edit); the same copy twice counts once. A copy with no ``edited_at`` arriving after an edited one is
stale: it brings neither its older text nor a count. The store keeps no ``edited_at``: an older edit
ingested after a newer one still brings back the older text and counts once more (a gap).
"""

from __future__ import annotations

from typing import Any

_TEXT_FIELDS = ("text", "hashtags", "hashtags_norm", "mentions", "urls", "domains", "lang", "quote_of_id")


def merge(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Copy the text-derived fields of NEW into OLD when NEW's text differs; return whether it did."""
    text = new.get("text")
    if text is None or text == old.get("text") or old.get("kind") != new.get("kind"):
        return False
    known, later = old.get("edit_count"), new.get("edit_count")
    if known and later == 0:  # an unedited copy after an edited one: the older version
        return False
    for name in _TEXT_FIELDS:
        if new.get(name) is not None:
            old[name] = new[name]
    if later:
        old["edit_count"] = max((known or 0) + 1, later)
    return True
