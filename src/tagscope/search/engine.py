"""Searching: query trees and filters become tantivy query objects; results come back exact.

Totals are exact (tantivy counts every matching document, not an estimate; a lone unfiltered term's
total is its document frequency, NOT one term's the rest, while the index holds no deleted document). Filters are wrapped in
constant-score queries so they narrow the matches without changing the BM25 ranking.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import orjson
import pyarrow as pa

from ..engines.filters import Filters
from ..post import KINDS, fold_tag
from ..times import to_utc
from . import index
from .query import And, Mention, Node, Not, Or, Phrase, Prefix, Tag, Word, leaves, parse

if index.tantivy is not None:
    import tantivy

    from . import analysis, scan

if TYPE_CHECKING:
    from ..store import Store

SORTS = ("relevance", "time", "newest")


@dataclass
class Hit:
    post_id: str
    platform: str
    author: str | None
    created_at: str | None
    text: str
    score: float | None
    spans: list[tuple[int, int]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"post_id": self.post_id, "author": self.author, "created_at": self.created_at, "text": self.text, "score": self.score}


@dataclass
class SearchResult:
    """One page of hits and the exact number of matching posts."""

    query: str
    total: int
    hits: list[Hit]
    offset: int = 0
    limit: int = 20
    sort: str = "relevance"
    # Set only while the index is still being built: (posts indexed, posts in the store).
    coverage: tuple[int, int] | None = None

    @property
    def note(self) -> str | None:
        """What a half-built index does not yet cover (None once it covers every post)."""
        if self.coverage is None:
            return None
        n, m = self.coverage
        return f"index covers {n:,} of {m:,} posts (still building: search again, or run tagscope reindex)"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"total": self.total, "hits": [h.to_json() for h in self.hits]}
        if self.coverage is not None:
            out["coverage"] = {"indexed_posts": self.coverage[0], "posts": self.coverage[1], "note": self.note}
        return out

    def to_arrow(self) -> pa.Table:
        return pa.Table.from_pylist([h.to_json() | {"platform": h.platform} for h in self.hits])


def parse_time(value: datetime | str | None) -> datetime | None:
    """A bound as naive UTC: a datetime, an ISO string (``Z``/offset allowed) or a bare date (midnight)."""
    try:
        return to_utc(value)
    except ValueError as exc:
        raise ValueError(f"cannot read the time {value!r}: use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z]") from exc


def _escape_regex(text: str) -> str:
    return "".join("\\" + c if c in r"\.+*?()|[]{}^$#&-~" else c for c in text)


class _Builder:
    def __init__(self, schema: tantivy.Schema):
        self.schema = schema

    def keyword(self, name: str, value: str) -> tantivy.Query:
        return tantivy.Query.term_query(self.schema, name, value, index_option="basic")

    def build(self, node: Node) -> tantivy.Query:
        if isinstance(node, Word | Phrase | Prefix | Tag | Mention):
            op, value = scan.leaf(node)  # analysed (and refused) as the scan path does
            if op == scan.TERM:
                return tantivy.Query.term_query(self.schema, "text", value)
            if op == scan.PHRASE:
                return tantivy.Query.phrase_query(self.schema, "text", list(value))
            if op == scan.PREFIX:
                return tantivy.Query.regex_query(self.schema, "words", _escape_regex(value) + ".*")
            return self.keyword("tags" if op == scan.TAG else "mentions", value)
        if isinstance(node, Not):
            return self.must_not_only([self.build(node.child)])
        if isinstance(node, And):
            must = [self.build(c) for c in node.children if not isinstance(c, Not)]
            must_not = [self.build(c.child) for c in node.children if isinstance(c, Not)]
            if not must:
                return self.must_not_only(must_not)
            return tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, q) for q in must] + [(tantivy.Occur.MustNot, q) for q in must_not]
            )
        if isinstance(node, Or):
            return tantivy.Query.boolean_query([(tantivy.Occur.Should, self.build(c)) for c in node.children])
        raise TypeError(node)  # pragma: no cover

    def must_not_only(self, excluded: list[tantivy.Query]) -> tantivy.Query:
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, tantivy.Query.all_query())] + [(tantivy.Occur.MustNot, q) for q in excluded]
        )

    def filters(self, f: Filters) -> tuple[list[tantivy.Query], list[tantivy.Query]]:
        must: list[tantivy.Query] = []
        must_not: list[tantivy.Query] = []
        if f.since is not None or f.until is not None:
            must.append(tantivy.Query.range_query(
                self.schema, "created_at", tantivy.FieldType.Date, f.since, f.until,
                include_upper=f.until is None))
        if f.tag:
            must.append(self.keyword("tags", fold_tag(f.tag)))
        if f.author:
            must.append(self.keyword("author", analysis.fold_handle(f.author)))
        for name in ("lang", "platform", "kind"):
            value = getattr(f, name)
            if value:
                must.append(self.keyword(name, value))
        if f.no_reposts:
            must_not.append(self.keyword("kind", "repost"))
        return must, must_not


def check_filters(f: Filters) -> Filters:
    if f.kind and f.kind not in KINDS:
        raise ValueError(f"unknown kind {f.kind!r}: use one of {', '.join(KINDS)}")
    # A bare '#' or '@' folds to nothing and would match no post: say so, as the analytics do.
    if f.tag and not fold_tag(f.tag):
        raise ValueError(f"--tag needs a hashtag, e.g. yesallwomen (got {f.tag!r})")
    if f.author and not analysis.fold_handle(f.author):
        raise ValueError(f"--author needs a handle, e.g. alice (got {f.author!r})")
    f.since, f.until = parse_time(f.since), parse_time(f.until)
    f.platform = f.platform.strip().lower() if f.platform else None  # platforms are stored lower-case
    if f.since and f.until and f.until <= f.since:
        raise ValueError("--until must be later than --since")
    return f


def compile_query(schema: tantivy.Schema, query: str | Node, f: Filters) -> tantivy.Query:
    """The tantivy query for a query string (or tree) under filters."""
    b = _Builder(schema)
    tree = parse(query) if isinstance(query, str) else query
    main = b.build(tree)
    must, must_not = b.filters(f)
    if not must and not must_not:
        return main
    clauses = [(tantivy.Occur.Must, main)]
    clauses += [(tantivy.Occur.Must, tantivy.Query.const_score_query(q, 0.0)) for q in must]
    clauses += [(tantivy.Occur.MustNot, q) for q in must_not]
    return tantivy.Query.boolean_query(clauses)


# How long a query may spend catching the index up before it answers from the posts indexed so far
# (the next query goes on from there; `ingest --index` and `tagscope reindex` build it whole).
WAIT_SECONDS = float(os.environ.get("TAGSCOPE_SEARCH_WAIT", "5"))


def ensure_current(store: Store) -> None:
    """Catch the index up with the store if an ingest, a crash or a `derived=False` store left it
    behind, for at most WAIT_SECONDS: a big backlog is answered from the part already indexed."""
    if not (store.path / "manifest.json").exists():
        raise FileNotFoundError(f"no store at {store.path}: ingest posts first (tagscope ingest --store PATH FILES)")
    if index.tantivy is None:
        raise ModuleNotFoundError(index.MISSING)
    store.refresh()
    if not index.is_current(store):
        with store.writer():
            index.update(store, budget=WAIT_SECONDS)


# Open indexes by store folder, reused while covered.json is unchanged (opening costs milliseconds).
_OPEN: dict[str, tuple[tuple[int, int], tantivy.Index]] = {}


def _searcher(store: Store) -> tuple[tantivy.Index, tantivy.Searcher]:
    ensure_current(store)
    key = str(store.path.resolve())
    info = (index.folder(store) / "covered.json").stat()
    stamp = (info.st_ino, info.st_mtime_ns)  # replaced atomically at each update: a new inode
    cached = _OPEN.get(key)
    if cached is None or cached[0] != stamp:
        cached = (stamp, index.open_index(store))
        _OPEN[key] = cached
    ix = cached[1]
    return ix, ix.searcher()


def search(
    store: Store,
    query: str,
    *,
    limit: int = 20,
    offset: int = 0,
    sort: str = "relevance",
    filters: Filters | None = None,
    **filter_kw: Any,
) -> SearchResult:
    """Ranked (BM25) or chronological posts matching ``query``, with the exact total.

    Filters are keyword arguments (``since``, ``until``, ``tag``, ``author``, ``lang``, ``platform``,
    ``kind``, ``no_reposts``) or a :class:`Filters`.
    """
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}: use one of {', '.join(SORTS)}")
    if limit < 0 or offset < 0:
        raise ValueError("--limit and --offset must be 0 or more")
    f = check_filters(filters or Filters(**filter_kw))
    tree = parse(query)
    ix, searcher = _searcher(store)
    q = compile_query(ix.schema, tree, f)
    # tantivy needs a limit > 0 (limit=0 just counts) and allocates offset + limit slots up front:
    # a page past the last post would abort the process, so neither may exceed the posts indexed.
    docs = searcher.num_docs
    skip = min(offset, docs)
    page = max(1, min(limit, docs - skip))
    # A lone term's exact total (or NOT one term's) is read from the term dictionary, not counted in
    # a pass over its matches, when nothing filters it and no document is deleted; else tantivy
    # counts the matches in the same pass that ranks them (count=True), as it always did.
    total = _lone_term_total(searcher, tree, f)
    found: list[tuple[Any, Any]] = []
    if limit > 0 or total is None:  # `--count` of a lone term needs no pass at all
        if sort == "relevance":
            res = searcher.search(q, page, count=total is None, offset=skip)
        else:
            order = tantivy.Order.Asc if sort == "time" else tantivy.Order.Desc
            res = searcher.search(q, page, count=total is None, order_by_field="created_at", offset=skip, order=order)
        found = res.hits
        if total is None:
            total = int(res.count or 0)
    marks = _Marks(tree)
    hits = []
    for key, addr in found[:limit]:
        d = searcher.doc(addr).to_dict()
        platform, post_id, handle, text = orjson.loads(d["doc"][0])
        created = d.get("created_at")
        hits.append(Hit(
            post_id=post_id, platform=platform, author=handle,
            created_at=created[0].astimezone(UTC).replace(tzinfo=None).isoformat() + "Z" if created else None,
            text=text, score=round(float(key), 4) if sort == "relevance" else None, spans=marks.spans(text),
        ))
    return SearchResult(query=query, total=total, hits=hits, offset=offset, limit=limit, sort=sort,
                        coverage=_coverage(store, searcher))


def _lone_term_total(searcher: tantivy.Searcher, tree: Node, f: Filters) -> int | None:
    """The exact number of posts matching TREE when it is one term (a word that analyses to one
    token, a #hashtag or an @mention) or NOT one term, under no filter, read from the term
    dictionary; else None.

    tantivy-py's search always wraps the page's collector and Count in a MultiCollector, which
    visits, scores and counts every match; the document frequency is the same number without that
    pass, but it also counts deleted documents until a merge drops them (an update deletes the
    documents of a rewritten posts file). So it is used only when the searcher holds no deleted
    document: every document has exactly one ``chunk`` term, so the chunk terms' document frequencies
    add up to the documents in the segments, deleted or not, and equal ``num_docs`` (the live ones)
    only when none is deleted."""
    negated = isinstance(tree, Not)  # "NOT x" alone: every post but x's (a pass over all of them)
    term = tree.child if isinstance(tree, Not) else tree
    if not isinstance(term, Word | Tag | Mention) or any(getattr(f, x.name) for x in fields(f)):
        return None  # any filter (one added later included) narrows the matches
    op, value = scan.leaf(term)
    name = {scan.TERM: "text", scan.TAG: "tags", scan.MENTION: "mentions"}.get(op)
    if name is None:  # a word that analyses into several tokens is a phrase
        return None
    docs = searcher.num_docs
    if sum(n for _, n in searcher.terms_with_prefix("chunk", "")) != docs:
        return None
    n = int(searcher.doc_freq(name, value))
    return docs - n if negated else n


def _coverage(store: Store, searcher: tantivy.Searcher) -> tuple[int, int] | None:
    """(posts indexed, posts in the store) while the index is incomplete, else None."""
    if index.is_current(store):
        return None
    return searcher.num_docs, index.store_posts(store)


class _Marks:
    """Which tokens of a hit to highlight: those matching a (non-negated) query term."""

    def __init__(self, tree: Node):
        self.stems: set[str] = set()
        self.prefixes: list[str] = []
        self.whole: set[str] = set()
        for leaf in leaves(tree):
            if isinstance(leaf, Word | Phrase):
                self.stems.update(analysis.terms(leaf.text))
            elif isinstance(leaf, Prefix):
                self.prefixes.extend(analysis.plain_terms(leaf.text))
            elif isinstance(leaf, Tag):
                self.whole.add(fold_tag(leaf.text))
            else:
                self.whole.add(analysis.fold_handle(leaf.text))

    def spans(self, text: str) -> list[tuple[int, int]]:
        out = []
        for start, end, stem, plain in analysis.spans(text):
            if stem in self.stems or plain in self.whole or any(plain.startswith(p) for p in self.prefixes):
                if start > 0 and text[start - 1] in "#@＃＠" and plain in self.whole:
                    start -= 1
                out.append((start, end))
        return out


INDEX = "index"  # count-query's engine= for the full-text index (the default)


def count_engine(store: Store, engine: str | None) -> str | None:
    """The engine count-query scans posts on, or None to answer from the index.

    ``engine=`` names one (``"index"``: the index); else the store's engine from ``tagscope.open``
    or ``$TAGSCOPE_ENGINE`` when it is not the default: the index is the default engine's way to
    count, so ``TAGSCOPE_ENGINE=spark`` scans on Spark and ``TAGSCOPE_ENGINE=duckdb`` keeps the
    index; a DuckDB scan is asked for by name (``engine="duckdb"``, ``--engine duckdb``)."""
    from .. import engines

    if engine == INDEX:
        return None
    if engine is not None:
        engines.engine_class(engine)  # an unknown name fails here, naming the known ones
        return engine
    chosen = engines.chosen(store)
    return chosen if chosen not in (None, engines.DEFAULT) else None


def count_query(
    store: Store,
    queries: str | list[str],
    *,
    every: str = "day",
    tz: str | None = None,
    engine: str | None = None,
    filters: Filters | None = None,
    **filter_kw: Any,
) -> Any:
    """Exact matches of each query per time bucket (empty buckets zero), as a Figure.

    Buckets are those of the analytics ``trend``: minute, hour, day or ISO week, local to ``tz``
    when given, each labelled by its start in UTC. ``since``/``until`` without an offset are local
    to ``tz``. The index counts matches per UTC minute (or quarter hour for hour buckets and up:
    every real zone offset is a multiple of 15 minutes), which are then rolled up exactly.

    ``engine`` (see :func:`count_engine`): ``"spark"`` or ``"duckdb"`` count the same matches by
    scanning the posts on that engine (:mod:`.scan`: the index's analysis row by row), no index
    needed; ``None`` or ``"index"``: the full-text index.
    """
    from ..analytics import buckets, rules
    from ..analytics.figure import Figure

    buckets.check(every)
    zone = rules.zone(tz)
    f = filters or Filters(**filter_kw)
    f.since, f.until = rules.parse_time(f.since, zone), rules.parse_time(f.until, zone)
    f = check_filters(f)
    # A query given twice is one series (it was counted twice into it).
    qs = [queries] if isinstance(queries, str) else list(dict.fromkeys(queries))
    if not qs:
        raise ValueError("Give at least one query.")
    trees = [parse(q) for q in qs]
    scan_on = count_engine(store, engine)
    slots: dict[tuple[int, datetime], int] = {}
    ran: list[tuple[str, list[Any]]] = []
    cover = None
    if scan_on is None:
        ix, searcher = _searcher(store)
        interval = "1m" if every == "minute" else "15m"
        agg = {"h": {"date_histogram": {"field": "created_at", "fixed_interval": interval, "min_doc_count": 1}}}
        for i, tree in enumerate(trees):
            out = searcher.aggregate(compile_query(ix.schema, tree, f), agg)
            for b in out["h"]["buckets"]:
                slots[(i, datetime(1970, 1, 1) + timedelta(milliseconds=b["key"]))] = int(b["doc_count"])
        cover = _coverage(store, searcher)
    else:
        if index.tantivy is None:  # the scan analyses text with tantivy's analyzers
            raise ModuleNotFoundError(index.MISSING)
        local = not isinstance(store.path, str)  # a RemoteStore (by URI) is read by Spark alone
        if local and not (store.path / "manifest.json").exists():
            raise FileNotFoundError(f"no store at {store.path}: ingest posts first (tagscope ingest --store PATH FILES)")
        slots, ran = scan.slot_counts(store, scan_on, trees, f, every)
    got: dict[tuple[str, datetime], int] = {}
    for (i, slot), n in slots.items():
        key = (qs[i], buckets.trunc(slot, every, zone))
        got[key] = got.get(key, 0) + n
    seen = sorted({b for _, b in got})
    ticks = buckets.span(f.since, f.until, seen, every, zone)
    rows = [{"query": q, "bucket": b, "count": got.get((q, b), 0)} for q in qs for b in ticks]
    table = pa.Table.from_pylist(rows, schema=pa.schema(
        [("query", pa.string()), ("bucket", pa.timestamp("us")), ("count", pa.int64())]))
    how = "full-text index" if scan_on is None else f"scan of the posts on {scan_on}, analysed as the index does"
    rule = (f"Posts whose text matches the query ({how}, exact count), per {every}"
            f"{' in ' + zone.key if zone else ' (UTC)'}; bucket = its start in UTC. A repost counts when the "
            "reposted text matches; deleted posts are not counted.")
    data = {
        "series": [{"query": r["query"], "bucket": rules.iso(r["bucket"]), "count": r["count"]} for r in rows],
        "every": every,
        "tz": zone.key if zone else "UTC",
    }
    meta: dict[str, Any] = {"every": every, "queries": qs, "engine": scan_on or INDEX}
    if cover is not None:  # a half-built index: say which part of the posts the counts cover
        meta["coverage"] = {"indexed_posts": cover[0], "posts": cover[1]}
    return Figure(name="count-query", table=table, data=data, queries=ran, rule=rule, meta=meta)
