"""places: the countries and regions the posts using a tag talk about ("rape in India and Africa" as a figure)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc

from ..engines import engine_for
from ..engines.plan import Plan
from ..store.store import sql_list
from . import buckets, places_cache, rules
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
    eng = engine_for(store, engine)
    if rollup and places_cache.usable(store, eng):
        tallies, total, naming, queries = _from_cache(store, eng, gazetteer, t, f, bucket, bparams)
    else:
        tallies, total, naming, queries = _from_scan(eng, gazetteer, f, bucket, [*bparams, *params], where, rollup)
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


def _from_scan(eng, gazetteer, f, bucket: str, params: list, where: str, rollup: bool):
    """The tally from a scan of the posts' text (other engines, ``rollup=False``, a store to migrate)."""
    from . import places_gazetteer

    # One row per distinct text, author and bucket: reposts of one text are matched once.
    sql = f"""
SELECT text, author_id, bucket, CAST(count(*) AS BIGINT) AS n, min(created_at) AS first_seen, max(created_at) AS last_seen
FROM (SELECT text, author_id, created_at, {bucket} AS bucket FROM posts {where}) AS p
GROUP BY text, author_id, bucket
-- then, in Python, each distinct text is matched against the gazetteer (tagscope.analytics.places_gazetteer):
-- {places_gazetteer.describe()}"""
    table, queries = eng.run(Plan(sql, params), rollup=rollup)
    return (*_tally(table, gazetteer), queries)


def _from_cache(store, eng, gazetteer, t: str, f, bucket: str, bparams: list):
    """The tally from the place mentions cached per posts file (:mod:`.places_cache`), and the posts
    using the tag from the rollups (a scan of posts without their text when the window is off the minute)."""
    from . import places_gazetteer

    rel, col = rules.time_relation(f)
    rwhere, rparams = f.rel_where([t], time_col=col)
    exact = rules.on_minute(f.since) and rules.on_minute(f.until)
    counted, queries = eng.run(Plan(f"SELECT CAST(coalesce(sum(n), 0) AS BIGINT) AS n FROM {rel} WHERE {rwhere}",
                                    rparams, (rel,), [t], f, scan=not exact))
    total = int(counted.column("n")[0].as_py())
    files = places_cache.ensure(store, gazetteer)  # after the engine re-read the manifest
    where, params = f.post_where([t])
    made = (f"-- place_mentions: one file per posts file under {places_cache.cache_dir(store)}, made once per file:\n"
            f"-- SELECT text, {', '.join(places_cache.COLUMNS)} FROM posts (one posts file), each distinct text matched\n"
            f"-- against the gazetteer (tagscope.analytics.places_gazetteer), a row per (post, place it names).\n"
            f"-- {places_gazetteer.describe()}")
    sql = f"""{made}
WITH place_mentions AS (SELECT * FROM read_parquet({sql_list(files)}))
SELECT code, form, author_id, bucket, CAST(count(*) AS BIGINT) AS n,
       CAST(count(*) FILTER (WHERE "first") AS BIGINT) AS naming, min(created_at) AS first_seen, max(created_at) AS last_seen
FROM (SELECT *, {bucket} AS bucket FROM place_mentions {where}) AS m
GROUP BY code, form, author_id, bucket"""
    pairs = store.sql(sql, [*bparams, *params])
    naming = int(pc.sum(pairs.column("naming")).as_py() or 0)
    return _tally_pairs(pairs), total, naming, [*queries, (sql, [*bparams, *params])]


def _tally(table: pa.Table, gazetteer) -> tuple[dict[str, _Tally], int, int]:
    """Per place (see :func:`_tally_pairs`), all posts and the posts naming any place, from rows of one
    text, author and bucket. Each distinct text is matched once in Python; the rows (millions at 10M
    posts) are tallied in Arrow, never as Python objects."""
    total = int(pc.sum(table.column("n")).as_py() or 0)
    if not table.num_rows:
        return {}, total, 0
    rows, found = places_cache.mentions(table.column("text"), gazetteer)
    taken = pa.array(rows, pa.int64())
    pairs = pa.table({
        "code": found.column("code"), "form": found.column("form"),
        **{c: table.column(c).take(taken) for c in ("author_id", "bucket", "n", "first_seen", "last_seen")},
    })
    naming = int(pc.sum(pairs.column("n").filter(found.column("first"))).as_py() or 0)
    return _tally_pairs(pairs), total, naming


def _tally_pairs(pairs: pa.Table) -> dict[str, _Tally]:
    """Per place: posts, distinct authors, forms, first and last time, posts per bucket, from rows of
    (code, form, author_id, bucket, n, first_seen, last_seen), a post counted once per place it names."""
    tallies: dict[str, _Tally] = {}
    if not pairs.num_rows:
        return tallies
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
    return tallies
