"""variants: how a tag was spelled (case variants) and near-miss tags (typos such as #everdaysexism).

Case variants are the spellings as written (``hashtags``) that fold to the tag. Near misses are
other folded tags within a small Damerau-Levenshtein distance (adjacent swaps count as one edit):
1 edit for tags of 4 to 7 characters, 2 for longer ones, none for shorter ones (too many false
friends). Each comes with its count (posts) and the authors it shares with the tag.
"""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from ..engines import engine_for
from ..engines.plan import Plan
from ..post import fold_tag
from . import rules
from .figure import Figure
from .registry import Option, Page, Section, declare

META = declare(
    "variants",
    "Spellings and near misses of a tag",
    "Case variants as written, and near-miss tags (1–2 edits) with counts and shared authors.",
    ("tag", Option("max_distance", int, None, "Edits allowed for near misses.", min=0, api=None),
     "since", "until", "tz", "no_reposts", "platform"),
    help="Show how a tag was spelled and the near-miss tags beside it.",
    module=__name__,
    order=90,
    heading="Spellings and near misses of #{hashtag}",
    api=("tag", "since", "until", "platform", "top"),
    api_summary="Spellings of the tag that differ in case, and near-miss tags, with counts and shared authors.",
    page=Page("Variants", "Which spellings (case variants) and near-miss tags were used, and by how many?"),
    section=Section("Variants", "Which spellings and near-misses were used?"),
)


def default_distance(tag: str) -> int:
    return 0 if len(tag) < 4 else 1 if len(tag) < 8 else 2


def distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, stopping early past LIMIT."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def variants(
    store,
    tag: str,
    *,
    max_distance: int | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    tz: str | None = None,
    no_reposts: bool = False,
    platform: str | None = None,
    rollup: bool = True,
    engine: str | None = None,
) -> Figure:
    """Case variants of TAG and near-miss tags, with posts and shared authors."""
    t = rules.tag(tag)
    limit = default_distance(t) if max_distance is None else rules.cap(max(0, int(max_distance)))
    f = rules.Filters.of(since, until, tz, no_reposts, platform)
    eng = engine_for(store, engine)
    # Spellings as written that may fold to T (tag_spellings keeps every one that can; fold_tag decides).
    swhere, sparams = f.rel_where([t])
    case_sql = f"""
SELECT written, CAST(sum(n) AS BIGINT) AS posts, CAST(count(DISTINCT platform || ':' || author_key) AS BIGINT) AS authors
FROM tag_spellings
WHERE {swhere}
GROUP BY written
ORDER BY posts DESC, written"""
    case_rows, queries = eng.run(Plan(case_sql, sparams, ("tag_spellings",), [t], f, scan=f.windowed), rollup=rollup)
    rows = [
        {"kind": "case", "hashtag": r["written"], "distance": 0, "posts": int(r["posts"]), "authors": int(r["authors"]),
         "shared_authors": int(r["authors"])}
        for r in case_rows.to_pylist() if fold_tag(r["written"]) == t
    ]
    # Near misses: every folded tag in the store within LIMIT edits.
    rel, col = rules.time_relation(f)
    rwhere, rparams = f.rel_where([t], time_col=col)
    rwhere = rwhere.replace("tag IN (?)", "tag <> ?", 1)
    tags_sql = f"SELECT tag, CAST(sum(n) AS BIGINT) AS posts FROM {rel} WHERE {rwhere} GROUP BY tag"
    exact = rules.on_minute(f.since) and rules.on_minute(f.until)
    # The scan path must see every tag, not only T: give no tag filter to the relation.
    tag_table, q = eng.run(Plan(tags_sql, rparams, (rel,), [], f, scan=not exact), rollup=rollup) if limit else (None, [])
    queries += q
    near = {}
    if tag_table is not None:
        for r in tag_table.to_pylist():
            d = distance(t, r["tag"], limit)
            if 0 < d <= limit:
                near[r["tag"]] = (d, int(r["posts"]))
    if near:
        names = sorted(near)
        awhere, aparams = f.rel_where(names)
        twhere, tparams = f.rel_where([t])
        # The accounts per tag from tag_communities (a row per tag, community and account, read in place:
        # the same accounts as tag_authors, without building that whole-store table on a cold start).
        shared_sql = f"""
SELECT v.tag, CAST(count(*) AS BIGINT) AS authors, CAST(count(m.author_key) AS BIGINT) AS shared_authors
FROM (SELECT DISTINCT platform, tag, author_key FROM tag_communities WHERE {awhere}) AS v
LEFT JOIN (SELECT DISTINCT platform, author_key FROM tag_communities WHERE {twhere}) AS m
  ON m.platform = v.platform AND m.author_key = v.author_key
GROUP BY v.tag"""
        plan = Plan(shared_sql, aparams + tparams, ("tag_communities",), [t, *names], f, scan=f.windowed)
        shared, q = eng.run(plan, rollup=rollup)
        queries += q
        for r in shared.to_pylist():
            d, posts = near[r["tag"]]
            rows.append({"kind": "near-miss", "hashtag": r["tag"], "distance": d, "posts": posts,
                         "authors": int(r["authors"]), "shared_authors": int(r["shared_authors"])})
    rows.sort(key=lambda r: (r["kind"] != "case", -r["posts"], r["hashtag"]))
    schema = pa.schema([("kind", pa.string()), ("hashtag", pa.string()), ("distance", pa.int64()), ("posts", pa.int64()),
                        ("authors", pa.int64()), ("shared_authors", pa.int64())])
    table = pa.Table.from_pylist(rows, schema=schema)
    data = {"hashtag": t, "variants": rows, "max_distance": limit, **f.describe()}
    rule = rules.RULE + " " + (__doc__ or "").split("\n\n")[1].replace("\n", " ")
    return Figure("variants", table, data, queries, rule, {"filters": f.describe()})
