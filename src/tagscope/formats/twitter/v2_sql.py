"""The v2 page mapping (twarc2 response pages) as one DuckDB query: ingest's fast path for v2.

``v2.parse`` maps a page in Python (~60 us a tweet, with the self-contained raw record of
each tweet serialised again); here DuckDB reads the pages, unnests their tweets and joins each to its
author and retweeted tweet in ``includes``. The raw record (the tweet with the includes it references,
as ``v2._self_contained`` does: the JSON DuckDB writes back is byte for byte what orjson
writes, checked on the real fixtures) is put together by :func:`finish` in Arrow, from the page's
includes, which the query returns as rows of their own (``inc``): hash lookups there cost a fraction
of the six joins the query needed for it.

The query claims whole pages only. A line that is not a plain page of tweets (a streaming line, a
flattened tweet, a compliance record), or a page where the two mappings could
differ (edits, long posts in ``note_tweet``, inlined references, an includes id given twice, a tweet
without id, author or an ISO time) is one ``python`` row and goes to ``v2.parse`` with its
line. Every other page gives one row per tweet, with ``line``: the index of its non-blank line, and
one ``tombstone`` row per tweet its ``errors`` report not found.
Tests compare both paths table for table on the real fixtures and on generated pages.

Known difference, as for v1.1 (docs/store.md): DuckDB reads some wrongly typed values leniently (a
number where a string is expected becomes its text, a string count becomes a number).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import list_columns
from . import v1_sql, v2_native
from .v2 import NAME

_ENTITIES = {
    "hashtags": [{"tag": "VARCHAR"}],
    "mentions": [{"username": "VARCHAR"}],
    "urls": [{"expanded_url": "VARCHAR", "unwound_url": "VARCHAR", "url": "VARCHAR", "media_key": "JSON"}],
}
_METRICS = {"like_count": "BIGINT", "retweet_count": "BIGINT", "reply_count": "BIGINT", "quote_count": "BIGINT"}
TWEET = {
    "id": "VARCHAR", "author_id": "VARCHAR", "author": "JSON", "text": "VARCHAR", "note_tweet": "JSON",
    "created_at": "VARCHAR", "lang": "VARCHAR", "in_reply_to_user_id": "VARCHAR", "conversation_id": "VARCHAR",
    "entities": _ENTITIES, "referenced_tweets": [{"type": "VARCHAR", "id": "VARCHAR", "text": "JSON"}],
    "public_metrics": _METRICS, "edit_history_tweet_ids": ["VARCHAR"], "username": "JSON",
}
ERROR = [{"resource_type": "VARCHAR", "title": "VARCHAR", "resource_id": "VARCHAR"}]
USER = {
    "id": "VARCHAR", "username": "VARCHAR", "name": "VARCHAR", "description": "VARCHAR", "verified": "BOOLEAN",
    "verified_type": "VARCHAR", "public_metrics": {"followers_count": "BIGINT"},
}


def _ref(kind: str, source: str = "t") -> str:
    """The first reference of a type (``v2._ref_ids`` keeps the first of each)."""
    return f"list_filter({source}.referenced_tweets, lambda r: r.type = '{kind}' AND r.id IS NOT NULL)[1].id"


def _src(field: str) -> str:
    """A field of the tweet the text comes from: the retweeted tweet when the page includes it."""
    return f"CASE WHEN rt IS NOT NULL THEN rt.{field} ELSE t.{field} END"


QUERY = f"""
WITH pages AS (
  SELECT (row_number() OVER ()) - 1 AS k, data, includes, errors
  FROM read_ndjson(?, columns={{"data": 'JSON[]', "includes": 'STRUCT(users JSON[], tweets JSON[])',
                                "errors": 'JSON'}},
                   ignore_errors=true, maximum_object_size=16777216, compression='auto_detect')
), tw AS (
  SELECT k, pos, j, json_transform(j, '{json.dumps(TWEET)}') AS t
  FROM (SELECT k, unnest(data) AS j, generate_subscripts(data, 1) AS pos FROM pages)
), users AS (
  SELECT k, j AS uj, json_transform(j, '{json.dumps(USER)}') AS u
  FROM (SELECT k, unnest(includes.users) AS j FROM pages)
), itweets AS (
  SELECT k, j AS ij, json_transform(j, '{json.dumps(TWEET)}') AS it
  FROM (SELECT k, unnest(includes.tweets) AS j FROM pages)
), dup_pages AS (  -- an id given twice in includes: Python keeps the last one
  SELECT k FROM users GROUP BY k HAVING count(u.id) > count(DISTINCT u.id)
  UNION SELECT k FROM itweets GROUP BY k HAVING count(it.id) > count(DISTINCT it.id)
), refs AS (  -- the keys each tweet is looked up by: the joins carry these, not the wide tweet
  SELECT k, pos, t.author_id AS aid, nullif({_ref('retweeted')}, '') AS rid,
         list_concat(list_transform(t.referenced_tweets, lambda x: x.id), t.edit_history_tweet_ids) AS ids
  FROM tw
), ikeys AS (  -- what the raw record needs of an included tweet or user: narrow build sides join faster
  SELECT k, it.id AS id, ij, it.author_id AS author_id FROM itweets
), ukeys AS (
  SELECT k, u.id AS id, uj FROM users
), looked AS (  -- the author and retweeted tweet the post's fields come from
  SELECT r.*, au.u AS author, au.uj AS uj0, rt.it AS rt, ru.u AS rt_user
  FROM refs r
  LEFT JOIN users au ON au.k = r.k AND au.u.id = r.aid
  LEFT JOIN itweets rt ON rt.k = r.k AND rt.it.id = r.rid
  LEFT JOIN users ru ON ru.k = r.k AND ru.u.id = rt.it.author_id
), joined AS (  -- back to the tweet itself, once
  SELECT tw.j, tw.t, x.*, {_ref('retweeted')} IS NOT NULL AS has_rt, {_ref('replied_to')} AS reply_ref,
         {_ref('quoted')} AS quote_ref, rid AS rt_id,
         CASE WHEN regexp_full_match(t.created_at, '\\d{{4}}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{{3}}|\\.\\d{{6}})?Z')
              THEN try_cast(substr(t.created_at, 1, 19) AS TIMESTAMP) END AS created
  FROM tw JOIN looked x ON x.k = tw.k AND x.pos = tw.pos
), posts AS (
  SELECT *,
    -- v2._rt_prefix: 'alice' from 'RT @alice: ...' when the includes lack the author
    CASE WHEN has_rt AND rt_id IS NOT NULL THEN coalesce(nullif(rt_user.username, ''),
      CASE WHEN starts_with(t.text, 'RT @') AND instr(substr(t.text, 5), ':') > 1
           THEN substr(t.text, 5, instr(substr(t.text, 5), ':') - 1) END) END AS rt_author,
    {_src('entities')} AS ent, {_src('public_metrics')} AS metrics
  FROM joined
), shaped AS (  -- the lists as read; finish() applies the rules (see formats.list_columns)
  SELECT *,
    list_transform(ent.hashtags, lambda h: h.tag) AS tags0,
    list_transform(ent.mentions, lambda m: m.username) AS mentions0,
    CASE WHEN rt_author IS NOT NULL AND rt_author <> '' AND rt IS NOT NULL THEN rt_author END AS rt_head,
    list_filter(list_transform(list_filter(ent.urls, lambda u: u.media_key IS NULL),
      lambda u: coalesce(nullif(u.expanded_url, ''), nullif(u.unwound_url, ''), nullif(u.url, ''))),
      lambda u: u IS NOT NULL AND NOT ts_media_link(u)) AS urls0
  FROM posts
), flagged AS (  -- odd: the tweet's page goes to Python (decided in Arrow: this CTE is read once)
  SELECT *, (
    nullif(t.id, '') IS NULL OR nullif(t.author_id, '') IS NULL OR created IS NULL
    OR contains(t.id, '.') OR contains(t.id, 'e') OR contains(t.id, 'E')  -- a JSON float id: Python quarantines it
    OR t.author IS NOT NULL OR rt.author IS NOT NULL OR t.note_tweet IS NOT NULL OR rt.note_tweet IS NOT NULL
    OR list_bool_or(list_transform(t.referenced_tweets, lambda r: r.text IS NOT NULL))
    OR (t.edit_history_tweet_ids IS NOT NULL AND t.edit_history_tweet_ids <> [t.id])
    OR (pos = 1 AND t.username IS NOT NULL AND t.text IS NULL) OR len(ids) > 3
  ) AS odd
  FROM shaped
), gone AS (  -- v2._error_tombstones: a tweet reported not found is deleted
  SELECT k, e FROM (SELECT k, unnest(json_transform(errors, '{json.dumps(ERROR)}')) AS e
                    FROM pages WHERE errors IS NOT NULL AND json_type(errors) = 'ARRAY')
  WHERE e.resource_type = 'tweet' AND e.title = 'Not Found Error'
), odd_pages AS (
  SELECT k FROM dup_pages
  UNION SELECT k FROM pages WHERE data IS NULL OR len(data) = 0
    OR (errors IS NOT NULL AND json_type(errors) <> 'ARRAY')
  UNION SELECT k FROM gone WHERE NOT regexp_full_match(coalesce(e.resource_id, ''), '[0-9]+')
)
SELECT k AS line, true AS python, NULL::VARCHAR AS tombstone, NULL::VARCHAR AS raw, NULL::VARCHAR AS platform, NULL::VARCHAR AS id,
  NULL::VARCHAR AS author_id, NULL::VARCHAR AS author_handle, NULL::VARCHAR AS author_name,
  NULL::BIGINT AS author_followers, NULL::BOOLEAN AS author_verified, NULL::VARCHAR AS author_bio,
  NULL::TIMESTAMP AS created_at, NULL::VARCHAR AS text, NULL::VARCHAR AS lang, NULL::VARCHAR[] AS tags0,
  NULL::VARCHAR[] AS mentions0, NULL::VARCHAR AS rt_head, NULL::VARCHAR[] AS urls0, NULL::VARCHAR AS kind, NULL::VARCHAR AS reply_to_id,
  NULL::VARCHAR AS reply_to_user_id, NULL::VARCHAR AS quote_of_id, NULL::VARCHAR AS repost_of_id,
  NULL::VARCHAR AS repost_of_author, NULL::VARCHAR AS conversation_id, NULL::VARCHAR AS community,
  NULL::BIGINT AS like_count, NULL::BIGINT AS repost_count, NULL::BIGINT AS reply_count,
  NULL::BIGINT AS quote_count, NULL::VARCHAR AS source_format, 0 AS pos, false AS odd, NULL::VARCHAR AS j_text, NULL::VARCHAR AS uj_text, NULL::VARCHAR AS id1, NULL::VARCHAR AS id2, NULL::VARCHAR AS id3, NULL::VARCHAR AS aid, NULL::VARCHAR AS inc
