"""Forget's scrub for Telegram Desktop records: what a message carries of other people.

A message record names other accounts by peer id (``user123``, ``channel123``) or, in ``mention_name``
entities, by a bare user id, always next to their display name:

- ``reactions[].recent[]``: who reacted lately, ``{"from": name, "from_id": peer, "date"}``;
- ``mention_name`` entities (in ``text`` and ``text_entities``): a mention of a user without a username,
  ``{"type": "mention_name", "text": name, "user_id": 123}``;
- the record's chat header: a personal chat is named after the other person (``chat.peer`` is theirs);
- a forward names only the name it came from (its own text is its record's own post, taken whole by
  forget with the forward).

A forgotten account's reactions are removed, its ``mention_name`` entities become empty plain text (the
writer's message keeps its other words) and a personal chat with it loses its name: no part of the record
names the forgotten person. ``forget`` finds candidate records by peer id: a ``mention_name`` gives a bare
user id, so the record lists the peers it mentions so (``"mentioned"``, written by ``desktop.records``).
"""

from __future__ import annotations

from typing import Any

from ..contract import Forgotten

# Telegram Desktop's exports give no usernames of senders: no key names an account's handle.
HANDLE_KEYS: tuple[str, ...] = ()


def scrub(obj: Any, forgotten: Forgotten) -> bool:
    """Remove, in place, a forgotten account's reactions and mentions from a message record; return
    whether anything changed."""
    if not isinstance(obj, dict) or not isinstance(obj.get("message"), dict):
        return False
    msg = obj["message"]
    changed = _reactions(msg.get("reactions"), forgotten)
    chat = obj.get("chat")
    peer = chat.get("peer") if isinstance(chat, dict) else None
    if isinstance(peer, str) and peer in forgotten.accounts and chat.get("name") is not None:  # type: ignore[union-attr]
        chat["name"] = None  # type: ignore[index]
        changed = True
    for key in ("text", "text_entities"):
        parts = msg.get(key)
        if isinstance(parts, list):
            for i, part in enumerate(parts):
                if isinstance(part, dict) and part.get("type") == "mention_name" and _gone_user(part, forgotten):
                    parts[i] = "" if key == "text" else {"type": "plain", "text": ""}
                    changed = True
    return changed


def mentioned_peers(msg: Any) -> list[str]:
    """The peer ids (``user123``) of the users a message's ``mention_name`` entities name."""
    found: list[str] = []
    if not isinstance(msg, dict):
        return found
    for key in ("text_entities", "text"):
        parts = msg.get(key)
        if isinstance(parts, list):
            for part in parts:
                if isinstance(part, dict) and part.get("type") == "mention_name":
                    uid = part.get("user_id")
                    if isinstance(uid, (int, str)) and not isinstance(uid, bool) and str(uid).isdigit():
                        found.append(f"user{uid}")
    return list(dict.fromkeys(found))


def _gone_user(part: dict[str, Any], forgotten: Forgotten) -> bool:
    uid = part.get("user_id")
    if isinstance(uid, bool) or not isinstance(uid, (int, str)):
        return False
    return f"user{uid}" in forgotten.accounts or str(uid) in forgotten.accounts


def _reactions(reactions: Any, forgotten: Forgotten) -> bool:
    changed = False
    if not isinstance(reactions, list):
        return False
    for reaction in reactions:
        recent = reaction.get("recent") if isinstance(reaction, dict) else None
        if isinstance(recent, list):
            kept = [r for r in recent if not (isinstance(r, dict) and isinstance(r.get("from_id"), str)
                                              and r["from_id"] in forgotten.accounts)]
            if len(kept) != len(recent):
                reaction["recent"] = kept
                changed = True
    return changed
