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
    api=("tag", "every", "since", "until", "top"),
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
    authors: set = field(default_factory=set)
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
    tallies: dict[str, _Tally] = {}
    seen: dict[str, tuple[tuple[str, str], ...]] = {}
    total = 0
    rows_seen = (row for batch in table.to_batches(max_chunksize=65_536) for row in batch.to_pylist())
    for row in rows_seen:  # a batch at a time: a million texts as Python objects at once would double the memory
        n = int(row["n"])
        total += n
        text = row["text"] or ""
        named = seen.get(text)
        if named is None:
            first: dict[str, str] = {}
            for place, form in gazetteer.match(text):
                first.setdefault(place.code, form)  # the form a post first names it by
            named = tuple(first.items())
            seen[text] = named
        for code, form in named:
            tally = tallies.setdefault(code, _Tally())
            tally.posts += n
            tally.authors.add(row["author_id"])
            tally.forms[form] += n
            tally.first = row["first_seen"] if tally.first is None else min(tally.first, row["first_seen"])
            tally.last = row["last_seen"] if tally.last is None else max(tally.last, row["last_seen"])
            if row["bucket"] is not None:
                tally.per_bucket[row["bucket"]] += n
    ranked = sorted(tallies.items(), key=lambda kv: (-kv[1].posts, gazetteer.places[kv[0]].name))[: rules.cap(top)]
    rows = []
    for code, tally in ranked:
        place = gazetteer.places[code]
        rows.append({
            "place": place.name, "kind": place.kind, "code": code, "posts": tally.posts,
            "authors": len(tally.authors - {None}), "share": round(tally.posts / total, 6) if total else 0.0,
            "forms": ", ".join(form for form, _ in sorted(tally.forms.items(), key=lambda kv: (-kv[1], kv[0]))[:5]),
            "first_seen": tally.first, "last_seen": tally.last,
        })
    out = pa.Table.from_pylist(rows, schema=SCHEMA)
    data = {
        "hashtag": t,
        "posts": total,
        "posts_naming_a_place": sum(n for n, named in _naming(table, seen) if named),
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


def _naming(table: pa.Table, seen: dict[str, tuple]) -> list[tuple[int, bool]]:
    """(posts, names a place) per row: the share of posts that name any place at all."""
    texts, counts = table.column("text").to_pylist(), table.column("n").to_pylist()
    return [(int(n), bool(seen.get(text or ""))) for text, n in zip(texts, counts, strict=True)]
