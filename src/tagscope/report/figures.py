"""The one door from the front ends to the analytics: look an analytic up by name and call it.

The report and the dashboard never count anything themselves; they call the functions of
``tagscope.analytics`` (and ``tagscope.search``, ``tagscope.classify``) through :func:`run`. An analytic
that is not installed yet raises :class:`NotAvailable`, which the front ends show as a panel
instead of failing. Options an analytic does not take are left out, so one call site serves every
version of the analytics API.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any

from ..analytics.figure import Figure

# name -> candidate "module:function" locations, first found wins.
LOCATIONS: dict[str, list[str]] = {
    "count": ["tagscope.analytics:count", "tagscope.analytics.count:count"],
    "trend": ["tagscope.analytics:trend", "tagscope.analytics.trend:trend"],
    "origin": ["tagscope.analytics:origin", "tagscope.analytics.origin:origin"],
    "velocity": ["tagscope.analytics:velocity", "tagscope.analytics.velocity:velocity"],
    "notables": ["tagscope.analytics:notables", "tagscope.analytics.notables:notables"],
    "audience": ["tagscope.analytics:audience", "tagscope.analytics.audience:audience"],
    "cotags": ["tagscope.analytics:cotags", "tagscope.analytics.cotags:cotags"],
    "links": ["tagscope.analytics:links", "tagscope.analytics.links:links"],
    "variants": ["tagscope.analytics:variants", "tagscope.analytics.variants:variants"],
    "backlash": ["tagscope.analytics:backlash", "tagscope.analytics.backlash:backlash"],
    "misogyny": ["tagscope.analytics:misogyny", "tagscope.analytics.misogyny:misogyny"],
    "search": ["tagscope.search:search", "tagscope.search.query:search", "tagscope.search.search:search"],
}

# Test hook and extension point: name -> callable, consulted before LOCATIONS.
OVERRIDES: dict[str, Callable[..., Any]] = {}


class NotAvailable(Exception):
    """The analytic is not installed in this version of tagscope."""


def lookup(name: str) -> Callable[..., Any]:
    """The function behind analytic ``name``, or NotAvailable."""
    if name in OVERRIDES:
        return OVERRIDES[name]
    for spec in LOCATIONS.get(name, []):
        module_name, attr = spec.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue
            raise
        func = getattr(module, attr, None)
        if callable(func) and not inspect.ismodule(func):
            return func
    raise NotAvailable(f"the {name} analytic is not available in this version of tagscope")


def available(name: str) -> bool:
    try:
        lookup(name)
    except NotAvailable:
        return False
    return True


def _accepts(func: Callable[..., Any], options: dict[str, Any]) -> dict[str, Any]:
    params = inspect.signature(func).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return {k: v for k, v in options.items() if v is not None}
    return {k: v for k, v in options.items() if v is not None and k in params}


def run(name: str, store: Any, *args: Any, **options: Any) -> Figure:
    """Call analytic ``name`` with the options it accepts; return its Figure."""
    func = lookup(name)
    params = inspect.signature(func).parameters
    if len(args) == 1 and "tag" in params and params["tag"].kind is inspect.Parameter.KEYWORD_ONLY:
        args, options = (), {**options, "tag": args[0]}
    return as_figure(name, func(store, *args, **_accepts(func, options)))


def run_trend(store: Any, tags: list[str], **options: Any) -> Figure:
    """`trend` takes several tags: as a list or as separate arguments, whichever it declares."""
    func = lookup("trend")
    params = list(inspect.signature(func).parameters.values())[1:]
    opts = _accepts(func, options)
    if params and params[0].kind is inspect.Parameter.VAR_POSITIONAL:
        return as_figure("trend", func(store, *tags, **opts))
    if params and params[0].name in ("tag", "hashtag") and len(tags) == 1:
        return as_figure("trend", func(store, tags[0], **opts))
    return as_figure("trend", func(store, tags, **opts))


def as_figure(name: str, result: Any) -> Figure:
    """Accept a Figure, or an object with ``to_json()``/``data`` (search results)."""
    if isinstance(result, Figure):
        return result
    import pyarrow as pa

    data = result.to_json() if hasattr(result, "to_json") else getattr(result, "data", result)
    if not isinstance(data, dict):
        raise TypeError(f"analytic {name} returned {type(result).__name__}, not a Figure")
    return Figure(
        name=name,
        table=getattr(result, "table", None) or pa.table({}),
        data=data,
        queries=list(getattr(result, "queries", []) or []),
        rule=str(getattr(result, "rule", "") or ""),
        meta=dict(getattr(result, "meta", {}) or {}),
    )


def run_search(store: Any, query: str, **options: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Search: the JSON of `search --json` and the hits with ``platform`` and highlight ``spans``."""
    func = lookup("search")
    result = func(store, query, **_accepts(func, options))
    data = as_figure("search", result).data
    hits = []
    raw = getattr(result, "hits", None)
    for i, h in enumerate(data.get("hits", [])):
        obj = raw[i] if isinstance(raw, list) and i < len(raw) else None
        extra = {
            "platform": getattr(obj, "platform", None) or h.get("platform"),
            "spans": list(getattr(obj, "spans", None) or []),
        }
        hits.append({**h, **extra})
    return data, hits
