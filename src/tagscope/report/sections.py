"""The sections of a report: which analytic answers which question, and how it is drawn.

Every analytic that declares a ``section`` in the analytics registry gets one, in the registry's
order: a chart and table of its Figure, or for trend (volume, cumulative uses, comparison) and
origin the drawings below. An analytic that is missing becomes a "not available" panel, one that
fails becomes an error panel (and is listed in ``Report.problems``) so one broken figure never loses
the report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from markupsafe import Markup

from ..analytics import registry
from ..analytics.figure import Figure
from ..analytics.registry import Analytic, NotAvailable
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
    platform: str | None = None  # every section's figures from this platform only

    @property
    def window(self) -> dict[str, Any]:
        return {"since": self.since, "until": self.until, "platform": self.platform}


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


def _finish(sec: Section, fig: Figure, body: Markup) -> Section:
    sec.body = body
    sec.rule = fig.rule
    sec.queries = fig.explain()
    caveat = fig.meta.get("caveat") or fig.data.get("caveat")
    if caveat:
        sec.note = str(caveat)
    return sec


def table_section(spec: Analytic) -> Callable[[Context], Section]:
    """The section of an analytic drawn as every Figure is: its chart(s), then its table(s)."""
    assert spec.section is not None
    title, question = spec.section.title, spec.section.question

    def build(ctx: Context) -> Section:
        sec = Section(spec.name, title, question)
        # compare: the report's compared tags, for an analytic that sets tags beside its own (platforms)
        fig = registry.run(spec.name, ctx.store, tag=ctx.tag, top=ctx.top, every=ctx.every, compare=ctx.compare,
                           **ctx.window)
        return _finish(sec, fig, figure_body(fig, name=spec.name, title=title, pseudo=ctx.pseudo))

    return build


def volume(ctx: Context) -> Section:
    sec = Section("volume", "Volume over time", f"How many posts used #{ctx.tag}, and when?")
    fig = registry.run("trend", ctx.store, tags=[ctx.tag], every=ctx.every, **ctx.window)
    return _finish(sec, fig, trend_chart(fig, chart_id="chart-volume", title=f"#{ctx.tag} uses per {ctx.every}"))


def cumulative(ctx: Context) -> Section:
    sec = Section("cumulative", "Cumulative uses", "When did it pass 1,000, 10,000, 100,000 and 1 million uses?")
    fig = registry.run("trend", ctx.store, tags=[ctx.tag], every=ctx.every, cumulative=True, **ctx.window)
    try:
        markers = milestone_markers(registry.run("velocity", ctx.store, tag=ctx.tag, **ctx.window))
    except NotAvailable:
        markers = []
    body = trend_chart(fig, chart_id="chart-cumulative", title=f"#{ctx.tag}: total uses so far", cumulative=True,
                       markers=markers)
    return _finish(sec, fig, body)


def compare(ctx: Context) -> Section:
    tags = ", ".join("#" + t for t in ctx.compare)
    sec = Section("compare", "Comparison", f"How did #{ctx.tag} do against {tags}?")
    fig = registry.run("trend", ctx.store, tags=[ctx.tag, *ctx.compare], every=ctx.every, **ctx.window)
    return _finish(sec, fig, trend_chart(fig, chart_id="chart-compare", title=f"#{ctx.tag} compared"))


def origin(ctx: Context) -> Section:
    sec = Section("origin", "Origin", "Who used it first, and when?")
    fig = registry.run("origin", ctx.store, tag=ctx.tag, first=10, **ctx.window)
    sec = _finish(sec, fig, table_html(figure_rows(fig), table_id="table-origin", pseudo=ctx.pseudo))
    sec.note = sec.note or "The archive may not hold the true first use: these are the earliest posts it holds."
    return sec


Builder = tuple[str, str, Callable[[Context], Section]]  # section id, title, builder

# Analytics whose sections are drawn by hand rather than as a Figure's chart and table.
DRAWN: dict[str, list[Builder]] = {
    "trend": [("volume", "Volume over time", volume), ("cumulative", "Cumulative uses", cumulative),
              ("compare", "Comparison", compare)],
    "origin": [("origin", "Origin", origin)],
}


def builders() -> list[Builder]:
    """Every section, in the order of the analytics that declare one."""
    out: list[Builder] = []
    for spec in registry.analytics():
        if spec.section is not None:
            out += DRAWN.get(spec.name) or [(spec.name, spec.section.title, table_section(spec))]
    return out


def build_sections(ctx: Context) -> list[Section]:
    sections = []
    for name, title, builder in builders():
        if name == "compare" and not ctx.compare:
            continue
        try:
            sections.append(builder(ctx))
        except NotAvailable as exc:
            sections.append(_placeholder(name, title, "unavailable", f"Not available: {exc}."))
        except Exception as exc:  # one failing figure must not lose the whole report
            ctx.problems.append(f"{name}: {type(exc).__name__}: {exc}")
            sections.append(_placeholder(name, title, "error", f"Could not compute this figure: {exc}"))
    return sections


def _placeholder(name: str, title: str, status: str, note: str) -> Section:
    return Section(name, title, "", Markup(f'<p class="unavailable">{Markup.escape(note)}</p>'), status=status)
