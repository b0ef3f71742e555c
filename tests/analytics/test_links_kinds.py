"""links groups petition and fundraising sites as a kind (petitions' site list), keeping its old keys."""

from __future__ import annotations

import orjson
from typer.testing import CliRunner

from analytics.test_petitions import TAG, WINDOW, store  # noqa: F401  (shared fixture)
from tagscope.analytics import links
from tagscope.cli import app

runner = CliRunner()


def test_kinds_count_posts_once_per_kind(store):  # noqa: F811
    d = links(store, TAG, **WINDOW).data
    assert set(d) >= {"hashtag", "urls", "domains", "kinds"}
    # posts 1, 2 (change.org twice and avaaz: once), 3 (a repost of 1), 4 (38degrees): petitions;
    # 4 also links gofundme; 5's look-alike host and shortener are no kind; 6 is outside the window.
    assert d["kinds"] == [
        {"kind": "petition", "count": 4, "domains": ["change.org", "secure.avaaz.org", "you.38degrees.org.uk"]},
        {"kind": "fundraiser", "count": 1, "domains": ["gofundme.com"]},
    ]
    assert all(set(r) == {"domain", "count"} for r in d["domains"])  # the old rows keep their keys
    kinds = {r["kind"]: r for r in links(store, TAG, **WINDOW).table.to_pylist()}
    assert kinds["petition"]["count"] == 4 and kinds["fundraiser"]["link"] == "gofundme.com"
    assert links(store, TAG, no_reposts=True, **WINDOW).data["kinds"][0]["count"] == 3


def test_cli_json_has_kinds(store):  # noqa: F811
    res = runner.invoke(app, ["links", TAG, "--json", "--since", WINDOW["since"], "--until", WINDOW["until"],
                              "--store", str(store.path)])
    assert res.exit_code == 0, res.output
    assert [k["kind"] for k in orjson.loads(res.stdout)["kinds"]] == ["petition", "fundraiser"]
