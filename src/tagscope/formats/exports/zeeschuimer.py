"""Zeeschuimer NDJSON: the items the browser extension captured, one wrapper object per line.

Zeeschuimer (digitalmethodsinitiative/zeeschuimer, js/zs-background.js) stores each item it sees in
a platform's web traffic as ``{"nav_index", "item_id", "timestamp_collected", "last_updated",
"source_platform", "source_platform_url", "source_url", "user_agent", "data"}`` and its ".ndjson
(original)" download writes them one per line. ``data`` is the item as the platform's own API gave it;
``source_platform`` is the extension's module id (``tiktok.com``, ``instagram.com``, ``threads.net``,
``twitter.com``, ``linkedin.com``...). A post keeps its source platform (``tiktok``, ``instagram``,
``threads``, ``twitter``); items of a platform not mapped here are counted as skipped with that reason.
"""

from __future__ import annotations

import re
from typing import Any

from ..base import ParseError, Skipped, mapped
from . import items, scrubbing

NAME = "zeeschuimer"
PLATFORM = "exports"
scrub = scrubbing.scrub
HANDLE_KEYS = scrubbing.HANDLE_KEYS

# The wrapper's own keys, as the extension writes them (in this order, before the item).
_WRAPPER = re.compile(rb'^\{"nav_index":[^\n]{0,200}?"item_id":[^\n]{0,400}?"source_platform":')


def sniff(head: bytes) -> bool:
    """A first line that is a Zeeschuimer wrapper: ``nav_index``, ``item_id``, ``source_platform``; or,
    as the first versions wrote it, ``source_platform``, ``source_platform_url``, ``source_url`` and
    ``data`` (4CAT's NDJSON carries these under ``__import_meta``: not this format)."""
    h = head.lstrip(b" \t\r\n\xef\xbb\xbf")
    if _WRAPPER.match(h[:4096]) is not None:
        return True
    first = h.split(b"\n", 1)[0]
    return (h.startswith(b'{"source_platform":') and b'"source_url":' in first and b'"data":' in first
            and b'"__import_meta":' not in first)


def parse(obj: Any) -> list[Any]:
    """The post of one captured item, or Skipped (a platform not mapped, an ad, a grid tile)."""
    if not isinstance(obj, dict) or "data" not in obj or "source_platform" not in obj:
        raise ParseError("not a Zeeschuimer item (no source_platform and data)")
    return mapped("Zeeschuimer item", _parse, obj)


def _parse(obj: dict[str, Any]) -> list[Any]:
    try:
        return [items.map_item(obj.get("source_platform"), obj["data"], NAME)]
    except items.Skip as skip:
        return [Skipped(f"zeeschuimer: {skip}")]
