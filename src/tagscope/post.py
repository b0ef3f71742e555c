"""The normalised post: one typed record for every platform.

Format modules produce plain dicts with exactly the keys of ``POST_FIELDS`` (missing keys are
null); the store turns batches of them into Arrow tables with ``POST_SCHEMA``. Dicts rather than
objects because a format module builds millions of them and dicts are the cheapest thing to build.
An absent value is ``None``: never an empty string and never a zero.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa

# (name, arrow type, description) — the single source of truth for the schema and its docs.
FIELDS: list[tuple[str, pa.DataType, str]] = [
    ("platform", pa.string(), "Platform the post lives on: `twitter`, `bluesky`, `mastodon`, `reddit`."),
    ("id", pa.string(), "Post id on that platform, always a string (Twitter `id_str`, never the lossy numeric `id`)."),
    ("author_id", pa.string(), "Stable account id of the author (Twitter `user.id_str`)."),
    ("author_handle", pa.string(), "Handle (screen name) without `@`, as written."),
    ("author_name", pa.string(), "Display name."),
    ("author_followers", pa.int64(), "Follower count of the author at the time the record was captured."),
    ("author_verified", pa.bool_(), "Whether the platform marked the author verified (any kind of badge)."),
    ("author_bio", pa.string(), "Self-description (profile bio) at capture time."),
    ("created_at", pa.timestamp("us"), "Creation time, UTC (stored as a zone-less UTC timestamp)."),
    ("text", pa.string(), "Full text: `extended_tweet.full_text` > `full_text` > `text`; for a repost, the reposted post's full text."),
    ("lang", pa.string(), "Language code as declared by the platform (`und` kept as written)."),
    ("hashtags", pa.list_(pa.string()), "Hashtags as written, without `#`, in order, repeats removed."),
    ("hashtags_norm", pa.list_(pa.string()), "Hashtags after Unicode NFKC and casefold, unique: what every analytic matches on."),
    ("mentions", pa.list_(pa.string()), "Handles mentioned, without `@`."),
    ("urls", pa.list_(pa.string()), "Expanded URLs linked from the post."),
    ("domains", pa.list_(pa.string()), "Host names of `urls`, lower-case, without a leading `www.`."),
    ("kind", pa.string(), "`original`, `reply`, `quote` or `repost`."),
    ("reply_to_id", pa.string(), "Id of the post this one replies to."),
    ("reply_to_user_id", pa.string(), "Account id of the author replied to."),
    ("quote_of_id", pa.string(), "Id of the post this one quotes."),
    ("repost_of_id", pa.string(), "Id of the post this one reposts."),
    ("repost_of_author", pa.string(), "Handle of the author of the reposted post (edges of the repost network)."),
    ("conversation_id", pa.string(), "Thread or conversation id where the platform gives one."),
    ("community", pa.string(), "Community the post was made in (subreddit, instance), where there is one."),
    ("like_count", pa.int64(), "Likes / favourites at capture time."),
    ("repost_count", pa.int64(), "Reposts / retweets at capture time (of the original, for a repost)."),
    ("reply_count", pa.int64(), "Replies at capture time."),
    ("quote_count", pa.int64(), "Quotes at capture time."),
    ("source_format", pa.string(), "Format module that parsed the record (`twitter-v1`, `twitter-v2`, ...)."),
    ("source_file", pa.string(), "File the record was read from (`-` for stdin)."),
    ("source_line", pa.int64(), "1-based line (or record number in a JSON document) within that file."),
    # Added after the first stores were written: a store without them is migrated when first opened for
    # writing, and read with them null until then (store/migrate.py).
    ("indexed_at", pa.timestamp("us"), "When the platform's server (or relay) first saw the post, UTC, where it says so apart from `created_at` (Bluesky: Jetstream `time_us`, AppView `indexedAt`); null elsewhere. Analytics use `created_at`."),
    ("hashtags_hidden", pa.list_(pa.string()), "The hashtags (as written, a subset of `hashtags`) that are not in the text: Bluesky `record.tags`. Empty when every tag is in the text; null where a platform has no such tags."),
    ("edit_count", pa.int64(), "Edits seen, where the platform marks them (Mastodon: 1 when a copy has `edited_at`, one more for each later edited copy with another text); 0 when unedited; null elsewhere."),
]

POST_FIELDS: list[str] = [name for name, _, _ in FIELDS]
POST_SCHEMA: pa.Schema = pa.schema([pa.field(name, typ) for name, typ, _ in FIELDS])
KEY = ("platform", "id")
LIST_FIELDS = frozenset(name for name, typ, _ in FIELDS if pa.types.is_list(typ))
# Fields where a later copy may raise the value: counts grow, and the larger one is the later one.
MAX_FIELDS = frozenset({"author_followers", "like_count", "repost_count", "reply_count", "quote_count"})
KINDS = ("original", "reply", "quote", "repost")


def kind_of(*, repost: bool, reply: bool, quote: bool) -> str:
    """A post's kind, by the one precedence every platform's format uses: a repost is a repost, then a
    reply is a reply even when it quotes (its own text is an answer), then a quote, else an original."""
    return "repost" if repost else "reply" if reply else "quote" if quote else "original"


@dataclass(frozen=True)
class Tombstone:
    """A deletion (or an edit superseding an older version) of post (platform, id)."""

    platform: str
    id: str
    reason: str = "deleted"  # deleted | edited | compliance | removed (a moderator's or the platform's)
    at: datetime | None = None


@dataclass(frozen=True)
class Handle:
    """Account ID's HANDLE as of AT, from a record that is no post (a Bluesky ``identity`` event).

    A post keeps the handle as of the post (``author_handle``); these are kept apart, in the store's
    ``handles`` table, so an account seen without a handle in its posts can still be shown by one."""

    platform: str
    id: str
    handle: str
    at: datetime | None = None


def fold_tag(tag: str) -> str:
    """Case-insensitive form of a hashtag: NFKC, casefold, no leading '#'."""
    tag = tag.strip()
    if tag.startswith(("#", "＃")):
        tag = tag[1:]
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", tag).casefold())


def unique(items: list[str]) -> list[str]:
    """Order-preserving de-duplication."""
    return list(dict.fromkeys(items))


def hashtag_fields(tags: list[str]) -> dict[str, list[str]]:
    """Both hashtag columns from the tags as written."""
    written = unique([t.lstrip("#＃") for t in tags if t and t.lstrip("#＃")])
    return {"hashtags": written, "hashtags_norm": unique([fold_tag(t) for t in written])}


def domain_of(url: str) -> str | None:
    """Host of a URL, lower-case, without 'www.' and port."""
    rest = url.split("://", 1)[1] if "://" in url else url
    host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rsplit("@", 1)[-1]
    host = host.split(":", 1)[0].lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    return host or None


def url_fields(urls: list[str]) -> dict[str, list[str]]:
    """Both URL columns from the expanded URLs."""
    clean = unique([u for u in urls if u])
    return {"urls": clean, "domains": unique([d for d in map(domain_of, clean) if d])}


def new_post(**values: Any) -> dict[str, Any]:
    """A post dict with every field present (absent ones null)."""
    post = dict.fromkeys(POST_FIELDS)
    post.update(values)
    return post


def merge_fields(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Merge a later copy of a post into the one already known; return whether anything changed.

    The later copy never erases: a field already known stays, a null is filled, and counts take
    the larger value (an archive copy has no follower counts, a later API copy may have more likes).
    A platform may add a rule of its own, run first (``tagscope.formats.merge_into`` runs both).
    """
    changed = False
    for name in POST_FIELDS:
        nv = new.get(name)
        if nv is None:
            continue
        ov = old.get(name)
        if ov is None or (name in MAX_FIELDS and nv > ov):
            old[name] = nv
            changed = True
    return changed
