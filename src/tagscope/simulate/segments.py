"""A simulated post's text re-spelled for another platform, with where each entity lands.

The campaign writes Twitter-style text (``@handle``, ``#Tag``, a ``t.co`` link) and the positions of
its entities. Other platforms spell mentions and links their own way (``@handle.bsky.social``,
``u/handle``, the full URL): :func:`compose` rebuilds the text with each entity re-spelled and says
where each one now starts and ends, so a renderer can write facets (Bluesky) or markup (Mastodon).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .campaign import Sim


@dataclass(frozen=True, slots=True)
class Span:
    """One entity of the composed text: ``kind`` tag / mention / url, its character range, its value
    (the tag as written, the account index, or the expanded URL)."""

    kind: str
    start: int
    end: int
    value: Any


def compose(sim: Sim, mention: Callable[[int], str], url: Callable[[str], str] = lambda u: u,
            drop_tags: frozenset[str] = frozenset()) -> tuple[str, list[Span]]:
    """SIM's text with mentions spelled by MENTION and links by URL (given the expanded URL).

    Tags in DROP_TAGS are left out of the text (Bluesky's ``record.tags``: tags never in the text)."""
    found: list[tuple[int, int, str, Any]] = []
    for written, s, e in sim.tag_pos:
        found.append((s, e, "tag", written))
    for acct, s, e in sim.mention_pos:
        found.append((s, e, "mention", acct))
    for _, expanded, _, s, e in sim.url_pos:
        found.append((s, e, "url", expanded))
    found.sort(key=lambda f: (f[0], f[1]))
    text = sim.text
    out: list[str] = []
    spans: list[Span] = []
    pos = 0
    length = 0
    for s, e, kind, value in found:
        if s < pos or s < 0:  # overlapping or not found: leave that stretch as plain text
            continue
        piece = text[pos:s]
        if kind == "tag" and value in drop_tags:
            piece = piece.rstrip(" ")
            out.append(piece)
            length += len(piece)
            pos = e
            continue
        out.append(piece)
        length += len(piece)
        shown = "#" + value if kind == "tag" else mention(value) if kind == "mention" else url(value)
        spans.append(Span(kind, length, length + len(shown), value))
        out.append(shown)
        length += len(shown)
        pos = e
    out.append(text[pos:])
    return "".join(out), spans


def byte_offsets(text: str, spans: list[Span]) -> list[tuple[Span, int, int]]:
    """Each span with its UTF-8 byte range in TEXT (Bluesky facets index bytes, not characters)."""
    out = []
    for sp in spans:
        start = len(text[: sp.start].encode())
        out.append((sp, start, start + len(text[sp.start:sp.end].encode())))
    return out
