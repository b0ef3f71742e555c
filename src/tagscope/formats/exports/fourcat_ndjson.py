"""4CAT NDJSON: a 4CAT dataset of imported items, as 4CAT keeps and downloads it (the original items).

4CAT's import (backend/lib/search.py, ``format_import_item`` in common/lib/helpers.py) writes each
Zeeschuimer item as the platform's own item with the wrapper's fields moved under ``__import_meta``:
``{...item..., "__import_meta": {"nav_index", "item_id", "timestamp_collected", "source_platform",
"source_platform_url", "source_url", "user_agent"}}``. The platform is ``__import_meta.source_platform``
and the item is mapped as Zeeschuimer's (``items``): one post whichever of the two files it came from.
"""

from __future__ import annotations

from typing import Any

from ..base import ParseError, Skipped, mapped
from . import items, scrubbing

NAME = "4cat-ndjson"
PLATFORM = "exports"
scrub = scrubbing.scrub
HANDLE_KEYS = scrubbing.HANDLE_KEYS


def sniff(head: bytes) -> bool:
    """A first line that is a JSON object carrying 4CAT's ``__import_meta`` with a ``source_platform``."""
    h = head.lstrip(b" \t\r\n\xef\xbb\xbf")
    first = h.split(b"\n", 1)[0]
    return h.startswith(b"{") and b'"__import_meta":' in first and b'"source_platform":' in first


def parse(obj: Any) -> list[Any]:
    """The post of one imported item, or Skipped (a platform not mapped, an ad, a grid tile)."""
    if not isinstance(obj, dict) or not isinstance(obj.get("__import_meta"), dict):
        raise ParseError("not a 4CAT imported item (no __import_meta)")
    return mapped("4CAT item", _parse, obj)


def _parse(obj: dict[str, Any]) -> list[Any]:
    item = {k: v for k, v in obj.items() if k != "__import_meta"}
    try:
        return [items.map_item(obj["__import_meta"].get("source_platform"), item, NAME)]
    except items.Skip as skip:
        return [Skipped(f"4cat: {skip}")]
