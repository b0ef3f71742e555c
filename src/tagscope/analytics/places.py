"""places: the countries and regions the posts using a tag talk about ("rape in India and Africa" as a figure)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import pyarrow as pa

from ..engines import engine_for
from ..engines.plan import Plan
from . import buckets, rules
from .figure import Figure
from .registry import EVERY, TOP, NotAvailable, Option, Page, Section, declare

META = declare(
    "places",
    "Places mentioned",
    "Countries and regions named in the posts using the tag (names, demonyms, major cities); posts = posts naming each.",
    ("tag", TOP, Option("every", help="Also a series per minute, hour, day or week for the top places.", choices=EVERY),
     "since", "until", "tz", "no_reposts", "platform"),
    help="List the countries and regions named in posts using a tag, with counts and when.",
    module=__name__,
    order=88,
    rollup=False,
    heading="Places named in posts using #{hashtag}",
    columns={"place": "{place}", "kind": "{kind}", "posts": "{posts}", "authors": "{authors}", "share": "{share}",
             "named as": "{forms}"},
    api=("tag", "every", "since", "until", "platform", "top"),
    api_summary="Countries and regions named in the posts using the tag, with posts, authors and a series.",
    page=Page("Places", "Which countries and regions did the campaign talk about, and when?"),
    section=Section("Places mentioned", "Which countries and regions did it talk about?"),
)

SCHEMA = pa.schema([("place", pa.string()), ("kind", pa.string()), ("code", pa.string()), ("posts", pa.int64()),
                    ("authors", pa.int64()), ("share", pa.float64()), ("forms", pa.string()),
                    ("first_seen", pa.timestamp("us")), ("last_seen", pa.timestamp("us"))])
SERIES_PLACES = 8  # places drawn as series: the top ones, so a chart stays readable

RULE = (" A post names a place when its text has the place's name, a demonym, an abbreviation, or a major city "
        "or US state of that country (the gazetteer's case rules apply); a post counts once per place however "
        "often it names it, and once for each place it names. Reposts carry their original's text and count "
        "unless --no-reposts. Cities count for their country; countries are not rolled up into regions.")


@dataclass
class _Tally:
    posts: int = 0
    authors: int = 0  # distinct non-null author ids
    forms: Counter = field(default_factory=Counter)
    first: datetime | None = None
    last: datetime | None = None
    per_bucket: Counter = field(default_factory=Counter)


def places(
    store,
    tag: str,
    *,
    top: int = 20,
    every: str | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    tz: str | None = None,
    no_reposts: bool = False,
    platform: str | None = None,
    rollup: bool = True,
    engine: str | None = None,
) -> Figure:
    """The TOP places named in posts using TAG, most named first; with EVERY, a series for the top places."""
    from . import places_gazetteer

    try:
        gazetteer = places_gazetteer.load()
    except ModuleNotFoundError as exc:
        raise NotAvailable(str(exc)) from None
    t = rules.tag(tag)
    if every is not None:
        buckets.check(every)
    zone = rules.zone(tz)
    f = rules.Filters.of(since, until, tz, no_reposts, platform)
    where, params = f.post_where([t])
    bucket, bparams = buckets.sql("created_at", every, zone) if every else ("CAST(NULL AS TIMESTAMP)", [])
    # One row per distinct text, author and bucket: reposts of one text are matched once.
    sql = f"""
