"""backlash and misogyny on a hand-made labelled store; every expected figure computed by hand."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from tagscope.analytics.backlash import backlash
from tagscope.analytics.misogyny import misogyny
from tagscope.classify import labels as label_store
from tagscope.classify.intervals import wilson
from tagscope.cli import app
from tagscope.engines import engine_for
from tagscope.store import Store
from tweetfactory import tweet, write_jsonl

DAY1 = "Sat May 24 10:00:00 +0000 2014"
DAY2 = "Sun May 25 18:30:00 +0000 2014"


@pytest.fixture
def stance_store(tmp_path: Path) -> Store:
    recs = [
        tweet("1", "a", tags=["YesAllWomen"], created=DAY1),
        tweet("2", "b", tags=["YesAllWomen"], created=DAY1),
        tweet("3", "c", tags=["YesAllWomen"], created=DAY1),
        tweet("4", "d", tags=["YesAllWomen"], created=DAY1),  # never labelled
        tweet("5", "e", tags=["NotAllMen"], created=DAY1),
        tweet("6", "f", tags=["YesAllWomen", "NotAllMen"], created=DAY2),
        tweet("7", "g", tags=["yesallwomen"], created=DAY2),
        tweet("8", "h", tags=["Other"], created=DAY2),  # out of scope
    ]
    st = Store(tmp_path / "store")
    st.ingest([str(write_jsonl(tmp_path / "a.jsonl", recs))])
    # An older version called post 7 'against'; the current version says 'none' and wins.
    label_store.write(st, "stance", "v1", ["twitter"], ["7"], ["against"], [0.6])
    label_store.write(st, "stance", "v2", ["twitter"] * 6, ["1", "2", "3", "5", "6", "7"],
                      ["favor", "against", "against", "against", "against", "none"], [0.9] * 6)
    return st


def test_backlash_shares_per_day(stance_store: Store) -> None:
    fig = backlash(stance_store, "#YesAllWomen", counter=["notallmen"], every="day")
    rows = fig.table.to_pylist()
    assert [r["bucket"] for r in rows] == [datetime(2014, 5, 24), datetime(2014, 5, 25)]
    d1, d2 = rows
    assert (d1["posts"], d1["labelled"], d1["unlabelled"], d1["against"], d1["favor"]) == (4, 3, 1, 2, 1)
    assert d1["against_share"] == pytest.approx(2 / 3)
    assert (d1["counter_posts"], d1["conversation"]) == (1, 5)
    assert d1["counter_share"] == pytest.approx(1 / 5)
    assert (d2["posts"], d2["labelled"], d2["against"]) == (2, 2, 1)
    assert d2["against_share"] == pytest.approx(1 / 2)
    assert (d2["counter_posts"], d2["conversation"]) == (1, 2)
    total = fig.data["total"]
    assert (total["posts"], total["labelled"], total["against"], total["counter_posts"], total["conversation"]) == (6, 5, 3, 2, 7)
    assert total["against_share"] == pytest.approx(0.6)
    assert (d1["against_low"], d1["against_high"]) == pytest.approx((0.2077, 0.9385), abs=1e-4)
    assert fig.queries and "labels" in fig.queries[0][0]
    assert fig.data["buckets"][0]["bucket"].startswith("2014-05-24")


def test_backlash_without_labels_says_what_to_run(tmp_path: Path) -> None:
    st = Store(tmp_path / "s")
    st.ingest([str(write_jsonl(tmp_path / "a.jsonl", [tweet("1", "x", tags=["YesAllWomen"])]))])
    fig = backlash(st, "yesallwomen")
    assert fig.data["total"]["labelled"] == 0
    assert fig.data["total"]["against_share"] is None
    assert "tagscope classify --models stance" in fig.meta["caveat"]


def test_wilson_known_values() -> None:
    assert wilson(0, 0) == (None, None)
    lo, hi = wilson(0, 10)
    assert lo == 0.0 and hi == pytest.approx(0.2775, abs=1e-4)
    lo, hi = wilson(5, 10)
    assert (lo, hi) == pytest.approx((0.2366, 0.7634), abs=1e-4)


@pytest.fixture
def sexism_store(tmp_path: Path) -> Store:
    recs = [
        tweet("a", "1", tags=["YesAllWomen"], followers=10, user="ann"),
        tweet("b", "2", tags=["YesAllWomen", "NotAllMen"], followers=50, user="bob"),
        tweet("c", "3", tags=["NotAllMen"], followers=500, user="cat"),
        tweet("d", "4", tags=["NotAllMen"], followers=500, user="cat"),
        tweet("e", "5", tags=[], followers=None, user="eve"),  # never labelled
    ]
    st = Store(tmp_path / "store")
    st.ingest([str(write_jsonl(tmp_path / "m.jsonl", recs))])
    label_store.write(st, "sexism", "v1", ["twitter"] * 4, ["a", "b", "c", "d"],
                      ["sexist", "not sexist", "sexist", "sexist"], [0.8] * 4)
    return st


def _groups(fig, dim: str) -> dict[str, tuple[int, int, int]]:
    return {r["group"]: (r["posts"], r["labelled"], r["positive"]) for r in fig.data["groups"][dim]}


def test_misogyny_rates_by_hashtag_community_and_author_group(sexism_store: Store) -> None:
    fig = misogyny(sexism_store)
    o = fig.data["overall"]
    assert (o["posts"], o["labelled"], o["positive"]) == (5, 4, 3)
    assert o["rate"] == pytest.approx(0.75)
    assert _groups(fig, "hashtag") == {"notallmen": (3, 3, 2), "yesallwomen": (2, 2, 1)}
    assert _groups(fig, "community") == {"(none)": (5, 4, 3)}
    assert _groups(fig, "author_group") == {"followers 0-99": (2, 2, 1), "followers 100-999": (2, 2, 2)}
    rate = {r["group"]: r for r in fig.data["groups"]["hashtag"]}["notallmen"]
    assert rate["rate"] == pytest.approx(2 / 3)
    assert (rate["low"], rate["high"]) == pytest.approx(wilson(2, 3))
    assert len(fig.queries) == 4


def test_misogyny_for_one_tag_and_min_posts(sexism_store: Store) -> None:
    fig = misogyny(sexism_store, tag="NOTALLMEN", min_posts=3)
    assert (fig.data["overall"]["posts"], fig.data["overall"]["positive"]) == (3, 2)
    assert _groups(fig, "hashtag") == {"notallmen": (3, 3, 2)}
    assert _groups(fig, "author_group") == {}


def test_misogyny_rejects_unknown_dimension(sexism_store: Store) -> None:
    with pytest.raises(ValueError, match="--by"):
        misogyny(sexism_store, by=["age"])


def test_cli_backlash_and_misogyny_json_and_explain(stance_store: Store, sexism_store: Store) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["backlash", "yesallwomen", "--counter", "notallmen", "--store", str(stance_store.path), "--json"])
    assert res.exit_code == 0, res.output
    assert orjson.loads(res.stdout)["total"]["against"] == 3
    res = runner.invoke(app, ["backlash", "yesallwomen", "--store", str(stance_store.path), "--explain"])
    assert res.exit_code == 0 and "LEFT JOIN labels" in res.stdout
    res = runner.invoke(app, ["misogyny", "--store", str(sexism_store.path), "--json"])
    assert res.exit_code == 0, res.output
    assert orjson.loads(res.stdout)["overall"]["positive"] == 3
    res = runner.invoke(app, ["backlash", "yesallwomen", "--every", "fortnight", "--store", str(stance_store.path)])
    assert res.exit_code == 2


def test_where_and_by_helpers_for_analytics_filters(stance_store: Store) -> None:
    eng = engine_for(stance_store)

    def ids(cond: str, params: list) -> list[str]:
        return eng.query(f"SELECT id FROM posts WHERE {cond} ORDER BY id", params, ("labels",)).column("id").to_pylist()

    assert ids(*label_store.where("stance=against")) == ["2", "3", "5", "6"]
    assert ids(*label_store.where("stance!=against")) == ["1", "4", "7", "8"]
    expr, params = label_store.by("stance")
    got = eng.query(f"SELECT {expr} AS s, count(*) AS n FROM posts GROUP BY s", params, ("labels",)).to_pylist()
    rows = {r["s"]: r["n"] for r in got}
    assert rows == {"against": 4, "favor": 1, "none": 1, "unlabelled": 2}
    with pytest.raises(ValueError, match="MODEL=LABEL"):
        label_store.where("stance")


def test_python_api_exports_backlash_and_misogyny_beside_count(stance_store: Store) -> None:
    """``from tagscope.analytics import backlash`` gave the module (count and trend were functions)."""
    import tagscope.analytics as api

    assert api.backlash is backlash and api.misogyny is misogyny
    fig = api.backlash(stance_store, "yesallwomen")
    assert fig.data["total"]["against"] == 3


def test_python_misogyny_rejects_a_misspelt_model_or_label(stance_store: Store) -> None:
    """The CLI and the API refused them; the function itself returned zeros."""
    with pytest.raises(ValueError, match="No model named 'nope'"):
        misogyny(stance_store, model="nope")
    with pytest.raises(ValueError, match="has no label 'sexy'"):
        misogyny(stance_store, positive="sexy")
