"""The JSON API under /api/: the same objects as `tagscope COMMAND --json`, read-only."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from ..report import figures
from . import params, queries

router = APIRouter(prefix="/api", tags=["api"])

TagQ = Annotated[str | None, Query(description="Hashtag, # optional, matched case-insensitively (NFKC + casefold).")]
SinceQ = Annotated[str | None, Query(description="Start, inclusive: ISO 8601 UTC or a bare date (midnight).")]
UntilQ = Annotated[str | None, Query(description="End, exclusive: ISO 8601 UTC or a bare date (midnight).")]
TopQ = Annotated[int, Query(ge=1, le=1000, description="Rows to return.")]
NoRepostsQ = Annotated[bool, Query(description="Leave reposts out (they count by default).")]
PlatformQ = Annotated[str | None, Query(description="Only posts from this platform: twitter, bluesky, mastodon, reddit.")]
ExplainQ = Annotated[bool, Query(description="Add `queries` (the exact SQL, with parameters) and `rule`, as --json --explain does.")]
WhereQ = Annotated[list[str] | None, Query(description="Keep posts with this classifier label, e.g. stance=against "
                                                     "(repeatable; != negates), as --where does.")]

FIGURES = {
    "origin": "The earliest posts using the tag, with author and time (the archive may not hold the true first use).",
    "velocity": "Time to 1k/10k/100k/1M uses, peak bucket and rate, burst start and end, half-life.",
    "notables": "Accounts that used the tag, ranked (followers as of their latest post in the store).",
    "audience": "Authors by the pronouns they declare in their bio (never guessed from names).",
    "cotags": "Hashtags used together with the tag, most used first.",
    "links": "URLs and domains linked from posts using the tag.",
    "variants": "Spellings of the tag that differ in case, and near-miss tags, with counts and shared authors.",
}


def payload(fig: figures.Figure, explain: bool) -> dict[str, Any]:
    data = dict(fig.data)
    if explain:  # as `--json --explain` prints it
        data["queries"] = [{"sql": sql.strip(), "params": params} for sql, params in fig.queries]
        data["rule"] = fig.rule
    return data


class ORJSONResponse(JSONResponse):
    """JSON encoded once with orjson (datetimes as ISO, anything else as str), like the CLI's --json."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, default=str, option=orjson.OPT_NON_STR_KEYS)


def json(obj: Any) -> JSONResponse:
    return ORJSONResponse(obj)


@router.get("/stats", summary="What the store holds (tagscope stats --json)")
def stats(request: Request) -> JSONResponse:
    from .pages import cached_stats

    with request.app.state.pool.borrow() as st:
        return json(cached_stats(request, st))


@router.get("/count", summary="Posts using a tag (tagscope count --json)")
def count(
    request: Request, tag: TagQ = None, since: SinceQ = None, until: UntilQ = None,
    no_reposts: NoRepostsQ = False, platform: PlatformQ = None, where: WhereQ = None, explain: ExplainQ = False,
) -> JSONResponse:
    t = params.tag(tag)
    s, u = params.window(since, until)
    with request.app.state.pool.borrow() as st:
        fig = figures.run("count", st, t, since=s, until=u, no_reposts=no_reposts or None, platform=platform,
                          where=where or None)
    return json(payload(fig, explain))


@router.get("/trend", summary="Uses per time bucket for one or more tags (tagscope trend --json)")
def trend(
    request: Request,
    tag: Annotated[list[str] | None, Query(description="One or more hashtags (repeat the parameter to compare).")] = None,
    every: Annotated[str, Query(description="minute, hour, day or week.")] = "day",
    cumulative: Annotated[bool, Query(description="Running totals instead of uses per bucket.")] = False,
    tz: Annotated[str | None, Query(description="IANA time zone for bucket boundaries and bare dates (default UTC).")] = None,
    since: SinceQ = None, until: UntilQ = None, where: WhereQ = None,
    by: Annotated[str | None, Query(description="One series per label of this classifier, e.g. stance, as --by does.")] = None,
    explain: ExplainQ = False,
) -> JSONResponse:
    tags = [params.tag(t) for t in tag or []]
    if not tags:
        raise params.BadRequest("give at least one tag: /api/trend?tag=yesallwomen&tag=notallmen")
    if len(tags) > 8:
        raise params.BadRequest("compare at most 8 tags at a time")
    every = params.choice(every, "every", params.EVERY, "day")
    s, u = params.window(since, until)
    with request.app.state.pool.borrow() as st:
        fig = figures.run_trend(st, [t for t in tags if t], every=every, cumulative=cumulative or None, tz=tz or None,
                                since=s, until=u, where=where or None, by=by or None)
    return json(payload(fig, explain))


def _figure_route(name: str, doc: str) -> None:
    def endpoint(
        request: Request, tag: TagQ = None, since: SinceQ = None, until: UntilQ = None, top: TopQ = 20,
        explain: ExplainQ = False,
    ) -> JSONResponse:
        t = params.tag(tag)
        s, u = params.window(since, until)
        with request.app.state.pool.borrow() as st:
            fig = figures.run(name, st, t, since=s, until=u, top=top)
        return json(payload(fig, explain))

    endpoint.__name__ = f"api_{name}"
    router.add_api_route(f"/{name}", endpoint, methods=["GET"], summary=f"{doc} (tagscope {name} --json)")


