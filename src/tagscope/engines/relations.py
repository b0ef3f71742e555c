"""Derived relations every analytic reads, defined once in portable SQL over a posts relation.

Each analytic is one SQL statement over these relation names. An engine provides them either from
the rollups (one Parquet per posts file, kept by :mod:`tagscope.engines.rollup`) or, when the
rollups cannot answer exactly, as a ``WITH`` clause over ``posts`` with the filters applied first.
Because a live post is in exactly one posts file, summing the per-file rows is exact.

Contracts (a key may repeat across files: analytics always sum):

- ``tag_minutes(platform, tag, minute, is_repost, n)``: posts per tag and UTC minute;
- ``tag_hours(platform, tag, hour, is_repost, n)``: the same per UTC hour (an engine may derive it
  from ``tag_minutes``); analytics use it when a window and buckets fall on whole hours;
- ``tag_first(platform, tag, is_repost, id, author_key, author_handle, created_at, kind)``: the
  first ``K`` posts per (platform, tag, is_repost), ordered by (created_at, id);
- ``tag_pairs(platform, tag, cotag, is_repost, n)``: posts holding both tags;
- ``tag_authors(platform, tag, author_key, is_repost, posts, reach, engagement)``;
- ``authors(platform, author_key, last_at, author_handle, author_name, followers, verified,
  author_bio, and for each of those the time it was recorded: handle_at, name_at, ...)``: ONE row
  per account, each field as of the account's latest post in the store that records it;
- ``tag_accounts(platform, tag, author_key, posts, reposts, reach, repost_reach, engagement,
  author_handle, author_name, followers, verified, author_bio)``: ONE row per (tag, account), computed
  from ``tag_authors`` and ``authors`` (not rolled up per file; an engine may keep it warm).

Read in place (:data:`IN_PLACE`: an engine reads the tag's rows from the per-file rollups at each
call, never a whole-store table, so a cold first answer costs a read of that tag's rows only):

- ``tag_spellings(platform, tag, written, author_key, is_repost, n)``: posts per spelling as written
  (``hashtags``) that may fold to the tag: every ASCII-word spelling whose lower case is the tag, and
  every other spelling (NFKC and casefold are not SQL: the analytic folds those itself);
- ``tag_communities(platform, tag, community, author_key, is_repost, posts, first_at)``: posts per
  community (subreddit, instance; NULL when none) and account, with the first post's time;
- ``tag_urls(platform, tag, is_repost, url, author_id, posts, first_at, last_at)``: posts linking each
  URL (a post's ``urls`` are unique), per author id as stored, with the first and last post's time;
- ``tag_domain_sets(platform, tag, is_repost, domains, n)``: posts per list of linked domains (a
  post's ``domains`` as stored, unique): a count of posts linking ANY of several sites stays exact.
"""

from __future__ import annotations

FIRST_K = 100  # posts kept per (platform, tag, is_repost) in the tag_first rollup

AUTHOR_KEY = "coalesce(author_id, author_handle)"
# "Latest" among an account's posts: by time, then id. One fixed-width string compares in that order
# and costs a third less than a (time, id) struct in the authors rollup (measured). Within ONE posts
# file the row number is that order too (posts files are written sorted by time, then id: see
# store.commit._sorted), and a third cheaper again: the per-file rollups use it (``per_file``).
LATEST = "strftime(created_at, '%Y-%m-%d %H:%M:%S.%f') || id"
ENGAGEMENT = (
    "CASE WHEN kind <> 'repost' THEN coalesce(like_count, 0) + coalesce(repost_count, 0) "
    "+ coalesce(reply_count, 0) + coalesce(quote_count, 0) ELSE 0 END"
)

