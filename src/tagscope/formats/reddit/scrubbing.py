"""Forget's scrub for Reddit records: the copies of other submissions a crosspost embeds.

A comment or submission names other things only by id (``parent_id``, ``link_id``); the one copy a
record carries is a crosspost's ``crosspost_parent_list``: the crossposted submission whole, with its
author, title and text.
"""

from __future__ import annotations

from typing import Any

from ..contract import Forgotten

# The key under which Reddit's records name an account (a username, which is also its id here).
HANDLE_KEYS = ("author",)


def scrub(obj: Any, forgotten: Forgotten) -> bool:
    """Replace, in place, each embedded crosspost parent that is a forgotten post or by a forgotten
    account with its ids alone; return whether anything changed. The record's own fields stay."""
    if isinstance(obj, dict) and isinstance(obj.get("data"), dict) and obj.get("kind") in ("t1", "t3"):
        obj = obj["data"]  # a Reddit API "thing" wrapper
    if not isinstance(obj, dict) or not isinstance(obj.get("crosspost_parent_list"), list):
        return False
    changed = False
    parents = obj["crosspost_parent_list"]
    for i, parent in enumerate(parents):
        if isinstance(parent, dict) and _gone(parent, forgotten):
            parents[i] = {k: parent[k] for k in ("id", "name") if k in parent}
            changed = parents[i] != parent or changed
    return changed


def _gone(parent: dict[str, Any], forgotten: Forgotten) -> bool:
    author = parent.get("author")
    ids = {str(parent.get("name")), f"t3_{parent.get('id')}"}
    return (not ids.isdisjoint(forgotten.ids)
            or (isinstance(author, str) and (author in forgotten.accounts or author.lower() in forgotten.handles)))
