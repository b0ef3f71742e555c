"""Twitter's own merge rule: a full text completes the compat-mode text cut at 140 characters."""

from __future__ import annotations

import re
from typing import Any

# What Twitter's compat mode writes for a status over 140 characters: the start of the text, an
# ellipsis and a link to the status itself (the full text is only in extended mode).
_TRUNCATED = re.compile(r"(.*\S)\s*\u2026 https://t\.co/\w+", re.S)
# The fields read from a post's text: a full text replaces them together.
TEXT_FIELDS = ("text", "hashtags", "hashtags_norm", "mentions", "urls", "domains")


def completes(old_text: str | None, new_text: str | None) -> bool:
    """Whether NEW_TEXT is the full text of which OLD_TEXT is Twitter's compat-mode truncation."""
    if not old_text or not new_text or "\u2026 https://t.co/" not in old_text or new_text == old_text:
        return False
    m = _TRUNCATED.fullmatch(old_text)
    return m is not None and new_text.startswith(m.group(1)) and _TRUNCATED.fullmatch(new_text) is None


def merge(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Replace OLD's cut text, and what is read from it (hashtags, mentions, URLs, domains), by NEW's
    full text; return whether it did. The neutral merge (``post.merge_fields``) runs after it: a later
    copy otherwise never replaces a known field."""
    if not completes(old.get("text"), new.get("text")):
        return False
    for name in TEXT_FIELDS:
        old[name] = new.get(name)
    return True
