"""Build the single-file HTML report: every section, its counting rule, and the queries behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.resources import files
from typing import Any

import jinja2

from .. import __version__ as tagscope_version
from ..analytics import registry
from ..analytics.display import text
from ..analytics.registry import NotAvailable
from ..post import fold_tag
from .pseudonym import NOTABLE_FOLLOWERS, Pseudonymiser, load_key
from .render import figure_rows, parse_time
from .sections import Context, Section, build_sections, pick_every


@dataclass
class Report:
    html: str
    sections: list[Section]
    problems: list[str] = field(default_factory=list)


def environment() -> jinja2.Environment:
    """Templates are package data, autoescaped: post text can never become markup."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(files("tagscope.report") / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["num"] = lambda v: text(v) if isinstance(v, int) and not isinstance(v, bool) else v
    return env


def notable_handles(store: Any, tag: str, top: int, window: dict[str, Any]) -> list[str]:
    """Public figures among the tag's most-followed accounts: the accounts a report names."""
    try:
        fig = registry.run("notables", store, tag=tag, top=max(top, 200), **window)
    except NotAvailable:
        return []
    return [
        str(r["author"]) for r in figure_rows(fig)
        if r.get("author") and (r.get("verified") is True or (r.get("followers") or 0) >= NOTABLE_FOLLOWERS)
    ]


def build_report(
    store: Any,
    tag: str,
    *,
    compare: list[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    every: str | None = None,
    reveal_authors: bool = False,
    top: int = 20,
    generated_at: datetime | None = None,
    platform: str | None = None,
) -> Report:
    """The report for ``tag`` (and the tags it is compared with) as one self-contained HTML page."""
    tag = fold_tag(tag)
    if not tag:
        raise ValueError("give a hashtag, e.g. tagscope report yesallwomen")
    compare = [fold_tag(t) for t in compare or [] if fold_tag(t)]
    platform = platform.strip().lower() if platform else None  # as stored
    window = {"since": since, "until": until, "platform": platform}
    stats = store.stats()
    first = since or parse_time(stats.get("first_post"))
    last = until or parse_time(stats.get("last_post"))
    pseudo = Pseudonymiser(
        load_key(getattr(store, "path", None)), notable_handles(store, tag, top, window), reveal=reveal_authors
    )
    ctx = Context(store, tag, compare, since, until, every or pick_every(first, last), pseudo, top, platform=platform)
    total: int | None
    try:
        total = int(registry.run("count", store, tag=tag, **window).data["count"])
    except NotAvailable:
        total = None
    sections = build_sections(ctx)
    when = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    html = environment().get_template("report.html").render(
        tag=tag,
        compare=compare,
        platform=ctx.platform,
        total=total,
        since=since,
        until=until,
        first=first,
        last=last,
        every=ctx.every,
        stats=stats,
        sections=sections,
        reveal=reveal_authors,
        generated=when,
        version=tagscope_version,
        css=(files("tagscope.report") / "templates" / "report.css").read_text(),
    )
    return Report(html, sections, ctx.problems)
