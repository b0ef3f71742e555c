"""The Pushshift / Arctic Shift mapping as one DuckDB query over a JSON-lines block: ingest's fast path.

Mapping a dump line in Python costs ~35 us, most of it decoding ~80 keys of which the post uses 15;
DuckDB's JSON reader projects only those, on both cores. This module states ``pushshift._parse`` again
in SQL for the plain cases and marks every other row ``python``, so that ``pushshift.parse`` maps it with
its line, exactly as the record-by-record path does: a Reddit ``{kind, data}`` wrapper, a record that is
neither comment nor submission, an id that is not plain base36, a ``created_utc`` that is not a JSON
number in range, and a value of an unexpected JSON type where the two could differ. A deleted or removed
record (its ``[deleted]``/``[removed]`` text, Arctic Shift's ``_meta``, ``removed_by_category``) is a
tombstone row (``tombstone``, with ``tombstone_reason``), decided in ``_gone``'s order.

The text rules are not restated: ``finish`` applies ``text.unescape`` and ``text.links`` (the very
functions the parser calls) to the texts in Python, only to those holding an entity, a ``#``, a
``u/`` or a URL; every other text has no tags, mentions or links, as ``links`` would say.
Tests compare both paths post for post on the real fixtures and on generated records.

Known difference: a JSON ``null`` reads as an absent key here, so a comment line carrying
``"title": null`` is a comment on this path and a submission (``"title" in obj``) in Python; Reddit's
comments have no ``title`` key.
"""

from __future__ import annotations

import html
import json

import pyarrow as pa

from . import text
from .pushshift import NAME

# Bytes of lines per query (as the v1.1 mapping: under glibc's largest mmap threshold).
BLOCK_BYTES = 30 << 20
NATIVE = None

# Read as JSON, so that the query sees each value's JSON type (Python's rules differ by type).
_FIELDS = ("id", "name", "body", "title", "selftext", "author", "subreddit", "created_utc", "score",
           "parent_id", "link_id", "url", "is_self", "crosspost_parent", "num_comments", "num_crossposts",
           "_meta", "removed_by_category", "data")

MACROS = """
CREATE OR REPLACE MACRO rd_str(x) AS CASE WHEN json_type(x) = 'VARCHAR' THEN x->>'$' END;
-- as_str: a string (empty: null) or null; another JSON type is left to Python
CREATE OR REPLACE MACRO rd_str_ok(x) AS (x IS NULL OR json_type(x) = 'VARCHAR');
-- as_int: an integer within int64 (else null), a boolean is null; floats and strings go to Python
CREATE OR REPLACE MACRO rd_int_ok(x) AS (x IS NULL OR json_type(x) IN ('BIGINT', 'UBIGINT', 'BOOLEAN'));
CREATE OR REPLACE MACRO rd_int(x) AS CASE WHEN json_type(x) IN ('BIGINT', 'UBIGINT') THEN try_cast(x AS BIGINT) END;
-- created_utc as seconds (int, or a float truncated as int(float(v))), null when not a number in range
CREATE OR REPLACE MACRO rd_secs(x) AS CASE
  WHEN json_type(x) IN ('BIGINT', 'UBIGINT') THEN try_cast(x AS BIGINT)
  WHEN json_type(x) = 'DOUBLE' THEN try_cast(trunc(try_cast(x AS DOUBLE)) AS BIGINT) END;
"""

