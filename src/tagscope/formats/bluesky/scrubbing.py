"""Forget's scrub for Bluesky AppView responses: the copies of other posts a post view carries.

A post record names other posts by URI only, so Jetstream events carry no copies. An AppView post view
adds views of the posts it quotes (``embed`` ``app.bsky.embed.record#viewRecord``: author and text,
nested when a quoted post quotes again) and a feed item the post it replies to (``reply.parent`` /
``reply.root`` post views, ``reply.grandparentAuthor``). A copy of a forgotten post or by a forgotten
account is cut down to its URI.
"""

from __future__ import annotations

from typing import Any

from ..contract import Forgotten

# The key under which AppView views name an account's handle.
HANDLE_KEYS = ("handle",)
_NOT_FOUND_RECORD = "app.bsky.embed.record#viewNotFound"
_NOT_FOUND_POST = "app.bsky.feed.defs#notFoundPost"


def scrub(obj: Any, forgotten: Forgotten) -> bool:
    """Cut, in place, every embedded copy of a forgotten post or account; return whether any was."""
    return _walk(obj, forgotten)


def _gone(view: dict[str, Any], forgotten: Forgotten) -> bool:
    author = view.get("author")
    did = author.get("did") if isinstance(author, dict) else None
    handle = author.get("handle") if isinstance(author, dict) else None
    uri = view.get("uri")
    return ((isinstance(uri, str) and uri in forgotten.ids) or (isinstance(did, str) and did in forgotten.accounts)
            or (isinstance(handle, str) and handle.lower() in forgotten.handles))


def _profile_gone(profile: Any, forgotten: Forgotten) -> bool:
    return isinstance(profile, dict) and _gone({"author": profile}, forgotten)


def _walk(node: Any, forgotten: Forgotten) -> bool:
    changed = False
    if isinstance(node, list):
        for item in node:
            changed = _walk(item, forgotten) or changed
        return changed
    if not isinstance(node, dict):
        return False
    for key, value in list(node.items()):
        if not isinstance(value, dict):
            changed = _walk(value, forgotten) or changed
            continue
        if value.get("$type") == "app.bsky.embed.record#viewRecord" or ("value" in value and "author" in value):
            if _gone(value, forgotten):  # a quoted post's copy
                node[key] = {"$type": _NOT_FOUND_RECORD, "uri": value.get("uri"), "notFound": True}
                changed = True
                continue
        elif key in ("parent", "root") and "record" in value and "author" in value and "post" not in node:
            if _gone(value, forgotten):  # a feed item's reply context (a thread's parent is a node, not a view)
                node[key] = {"$type": _NOT_FOUND_POST, "uri": value.get("uri"), "notFound": True}
                changed = True
                continue
        elif key == "grandparentAuthor" and _profile_gone(value, forgotten):
            del node[key]
            changed = True
            continue
        changed = _walk(value, forgotten) or changed
    return changed
