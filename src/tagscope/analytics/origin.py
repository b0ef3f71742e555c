"""origin: the earliest posts using a tag, with author and time (who started it, as far as we hold)."""

from __future__ import annotations

from ..engines import engine_for, relations
from ..engines.plan import Plan
from . import rules
from .figure import Figure
from .registry import Option, Page, Section, declare

CAVEAT = (
    "These are the earliest posts in this store. The archive may not hold the true first use: "
    "collections start late, miss deleted or protected posts, and sample streams."
)

META = declare(
    "origin",
    "First uses of a tag",
    "The earliest posts using the tag, with author and time; the archive may not hold the true first use.",
    ("tag", Option("first", int, 10, "How many earliest posts.", min=1, api=None), "no_reposts", "platform"),
    help="List the earliest posts using a tag, with author and time.",
    module=__name__,
    order=30,
    heading="First posts using #{hashtag}",
    note=lambda fig: fig.meta["caveat"],
    api=("tag", "since", "until", "platform", "top"),
    api_summary="The earliest posts using the tag, with author and time (the archive may not hold the true first use).",
    page=Page("Origin", "Who used it first, and when? (The archive may not hold the true first use.)",
                menu_order=92),  # after audience, as the menu has always listed it
    section=Section("Origin", "Who used it first, and when?"),
)


def origin(store, tag: str, *, first: int = 10, no_reposts: bool = False, platform: str | None = None, rollup: bool = True,
           engine: str | None = None) -> Figure:
    """The FIRST earliest posts using TAG, ordered by (created_at, platform, id)."""
    if first < 1:
        raise ValueError("Give --first 1 or more.")
    first = rules.cap(first)
    t = rules.tag(tag)
    f = rules.Filters.of(no_reposts=no_reposts, platform=platform)
    where, params = f.rel_where([t])
    sql = f"""
SELECT id AS post_id, author_handle AS author, author_key AS author_id, created_at, kind, platform
FROM tag_first
WHERE {where}
ORDER BY created_at, platform, id
LIMIT ?"""
    plan = Plan(sql, [*params, first], ("tag_first",), [t], f, scan=first > relations.FIRST_K, k=max(first, 1))
    table, queries = engine_for(store, engine).run(plan, rollup=rollup)
    rows = table.to_pylist()
    data = {
        "hashtag": t,
        "first": [
            {"post_id": r["post_id"], "author": r["author"], "author_id": r["author_id"], "created_at": rules.iso(r["created_at"]),
             "kind": r["kind"], "platform": r["platform"]}
            for r in rows
        ],
        "caveat": CAVEAT,
    }
    return Figure("origin", table, data, queries, rules.RULE, {"caveat": CAVEAT})