FROM odd_pages
UNION ALL
SELECT k AS line, false AS python, NULL AS tombstone, NULL AS raw,
  'twitter' AS platform,
  t.id AS id,
  t.author_id AS author_id,
  nullif(author.username, '') AS author_handle,
  nullif(author.name, '') AS author_name,
  author.public_metrics.followers_count AS author_followers,
  CASE WHEN author.verified_type IS NOT NULL AND author.verified_type NOT IN ('none', '') THEN true
       ELSE author.verified END AS author_verified,
  nullif(author.description, '') AS author_bio,
  date_trunc('second', created) AS created_at,
  {_src('text')} AS text,
  nullif(t.lang, '') AS lang,
  tags0, mentions0, rt_head, urls0,
  CASE WHEN rt_id IS NOT NULL THEN 'repost' WHEN reply_ref IS NOT NULL THEN 'reply'
       WHEN quote_ref IS NOT NULL THEN 'quote' ELSE 'original' END AS kind,
  nullif(reply_ref, '') AS reply_to_id,
  nullif(t.in_reply_to_user_id, '') AS reply_to_user_id,
  nullif(quote_ref, '') AS quote_of_id,
  rt_id AS repost_of_id,
  nullif(rt_author, '') AS repost_of_author,
  nullif(t.conversation_id, '') AS conversation_id,
  NULL::VARCHAR AS community,
  metrics.like_count AS like_count, metrics.retweet_count AS repost_count,
  metrics.reply_count AS reply_count, metrics.quote_count AS quote_count,
  '{NAME}' AS source_format, pos, odd,
  j::VARCHAR, uj0::VARCHAR, ids[1], ids[2], ids[3], aid, NULL
