"""The one registry of analytics: each analytic declares itself once, every front end reads it.

An analytic module calls :func:`declare` with its name, title, the question it answers, its options
(typed, with help and flags) and the shared filters it takes, and says how the dashboard and the
report show it. From that declaration, and nothing else:

- ``tagscope.cli.analytics`` makes its command (with ``--store``, ``--json/--csv/--explain``, ``--engine``);
- ``tagscope.web.api`` makes ``/api/<name>``, ``tagscope.web.pages`` its dashboard page;
- ``tagscope.report.sections`` makes its report section;
- :func:`run` calls it with only the options it declares (the front ends share one call path).

Adding an analytic is one module (its function and its ``declare``) imported by
``tagscope.analytics``, plus its tests. ``search`` and ``count-query`` are not registered: they query
the full-text index with their own query language and filters (author, lang, kind), need the search
extra, and ``search`` returns hits, not a Figure; their commands and routes are written by hand.
"""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .figure import Figure

REQUIRED: Any = ...  # the default of an option the user must give


class NotAvailable(Exception):
    """The analytic is not installed (or its optional extra is missing); front ends show a panel."""


@dataclass(frozen=True)
class Option:
    """One option of an analytic, as the CLI and the API show it.

    ``type`` is the element type (``str``, ``int``, ``bool``, ``Path``); ``repeatable`` makes it a list.
    ``argument``: a positional CLI argument. ``tag``: its values are hashtags (the API checks them).
    ``api``: the query parameter's name (``None``: not in the API); ``api_help``, ``api_min``,
    ``api_max`` where the web words or bounds differ; ``api_max_items`` and ``api_too_many`` bound a
    repeatable one. ``choices``: the values the API accepts (the analytic checks them for the CLI)."""

    name: str
    type: type = str
    default: Any = None
    help: str = ""
    flags: tuple[str, ...] = ()
    repeatable: bool = False
    argument: bool = False
    tag: bool = False
    min: int | None = None
    choices: tuple[str, ...] = ()
    api: str | None = ""
    api_help: str | None = None
    api_min: int | None = None
    api_max: int | None = None
    api_max_items: int | None = None
    api_too_many: str = ""

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def cli_flags(self) -> tuple[str, ...]:
        return self.flags or ("--" + self.name.replace("_", "-"),)

    @property
    def query(self) -> str | None:
        """The name of its API query parameter, or None when the API does not take it."""
        return self.name if self.api == "" else self.api


# The filters analytics share: one help text each, the same flags everywhere.
FILTERS: dict[str, Option] = {o.name: o for o in (
    Option("since", help="From this time on (ISO 8601; a bare date is midnight).",
           api_help="Start, inclusive: ISO 8601 UTC or a bare date (midnight)."),
    Option("until", help="Before this time (half-open window).",
           api_help="End, exclusive: ISO 8601 UTC or a bare date (midnight)."),
    Option("tz", help="IANA time zone for bare dates and local buckets (default UTC)."),
    Option("no_reposts", bool, False, "Leave reposts out (they count by default)."),
    Option("platform", help="Only posts from this platform.",
           api_help="Only posts from this platform: twitter, bluesky, mastodon, reddit, telegram."),
    Option("where", help="Keep posts with this classifier label, e.g. stance=against (repeatable; != negates).",
           repeatable=True, api_help="Keep posts with this classifier label, e.g. stance=against "
                                     "(repeatable; != negates), as --where does."),
    Option("by", help="One series per label of this classifier (e.g. stance), or per platform or community.",
           api_help="One series per label of this classifier (e.g. stance), or per platform or community, "
                    "as --by does."),
)}
TAG = Option("tag", default=REQUIRED, help="Hashtag, with or without '#' (matching ignores case).", argument=True,
             tag=True, api_help="Hashtag, # optional, matched case-insensitively (NFKC + casefold).")
TOP = Option("top", int, 20, "Rows to show.", min=1, api_help="Rows to return.", api_max=1000)
EVERY = ("minute", "hour", "day", "week")


@dataclass(frozen=True)
class Page:
    """The analytic's dashboard page: its heading, the question it answers there, and its entry in the
    dashboard's menu: ``menu`` is the label (default: the heading), ``menu_order`` its place among
    the analytics' entries (default: the analytic's ``order``)."""

    title: str
    question: str
    menu: str = ""
    menu_order: int | None = None


@dataclass(frozen=True)
class Section:
    """The analytic's report section (a chart and table of its Figure, unless the report draws it itself)."""

    title: str
    question: str


@dataclass(frozen=True)
class Analytic:
    """The declaration of one analytic; see :func:`declare`."""

    name: str
    title: str
    question: str
    help: str
    module: str
    options: tuple[Option, ...]
    order: int
    function: str = ""
    rollup: bool = True
    labels: bool = False
    heading: str | Callable[[Figure], str] = ""
    note: Callable[[Figure], str | None] | None = None
    columns: dict[str, str] | None = None
    api: tuple[str, ...] | None = None
    api_summary: str = ""
    page: Page | None = None
    section: Section | None = None

    def option(self, name: str) -> Option | None:
        return next((o for o in self.options if o.name == name), None)

    def call(self) -> Callable[..., Figure]:
        """Its function, looked up when called: the declaration runs before the module defines it, and
        tests may stand another in (:func:`substituted`)."""
        if self.name in _SUBSTITUTES:
            return _SUBSTITUTES[self.name]
        return getattr(importlib.import_module(self.module), self.function or self.name)

    def title_of(self, fig: Figure) -> str:
        """The CLI table's title for FIG."""
        return self.heading(fig) if callable(self.heading) else (self.heading or self.title).format(**fig.data)


