"""petitions: the petitions and fundraisers linked from posts using a tag (a campaign's calls to action)."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from ..engines import engine_for
from ..engines.plan import Plan
from . import rules
from .figure import Figure
from .registry import Page, Section, declare

META = declare(
    "petitions",
    "Petitions and fundraisers",
    "Links to known petition and fundraising sites in posts using the tag; posts = posts linking each one.",
    ("tag", "top", "since", "until", "tz", "no_reposts", "platform"),
    help="List the petitions and fundraisers linked from posts using a tag, with when they were shared.",
    module=__name__,
    order=85,
    heading="Petitions and fundraisers linked with #{hashtag}",
    api=("tag", "since", "until", "platform", "top"),
    api_summary="Petitions and fundraisers linked from posts using the tag, with first and last seen.",
    page=Page("Petitions", "Which petitions and fundraisers did the campaign rally around, and when?"),
    section=Section("Petitions and fundraisers", "Which petitions and fundraisers did it rally around, and when?"),
)

# The sites, by kind. A link counts when its host is one of these or a subdomain of one (secure.avaaz.org,
# you.38degrees.org.uk, sign.moveon.org), so no entry is a subdomain of another (a test checks it). Kept to
# sites whose pages are petitions or fundraisers for causes: crowdfunding for products (Kickstarter,
# Indiegogo) is left out. Shorteners owned by a site (chng.it, gofund.me) are its own links.
SITES: dict[str, tuple[str, ...]] = {
    "petition": (
        "change.org", "chng.it",
        "petition.parliament.uk", "petitions.parliament.uk", "epetitions.direct.gov.uk",
        "petitions.whitehouse.gov",
        "avaaz.org",
        "openpetition.de", "openpetition.eu",
        "campact.de",
        "causes.com",
        "care2.com", "thepetitionsite.com",
        "moveon.org",
        "38degrees.org.uk",
        "sumofus.org", "eko.org",
        "ipetitions.com",
    ),
    "fundraiser": (
        "gofundme.com", "gofund.me",
        "justgiving.com",
        "crowdjustice.com",
        "betterplace.org",
    ),
}
KINDS = {site: kind for kind, sites in SITES.items() for site in sites}

# The host of a URL as the store writes `domains` (tagscope.post.domain_of): after the scheme and any
# user info, before the path, query, fragment and port; lower-case, without a trailing dot or leading www.
_HOST = "regexp_replace(regexp_replace(lower(regexp_extract(url, '^(?:[^:/?#]+://)?(?:[^/?#]*@)?([^/?#:]*)', 1)), " \
        "'\\.+$', ''), '^www\\.', '')"

SCHEMA = pa.schema([("url", pa.string()), ("domain", pa.string()), ("kind", pa.string()), ("posts", pa.int64()),
                    ("authors", pa.int64()), ("first_seen", pa.timestamp("us")), ("last_seen", pa.timestamp("us"))])


def sites_sql() -> str:
    """The site list as an SQL relation ``sites(site, kind)`` (links groups its domains by it too)."""
    rows = ",\n  ".join(f"('{site}', '{kind}')" for site, kind in sorted(KINDS.items()))
    return f"(VALUES\n  {rows}\n) AS sites(site, kind)"


def petitions(
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
    """The TOP petition and fundraiser URLs in posts using TAG, most linked first (a post counts once per URL)."""
    t = rules.tag(tag)
    f = rules.Filters.of(since, until, tz, no_reposts, platform)
    where, params = f.rel_where([t])
    # From the per-tag URL rollup (relations.tag_urls: posts, author ids, first and last time per URL):
    # no time column, so a window scans posts. The host is read once per distinct URL (three regular
    # expressions), then only the rows of URLs on a listed site are summed.
    sql = f"""
SELECT l.url, l.domain, l.kind, CAST(sum(r.posts) AS BIGINT) AS posts,
       CAST(count(DISTINCT r.author_id) AS BIGINT) AS authors, min(r.first_at) AS first_seen, max(r.last_at) AS last_seen
FROM (SELECT url, author_id, posts, first_at, last_at FROM tag_urls WHERE {where}) AS r
JOIN (SELECT url, domain, kind
      FROM (SELECT url, {_HOST} AS domain FROM (SELECT DISTINCT url FROM tag_urls WHERE {where}) AS u) AS hosts
      JOIN {sites_sql()}
        ON hosts.domain = sites.site OR hosts.domain LIKE '%.' || sites.site) AS l
  ON l.url = r.url
GROUP BY l.url, l.domain, l.kind
ORDER BY posts DESC, l.url
LIMIT ?"""
    plan = Plan(sql, [*params, *params, rules.cap(top)], ("tag_urls",), [t], f, scan=f.windowed)
    table, queries = engine_for(store, engine).run(plan, rollup=rollup)
    table = table.cast(SCHEMA)
    rows = [{**r, "first_seen": rules.iso(r["first_seen"]), "last_seen": rules.iso(r["last_seen"])} for r in table.to_pylist()]
    data = {"hashtag": t, "petitions": rows, **f.describe()}
    rule = rules.RULE + " A petition's posts are the posts linking its URL; URL shorteners other than a site's own are not expanded."
    return Figure("petitions", table, data, queries, rule, {"filters": f.describe()})
