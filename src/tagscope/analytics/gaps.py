"""gaps: what this archive may lack, from the store's coverage (the collectors' known holes).

Not computed from posts: the collectors record every gap they could not avoid (a replay window that did
not reach back far enough, a stream with no replay) and every run that stopped without closing; this
analytic lists those windows so that the report and the dashboard show them beside the figures they
affect. A store filled only from files has no coverage: the table is empty and says so.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from ..store import coverage
from . import rules
from .figure import Figure
from .registry import Page, Section, declare

META = declare(
    "gaps",
    "What this archive may lack",
    "Windows of time the live collectors know they missed (gaps in a stream's replay, runs stopped without closing).",
    ("since", "until", "platform"),
    help="List the windows a live collection may have missed (from the store's coverage).",
    module=__name__,
    order=12,
    rollup=False,
    heading="What this archive may lack",
    api=("since", "until", "platform"),
    api_summary="Windows the collectors know they missed, from the store's coverage.",
    page=Page("Gaps", "Which windows may be incomplete in this archive?", menu="Coverage gaps", menu_order=190),
    section=Section("What this archive may lack", "Which windows may be incomplete because a collector missed them?"),
)

SCHEMA = pa.schema([("platform", pa.string()), ("source", pa.string()), ("kind", pa.string()),
                    ("start", pa.string()), ("end", pa.string()), ("reason", pa.string())])
RULE = ("A window is listed when a collector recorded a gap (events the source could not replay), or a run "
        "ended without closing and no later run resumed from its last commit. Gap times are stream times "
        "(the events' time_us); a stopped run's are the times of its last commit. Counts over these windows "
        "may be too low.")


def gaps(store: Any, since: str | None = None, until: str | None = None, platform: str | None = None) -> Figure:
    """The windows that may be incomplete, overlapping SINCE..UNTIL (ISO times), of PLATFORM (or all)."""
    f = rules.Filters.of(since, until, None, False, platform)
    lo = rules.iso(f.since) if f.since else None
    hi = rules.iso(f.until) if f.until else None
    rows = []
    for e in coverage.may_lack(store):
        if f.platform and e["platform"] != f.platform:
            continue
        end = e["end"]
        if (hi is not None and e["start"] >= hi) or (lo is not None and end is not None and end < lo):
            continue  # outside the window asked for
        rows.append({k: e.get(k) for k in SCHEMA.names})
    table = pa.Table.from_pylist(rows, schema=SCHEMA)
    collected = bool(coverage.load(store.path))
    data = {"collected": collected, "windows": rows, **f.describe()}
    note = "" if collected else " This store holds no live collection (its posts came from files): no coverage to check."
    return Figure("gaps", table, data, [], RULE + note, {"filters": f.describe()})
