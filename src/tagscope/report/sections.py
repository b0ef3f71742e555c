"""The sections of a report: which analytic answers which question, and how it is drawn.

Each section calls one analytic through :mod:`tagscope.report.figures` and turns its Figure into
HTML; an analytic that is missing becomes a "not available" panel, one that fails becomes an
error panel (and is listed in ``Report.problems``) so one broken figure never loses the report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from markupsafe import Markup

from ..analytics.figure import Figure
from . import figures
from .pseudonym import Pseudonymiser
from .render import figure_body, figure_rows, milestone_markers, table_html, trend_chart


@dataclass
class Section:
    id: str
    title: str
    question: str
    body: Markup = field(default_factory=Markup)
    rule: str = ""
    queries: str = ""
    note: str = ""
    status: str = "ok"  # ok | unavailable | error


@dataclass
class Context:
    store: Any
    tag: str
    compare: list[str]
    since: datetime | None
    until: datetime | None
    every: str
    pseudo: Pseudonymiser
    top: int = 20
    problems: list[str] = field(default_factory=list)

    @property
    def window(self) -> dict[str, Any]:
        return {"since": self.since, "until": self.until}


def pick_every(first: datetime | None, last: datetime | None) -> str:
    """A bucket size that gives a readable chart for the time span shown."""
    if first is None or last is None:
        return "day"
    span = last - first
    if span <= timedelta(days=3):
        return "hour"
    if span <= timedelta(days=180):
        return "day"
    return "week"


def kv_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Scalar entries of a JSON object as (measure, value) rows (for velocity-like figures)."""
    rows = []
    for k, v in data.items():
        if isinstance(v, dict) and all(not isinstance(x, dict | list) for x in v.values()):
            rows.extend({"measure": f"{k}: {kk}".replace("_", " "), "value": vv} for kk, vv in v.items())
        elif not isinstance(v, dict | list):
            rows.append({"measure": k.replace("_", " "), "value": v})
    return rows


def _finish(sec: Section, fig: Figure, body: Markup) -> Section:
    sec.body = body
    sec.rule = fig.rule
    sec.queries = fig.explain()
    caveat = fig.meta.get("caveat") or fig.data.get("caveat")
    if caveat:
        sec.note = str(caveat)
    return sec


def _table_section(name: str, title: str, question: str) -> Callable[[Context], Section]:
    def build(ctx: Context) -> Section:
        sec = Section(name, title, question)
        fig = figures.run(name, ctx.store, ctx.tag, top=ctx.top, every=ctx.every, **ctx.window)
        return _finish(sec, fig, figure_body(fig, name=name, title=title, pseudo=ctx.pseudo))

    return build


def volume(ctx: Context) -> Section:
    sec = Section("volume", "Volume over time", f"How many posts used #{ctx.tag}, and when?")
    fig = figures.run_trend(ctx.store, [ctx.tag], every=ctx.every, **ctx.window)
    return _finish(sec, fig, trend_chart(fig, chart_id="chart-volume", title=f"#{ctx.tag} uses per {ctx.every}"))


def cumulative(ctx: Context) -> Section:
    sec = Section("cumulative", "Cumulative uses", "When did it pass 1,000, 10,000, 100,000 and 1 million uses?")
    fig = figures.run_trend(ctx.store, [ctx.tag], every=ctx.every, cumulative=True, **ctx.window)
    try:
        markers = milestone_markers(figures.run("velocity", ctx.store, ctx.tag, **ctx.window))
    except figures.NotAvailable:
        markers = []
    body = trend_chart(fig, chart_id="chart-cumulative", title=f"#{ctx.tag}: total uses so far", cumulative=True,
                       markers=markers)
    return _finish(sec, fig, body)


def compare(ctx: Context) -> Section:
    tags = ", ".join("#" + t for t in ctx.compare)
    sec = Section("compare", "Comparison", f"How did #{ctx.tag} do against {tags}?")
    fig = figures.run_trend(ctx.store, [ctx.tag, *ctx.compare], every=ctx.every, **ctx.window)
    return _finish(sec, fig, trend_chart(fig, chart_id="chart-compare", title=f"#{ctx.tag} compared"))


def origin(ctx: Context) -> Section:
    sec = Section("origin", "Origin", "Who used it first, and when?")
    fig = figures.run("origin", ctx.store, ctx.tag, first=10, **ctx.window)
    sec = _finish(sec, fig, table_html(figure_rows(fig), table_id="table-origin", pseudo=ctx.pseudo))
    sec.note = sec.note or "The archive may not hold the true first use: these are the earliest posts it holds."
    return sec


BUILDERS: list[tuple[str, Callable[[Context], Section]]] = [
    ("volume", volume),
    ("cumulative", cumulative),
    ("compare", compare),
    ("origin", origin),
    ("velocity", _table_section("velocity", "Velocity and lifecycle",
                                "How fast did it spread, when did it peak, how fast did it fade?")),
    ("notables", _table_section("notables", "Notable accounts", "Which prominent accounts joined?")),
    ("audience", _table_section("audience", "Audience by self-declared pronouns",
                                "Who posted, by the pronouns they state in their bio (never guessed from names)?")),
    ("cotags", _table_section("cotags", "Co-hashtags", "Which other hashtags travelled with it?")),
    ("links", _table_section("links", "Links", "Which links and sites were shared?")),
    ("variants", _table_section("variants", "Variants", "Which spellings and near-misses were used?")),
    ("backlash", _table_section("backlash", "Stance and backlash", "How much of it was support, and how much backlash?")),
    ("misogyny", _table_section("misogyny", "Misogyny", "What share of posts did the classifier label sexist, by hashtag, community and follower band?")),
]


def build_sections(ctx: Context) -> list[Section]:
    sections = []
    for name, builder in BUILDERS:
        if name == "compare" and not ctx.compare:
            continue
        try:
            sections.append(builder(ctx))
        except figures.NotAvailable as exc:
            sections.append(_placeholder(name, builder, ctx, "unavailable", f"Not available: {exc}."))
        except Exception as exc:  # one failing figure must not lose the whole report
            ctx.problems.append(f"{name}: {type(exc).__name__}: {exc}")
            sections.append(_placeholder(name, builder, ctx, "error", f"Could not compute this figure: {exc}"))
    return sections


def _placeholder(name: str, builder: Callable[[Context], Section], ctx: Context, status: str, note: str) -> Section:
    titles = {
        "volume": "Volume over time", "cumulative": "Cumulative uses", "compare": "Comparison", "origin": "Origin",
        "velocity": "Velocity and lifecycle", "notables": "Notable accounts",
        "audience": "Audience by self-declared pronouns", "cotags": "Co-hashtags", "links": "Links",
        "variants": "Variants", "backlash": "Stance and backlash", "misogyny": "Misogyny",
    }
    return Section(name, titles.get(name, name), "", Markup(f'<p class="unavailable">{Markup.escape(note)}</p>'),
                   status=status)
