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
    heading="Links shared with #{hashtag}",
    api=("tag", "since", "until", "platform", "top"),
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
    rwhere, rparams = f.rel_where([t])
    eng = engine_for(store, engine)
    # Per-tag rollups of URLs and of each post's list of domains (relations.py): no time column, so a
    # window scans posts; a post's urls and domains are unique, so a sum counts posts.
    url_sql = f"""
SELECT url, CAST(sum(posts) AS BIGINT) AS count
FROM tag_urls
WHERE {rwhere}
GROUP BY url
ORDER BY count DESC, url
LIMIT ?"""
    domain_sql = f"""
SELECT domain, CAST(sum(n) AS BIGINT) AS count
FROM (SELECT unnest(domains) AS domain, n FROM tag_domain_sets WHERE {rwhere}) AS u
GROUP BY domain
ORDER BY count DESC, domain
LIMIT ?"""
    results, queries = {}, []
    for col, sql, rel in (("urls", url_sql, "tag_urls"), ("domains", domain_sql, "tag_domain_sets")):
        table, q = eng.run(Plan(sql, [*rparams, rules.cap(top)], (rel,), [t], f, scan=f.windowed), rollup=rollup)
        results[col] = table
        queries += q
    # Petition and fundraising sites grouped as a kind (petitions' site list): a post counts once per kind,
    # so each row of posts sharing a list of domains counts once for each kind its domains hit. row_id only
    # tells rows apart (any order does); Spark refuses a row_number window with no ORDER BY.
    kinds_sql = f"""
SELECT kind, CAST(sum(n) AS BIGINT) AS count, flatten(list(domains)) AS domains
FROM (SELECT u.row_id, sites.kind, any_value(u.n) AS n, list(DISTINCT u.domain) AS domains
      FROM (SELECT row_id, n, unnest(domains) AS domain
            FROM (SELECT row_number() OVER (ORDER BY n) AS row_id, n, domains FROM tag_domain_sets WHERE {rwhere}) AS r) AS u
      JOIN {sites_sql()}
        ON u.domain = sites.site OR u.domain LIKE '%.' || sites.site
      GROUP BY u.row_id, sites.kind) AS k
GROUP BY kind
ORDER BY count DESC, kind"""
    ktable, q = eng.run(Plan(kinds_sql, list(rparams), ("tag_domain_sets",), [t], f, scan=f.windowed), rollup=rollup)
    queries += q
    kinds = [{"kind": r["kind"], "count": int(r["count"]), "domains": sorted(set(r["domains"]))} for r in ktable.to_pylist()]
    urls, domains = results["urls"].to_pylist(), results["domains"].to_pylist()
    rows = [{"kind": "domain", "link": r["domain"], "count": r["count"]} for r in domains]
    rows += [{"kind": "url", "link": r["url"], "count": r["count"]} for r in urls]
    rows += [{"kind": k["kind"], "link": ", ".join(k["domains"]), "count": k["count"]} for k in kinds]
    table = pa.Table.from_pylist(rows, schema=pa.schema([("kind", pa.string()), ("link", pa.string()), ("count", pa.int64())]))
    data = {"hashtag": t, "urls": urls, "domains": domains, "kinds": kinds, **f.describe()}
    rule = (rules.RULE + " A link's count is the posts linking it. A kind (petition, fundraiser) counts the posts "
            "linking any of its sites (the petitions analytic's list), once per post.")
    return Figure("links", table, data, queries, rule, {"filters": f.describe()})
