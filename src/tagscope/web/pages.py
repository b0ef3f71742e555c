"""Server-rendered pages: each one calls the analytics (through their registry) and draws Figures.

An analytic that declares a ``page`` gets one at ``/<name>``; the trend page (volume, comparison and
cumulative charts), search, the feed and single posts are written here.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from ..analytics import registry
from ..analytics.registry import Analytic, NotAvailable
from ..report import render as draw
from ..report.sections import pick_every
from .html import render
from .params import EVERY, KINDS, SORTS, BadRequest, choice, window
from .params import tag as check_tag
from .queries import cached_stats
from .queries import feed as feed_rows
from .queries import post as post_row
from .queries import search as search_hits


def post_link(row: dict[str, Any]) -> str | None:
    pid = row.get("post_id")
    if not pid:
        return None
    q = {"id": pid}
    if row.get("platform"):
        q["platform"] = row["platform"]
    return "/post?" + urlencode(q)


def overview(request: Request) -> HTMLResponse:
    with request.app.state.pool.borrow() as st:
        stats = cached_stats(request, st)
    return render(request, "overview.html", page="overview", stats=stats)


def trend(
    request: Request, tag: str | None = None, compare: str | None = None, every: str | None = None,
    since: str | None = None, until: str | None = None, platform: str | None = None,
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
            span = st.sql("SELECT min(created_at) AS lo, max(created_at) AS hi FROM posts").to_pylist()[0]
            first, last = first or span["lo"], last or span["hi"]
        step = choice(every, "every", EVERY, pick_every(first, last))
        w = {"since": s, "until": u, "platform": platform or None}
        panels: dict[str, Any] = {}
        try:
            panels["count"] = registry.run("count", st, tag=t, **w)
        except NotAvailable:
            panels["count"] = None
        try:
            fig = registry.run("trend", st, tags=[t, *others], every=step, **w)
            cum = registry.run("trend", st, tags=[t], every=step, cumulative=True, **w)
            try:
                ctx["markers"] = draw.milestone_markers(registry.run("velocity", st, tag=t, **w))
            except NotAvailable:
                ctx["markers"] = []
        except NotAvailable as exc:
            fig = cum = None
            ctx["unavailable"] = str(exc)
    if fig is not None and cum is not None:
        ctx["chart"] = draw.trend_chart(fig, chart_id="chart-trend", title=f"#{t}: uses per {step}")
        ctx["cumulative"] = draw.trend_chart(cum, chart_id="chart-cumulative", title=f"#{t}: total uses", cumulative=True,
                                              markers=ctx["markers"])
        ctx["figs"] = [fig, cum]
    ctx.update(count=panels["count"], compare=others, every=step, since=s, until=u)
    return render(request, "trend.html", **ctx)


def figure_page(spec: Analytic) -> Any:
    """The page of an analytic that declares one: a form, then its Figure drawn as the report draws it.

    An analytic whose tag is optional (misogyny) rates every post until a tag is given; one that takes
    counter-hashtags (backlash) reads them from the form."""
    assert spec.page is not None
    name, title, question = spec.name, spec.page.title, spec.page.question
    tag_opt = spec.option("tag")
    all_posts = tag_opt is not None and not tag_opt.required

    def endpoint(
        request: Request, tag: str | None = None, since: str | None = None, until: str | None = None,
        top: Annotated[int, Query(ge=1, le=500)] = 25, counter: str | None = None, platform: str | None = None,
        compare: str | None = None,
    ) -> HTMLResponse:
        t = check_tag(tag, required=False)
        ctx: dict[str, Any] = {"page": name, "tag": t, "title": title, "question": question, "top": top,
                               "all_posts": all_posts}
        if t is None and not all_posts:
            return render(request, "figure.html", **ctx)
        s, u = window(since, until)
        extra: dict[str, Any] = {}
        if spec.option("counter") is not None:
            extra["counter"] = [c for c in (check_tag(x) for x in (counter or "").replace(",", " ").split()) if c][:8]
        if spec.option("compare") is not None:
            extra["compare"] = [c for c in (check_tag(x) for x in (compare or "").replace(",", " ").split()) if c][:8]
        try:
            with request.app.state.pool.borrow() as st:
                fig = registry.run(name, st, tag=t, since=s, until=u, top=top, platform=platform or None, **extra)
        except NotAvailable as exc:
            return render(request, "figure.html", unavailable=str(exc), **ctx)
        body = draw.figure_body(fig, name=name, title=title, link=post_link, limit=top)
        caveat = fig.meta.get("caveat") or fig.data.get("caveat")
        return render(request, "figure.html", fig=fig, body=body, caveat=caveat, **ctx)

    endpoint.__name__ = f"page_{name}"
    return endpoint


def router() -> APIRouter:
    """The pages: the overview, trend, one per analytic that declares a page, search, post, feed, API docs."""
    pages = APIRouter(include_in_schema=False)
    html = {"methods": ["GET"], "response_class": HTMLResponse}
    pages.add_api_route("/", overview, **html)
    pages.add_api_route("/trend", trend, **html)
    for spec in registry.analytics():
        if spec.page is not None:
            pages.add_api_route(f"/{spec.name}", figure_page(spec), **html)
    pages.add_api_route("/search", search, **html)
    pages.add_api_route("/post", post, **html)
    pages.add_api_route("/feed", feed, **html)
    pages.add_api_route("/docs", api_docs, **html)
    return pages


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
            data, hits = search_hits(st, q, **opts)
    except NotAvailable as exc:
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


def feed(request: Request, tag: str | None = None) -> HTMLResponse:
    t = check_tag(tag, required=False)
    with request.app.state.pool.borrow() as st:
        rows = feed_rows(st, t, after=None, limit=30)
        generation = st.generation
    return render(request, "feed.html", page="feed", tag=t, posts=rows, generation=generation,
                  cursor=rows[0]["cursor"] if rows else "")


def api_docs(request: Request) -> HTMLResponse:
    spec = request.app.openapi()
    routes = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            routes.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                           "params": [(p["name"], p.get("description", ""), p.get("required", False))
                                      for p in op.get("parameters", [])]})
    return render(request, "apidocs.html", page="docs", routes=routes, info=spec.get("info", {}))
