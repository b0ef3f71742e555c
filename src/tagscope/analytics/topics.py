"""topics: what a campaign sparked: the sub-topics of the posts using a tag, their shares and trends.

The posts using the tag (and matching ``query``) are read through the engine as distinct texts with
their posts per time bucket: a repost carries its subject's text, so it counts for its subject's
topic, and the model is fit on distinct texts (a viral post is one document, not ten thousand). A
TF-IDF + NMF model (:mod:`.topics_model`) is fit on a seeded sample of the distinct texts and then
assigns every one of them, so the figure says "fit on N of M texts". Each topic is named by its most
distinctive words and word pairs and shown with a few representative posts (the texts it weighs
most), its share of the posts, and its posts per bucket: when it took off (its share of a bucket
first reached half its peak share), when it peaked and whether it faded.
"""

from __future__ import annotations

import heapq
import re
import shlex
from collections import defaultdict
from datetime import datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..engines import engine_for
from ..engines.plan import Plan
from . import buckets, rules
from .figure import Figure
from .registry import EVERY, NotAvailable, Option, Page, Section, declare

SAMPLE = 20_000  # distinct texts the model is fit on: minutes for a million posts on two cores
MIN_BUCKET = 10  # a bucket with fewer posts says nothing about shares (start, peak, faded ignore it)
SCHEMA = pa.schema([("topic", pa.int64()), ("words", pa.string()), ("posts", pa.int64()), ("share", pa.float64()),
                    ("start", pa.string()), ("peak", pa.string()), ("faded", pa.bool_()), ("example", pa.string())])
RULE = (rules.RULE + " A repost carries its subject's text and counts for its subject's topic. Topic words are never "
        "hashtags, links, mentions, the tag or its near misses; a post's topic is the one its text weighs most (topic 0: "
        "no topic words). Representative posts show mentions as @user.")


def _note(fig: Figure) -> str:
    d = fig.data
    if not d["k"]:
        return d["k_rule"] + "."
    return (f"Fit on {d['fit_on']:,} of {d['texts']:,} distinct texts ({d['posts']:,} posts, reposts counted for "
            f"their subject's topic); every post assigned. {d['k_rule']}.")


META = declare(
    "topics",
    "What it sparked: sub-topics",
    "The sub-topics of the posts using the tag (TF-IDF + NMF), each named by its most distinctive words, with "
    "representative posts, its share of the posts and its posts per bucket; share = posts in the topic / posts.",
    (
        "tag",
        Option("query", help="Only posts whose text has every word of QUERY (case-insensitive; \"quoted phrases\")."),
        Option("k", default="auto", help="Number of topics, or auto (best coherence among 5-20).",
               api_help="Number of topics (2-50), or auto."),
        Option("every", default="day", help="minute, hour, day or week.", choices=EVERY),
        Option("seed", int, 0, "Seed of the sample and the model (same seed, same topics).", min=0),
        Option("examples", int, 3, "Representative posts per topic.", min=0, api_max=20),
        Option("sample", int, SAMPLE, "Distinct texts to fit the model on (all posts are assigned).", min=50, api=None),
        "since", "until", "tz", "no_reposts", "platform",
    ),
    help="Find the sub-topics of the posts using a tag, with their shares, trends and representative posts.",
    module=__name__,
    order=75,
    rollup=False,
    heading="Topics of posts using #{hashtag}",
    note=_note,
    api=("tag", "query", "k", "every", "seed", "examples", "tz", "since", "until", "platform"),
    api_summary="Sub-topics of the posts using the tag: words, shares, trend per bucket and representative posts.",
    page=Page("Topics", "What did the campaign spark? Its sub-topics, their shares and when each rose or faded."),
    section=Section("What it sparked", "Which sub-topics did the posts discuss, and which rose after the campaign began?"),
)

_MENTION = re.compile(r"(?<![\w@])@\w+")


def parse_k(k: int | str | None) -> int | None:
    """None for auto, else a number of topics from 2 to 50."""
    if k is None or str(k).strip().lower() in ("", "auto"):
        return None
    try:
        n = int(str(k).strip())
    except ValueError:
        raise ValueError(f"--k takes a number of topics or auto (got {k!r}).") from None
    if not 2 <= n <= 50:
        raise ValueError(f"--k must be from 2 to 50, or auto (got {n}).")
    return n


