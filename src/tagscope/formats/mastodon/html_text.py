"""A status's HTML content as plain text, with the links, hashtags and mentions its markup names.

Mastodon sends ``content`` (and an account's ``note``) as HTML it sanitised itself: paragraphs, line
breaks, and links whose visible text is split into spans (``<span class="invisible">https://</span>``).
The standard library's ``html.parser`` reads it: every piece of text is kept (so a link or a mention
reads as written, ``@name`` and the whole URL), a paragraph ends with a blank line, and character
references are decoded once. No regular expression touches the markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser


@dataclass
class Content:
    """What one piece of HTML says: its text, the hashtags its tag links show as written (without
    ``#``), and the targets of its other links (not mentions, not hashtags)."""

    text: str = ""
    tags: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: list[str] = []
        self.links: list[str] = []
        self._anchor: str | None = None  # "tag", "mention" or "link" inside an <a>
        self._anchor_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")
        elif tag == "a":
            a = {k: v or "" for k, v in attrs}
            classes, rel = a.get("class", "").split(), a.get("rel", "").split()
            href = a.get("href", "")
            if "hashtag" in classes or "tag" in rel:
                self._anchor = "tag"
            elif "mention" in classes:
                self._anchor = "mention"
            else:
                self._anchor = "link"
                if href.startswith(("http://", "https://")):
                    self.links.append(href)
            self._anchor_text = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._anchor is not None:
            if self._anchor == "tag":
                written = "".join(self._anchor_text).strip().lstrip("#＃")
                if written:
                    self.tags.append(written)
            self._anchor = None

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        if self._anchor is not None:
            self._anchor_text.append(data)


def read(html: object) -> Content:
    """The text, written hashtags and links of HTML (anything not a string is no content)."""
    if not isinstance(html, str) or not html:
        return Content()
    if "<" not in html and "&" not in html:
        return Content(html.strip())
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return Content("".join(reader.parts).strip(), reader.tags, reader.links)


def text(html: object) -> str | None:
    """Only the text of HTML (an account's note), None when empty."""
    return _note_text(html) if isinstance(html, str) else None


@lru_cache(maxsize=65536)
def _note_text(html: str) -> str | None:
    # An account's note comes with each of its statuses, the same every time: read it once.
    return read(html).text or None
