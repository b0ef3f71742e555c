"""/api/backlash and /api/misogyny take the options of `tagscope backlash/misogyny --json` and give the same objects."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest

from tagscope.analytics.backlash import backlash
from tagscope.analytics.misogyny import misogyny
from tweetfactory import labelled_store
from web.conftest import make_client


@pytest.fixture
def labelled(tmp_path: Path):
    st = labelled_store(tmp_path, 5, {"stance": ["favor", "against", "against", "against", "none"],
                                      "sexism": ["not sexist", "sexist", "sexist", "not sexist", "sexist"]})
    yield st
    st.close()


@pytest.fixture
def client(labelled):
    from tagscope.web.app import create_app

    with make_client(create_app(labelled.path)) as c:
        yield c


def _same(fig_data: dict) -> dict:
    return orjson.loads(orjson.dumps(fig_data, default=str, option=orjson.OPT_NON_STR_KEYS))


def test_backlash_api_takes_counter_tags_and_bucket(client, labelled) -> None:
    r = client.get("/api/backlash", params=[("tag", "#YesAllWomen"), ("counter", "NotAllMen"), ("every", "week")])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body == _same(backlash(labelled, "yesallwomen", counter=["notallmen"], every="week").data)
    assert body["counter"] == ["notallmen"] and body["every"] == "week"
    assert body["total"]["counter_posts"] == 2  # posts 3 and 4 use #notallmen


def test_misogyny_api_works_without_a_tag_and_with_another_model(client, labelled) -> None:
    r = client.get("/api/misogyny")
    assert r.status_code == 200, r.text
    assert r.json() == _same(misogyny(labelled).data)
    assert r.json()["overall"]["positive"] == 3
    r = client.get("/api/misogyny", params={"tag": "yesallwomen", "model": "stance", "positive": "against", "top": 1})
    assert r.status_code == 200, r.text
    assert r.json() == _same(misogyny(labelled, tag="yesallwomen", model="stance", positive="against", top=1).data)


@pytest.mark.parametrize(("url", "message"), [
    ("/api/misogyny?model=sexsim", "No model named 'sexsim'"),
    ("/api/misogyny?positive=misogynist", "choose one of not sexist, sexist"),
    ("/api/misogyny?min_posts=-1", "min_posts"),
    ("/api/backlash?tag=yesallwomen&counter=not%20all%20men", "is not a hashtag"),
    ("/api/backlash?tag=yesallwomen&every=fortnight", "choose one of minute, hour, day, week"),
])
def test_classifier_api_bad_options_are_400_with_the_choices(client, url, message) -> None:
    r = client.get(url)
    assert r.status_code == 400 and message in r.json()["error"]


def test_backlash_page_takes_counter_tags(client) -> None:
    r = client.get("/backlash", params={"tag": "yesallwomen", "counter": "#NotAllMen, yesallmen"})
    assert r.status_code == 200, r.text
    assert 'data-series="counter share"' in r.text
    assert 'name="counter" value="#NotAllMen, yesallmen"' in r.text  # the form keeps what was typed
    plain = client.get("/backlash", params={"tag": "yesallwomen"})
    assert plain.status_code == 200 and 'name="counter"' in plain.text
    assert 'data-series="counter share"' not in plain.text and 'data-series="against share"' in plain.text
    assert client.get("/backlash", params={"tag": "yesallwomen", "counter": "x" * 200}).status_code == 400


def test_misogyny_page_without_a_tag_rates_every_post(client) -> None:
    r = client.get("/misogyny")
    assert r.status_code == 200, r.text
    assert 'id="figure-misogyny"' in r.text and "all posts" in r.text
    assert re.search(r"<td>all posts</td><td class=\"num\">5</td><td class=\"num\">5</td><td class=\"num\">3</td>", r.text)
    assert "Type a hashtag" not in r.text
    assert "Type a hashtag" in client.get("/notables").text  # pages that need a tag still ask for one


def test_count_and_trend_api_take_label_filters_and_groups(client, labelled) -> None:
    from tagscope.analytics import count, trend

    r = client.get("/api/count", params=[("tag", "yesallwomen"), ("where", "stance=against"), ("where", "sexism=sexist")])
    assert r.status_code == 200, r.text
    assert r.json() == _same(count(labelled, "yesallwomen", where=["stance=against", "sexism=sexist"]).data)
    assert r.json()["count"] == 1  # post 2 (post 4 is against but not sexist)
    r = client.get("/api/trend", params={"tag": "yesallwomen", "by": "stance", "every": "day"})
    assert r.status_code == 200, r.text
    assert r.json() == _same(trend(labelled, "yesallwomen", by="stance", every="day").data)
    assert {s["label"] for s in r.json()["series"]} == {"favor", "against"}
    bad = client.get("/api/count", params={"tag": "yesallwomen", "where": "stance=againts"})
    assert bad.status_code == 400 and "choose one of none, against, favor" in bad.json()["error"]
    assert client.get("/api/trend", params={"tag": "yesallwomen", "by": "stanse"}).status_code == 400