def query_where(query: str | None) -> tuple[str, list[str]]:
    """Conditions keeping posts whose text has every word (or quoted phrase) of QUERY, as whole words."""
    if not query or not query.strip():
        return "", []
    try:
        terms = shlex.split(query)
    except ValueError:
        terms = query.split()
    # \W rather than a POSIX class: RE2 (DuckDB) and Java (Spark) read it alike.
    pats = ["(?i)(^|\\W)" + re.escape(t.strip()) + "($|\\W)" for t in terms if t.strip()]
    return "".join(" AND regexp_matches(text, ?)" for _ in pats), pats


def topics(
    store,
    tag: str,
    *,
    query: str | None = None,
    k: int | str | None = "auto",
    every: str = "day",
    seed: int = 0,
    examples: int = 3,
    sample: int = SAMPLE,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    tz: str | None = None,
    no_reposts: bool = False,
    platform: str | None = None,
    rollup: bool = True,
    engine: str | None = None,
) -> Figure:
    """Sub-topics of the posts using TAG: words, share, trend per EVERY bucket, representative posts."""
    try:
        import sklearn  # noqa: F401  (the one extra this analytic needs)

        from . import topics_model
    except ModuleNotFoundError as exc:
        raise NotAvailable(f"the topics analytic needs scikit-learn: pip install 'tagscope[analytics]' ({exc.name} is missing)") from None
    t = rules.tag(tag)
    n_topics = parse_k(k)
    buckets.check(every)
    zone = rules.zone(tz)
    f = rules.Filters.of(since, until, tz, no_reposts, platform)
    where, params = f.post_where([t])
    qsql, qparams = query_where(query)
    where += qsql.replace(" AND ", "WHERE ", 1) if not where else qsql
    eng = engine_for(store, engine)

    # Posts per distinct text and bucket, bucketed as trend buckets (starts in UTC).
    kexprs, kparams = buckets.keys("created_at", every, zone)
    knames = [f"k{i}" for i in range(len(kexprs))]
    sexpr, sparams = buckets.start(knames, every, zone)
    kcols = ", ".join(f"{e} AS {n}" for e, n in zip(kexprs, knames, strict=True))
    keys = ", ".join(str(i + 1) for i in range(len(kexprs) + 1))
    sql = f"""
SELECT text, {sexpr} AS bucket, CAST(sum(n) AS BIGINT) AS posts
FROM (SELECT text, {kcols}, count(*) AS n FROM posts {where} GROUP BY {keys}) AS per_key
GROUP BY 1, 2"""
    table, queries = eng.run(Plan(sql, sparams + kparams + params + qparams), rollup=rollup)
    # Tallied in Arrow, not row by row in Python: a campaign of 10M posts has some 250,000 (text, bucket) cells.
    cells = table.set_column(0, "text", pc.fill_null(table.column("text"), ""))
    by_text = cells.group_by("text").aggregate([("posts", "sum")])
    per_text = dict(zip(by_text.column("text").to_pylist(), by_text.column("posts_sum").to_pylist(), strict=True))
    texts = sorted(per_text)
    total = sum(per_text.values())
    base = {"hashtag": t, "query": query or None, "method": "tfidf-nmf", "seed": seed, "texts": len(texts), "posts": total}
    try:
        model, fit_texts, assigned, weight = topics_model.fit_assign(texts, t, n_topics, seed, sample)
    except topics_model.TooFew as exc:  # a small store or a narrow query: say so, as an empty figure
        data = {**base, "k": 0, "k_rule": str(exc)[0].upper() + str(exc)[1:], "fit_on": 0, "topics": [], "examples": [],
                "series": [], "every": every, "tz": zone.key if zone else "UTC", **f.describe()}
        return Figure("topics", pa.Table.from_pylist([], schema=SCHEMA), data, queries, RULE, {"filters": f.describe()})
    words = model.words()

    # Topics numbered by posts, most first; texts without topic words are topic 0. Arrays are indexed by
    # topic + 1 (index 0: no topic words).
    per_topic = np.zeros(model.k + 1, dtype=np.int64)
    np.add.at(per_topic, assigned + 1, np.fromiter((per_text[x] for x in texts), dtype=np.int64, count=len(texts)))
    posts_in = {i - 1: int(n) for i, n in enumerate(per_topic) if n}
    texts_in = {i - 1: int(n) for i, n in enumerate(np.bincount(assigned + 1, minlength=model.k + 1)) if n}
    order = sorted((i for i in range(model.k) if posts_in.get(i)), key=lambda i: (-posts_in[i], i))
    number = {i: n + 1 for n, i in enumerate(order)}
    number[-1] = 0

    # Per-bucket counts and each topic's rise, peak and fade (by its share of each bucket's posts).
    numbers = np.zeros(model.k + 1, dtype=np.int64)
    for i, num in number.items():
        numbers[i + 1] = num
    at = pc.index_in(cells.column("text"), value_set=pa.array(texts, pa.string())).to_numpy()  # each cell's text in texts
    cells = pa.table({"num": numbers[assigned[at] + 1], "bucket": cells.column("bucket"), "posts": cells.column("posts")})
    count: dict[tuple[int, Any], int] = defaultdict(int)
    for r in cells.group_by(["num", "bucket"]).aggregate([("posts", "sum")]).to_pylist():
        count[(r["num"], r["bucket"])] = r["posts_sum"]
    bucket_total: dict[Any, int] = defaultdict(int)
    for r in cells.group_by("bucket").aggregate([("posts", "sum")]).to_pylist():
        bucket_total[r["bucket"]] = r["posts_sum"]
    seen = sorted(bucket_total)
    ticks = buckets.span(f.since, f.until, seen, every, zone)
    big = [b for b in ticks if bucket_total[b] >= MIN_BUCKET] or [b for b in ticks if bucket_total[b]]
    shown = [*(number[i] for i in order), *([0] if posts_in.get(-1) else [])]
    rows, series = [], []
    for num in shown:
        i = next((j for j, m in number.items() if m == num), -1)
        name = "(no topic words)" if num == 0 else ", ".join(words[i][:4])
        shares = [(b, count[(num, b)] / bucket_total[b]) for b in big]
        peak_b, peak_s = max(shares, key=lambda p: p[1]) if shares else (None, 0.0)
        start_b = next((b for b, s in shares if peak_s and s >= peak_s / 2), None)
        faded = bool(shares) and peak_s > 0 and shares[-1][1] < peak_s / 4
        rows.append({"topic": num, "name": name, "words": [] if num == 0 else words[i], "posts": posts_in[i],
                     "share": posts_in[i] / total if total else 0.0,
                     "texts": texts_in[i], "start": rules.iso(start_b),
                     "peak": rules.iso(peak_b), "peak_share": round(peak_s, 4), "faded": faded})
        series += [{"series": f"{num}: {name}", "topic": num, "bucket": rules.iso(b), "count": count[(num, b)]} for b in ticks]

    # Representative posts: the texts each topic weighs most, shown by their first original post.
    best: dict[int, list[tuple[float, str]]] = defaultdict(list)
    for text, i, w in zip(texts, assigned.tolist(), weight.tolist(), strict=True):
        if i >= 0:
            best[i].append((-w, text))
    chosen = {text: number[i] for i, items in best.items() for _, text in heapq.nsmallest(max(0, examples), items)}
    example_rows: list[dict[str, Any]] = []
    if chosen:
        esql = f"""
SELECT text, id, author_handle AS author, author_followers AS followers, author_verified AS verified, created_at,
       kind = 'repost' AS is_repost
FROM posts {where}{" AND " if where else "WHERE "}list_contains(?, text)
ORDER BY is_repost, created_at, id"""
        etable, q = eng.run(Plan(esql, params + qparams + [sorted(chosen)]), rollup=rollup)
        queries += q
        first: dict[str, dict[str, Any]] = {}
        for r in etable.to_pylist():
            first.setdefault(r["text"], r)
        for text, num in chosen.items():
            r = first.get(text)
            if r is not None:
                example_rows.append({"topic": num, "id": r["id"], "author": r["author"], "followers": r["followers"],
                                     "verified": r["verified"], "created_at": rules.iso(r["created_at"]),
                                     "posts": per_text[text], "text": _MENTION.sub("@user", text)})
        example_rows.sort(key=lambda r: (r["topic"], -r["posts"], r["created_at"] or "", r["id"]))

    first_example = {}
    for r in example_rows:
        first_example.setdefault(r["topic"], r["text"])
    table_rows = [{"topic": r["topic"], "words": ", ".join(r["words"][:8]) or r["name"], "posts": r["posts"],
                   "share": r["share"], "start": r["start"], "peak": r["peak"], "faded": r["faded"],
                   "example": _short(first_example.get(r["topic"], ""))} for r in rows]
    out = pa.Table.from_pylist(table_rows, schema=SCHEMA)
    data = {
        **base, "k": model.k, "k_rule": model.k_rule, "fit_on": len(fit_texts),
        "topics": rows, "examples": example_rows, "series": series,
        "every": every, "tz": zone.key if zone else "UTC", **f.describe(),
    }
    return Figure("topics", out, data, queries, RULE, {"filters": f.describe(), "k_scores": model.scores})


def _short(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
