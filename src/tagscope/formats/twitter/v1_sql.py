"""The v1.1 status mapping as one DuckDB query over a JSON-lines file: ingest's fast path.

Mapping a status in Python costs ~40 us; DuckDB's JSON reader parses and projects lines on both cores
for a few. This module states ``v1.parse_status`` again in SQL, field for field, and claims only
the rows it can vouch for: a row whose record is not a plain status (delete notices, search responses,
malformed lines) or has a shape where the two could differ (no parsable ``created_at`` in Twitter's
format, a retweet without id or user, ...) is marked ``python`` and goes to ``v1.parse`` with
its line, so quarantine reasons and unusual records stay exactly as the record-by-record path gives them.
Tests compare both paths post for post on the real fixtures and on generated statuses.

The reader emits one row per non-blank line, in file order (a malformed line is a row of NULLs), so
row k is the k-th non-blank line: ``store.fastlines`` pairs rows with line numbers and raw bytes.
Known difference, documented in docs/store.md: DuckDB's JSON parser is more lenient than orjson's for a
few malformed records (trailing commas, NaN, integers over 64 bits, a repeated key: first wins).
"""

from __future__ import annotations

import json
from typing import Any

from .. import list_columns
from . import v1_native
from .v1 import NAME

# Bytes of lines per query (ingest's TAGSCOPE_SQL_BLOCK_BYTES wins). Under 32 MiB, glibc's largest
# mmap threshold: freed blocks are then reused from the heap instead of being mapped afresh, whose
# page faults cost 0.6 CPU-s per GB read (measured).
BLOCK_BYTES = 30 << 20

_ENTITIES = {
    "hashtags": [{"text": "VARCHAR"}],
    "user_mentions": [{"screen_name": "VARCHAR"}],
    "urls": [{"expanded_url": "VARCHAR", "url": "VARCHAR"}],
}
_USER = {"id_str": "VARCHAR", "id": "VARCHAR", "screen_name": "VARCHAR", "name": "VARCHAR",
         "followers_count": "BIGINT", "verified": "BOOLEAN", "description": "VARCHAR"}
_CORE = {
    "id_str": "VARCHAR", "id": "VARCHAR", "created_at": "VARCHAR", "text": "VARCHAR", "full_text": "VARCHAR",
    "extended_tweet": {"full_text": "VARCHAR", "entities": _ENTITIES}, "entities": _ENTITIES, "user": _USER,
    "lang": "VARCHAR", "in_reply_to_status_id_str": "VARCHAR", "in_reply_to_status_id": "VARCHAR",
    "in_reply_to_user_id_str": "VARCHAR", "in_reply_to_user_id": "VARCHAR", "is_quote_status": "BOOLEAN",
    "quoted_status_id_str": "VARCHAR", "quoted_status": {"id_str": "VARCHAR"},
    "favorite_count": "BIGINT", "retweet_count": "BIGINT", "reply_count": "BIGINT", "quote_count": "BIGINT",
}


# What a retweet's own status gives the post: its id, author handle, text, entities and counts.
_RETWEETED = {k: _CORE[k] for k in ("id_str", "id", "text", "full_text", "extended_tweet", "entities",
                                    "favorite_count", "retweet_count", "reply_count", "quote_count")}
_RETWEETED["user"] = {"screen_name": "VARCHAR"}


def _sql_type(spec: Any) -> str:
    if isinstance(spec, str):
        return spec
    if isinstance(spec, list):
        return _sql_type(spec[0]) + "[]"
    return "STRUCT(" + ", ".join(f'"{k}" {_sql_type(v)}' for k, v in spec.items()) + ")"


def columns_sql() -> str:
    """The reader's ``columns`` argument: only the fields the mapping reads."""
    cols = dict(_CORE, retweeted_status=_RETWEETED)
    return "{" + ", ".join(f"{json.dumps(k)}: '{_sql_type(v)}'" for k, v in cols.items()) + "}"

# Macros state parse_status's helpers once: as_str, truthiness, Twitter's time format.
MACROS = """
CREATE OR REPLACE MACRO ts_str(x) AS nullif(x, '');
CREATE OR REPLACE MACRO ts_truthy(x) AS (x IS NOT NULL AND x <> '');
-- Twitter's 'Thu Jun 08 15:23:27 +0000 2017'; anything else (or a date DuckDB refuses) goes to Python.
CREATE OR REPLACE MACRO ts_time(s) AS CASE WHEN length(s) = 30 THEN try_strptime(s, '%a %b %d %H:%M:%S +0000 %Y') END;
"""


def _pick(field: str) -> str:
    """A field of the post the text comes from: the retweeted status for a retweet."""
    return f"CASE WHEN is_rt THEN rt.{field} ELSE {field} END"


def _entity(name: str) -> str:
    """One entity list, from ``extended_tweet.entities`` when the full text is there (and they are)."""
    return (f"CASE WHEN ext_full AND NOT ext_empty THEN {_pick('extended_tweet.entities.' + name)} "
            f"ELSE {_pick('entities.' + name)} END")


