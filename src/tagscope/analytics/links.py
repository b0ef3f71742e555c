"""links: the URLs and web sites shared in posts using a tag."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from ..engines import engine_for
from ..engines.plan import Plan
from . import rules
from .figure import Figure
from .petitions import sites_sql
from .registry import Page, Section, declare

META = declare(
    "links",
    "Links shared with a tag",
    "Expanded URLs and their domains in posts using the tag, and the petition and fundraising sites among them "
    "grouped by kind; count = posts linking it.",
    ("tag", "top", "since", "until", "tz", "no_reposts", "platform"),
    help="List the URLs and domains shared in posts using a tag.",
    module=__name__,
    order=80,
    rollup=False,
    heading="Links shared with #{hashtag}",
    api=("tag", "since", "until", "top"),
    api_summary="URLs and domains linked from posts using the tag.",
    page=Page("Links", "Which links and sites were shared in posts using the tag?"),
    section=Section("Links", "Which links and sites were shared?"),
)


def links(
    store,
    tag: str,
    *,
    top: int = 20,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    tz: str | None = None,
    no_reposts: bool = False,
    platform: str | None = None,
    rollup: bool = True,
    engine: str | None = None,
) -> Figure:
    """The TOP URLs and domains in posts using TAG (a post counts once per URL or domain)."""
    t = rules.tag(tag)
    f = rules.Filters.of(since, until, tz, no_reposts, platform)
    where, params = f.post_where([t])
    eng = engine_for(store, engine)
    results, queries = {}, []
    for col, name in (("urls", "url"), ("domains", "domain")):
        sql = f"""
SELECT {name}, CAST(count(*) AS BIGINT) AS count
FROM (SELECT unnest({col}) AS {name} FROM posts {where}) AS u
GROUP BY {name}
ORDER BY count DESC, {name}
LIMIT ?"""
        table, q = eng.run(Plan(sql, [*params, rules.cap(top)]), rollup=rollup)
        results[col] = table
        queries += q
    # Petition and fundraising sites grouped as a kind (petitions' site list): a post counts once per kind.
    kinds_sql = f"""
SELECT kind, CAST(count(DISTINCT post) AS BIGINT) AS count, list(DISTINCT domain) AS domains
FROM (SELECT platform || ':' || id AS post, unnest(domains) AS domain FROM posts {where}) AS u
JOIN {sites_sql()}
  ON u.domain = sites.site OR u.domain LIKE '%.' || sites.site
GROUP BY kind
ORDER BY count DESC, kind"""
    ktable, q = eng.run(Plan(kinds_sql, list(params)), rollup=rollup)
    queries += q
    kinds = [{"kind": r["kind"], "count": int(r["count"]), "domains": sorted(r["domains"])} for r in ktable.to_pylist()]
    urls, domains = results["urls"].to_pylist(), results["domains"].to_pylist()
    rows = [{"kind": "domain", "link": r["domain"], "count": r["count"]} for r in domains]
    rows += [{"kind": "url", "link": r["url"], "count": r["count"]} for r in urls]
    rows += [{"kind": k["kind"], "link": ", ".join(k["domains"]), "count": k["count"]} for k in kinds]
    table = pa.Table.from_pylist(rows, schema=pa.schema([("kind", pa.string()), ("link", pa.string()), ("count", pa.int64())]))
    data = {"hashtag": t, "urls": urls, "domains": domains, "kinds": kinds, **f.describe()}
    rule = (rules.RULE + " A link's count is the posts linking it. A kind (petition, fundraiser) counts the posts "
            "linking any of its sites (the petitions analytic's list), once per post.")
    return Figure("links", table, data, queries, rule, {"filters": f.describe()})