SELECT text, author_id, bucket, CAST(count(*) AS BIGINT) AS n, min(created_at) AS first_seen, max(created_at) AS last_seen
FROM (SELECT text, author_id, created_at, {bucket} AS bucket FROM posts {where}) AS p
GROUP BY text, author_id, bucket
-- then, in Python, each distinct text is matched against the gazetteer (tagscope.analytics.places_gazetteer):
-- {places_gazetteer.describe()}"""
    table, queries = engine_for(store, engine).run(Plan(sql, [*bparams, *params]), rollup=rollup)
    tallies, total, naming = _tally(table, gazetteer)
    ranked = sorted(tallies.items(), key=lambda kv: (-kv[1].posts, gazetteer.places[kv[0]].name))[: rules.cap(top)]
    rows = []
    for code, tally in ranked:
        place = gazetteer.places[code]
        rows.append({
            "place": place.name, "kind": place.kind, "code": code, "posts": tally.posts,
            "authors": tally.authors, "share": round(tally.posts / total, 6) if total else 0.0,
            "forms": ", ".join(form for form, _ in sorted(tally.forms.items(), key=lambda kv: (-kv[1], kv[0]))[:5]),
            "first_seen": tally.first, "last_seen": tally.last,
        })
    out = pa.Table.from_pylist(rows, schema=SCHEMA)
    data = {
        "hashtag": t,
        "posts": total,
        "posts_naming_a_place": naming,
        "places": [{**r, "first_seen": rules.iso(r["first_seen"]), "last_seen": rules.iso(r["last_seen"])} for r in rows],
        **f.describe(),
    }
    if every:
        seen_buckets = sorted({b for _, tally in ranked for b in tally.per_bucket})
        ticks = buckets.span(f.since, f.until, seen_buckets, every, zone)
        data["series"] = [{"series": gazetteer.places[code].name, "bucket": rules.iso(b), "count": tally.per_bucket.get(b, 0)}
                          for code, tally in ranked[:SERIES_PLACES] for b in ticks]
        data["every"] = every
        data["tz"] = zone.key if zone else "UTC"
    return Figure("places", out, data, queries, rules.RULE + RULE, {"filters": f.describe()})


def _tally(table: pa.Table, gazetteer) -> tuple[dict[str, _Tally], int, int]:
    """Per place: posts, distinct authors, forms, first and last time, posts per bucket; plus all posts
    and the posts naming any place. Each distinct text is matched once in Python; the rows (one per
    text, author and bucket: millions at 10M posts) are tallied in Arrow, never as Python objects."""
    import numpy as np
    import pyarrow.compute as pc

    total = int(pc.sum(table.column("n")).as_py() or 0)
    if not table.num_rows:
        return {}, total, 0
    encoded = pc.dictionary_encode(pc.fill_null(table.column("text"), "")).combine_chunks()
    idx = encoded.indices.to_numpy(zero_copy_only=False)
    codes: list[str] = []
    forms: list[str] = []
    per_text = np.zeros(len(encoded.dictionary), dtype=np.int64)  # places each distinct text names
    for i, text in enumerate(encoded.dictionary.to_pylist()):
        first: dict[str, str] = {}
        for place, form in gazetteer.match(text):
            first.setdefault(place.code, form)  # the form a post first names it by
        per_text[i] = len(first)
        codes += first.keys()
        forms += first.values()
    offsets = np.cumsum(per_text) - per_text  # each text's first (place, form) pair
    counts = per_text[idx]
    naming = int(pc.sum(table.column("n").filter(pa.array(counts > 0))).as_py() or 0)
    # One row per (row, place it names): the row's index repeated, and the pair it stands for.
    rows = np.repeat(np.arange(len(idx)), counts)
    within = np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
    pair = offsets[idx[rows]] + within
    taken = pa.array(rows)
    pairs = pa.table({
        "code": pa.array(codes, pa.string()).take(pa.array(pair)), "form": pa.array(forms, pa.string()).take(pa.array(pair)),
        "author_id": table.column("author_id").take(taken), "bucket": table.column("bucket").take(taken),
        "n": table.column("n").take(taken), "first_seen": table.column("first_seen").take(taken),
        "last_seen": table.column("last_seen").take(taken),
    })
    tallies: dict[str, _Tally] = {}
    per_place = pairs.group_by("code").aggregate([("n", "sum"), ("author_id", "count_distinct"),
                                                  ("first_seen", "min"), ("last_seen", "max")])
    for r in per_place.to_pylist():
        tallies[r["code"]] = _Tally(int(r["n_sum"]), int(r["author_id_count_distinct"]), Counter(),
                                    r["first_seen_min"], r["last_seen_max"])
    for r in pairs.group_by(["code", "form"]).aggregate([("n", "sum")]).to_pylist():
        tallies[r["code"]].forms[r["form"]] += int(r["n_sum"])
    bucketed = pairs.filter(pc.is_valid(pairs.column("bucket")))
    for r in bucketed.group_by(["code", "bucket"]).aggregate([("n", "sum")]).to_pylist():
        tallies[r["code"]].per_bucket[r["bucket"]] += int(r["n_sum"])
    return tallies, total, naming