def _pick_bool(expr: str) -> str:
    """A condition on the post the text comes from (booleans only: no nested value is copied)."""
    return f"CASE WHEN is_rt THEN {expr.format(s='rt.')} ELSE {expr.format(s='')} END"


QUERY = f"""
WITH rows AS (
  SELECT *, retweeted_status AS rt,
         (retweeted_status.id_str IS NOT NULL AND retweeted_status."user" IS NOT NULL) AS is_rt
  FROM read_ndjson(?, columns={{COLS}}, ignore_errors=true, maximum_object_size=16777216,
                   compression='auto_detect') t
), shape AS (
  SELECT *,
    {_pick_bool("{s}extended_tweet.full_text IS NOT NULL")} AS ext_full,
    {_pick_bool("({s}extended_tweet.entities.hashtags IS NULL AND {s}extended_tweet.entities.user_mentions IS NULL AND {s}extended_tweet.entities.urls IS NULL)")} AS ext_empty,
    {_pick_bool("{s}extended_tweet.entities IS NOT NULL")} AS ext_entities,
    {_pick_bool("{s}entities IS NOT NULL")} AS has_entities
  FROM rows
), picked AS (
  SELECT *,
    coalesce({_pick('extended_tweet.full_text')}, {_pick('full_text')}, {_pick('text')}) AS m_text,
    list_transform({_entity('hashtags')}, lambda h: h.text) AS tags0,
    list_transform({_entity('user_mentions')}, lambda m: m.screen_name) AS mentions0,
    list_transform({_entity('urls')}, lambda u: CASE WHEN ts_truthy(u.expanded_url)
      THEN u.expanded_url ELSE u.url END) AS urls0,
    (ext_full AND ext_entities AND ext_empty AND has_entities) AS ambiguous,
    coalesce(ts_str(id_str), ts_str(id)) AS pid,
    ts_time(created_at) AS created
  FROM shape
)
SELECT
  ("user" IS NULL OR pid IS NULL OR created IS NULL OR ambiguous
   -- a JSON float id (8.7e+17: digits lost) is quarantined by Python; DuckDB reads it as its text
   OR contains(pid, '.') OR contains(pid, 'e') OR contains(pid, 'E')
   OR (rt IS NOT NULL AND NOT is_rt)
   -- numeric 0 is false in Python but "0" is not: both read as '0' here
   OR "user".id IS NOT DISTINCT FROM '0' OR in_reply_to_status_id IS NOT DISTINCT FROM '0'
   OR NOT (ts_truthy("user".id_str) OR ts_truthy("user".id) OR ts_truthy("user".screen_name))) AS python,
  'twitter' AS platform,
  pid AS id,
  coalesce(ts_str("user".id_str), ts_str("user".id)) AS author_id,
  ts_str("user".screen_name) AS author_handle,
  ts_str("user".name) AS author_name,
  "user".followers_count AS author_followers,
  "user".verified AS author_verified,
  ts_str("user".description) AS author_bio,
  created AS created_at,
  m_text AS text,
  ts_str(lang) AS lang,
  -- the list columns as read; finish() applies the rules (see formats.list_columns)
  tags0, mentions0, CASE WHEN is_rt THEN rt."user".screen_name END AS rt_head, urls0,
  CASE WHEN is_rt THEN 'repost'
       WHEN ts_truthy(in_reply_to_status_id_str) OR ts_truthy(in_reply_to_status_id) THEN 'reply'
       WHEN coalesce(is_quote_status, false)
            AND (ts_truthy(quoted_status_id_str) OR quoted_status IS NOT NULL) THEN 'quote'
       ELSE 'original' END AS kind,
  coalesce(ts_str(in_reply_to_status_id_str), ts_str(in_reply_to_status_id)) AS reply_to_id,
  coalesce(ts_str(in_reply_to_user_id_str), ts_str(in_reply_to_user_id)) AS reply_to_user_id,
  coalesce(ts_str(quoted_status_id_str), ts_str(quoted_status.id_str)) AS quote_of_id,
  CASE WHEN is_rt THEN coalesce(ts_str(rt.id_str), ts_str(rt.id)) END AS repost_of_id,
  CASE WHEN is_rt THEN ts_str(rt."user".screen_name) END AS repost_of_author,
  NULL::VARCHAR AS conversation_id,
  NULL::VARCHAR AS community,
  {_pick('favorite_count')} AS like_count, {_pick('retweet_count')} AS repost_count,
  {_pick('reply_count')} AS reply_count, {_pick('quote_count')} AS quote_count,
  '{NAME}' AS source_format
FROM picked
"""


# The same mapping in C++: store.sql_lines maps blocks with it where it is built.
NATIVE = v1_native

# The list columns are finished in Arrow (DuckDB's list lambdas cost more than the rest of the mapping).
finish = list_columns.post_lists


def query() -> str:
    """The mapping of the JSON-lines file given as parameter: one row per non-blank line, in file order
    (``python``: the row is left to the Python parser), then the post columns but source file and line."""
    return QUERY.replace("{COLS}", columns_sql())