FROM flagged
WHERE k NOT IN (SELECT k FROM odd_pages)
UNION ALL
SELECT k, false, 'deleted', NULL, 'twitter', e.resource_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, false,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM gone
WHERE k NOT IN (SELECT k FROM odd_pages)
UNION ALL  -- the page's includes, which finish() picks the raw record's from
SELECT k, false, NULL, NULL, NULL, id, author_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, false,
  ij::VARCHAR, NULL, NULL, NULL, NULL, NULL, 't'
FROM ikeys WHERE k NOT IN (SELECT k FROM odd_pages)
UNION ALL
SELECT k, false, NULL, NULL, NULL, id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, false,
  uj::VARCHAR, NULL, NULL, NULL, NULL, NULL, 'u'
FROM ukeys WHERE k NOT IN (SELECT k FROM odd_pages)
"""

# Pages hold ~100 tweets whose includes the query joins: its memory grows with the block (a 32 MiB
# block needed ~600 MB), so v2 reads smaller blocks than v1.1 (ingest's TAGSCOPE_SQL_BLOCK_BYTES wins).
BLOCK_BYTES = 16 << 20

# The same mapping in C++: store.sql_lines maps blocks with it where it is built.
NATIVE = v2_native

# v1.1's helpers (the same rules) and v2's own.
MACROS = v1_sql.MACROS + r"""
CREATE OR REPLACE MACRO ts_media_link(u) AS
  starts_with(u, 'pic.twitter.com/') OR starts_with(u, 'https://pic.twitter.com/')
  OR starts_with(u, 'http://pic.twitter.com/')
  OR (contains(u, '/status/') AND (contains(u, '/photo/') OR contains(u, '/video/'))
      AND (contains(u, 'twitter.com/') OR contains(u, 'x.com/')));