REGISTRY: dict[str, Analytic] = {}
_DISCOVERED = False
_SUBSTITUTES: dict[str, Callable[..., Figure]] = {}


def declare(
    name: str,
    title: str,
    question: str,
    options: tuple[Option | str, ...] = (),
    *,
    help: str,
    module: str,
    order: int,
    function: str = "",
    rollup: bool = True,
    labels: bool = False,
    heading: str | Callable[[Figure], str] = "",
    note: Callable[[Figure], str | None] | None = None,
    columns: dict[str, str] | None = None,
    api: tuple[str, ...] | None = None,
    api_summary: str = "",
    page: Page | None = None,
    section: Section | None = None,
) -> Analytic:
    """Register analytic NAME (its function is ``module.function``, default ``module.NAME``).

    ``title`` and ``question`` say what it measures (docs); ``help`` is its command's one line.
    ``order`` places its command, route, page and report section among the others (count is 10,
    misogyny 120).
    ``rollup``: whether rollups can answer it (else it always scans posts); ``labels``: it reads
    classifier labels, so its store must hold posts (``tagscope classify`` labels them).

    ``options`` in the order the CLI lists them: an :class:`Option`, or the name of a shared filter
    (``since``, ``until``, ``tz``, ``no_reposts``, ``platform``, ``where``, ``by``), ``"tag"`` or ``"top"``.
    ``heading``: the CLI table's title (a format string over the Figure's JSON, or a function of the
    Figure); ``note``: a line printed under it; ``columns``: headings mapped to formats over a row,
    when the CLI table joins columns (a share with its interval). ``api``: the query parameters of
    ``/api/NAME`` in order (its options by name, or the shared ``tag``, ``since``, ``until``,
    ``top``, which it need not take); None: no route. ``page`` and ``section``: its dashboard page, report section.
    """
    opts = tuple(_shared(o) if isinstance(o, str) else o for o in options)
    spec = Analytic(name, title, question, help, module, opts, order, function, rollup, labels, heading, note, columns, api,
                    api_summary, page, section)
    REGISTRY[name] = spec
    return spec


def _shared(name: str) -> Option:
    if name == "tag":
        return TAG
    if name == "top":
        return TOP
    return FILTERS[name]


def get(name: str) -> Analytic:
    """The declaration of NAME, or NotAvailable."""
    discover()
    try:
        return REGISTRY[name]
    except KeyError:
        raise NotAvailable(f"the {name} analytic is not available in this version of tagscope") from None


def analytics() -> list[Analytic]:
    """Every analytic, by ``order`` (the CLI's, the dashboard's and the report's order)."""
    discover()
    return sorted(REGISTRY.values(), key=lambda a: (a.order, a.name))


def menu() -> list[tuple[str, str]]:
    """The (name, label) of every analytic's dashboard page, in the dashboard menu's order."""
    pages = [(a.page.menu_order if a.page.menu_order is not None else a.order, a.name, a.page.menu or a.page.title)
             for a in analytics() if a.page is not None]
    return [(name, label) for _, name, label in sorted(pages)]


def discover() -> None:
    """Import every module of ``tagscope.analytics`` once, so each one's ``declare`` has run: a new
    analytic is found without a list to edit."""
    global _DISCOVERED
    if _DISCOVERED:
        return
    package = importlib.import_module(__package__ or "tagscope.analytics")
    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{info.name}")
    _DISCOVERED = True


def run(name: str, store: Any, **options: Any) -> Figure:
    """Call analytic NAME with the options it declares; None, an empty list and a declared default are
    left out, and ``engine`` is passed when given.

    Front ends pass what they have (the report: its window, top and bucket) and each analytic takes
    its own share of it."""
    spec = get(name)
    kwargs = {}
    for key, value in options.items():
        if value is None or (isinstance(value, list | tuple) and not value):
            continue
        opt = spec.option(key)
        if key == "engine" or (opt is not None and value != opt.default):
            kwargs[key] = value
    args = []
    first = spec.options[0] if spec.options else None
    if first is not None and first.argument and first.name in kwargs:
        args.append(kwargs.pop(first.name))
    return spec.call()(store, *args, **kwargs)


@contextlib.contextmanager
def substituted(functions: dict[str, Callable[..., Figure]]) -> Iterator[None]:
    """Run registered analytics through stand-ins (tests: fixed shapes, or a missing analytic)."""
    saved = dict(_SUBSTITUTES)
    _SUBSTITUTES.update(functions)
    try:
        yield
    finally:
        _SUBSTITUTES.clear()
        _SUBSTITUTES.update(saved)


def unavailable(name: str) -> Callable[..., Figure]:
    """A stand-in for an analytic that is not installed."""

    def missing(*_: Any, **__: Any) -> Figure:
        raise NotAvailable(f"the {name} analytic is not available in this version of tagscope")

    return missing