_TEMPLATES = {
    "tag_minutes": """
SELECT platform, tag, minute, is_repost, count(*) AS n
FROM (SELECT platform, date_trunc('minute', created_at) AS minute, kind = 'repost' AS is_repost,
             unnest(hashtags_norm) AS tag
      FROM {src} {where}) AS u
{tagwhere}
GROUP BY platform, tag, minute, is_repost""",
    "tag_hours": """
SELECT platform, tag, hour, is_repost, count(*) AS n
FROM (SELECT platform, date_trunc('hour', created_at) AS hour, kind = 'repost' AS is_repost,
             unnest(hashtags_norm) AS tag
      FROM {src} {where}) AS u
{tagwhere}
GROUP BY platform, tag, hour, is_repost""",
    "tag_first": """
SELECT platform, tag, is_repost, id, author_key, author_handle, created_at, kind
FROM (SELECT platform, tag, is_repost, id, author_key, author_handle, created_at, kind,
             row_number() OVER (PARTITION BY platform, tag, is_repost ORDER BY created_at, id) AS rank
      FROM (SELECT platform, kind = 'repost' AS is_repost, id, {author_key} AS author_key, author_handle,
                   created_at, kind, unnest(hashtags_norm) AS tag
            FROM {src} {where}) AS u
      {tagwhere}) AS r
WHERE rank <= {k}""",
    "tag_pairs": """
SELECT platform, tag, cotag, is_repost, count(*) AS n
FROM (SELECT platform, is_repost, tag, unnest(tags) AS cotag
      FROM (SELECT platform, kind = 'repost' AS is_repost, hashtags_norm AS tags, unnest(hashtags_norm) AS tag
            FROM {src} {where}) AS u
      {tagwhere}) AS p
WHERE cotag <> tag
GROUP BY platform, tag, cotag, is_repost""",
    "tag_authors": """
SELECT platform, tag, author_key, is_repost, count(*) AS posts, sum(followers) AS reach,
       sum(engagement) AS engagement
FROM (SELECT platform, {author_key} AS author_key, kind = 'repost' AS is_repost,
             coalesce(author_followers, 0) AS followers, {engagement} AS engagement,
             unnest(hashtags_norm) AS tag
      FROM {src} {where}) AS u
{tagwhere}
GROUP BY platform, tag, author_key, is_repost""",
    "authors": """
SELECT platform, {author_key} AS author_key, max(created_at) AS last_at,
       arg_max(author_handle, latest) AS author_handle,
       max(CASE WHEN author_handle IS NOT NULL THEN created_at END) AS handle_at,
       arg_max(author_name, latest) AS author_name,
       max(CASE WHEN author_name IS NOT NULL THEN created_at END) AS name_at,
       arg_max(author_followers, latest) AS followers,
       max(CASE WHEN author_followers IS NOT NULL THEN created_at END) AS followers_at,
       arg_max(author_verified, latest) AS verified,
       max(CASE WHEN author_verified IS NOT NULL THEN created_at END) AS verified_at,
       arg_max(author_bio, latest) AS author_bio,
       max(CASE WHEN author_bio IS NOT NULL THEN created_at END) AS bio_at
FROM (SELECT *, {latest} AS latest FROM {src} {where}) AS p
GROUP BY platform, {author_key}""",
    "tag_spellings": """
SELECT platform, tag, written, author_key, is_repost, count(*) AS n
FROM (SELECT platform, is_repost, author_key, tag, unnest(written_all) AS written
      FROM (SELECT platform, kind = 'repost' AS is_repost, {author_key} AS author_key, hashtags AS written_all,
                   unnest(hashtags_norm) AS tag
            FROM {src} {where}) AS u
      {tagwhere}) AS s
WHERE lower(written) = tag OR NOT regexp_matches(written, '^[A-Za-z0-9_]+$')
GROUP BY platform, tag, written, author_key, is_repost""",
    "tag_communities": """
SELECT platform, tag, community, author_key, is_repost, count(*) AS posts, min(created_at) AS first_at
FROM (SELECT platform, community, {author_key} AS author_key, kind = 'repost' AS is_repost, created_at,
             unnest(hashtags_norm) AS tag
      FROM {src} {where}) AS u
{tagwhere}
GROUP BY platform, tag, community, author_key, is_repost""",
    "tag_urls": """
SELECT platform, tag, is_repost, url, author_id, count(*) AS posts, min(created_at) AS first_at,
       max(created_at) AS last_at
FROM (SELECT platform, tag, is_repost, author_id, created_at, unnest(urls) AS url
      FROM (SELECT platform, kind = 'repost' AS is_repost, author_id, created_at, urls, unnest(hashtags_norm) AS tag
            FROM {src} {where}) AS u
      {tagwhere}) AS l
GROUP BY platform, tag, is_repost, url, author_id""",
    "tag_domain_sets": """
SELECT platform, tag, is_repost, domains, count(*) AS n
FROM (SELECT platform, kind = 'repost' AS is_repost, domains, unnest(hashtags_norm) AS tag
      FROM {src} {where}) AS u
{tagwhere}
GROUP BY platform, tag, is_repost, domains""",
}

