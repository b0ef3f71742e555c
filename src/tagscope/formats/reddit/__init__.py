"""Reddit: comments and submissions as Pushshift and Arctic Shift write them (JSON lines, plain or .zst).

One format (``pushshift``) reads both dump families and both kinds of thing: Arctic Shift writes the
records Pushshift did (Reddit's own API objects) plus a ``_meta`` object. Markdown text is read for
hashtags, mentions and links (``text``); forget's scrub is ``scrubbing``.
"""

from __future__ import annotations

from . import pushshift

PLATFORM = "reddit"

FORMATS = (pushshift,)

__all__ = ["FORMATS", "PLATFORM"]
