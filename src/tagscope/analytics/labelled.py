"""Classifier labels as filters and groups: ``count TAG --where stance=against``, ``trend --by stance``.

Labels live beside the posts (``STORE/labels/``, see :mod:`tagscope.engines.labels`), not in the
rollups, so a labelled question scans posts joined to the engine's ``labels`` relation; the counting rules are the
same (``Filters.post_where``: tag on the post's own folded hashtags, half-open window, reposts unless
--no-reposts). Unlabelled posts never match ``MODEL=LABEL``; with ``--by`` they form the group
``unlabelled``, so the groups always add up to the unfiltered count.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa

from ..classify import labels
from ..engines import Engine
from ..engines.plan import Plan
from . import buckets, rules

# ``--by`` values that name a column of the post, not a classifier; a post without a value forms NO_VALUE.
POST_COLUMNS = ("platform", "community")
NO_VALUE = "(none)"

LABEL_RULE = (
    " A label filter keeps the posts whose current label from that model (the latest model version's) is the "
    "one named; posts never labelled do not match it, and in a --by grouping they form 'unlabelled'."
)


def _where(specs: list[str]) -> tuple[list[str], list[Any]]:
    conds, params = [], []
    for spec in specs:
        cond, p = labels.where(spec, posts="posts")
        conds.append(cond)
        params += p
    return conds, params


def count(eng: Engine, tag: str, f: rules.Filters, where: list[str]) -> tuple[int, int, list[tuple[str, list[Any]]]]:
    """(count, reposts, queries) of posts using TAG that pass the label filters."""
    base, params = f.post_where([tag])
    conds, lparams = _where(where)
    clause = (base + " AND " if base else "WHERE ") + " AND ".join(conds)
    sql = f"""
SELECT count(*) AS count, count(*) FILTER (WHERE kind = 'repost') AS reposts
FROM posts
{clause}"""
    table, queries = eng.run(Plan(sql, params + lparams, ("labels",), scan=True), rollup=False)
    row = table.to_pylist()[0]
    return int(row["count"]), int(row["reposts"]), queries


def trend(eng: Engine, names: list[str], f: rules.Filters, every: str, zone: ZoneInfo | None,
          where: list[str], by: str | None) -> tuple[pa.Table, list[tuple[str, list[Any]]]]:
    """Rows (hashtag, bucket, count[, label]) of posts using NAMES, filtered and grouped by labels."""
    bexpr, bparams = buckets.sql("created_at", every, zone)
    base, params = f.post_where(names)
    conds, lparams = _where(where)
    label_sel, label_params = ("", [])
    if by in POST_COLUMNS:  # a post column (platform, community), not a classifier
        label_sel = f", coalesce(posts.{by}, '{NO_VALUE}') AS label"
    elif by:
        expr, label_params = labels.by(by, posts="posts")
        label_sel = f", {expr} AS label"
    outer = ("WHERE " + " AND ".join(conds)) if conds else ""
    sql = f"""
SELECT tag AS hashtag, {bexpr} AS bucket{label_sel}, count(*) AS count
FROM (SELECT *, unnest(list_intersect(hashtags_norm, ?)) AS tag FROM posts {base}) posts
{outer}
GROUP BY ALL
ORDER BY 2, 1"""
    all_params = bparams + label_params + [list(names)] + params + lparams
    return eng.run(Plan(sql, all_params, ("labels",), scan=True), rollup=False)