# Relations an engine reads in place from the per-file rollups (filtered by the plan's tags), never
# as a whole-store warm table: they hold a row per account or URL and are read for one tag at a time.
IN_PLACE = ("tag_spellings", "tag_communities", "tag_urls", "tag_domain_sets")

# The per-file rollups are written by DuckDB alone (rollup.py): where DuckDB has a cheaper form of
# the same rows, they use it. tag_first: a top-K aggregate instead of ranking every row of a tag
# (40% less time; test_rollup_equals_scan holds the two forms to the same answers).
_PER_FILE = {
    "tag_first": """
SELECT platform, tag, is_repost, r.id, r.author_key, r.author_handle, r.created_at, r.kind
FROM (SELECT platform, tag, is_repost,
             unnest(min_by({{'id': id, 'author_key': author_key, 'author_handle': author_handle,
                             'created_at': created_at, 'kind': kind}},
                            {{'t': created_at, 'i': id}}, {k})) AS r
      FROM (SELECT platform, kind = 'repost' AS is_repost, id, {author_key} AS author_key, author_handle,
                   created_at, kind, unnest(hashtags_norm) AS tag
            FROM {src} {where}) AS u
      {tagwhere}
      GROUP BY platform, tag, is_repost) AS f""",
}

# Computed from other relations, never from posts directly (DEPENDS says which).
COMBINED = {
    "tag_accounts": """
SELECT t.platform, t.tag, t.author_key, t.posts, t.reposts, t.reach, t.repost_reach, t.engagement,
       a.author_handle, a.author_name, a.followers, a.verified, a.author_bio
FROM (SELECT platform, tag, author_key, sum(posts) AS posts,
             sum(CASE WHEN is_repost THEN posts ELSE 0 END) AS reposts, sum(reach) AS reach,
             sum(CASE WHEN is_repost THEN reach ELSE 0 END) AS repost_reach, sum(engagement) AS engagement
      FROM tag_authors
      GROUP BY platform, tag, author_key) AS t
JOIN authors AS a ON a.platform = t.platform AND a.author_key = t.author_key""",
}
DEPENDS = {"tag_accounts": ("tag_authors", "authors")}

# Merging per-file `authors` rows into one per account (the engine's job for rollups).
MERGE_AUTHORS = """
SELECT platform, author_key, max(last_at) AS last_at,
       arg_max(author_handle, handle_at) AS author_handle, max(handle_at) AS handle_at,
       arg_max(author_name, name_at) AS author_name, max(name_at) AS name_at,
       arg_max(followers, followers_at) AS followers, max(followers_at) AS followers_at,
       arg_max(verified, verified_at) AS verified, max(verified_at) AS verified_at,
       arg_max(author_bio, bio_at) AS author_bio, max(bio_at) AS bio_at
FROM {src}
GROUP BY platform, author_key"""

# Relations an engine derives from another one's rollup files instead of rolling up on their own.
DERIVED_FROM = {"tag_hours": "tag_minutes"}
NAMES = tuple(n for n in _TEMPLATES if n not in DERIVED_FROM)  # rolled up per posts file


def define(name: str, src: str, where: str = "", tags: list[str] | None = None, k: int = FIRST_K,
           per_file: str | None = None) -> tuple[str, list]:
    """SQL (and parameters) of relation NAME computed from the posts relation SRC.

    WHERE filters posts first (the scan path); TAGS keeps only rows about those tags. PER_FILE is
    for a per-file rollup on DuckDB: SRC is ONE posts file and PER_FILE names its row-number
    column (the "latest" order there, see LATEST); the _PER_FILE forms are then used.
    """
    if name in COMBINED:
        return COMBINED[name].strip(), []
    params: list = []
    tagwhere = ""
    if tags is not None and name != "authors":
        tagwhere = "WHERE tag IN (" + ", ".join("?" for _ in tags) + ")"
        params = list(tags)
    template = _PER_FILE.get(name, _TEMPLATES[name]) if per_file else _TEMPLATES[name]
    sql = template.format(
        src=src, where=where, tagwhere=tagwhere, k=int(k), author_key=AUTHOR_KEY, engagement=ENGAGEMENT,
        latest=per_file or LATEST,
    )
    if per_file and name in IN_PLACE:  # read in place: a tag's rows together, so Parquet's row-group stats prune
        sql = sql.strip() + "\nORDER BY tag"
    return sql.strip(), params