"""


_EXTRA = ["j_text", "uj_text", "id1", "id2", "id3", "aid", "inc"]


def _distinct(a: Any, b: Any) -> Any:
    """SQL's IS DISTINCT FROM: nulls compare equal to each other."""
    return pc.coalesce(pc.not_equal(a, b), pc.xor(pc.is_null(a), pc.is_null(b)))


def _concat(*parts: Any, sep: str = "") -> Any:
    return pc.binary_join_element_wise(*(pa.scalar(p, pa.string()) if isinstance(p, str) else p for p in parts), sep)


def finish(table: pa.Table) -> pa.Table:
    """The raw record of each tweet, from the include rows of its page (as ``v2._self_contained``
    builds it: the tweet, its author, the referenced tweets (first of an id) and their authors, each
    once). Hash lookups in Arrow cost a fraction of the six joins that did this in the query."""
    inc = table.column("inc")
    # Every string is copied once here: the include rows as four narrow columns, the other rows in
    # the order ingest wants them (line, then position in the page), so it need not sort them again.
    narrow = table.select(["line", "id", "author_id", "j_text"])
    tw = narrow.filter(pc.fill_null(pc.equal(inc, "t"), False)).combine_chunks()
    us = narrow.filter(pc.fill_null(pc.equal(inc, "u"), False)).combine_chunks()
    mine = np.flatnonzero(pc.is_null(inc).to_numpy(zero_copy_only=False))
    line, pos = table.column("line").to_numpy()[mine], table.column("pos").to_numpy()[mine]
    rows = table.take(pa.array(mine[np.lexsort((pos, line))])).combine_chunks()

    def keyed(t: pa.Table, ids: Any) -> Any:  # (page, id) as one string; null when the id is
        return _concat(pc.cast(t.column("line"), pa.string()), ids, sep="\x00")

    t_keys, u_keys = keyed(tw, tw.column("id")), keyed(us, us.column("id"))
    t_json, t_author, u_json = tw.column("j_text"), tw.column("author_id"), us.column("j_text")

    def look(keys: Any, ids: Any) -> Any:  # the include row of each tweet row's id on its page
        return pc.index_in(keyed(rows, ids), value_set=keys, skip_nulls=True)

    ids = [rows.column(f"id{k}") for k in (1, 2, 3)]
    at = [look(t_keys, i) for i in ids]
    found = [pc.fill_null(pc.is_valid(t_json).take(a), False) for a in at]
    inn = [found[0], pc.and_(found[1], _distinct(ids[1], ids[0])),
           pc.and_(pc.and_(found[2], _distinct(ids[2], ids[0])), _distinct(ids[2], ids[1]))]
    nul = pa.scalar(None, pa.string())
    u = [pc.if_else(inn[k], t_author.take(at[k]), nul) for k in range(3)]
    aid = rows.column("aid")
    new = [_distinct(u[0], aid), pc.and_(_distinct(u[1], aid), _distinct(u[1], u[0])),
           pc.and_(pc.and_(_distinct(u[2], aid), _distinct(u[2], u[0])), _distinct(u[2], u[1]))]
    # The conditions pick indices, so each JSON text is copied by one take only.
    none = pa.scalar(None, pa.int32())
    uj = [u_json.take(pc.if_else(new[k], look(u_keys, u[k]), none)) for k in range(3)]
    tj = [t_json.take(pc.if_else(inn[k], at[k], none)) for k in range(3)]

    # One concatenation builds the record: each optional piece is its text or '' (separators and
    # brackets chosen per row), so no string is copied twice. (Arrow 26's 'skip' null handling drops
    # the rows whose parts are all null, so it is not used.)
    empty = pa.scalar("", pa.string())

    def listed(items: list[Any], opening: str) -> tuple[list[Any], Any]:
        """The pieces of '<opening>a,b,...]' over the valid ITEMS ('' when none is), and whether any is."""
        pieces, seen = [], None
        for item in items:
            valid = pc.is_valid(item)
            if seen is not None:
                pieces.append(pc.if_else(pc.and_(valid, seen), pa.scalar(","), empty))
            pieces.append(item)
            seen = valid if seen is None else pc.or_(seen, valid)
        return [pc.if_else(seen, pa.scalar(opening), empty), *pieces, pc.if_else(seen, pa.scalar("]"), empty)], seen

    user_pieces, has_users = listed([rows.column("uj_text"), *uj], '"users":[')
    tweet_pieces, has_tweets = listed(tj, '"tweets":[')
    has_includes = pc.or_(has_users, has_tweets)
    data = rows.column("j_text")
    raw = pc.binary_join_element_wise(
        pa.scalar('{"data":'), data, pc.if_else(has_includes, pa.scalar(',"includes":{'), empty), *user_pieces,
        pc.if_else(pc.and_(has_users, has_tweets), pa.scalar(","), empty), *tweet_pieces,
        pc.if_else(has_includes, pa.scalar("}"), empty), pa.scalar("}"), "",
        null_handling="replace", null_replacement="")
    raw = pc.if_else(pc.is_null(data), nul, raw)
    return list_columns.post_lists(rows.set_column(rows.schema.get_field_index("raw"), "raw", raw).drop_columns(_EXTRA))


def query() -> str:
    """The mapping of the JSON-lines file given as parameter: rows with ``line`` (index of the non-blank
    line), ``pos`` (of the tweet in the page), ``python`` (the line is left to the Python parser),
    ``tombstone``, ``raw`` and the post columns but source file and line; in no particular order
    (sorting in Arrow costs less memory than in the query)."""
    return QUERY