for _name, _doc in FIGURES.items():
    _figure_route(_name, _doc)


@router.get("/backlash", summary="Against-stance and counter-hashtag shares per bucket, with 95% intervals "
            "(tagscope backlash --json; needs the classifiers)")
def backlash(
    request: Request, tag: TagQ = None,
    counter: Annotated[list[str] | None, Query(description="Counter-hashtag (repeat the parameter for several), e.g. notallmen.")] = None,
    every: Annotated[str, Query(description="minute, hour, day or week.")] = "day",
    since: SinceQ = None, until: UntilQ = None, no_reposts: NoRepostsQ = False, platform: PlatformQ = None,
    explain: ExplainQ = False,
) -> JSONResponse:
    t = params.tag(tag)
    others = [c for c in (params.tag(c) for c in counter or []) if c]
    if len(others) > 8:
        raise params.BadRequest("give at most 8 counter-hashtags")
    every = params.choice(every, "every", params.EVERY, "day")
    s, u = params.window(since, until)
    with request.app.state.pool.borrow() as st:
        fig = figures.run("backlash", st, t, counter=others, every=every, since=s, until=u,
                          no_reposts=no_reposts or None, platform=platform)
    return json(payload(fig, explain))


@router.get("/misogyny", summary="Rate of a label by hashtag, community and follower band, with 95% intervals "
            "(tagscope misogyny --json; needs the classifiers)")
def misogyny(
    request: Request,
    tag: Annotated[str | None, Query(description="Only posts using this hashtag (default: every post).")] = None,
    model: Annotated[str, Query(description="Model whose labels count.")] = "sexism",
    positive: Annotated[str, Query(description="Label that counts.")] = "sexist",
    top: Annotated[int, Query(ge=1, le=1000, description="Groups to list per dimension.")] = 20,
    min_posts: Annotated[int, Query(ge=0, description="Leave out groups with fewer labelled posts.")] = 1,
    since: SinceQ = None, until: UntilQ = None, explain: ExplainQ = False,
) -> JSONResponse:
    t = params.tag(tag, required=False)  # a misspelt model or label: misogyny's ValueError, a 400 naming the choices
    s, u = params.window(since, until)
    with request.app.state.pool.borrow() as st:
        fig = figures.run("misogyny", st, tag=t, model=model, positive=positive, top=top, min_posts=min_posts,
                          since=s, until=u)
    return json(payload(fig, explain))


@router.get("/search", summary="Ranked full-text search with the exact total (tagscope search --json)")
def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Query: words, \"phrases\", AND/OR/NOT, prefix*, #tag, @handle.")],
    tag: TagQ = None,
    author: Annotated[str | None, Query(description="Only posts by this handle (@ optional).")] = None,
    lang: Annotated[str | None, Query(description="Only posts in this language code (e.g. en).")] = None,
    platform: PlatformQ = None,
    kind: Annotated[str | None, Query(description="original, reply, quote or repost.")] = None,
    no_reposts: NoRepostsQ = False, since: SinceQ = None, until: UntilQ = None,
    sort: Annotated[str, Query(description="relevance (BM25), newest or time (oldest first).")] = "relevance",
    limit: Annotated[int, Query(ge=1, le=200, description="Hits to return.")] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000, description="Hits to skip (paging).")] = 0,
) -> JSONResponse:
    s, u = params.window(since, until)
    opts = dict(
        tag=params.tag(tag, required=False), author=(author or "").lstrip("@") or None, lang=lang or None,
        platform=platform or None, kind=params.choice(kind, "kind", params.KINDS, "") or None,
        no_reposts=no_reposts or None, since=s, until=u, sort=params.choice(sort, "sort", params.SORTS, "relevance"),
        limit=limit, offset=offset,
    )
    with request.app.state.pool.borrow() as st:
        data, _ = figures.run_search(st, q, **opts)
    return json(data)


@router.get("/feed", summary="Newest posts (using a tag), after a cursor: poll it for a live feed")
def feed(
    request: Request, tag: TagQ = None,
    after: Annotated[str | None, Query(description="`cursor` of the newest post already shown.")] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Posts to return, newest first.")] = 30,
) -> JSONResponse:
    t = params.tag(tag, required=False)
    try:
        cursor = queries.parse_cursor(after)
    except ValueError as exc:
        raise params.BadRequest("after must be a cursor returned by /api/feed (time|platform|id)") from exc
    with request.app.state.pool.borrow() as st:
        posts = queries.feed(st, t, after=cursor, limit=limit)
        generation = st.generation
    return json({"generation": generation, "tag": t, "posts": posts, "cursor": posts[0]["cursor"] if posts else after})


@router.get("/posts/{platform}/{post_id}", summary="Every stored field of one post")
def post(
    request: Request,
    platform: Annotated[str, Path(description="twitter, bluesky, mastodon or reddit.")],
    post_id: Annotated[str, Path(description="The post's id on that platform.")],
) -> JSONResponse:
    with request.app.state.pool.borrow() as st:
        row = queries.post(st, platform, post_id)
    if row is None:
        return JSONResponse({"error": f"no live post {platform}/{post_id} in the store (deleted, or never ingested)"}, 404)
    return json(row)
