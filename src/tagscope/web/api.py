"""The JSON API under /api/: the same objects as `tagscope COMMAND --json`, read-only.

``/api/<name>`` of every analytic is made from its declaration in the analytics registry (its
``api`` parameters); stats, search, the feed and single posts are written here.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from ..analytics import registry
from ..analytics.display import payload
from ..analytics.registry import FILTERS, TAG, TOP, Analytic, Option
from . import params, queries

TagQ = Annotated[str | None, Query(description=TAG.api_help)]
SinceQ = Annotated[str | None, Query(description=FILTERS["since"].api_help)]
UntilQ = Annotated[str | None, Query(description=FILTERS["until"].api_help)]
NoRepostsQ = Annotated[bool, Query(description=FILTERS["no_reposts"].help)]
PlatformQ = Annotated[str | None, Query(description=FILTERS["platform"].api_help)]
ExplainQ = Annotated[bool, Query(description="Add `queries` (the exact SQL, with parameters) and `rule`, as --json --explain does.")]


class ORJSONResponse(JSONResponse):
    """JSON encoded once with orjson (datetimes as ISO, anything else as str), like the CLI's --json."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, default=str, option=orjson.OPT_NON_STR_KEYS)


def json(obj: Any) -> JSONResponse:
    return ORJSONResponse(obj)


def option_for(spec: Analytic, name: str) -> Option:
    """The option behind API parameter NAME of SPEC: its own, else a shared one (which it may not take:
    the generic routes accept ``tag``, ``since``, ``until`` and ``top`` alike)."""
    own = spec.option(name)
    if own is not None:
        return own
    if name == "tag":
        return TAG
    if name == "top":
        return TOP
    return FILTERS[name]


def query(opt: Option) -> tuple[Any, Any]:
    """The (annotation, default) of OPT as a query parameter; hashtags are checked by :func:`convert`."""
    kind: Any = list[opt.type] if opt.repeatable else opt.type  # type: ignore[name-defined]
    default = opt.default
    if opt.repeatable or opt.required or default is None:
        kind, default = kind | None, None
    bounds = {"ge": opt.api_min if opt.api_min is not None else opt.min, "le": opt.api_max}
    info = Query(description=opt.api_help or opt.help, **{k: v for k, v in bounds.items() if v is not None})
    return Annotated[kind, info], default


def convert(spec: Analytic, opt: Option, value: Any) -> Any:
    """A query value as the analytic takes it; bad input is a 400 that says what to write."""
    if opt.tag and opt.repeatable:
        tags = [t for t in (params.tag(v) for v in value or []) if t]
        if opt.required and not tags:
            raise params.BadRequest(f"give at least one tag: /api/{spec.name}?tag=yesallwomen&tag=notallmen")
        if opt.api_max_items is not None and len(tags) > opt.api_max_items:
            raise params.BadRequest(opt.api_too_many)
        return tags
    if opt.tag:
        return params.tag(value, required=opt.required)
    if opt.choices:
        return params.choice(value, opt.query or opt.name, opt.choices, opt.default)
    return value


def figure_route(spec: Analytic) -> Callable[..., JSONResponse]:
    """The endpoint of ``/api/<name>``, its query parameters those the analytic declares for the API."""
    opts = [option_for(spec, name) for name in spec.api or ()]

    def endpoint(request: Request, **values: Any) -> JSONResponse:
        explain = values.pop("explain")
        kwargs = {o.name: convert(spec, o, values[o.query]) for o in opts if o.name not in ("since", "until")}
        kwargs["since"], kwargs["until"] = params.window(values.get("since"), values.get("until"))
        with request.app.state.pool.borrow() as st:
            fig = registry.run(spec.name, st, **kwargs)
        return json(payload(fig, explain))

    kind = inspect.Parameter.KEYWORD_ONLY
    signature = [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)]
    for o in opts:
        annotation, default = query(o)
        signature.append(inspect.Parameter(o.query or o.name, kind, default=default, annotation=annotation))
    signature.append(inspect.Parameter("explain", kind, default=False, annotation=ExplainQ))
    endpoint.__signature__ = inspect.Signature(signature)  # type: ignore[attr-defined]
    endpoint.__name__ = f"api_{spec.name}"
    return endpoint


def summary(spec: Analytic) -> str:
    needs = "; needs the classifiers" if spec.labels else ""
    return f"{spec.api_summary} (tagscope {spec.name} --json{needs})"


def router() -> APIRouter:
    """The API: stats, one route per analytic that declares one, search, the feed, single posts."""
    api = APIRouter(prefix="/api", tags=["api"])
    api.add_api_route("/stats", stats, methods=["GET"], summary="What the store holds (tagscope stats --json)")
    for spec in registry.analytics():
        if spec.api is not None:
            api.add_api_route(f"/{spec.name}", figure_route(spec), methods=["GET"], summary=summary(spec))
    api.add_api_route("/search", search, methods=["GET"],
                      summary="Ranked full-text search with the exact total (tagscope search --json)")
    api.add_api_route("/feed", feed, methods=["GET"],
                      summary="Newest posts (using a tag), after a cursor: poll it for a live feed")
    api.add_api_route("/posts/{platform}/{post_id}", post, methods=["GET"], summary="Every stored field of one post")
    return api


def stats(request: Request) -> JSONResponse:
    with request.app.state.pool.borrow() as st:
        return json(queries.cached_stats(request, st))


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
        data, _ = queries.search(st, q, **opts)
    return json(data)


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