QUERY = f"""
WITH r AS (
  SELECT *, title IS NOT NULL AS is_sub
  FROM read_ndjson(?, columns={{COLS}}, ignore_errors=true, maximum_object_size=16777216,
                   compression='auto_detect') t
), s AS (
  SELECT *,
    CASE WHEN is_sub THEN selftext ELSE body END AS own,
    CASE WHEN is_sub THEN 't3_' ELSE 't1_' END AS prefix,
    rd_secs(created_utc) AS secs
  FROM r
), p AS (
  SELECT *,
    CASE WHEN starts_with(rd_str(name), prefix) AND length(rd_str(name)) > 3 THEN rd_str(name)
         WHEN regexp_full_match(rd_str(id), '[A-Za-z0-9]+') THEN prefix || lower(rd_str(id)) END AS pid,
    coalesce((_meta->'$.was_deleted_later')::VARCHAR, 'null') AS wdl,
    _meta->'$.removal_type' AS rtype,
    coalesce(json_type(_meta) = 'OBJECT', false) AS has_meta
  FROM s
), g AS (
  SELECT *,
    -- pushshift._gone, in its order: the text, then _meta's flags, then removed_by_category
    CASE WHEN rd_str(own) = '[deleted]' THEN 'deleted'
         WHEN rd_str(own) = '[removed]' THEN 'removed'
         WHEN has_meta AND (wdl = 'true' OR coalesce(rd_str(rtype), '') <> '')
           THEN CASE WHEN rtype IS NULL OR json_type(rtype) = 'NULL' OR rd_str(rtype) = 'deleted' THEN 'deleted'
                     ELSE 'removed' END
         WHEN coalesce(rd_str(removed_by_category), '') <> ''
           THEN CASE WHEN rd_str(removed_by_category) IN ('deleted', 'author') THEN 'deleted' ELSE 'removed' END
    END AS gone,
    -- values whose truthiness or type Python reads another way than these JSON texts: left to Python
    (has_meta AND (wdl NOT IN ('true', 'false', 'null')
                   OR (rtype IS NOT NULL AND json_type(rtype) NOT IN ('NULL', 'VARCHAR')))
     OR (removed_by_category IS NOT NULL AND json_type(removed_by_category) NOT IN ('VARCHAR', 'NULL'))) AS odd_gone
  FROM p
), q AS (
  SELECT *,
    (body IS NULL AND title IS NULL
     OR coalesce(json_type(data) = 'OBJECT', false)
     OR pid IS NULL
     OR odd_gone
     OR (gone IS NULL AND
         (secs IS NULL OR secs NOT BETWEEN -62135596800 AND 253402300799
          OR NOT (rd_str_ok(subreddit) AND rd_str_ok(parent_id) AND rd_str_ok(link_id) AND rd_str_ok(crosspost_parent)
                  AND rd_int_ok(score) AND rd_int_ok(num_comments) AND rd_int_ok(num_crossposts)
                  AND (is_self IS NULL OR json_type(is_self) = 'BOOLEAN'))))) AS py
  FROM g
)
SELECT
  py AS python,
  coalesce(gone IS NOT NULL AND NOT py, false) AS tombstone,
  gone AS tombstone_reason,
  'reddit' AS platform,
  pid AS id,
  CASE WHEN rd_str(author) NOT IN ('[deleted]', '[removed]', '') THEN rd_str(author) END AS author_id,
  CASE WHEN rd_str(author) NOT IN ('[deleted]', '[removed]', '') THEN rd_str(author) END AS author_handle,
  NULL::VARCHAR AS author_name, NULL::BIGINT AS author_followers, NULL::BOOLEAN AS author_verified,
  NULL::VARCHAR AS author_bio,
  CASE WHEN gone IS NULL AND secs BETWEEN -62135596800 AND 253402300799 THEN make_timestamp(secs * 1000000) END
    AS created_at,
  NULL::VARCHAR AS lang,
  CASE WHEN is_sub THEN CASE WHEN rd_str(crosspost_parent) <> '' THEN 'quote' ELSE 'original' END
       ELSE 'reply' END AS kind,
  CASE WHEN NOT is_sub THEN nullif(rd_str(parent_id), '') END AS reply_to_id,
  NULL::VARCHAR AS reply_to_user_id,
  CASE WHEN is_sub THEN nullif(rd_str(crosspost_parent), '') END AS quote_of_id,
  NULL::VARCHAR AS repost_of_id, NULL::VARCHAR AS repost_of_author,
  CASE WHEN is_sub THEN pid ELSE nullif(rd_str(link_id), '') END AS conversation_id,
  nullif(rd_str(subreddit), '') AS community,
  rd_int(score) AS like_count, NULL::BIGINT AS repost_count,
  CASE WHEN is_sub THEN rd_int(num_comments) END AS reply_count,
  CASE WHEN is_sub THEN rd_int(num_crossposts) END AS quote_count,
  '{NAME}' AS source_format,
  -- what finish() turns into the text and the list columns
  is_sub, CASE WHEN is_sub THEN rd_str(title) ELSE rd_str(body) END AS text0, rd_str(selftext) AS self0,
  CASE WHEN is_sub AND NOT coalesce(try_cast(is_self AS BOOLEAN), false) THEN rd_str(url) END AS url0
FROM q
"""

_LIST = pa.list_(pa.string())
_HELPERS = ("is_sub", "text0", "self0", "url0")
_LISTS = ("hashtags", "hashtags_norm", "mentions", "urls", "domains")


def query() -> str:
    """The mapping of the JSON-lines file given as parameter: one row per non-blank line, in file order
    (``python``: the row is left to the Python parser), then the post columns and finish()'s inputs."""
    cols = "{" + ", ".join(f"{json.dumps(k)}: 'JSON'" for k in _FIELDS) + "}"
    return QUERY.replace("{COLS}", cols)


def _unescape(value: str | None) -> str | None:
    """``text.unescape`` for a string or None (the query gave only those)."""
    if not value:
        return None
    return html.unescape(value) if "&" in value else value


def finish(table: pa.Table) -> pa.Table:
    """The text and the list columns, by the parser's own functions, for the texts that need them."""
    is_sub = table.column("is_sub").to_pylist()
    texts = table.column("text0").to_pylist()
    selfs = table.column("self0").to_pylist()
    url0 = table.column("url0").to_pylist()
    out_text: list[str | None] = []
    lists: dict[str, list[list[str]]] = {k: [] for k in _LISTS}
    empty: list[str] = []
    for sub, t, st, u in zip(is_sub, texts, selfs, url0, strict=True):
        shared: list[str] = []
        if sub:
            title, body = _unescape(t), _unescape(st)
            full = f"{title}\n\n{body}" if title and body else title or body
            u = _unescape(u)
            if u and u.startswith(("http://", "https://")):
                shared = [u]
        else:
            full = _unescape(t)
        out_text.append(full)
        if shared or (full and ("#" in full or "＃" in full or "://" in full or "u/" in full)):
            found = text.links(full, shared)
            for k in _LISTS:
                lists[k].append(found[k])
        else:
            for k in _LISTS:
                lists[k].append(empty)
    table = table.drop_columns(list(_HELPERS))
    table = table.append_column("text", pa.array(out_text, pa.string()))
    for k in _LISTS:
        table = table.append_column(k, pa.array(lists[k], _LIST))
    return table
