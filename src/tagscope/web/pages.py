"""Server-rendered pages: each one calls the analytics (through report.figures) and draws Figures."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from ..report import figures
from ..report import render as draw
from ..report.sections import pick_every
from .app import render
from .params import EVERY, KINDS, SORTS, BadRequest, choice, window
from .params import tag as check_tag
from .queries import feed as feed_rows
from .queries import post as post_row

router = APIRouter(include_in_schema=False)

FIGURE_PAGES = {
    "notables": ("Notable accounts", "Which prominent accounts used the tag? Ranked by followers as of their latest post."),
    "cotags": ("Co-hashtags", "Which other hashtags travelled with it? Most used first."),
    "links": ("Links", "Which links and sites were shared in posts using the tag?"),
    "variants": ("Variants", "Which spellings (case variants) and near-miss tags were used, and by how many?"),
    "audience": ("Audience", "Who posted, by the pronouns they declare in their bio? Never guessed from names."),
    "origin": ("Origin", "Who used it first, and when? (The archive may not hold the true first use.)"),
    "velocity": ("Velocity", "How fast did it spread, when did it peak, and how fast did it fade?"),
    "backlash": ("Backlash", "How much of the conversation was against it, and how much used counter-hashtags? (Needs `tagscope classify`.)"),
    "misogyny": ("Misogyny", "What share of posts did the classifier label misogynistic? (Needs `tagscope classify`.)"),
}


def cached_stats(request: Request, st: Any) -> dict[str, Any]:
    """`store.stats()` once per store generation (it counts distinct authors: seconds at 10M posts)."""
    cache = request.app.state.stats_cache
    if cache.get("generation") != st.generation:
        cache.update(generation=st.generation, stats=st.stats())
    return dict(cache["stats"])


def post_link(row: dict[str, Any]) -> str | None:
    pid = row.get("post_id")
    if not pid:
        return None
    q = {"id": pid}
    if row.get("platform"):
        q["platform"] = row["platform"]
    return "/post?" + urlencode(q)


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    with request.app.state.pool.borrow() as st:
        stats = cached_stats(request, st)
    return render(request, "overview.html", page="overview", stats=stats)


@router.get("/trend", response_class=HTMLResponse)
def trend(
    request: Request, tag: str | None = None, compare: str | None = None, every: str | None = None,
    since: str | None = None, until: str | None = None,
) -> HTMLResponse:
    t = check_tag(tag, required=False)
    ctx: dict[str, Any] = {"page": "trend", "tag": t, "every_options": EVERY}
    if t is None:
        return render(request, "trend.html", **ctx)
    others = [c for c in (check_tag(x) for x in (compare or "").replace(",", " ").split()) if c and c != t][:6]
    s, u = window(since, until)
    with request.app.state.pool.borrow() as st:
        first, last = s, u
        if first is None or last is None:
            lo, hi = st.con.execute("SELECT min(created_at), max(created_at) FROM posts").fetchone() or (None, None)
            first, last = first or lo, last or hi
        step = choice(every, "every", EVERY, pick_every(first, last))
        w = {"since": s, "until": u}
        panels: dict[str, Any] = {}
        try:
            panels["count"] = figures.run("count", st, t, **w)
        except figures.NotAvailable:
            panels["count"] = None
        try:
            fig = figures.run_trend(st, [t, *others], every=step, **w)
            cum = figures.run_trend(st, [t], every=step, cumulative=True, **w)
            try:
                ctx["markers"] = draw.milestone_markers(figures.run("velocity", st, t, **w))
            except figures.NotAvailable:
                ctx["markers"] = []
        except figures.NotAvailable as exc:
            fig = cum = None
            ctx["unavailable"] = str(exc)
    if fig is not None and cum is not None:
        ctx["chart"] = draw.trend_chart(fig, chart_id="chart-trend", title=f"#{t}: uses per {step}")
        ctx["cumulative"] = draw.trend_chart(cum, chart_id="chart-cumulative", title=f"#{t}: total uses", cumulative=True,
                                              markers=ctx["markers"])
        ctx["figs"] = [fig, cum]
    ctx.update(count=panels["count"], compare=others, every=step, since=s, until=u)
    return render(request, "trend.html", **ctx)


def _figure_page(name: str, title: str, question: str) -> None:
    def endpoint(
        request: Request, tag: str | None = None, since: str | None = None, until: str | None = None,
        top: Annotated[int, Query(ge=1, le=500)] = 25, counter: str | None = None,
    ) -> HTMLResponse:
        t = check_tag(tag, required=False)
        ctx: dict[str, Any] = {"page": name, "tag": t, "title": title, "question": question, "top": top,
                               "all_posts": name == "misogyny"}  # as `tagscope misogyny`: every post unless a tag is given
        if t is None and not ctx["all_posts"]:
            return render(request, "figure.html", **ctx)
        s, u = window(since, until)
        extra: dict[str, Any] = {}
        if name == "backlash":  # its counter-hashtag share needs the counter-hashtags, as `backlash --counter`
            extra["counter"] = [c for c in (check_tag(x) for x in (counter or "").replace(",", " ").split()) if c][:8]
        try:
            with request.app.state.pool.borrow() as st:
                fig = figures.run(name, st, t, since=s, until=u, top=top, **extra)
        except figures.NotAvailable as exc:
            return render(request, "figure.html", unavailable=str(exc), **ctx)
        body = draw.figure_body(fig, name=name, title=title, link=post_link, limit=top)
        caveat = fig.meta.get("caveat") or fig.data.get("caveat")
        return render(request, "figure.html", fig=fig, body=body, caveat=caveat, **ctx)

    endpoint.__name__ = f"page_{name}"
    router.add_api_route(f"/{name}", endpoint, methods=["GET"], response_class=HTMLResponse)


for _name, (_title, _question) in FIGURE_PAGES.items():
    _figure_page(_name, _title, _question)


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request, q: str | None = None, tag: str | None = None, author: str | None = None,
    lang: str | None = None, platform: str | None = None, kind: str | None = None, no_reposts: bool = False,
    since: str | None = None, until: str | None = None, sort: str | None = None,
    page: Annotated[int, Query(ge=1, le=500)] = 1,
) -> HTMLResponse:
    t = check_tag(tag, required=False)
    ctx: dict[str, Any] = {"page": "search", "tag": t, "q": q or "", "kinds": KINDS, "sorts": SORTS}
    if not q or not q.strip():
        return render(request, "search.html", **ctx)
    if len(q) > 500:
        raise BadRequest("the query is too long: keep it under 500 characters")
    s, u = window(since, until)
    per_page = 20
    opts = dict(
        tag=t, author=(author or "").lstrip("@") or None, lang=lang or None, platform=platform or None,
        kind=choice(kind, "kind", KINDS, "") or None, no_reposts=no_reposts or None, since=s, until=u,
        sort=choice(sort, "sort", SORTS, "relevance"), limit=per_page, offset=(page - 1) * per_page,
    )
    try:
        with request.app.state.pool.borrow() as st:
            data, hits = figures.run_search(st, q, **opts)
    except figures.NotAvailable as exc:
        return render(request, "search.html", unavailable=str(exc), **ctx)
    terms = draw.query_terms(q)
    for h in hits:
        text = h.get("text") or ""
        h["html"] = draw.highlight_spans(text, h["spans"]) if h["spans"] else draw.highlight(text, terms)
        h["link"] = post_link(h)
    params = {k: v for k, v in request.query_params.items() if k != "page"}
    total = int(data.get("total", 0))
    ctx.update(total=total, hits=hits, page_no=page,
               prev=("/search?" + urlencode({**params, "page": page - 1})) if page > 1 else None,
               next=("/search?" + urlencode({**params, "page": page + 1})) if page * per_page < total else None,
               first=(page - 1) * per_page + 1)
    return render(request, "search.html", **ctx)


@router.get("/post", response_class=HTMLResponse)
def post(request: Request, id: str, platform: str | None = None) -> HTMLResponse:
    with request.app.state.pool.borrow() as st:
        if platform is None:
            found = st.sql("SELECT platform FROM posts WHERE id = ? ORDER BY platform LIMIT 1", [id]).to_pylist()
            platform = found[0]["platform"] if found else ""
        row = post_row(st, platform, id)
    if row is None:
        return render(request, "error.html", 404, page="post", status=404,
                      message=f"No live post {id} in the store: it was deleted, or never ingested.")
    return render(request, "post.html", page="post", post=row, body=post_body(row))


def post_body(row: dict[str, Any]) -> Markup:
    """Post text as safe HTML: plain text escaped; Mastodon's HTML sanitised to a few inert tags."""
    text = row.get("text") or ""
    if row.get("platform") == "mastodon" and "<" in text:
        try:
            import nh3
        except ImportError:
            return Markup.escape(text)
        return Markup(nh3.clean(text, tags={"p", "br", "a", "span"}, attributes={"a": {"href"}},
                                url_schemes={"http", "https"}, link_rel="noopener noreferrer nofollow"))
    return Markup.escape(text)


@router.get("/feed", response_class=HTMLResponse)
def feed(request: Request, tag: str | None = None) -> HTMLResponse:
    t = check_tag(tag, required=False)
    with request.app.state.pool.borrow() as st:
        rows = feed_rows(st, t, after=None, limit=30)
        generation = st.generation
    return render(request, "feed.html", page="feed", tag=t, posts=rows, generation=generation,
                  cursor=rows[0]["cursor"] if rows else "")


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    spec = request.app.openapi()
    routes = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            routes.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                           "params": [(p["name"], p.get("description", ""), p.get("required", False))
                                      for p in op.get("parameters", [])]})
    return render(request, "apidocs.html", page="docs", routes=routes, info=spec.get("info", {}))
