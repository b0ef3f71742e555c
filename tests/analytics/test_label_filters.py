"""count --where and trend --by: classifier labels as filters and groups, hand-computed."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from tagscope.analytics import count, trend
from tagscope.classify import labels
from tagscope.cli import app
from tagscope.store import Store
from tweetfactory import tweet, write_jsonl

DAY1 = "Sat May 24 10:00:00 +0000 2014"
DAY2 = "Sun May 25 10:00:00 +0000 2014"


def _store(tmp_path: Path) -> Store:
    orig = tweet("1", "#YesAllWomen story", tags=["YesAllWomen"], created=DAY1)
    posts = [
        orig,
        tweet("2", "#yesallwomen no", user="bob", tags=["yesallwomen"], created=DAY1),
        tweet("3", "#YESALLWOMEN meh", user="cat", tags=["YESALLWOMEN"], created=DAY2),
        tweet("4", user="dan", created=DAY2, retweet_of=orig),
        tweet("5", "#other", user="eve", tags=["other"], created=DAY2),
    ]
    st = Store(tmp_path / "store")
    st.ingest([str(write_jsonl(tmp_path / "a.jsonl", posts))])
    # Post 4 (a repost) stays unlabelled.
    labels.write(st, "stance", "test-1", ["twitter"] * 4, ["1", "2", "3", "5"],
                 ["favor", "against", "against", "against"], [0.9, 0.8, 0.7, 0.6])
    return st


def test_count_where(tmp_path: Path, engine: str) -> None:
    # Label filters always scan posts joined to the engine's labels: one path per engine.
    st = _store(tmp_path)
    assert count(st, "yesallwomen", engine=engine).data["count"] == 4
    assert count(st, "yesallwomen", where="stance=against", engine=engine).data["count"] == 2
    assert count(st, "yesallwomen", where="stance=favor", engine=engine).data["count"] == 1
    assert count(st, "yesallwomen", where="stance!=against", engine=engine).data["count"] == 2  # post 1 and the unlabelled repost
    assert count(st, "yesallwomen", where="stance=against", since="2014-05-25", engine=engine).data["count"] == 1


def test_trend_by_and_where(tmp_path: Path, engine: str) -> None:
    st = _store(tmp_path)
    fig = trend(st, "yesallwomen", every="day", by="stance", engine=engine)
    got = {(s["label"], s["bucket"][:10]): s["count"] for s in fig.data["series"]}
    assert got == {
        ("against", "2014-05-24"): 1, ("against", "2014-05-25"): 1,
        ("favor", "2014-05-24"): 1, ("favor", "2014-05-25"): 0,
        ("unlabelled", "2014-05-24"): 0, ("unlabelled", "2014-05-25"): 1,
    }
    # The groups add up to the unfiltered trend.
    plain = {s["bucket"]: s["count"] for s in trend(st, "yesallwomen", every="day", engine=engine).data["series"]}
    assert plain == {"2014-05-24T00:00:00Z": 2, "2014-05-25T00:00:00Z": 2}
    fig = trend(st, "yesallwomen", every="day", where="stance=against", cumulative=True, engine=engine)
    assert [s["count"] for s in fig.data["series"]] == [1, 2]


def test_cli_where_and_by(tmp_path: Path) -> None:
    st = _store(tmp_path)
    res = CliRunner().invoke(app, ["count", "#YesAllWomen", "--where", "stance=against", "--store", str(st.path), "--json"])
    assert res.exit_code == 0, res.output
    assert orjson.loads(res.stdout)["count"] == 2
    res = CliRunner().invoke(app, ["trend", "yesallwomen", "--by", "stance", "--store", str(st.path), "--json"])
    assert res.exit_code == 0, res.output
    assert {s["label"] for s in orjson.loads(res.stdout)["series"]} == {"against", "favor", "unlabelled"}
    res = CliRunner().invoke(app, ["count", "yesallwomen", "--where", "stance", "--store", str(st.path)])
    assert res.exit_code == 2
    assert "MODEL=LABEL" in res.output
