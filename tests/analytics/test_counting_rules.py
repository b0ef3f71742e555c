"""Hand-computed answers on the campaign of campaign.py, through the rollups and through a scan."""

from __future__ import annotations

import pytest

from tagscope.analytics import count, origin, trend


def test_count_reposts_replies_case_deletes_duplicates(camp, rollup, engine):
    # 1, 2 (tag twice, duplicated across files), 3 (repost of 1), 5 (fullwidth reply), 6, 7, 11.
    # Not 4 (quote without the tag in its own text), not 8 (deleted).
    assert count(camp, "yesallwomen", rollup=rollup, engine=engine).data["count"] == 7
    assert count(camp, "#YesAllWomen", rollup=rollup, engine=engine).data["count"] == 7
    assert count(camp, "＃ＹｅｓＡｌｌＷｏｍｅｎ", rollup=rollup, engine=engine).data["count"] == 7
    assert count(camp, "yesallwomen", no_reposts=True, rollup=rollup, engine=engine).data["count"] == 6
    assert count(camp, "yesallwomen", rollup=rollup, engine=engine).data["reposts"] == 1


def test_count_half_open_windows(camp, rollup, engine):
    c = lambda **kw: count(camp, "yesallwomen", rollup=rollup, engine=engine, **kw).data["count"]  # noqa: E731
    assert c(since="2014-05-25") == 2  # 7 and 11
    assert c(until="2014-05-25") == 5  # bare date = midnight, excluded
    assert c(since="2014-05-24T10:05", until="2014-05-24T10:30") == 1  # 2 only: until is excluded
    assert c(since="2014-05-24T10:05:00Z", until="2014-05-24T10:30:00.000001") == 2  # off-minute edge
    assert c(since="2014-05-24T10:00:30") == 6  # off the minute: scans, drops 1
    assert c(since="2014-05-24T12:00:00+02:00") == 7  # offsets honoured: 10:00 UTC


def test_count_time_zone_bare_dates(camp, rollup, engine):
    # Midnight of 25 May in Tokyo is 24 May 15:00 UTC: 6 (23:30 UTC), 7 and 11.
    assert count(camp, "yesallwomen", since="2014-05-25", tz="Asia/Tokyo", rollup=rollup, engine=engine).data["count"] == 3


def test_count_platform_and_unknown_tag(camp, rollup, engine):
    assert count(camp, "yesallwomen", platform="twitter", rollup=rollup, engine=engine).data["count"] == 7
    assert count(camp, "yesallwomen", platform="bluesky", rollup=rollup, engine=engine).data["count"] == 0
    assert count(camp, "nosuchtag", rollup=rollup, engine=engine).data["count"] == 0


def test_count_rejects_empty_tag_and_bad_zone(camp):
    with pytest.raises(ValueError, match="hashtag"):
        count(camp, "#")
    with pytest.raises(ValueError, match="IANA"):
        count(camp, "yesallwomen", tz="Mars/Olympus")
    with pytest.raises(ValueError, match="ISO 8601"):
        count(camp, "yesallwomen", since="yesterday")


def _series(fig, tag):
    return [(s["bucket"], s["count"]) for s in fig.data["series"] if s["hashtag"] == tag]


def test_trend_days_with_empty_bucket_and_comparison(camp, rollup, engine):
    fig = trend(camp, ["yesallwomen", "#NotAllMen"], every="day", rollup=rollup, engine=engine)
    assert _series(fig, "yesallwomen") == [
        ("2014-05-24T00:00:00Z", 5), ("2014-05-25T00:00:00Z", 0), ("2014-05-26T00:00:00Z", 2)]
    assert _series(fig, "notallmen") == [
        ("2014-05-24T00:00:00Z", 1), ("2014-05-25T00:00:00Z", 0), ("2014-05-26T00:00:00Z", 0)]


def test_trend_tokyo_days(camp, rollup, engine):
    fig = trend(camp, "yesallwomen", every="day", tz="Asia/Tokyo", rollup=rollup, engine=engine)
    # Local days start at 15:00 UTC; 6 (23:30 UTC on the 24th) is on the 25th in Tokyo.
    assert _series(fig, "yesallwomen") == [
        ("2014-05-23T15:00:00Z", 4), ("2014-05-24T15:00:00Z", 1), ("2014-05-25T15:00:00Z", 2)]


def test_trend_window_gives_every_bucket_and_cumulative(camp, rollup, engine):
    fig = trend(camp, "yesallwomen", every="day", since="2014-05-23", until="2014-05-28", cumulative=True, rollup=rollup, engine=engine)
    assert _series(fig, "yesallwomen") == [
        ("2014-05-23T00:00:00Z", 0), ("2014-05-24T00:00:00Z", 5), ("2014-05-25T00:00:00Z", 5),
        ("2014-05-26T00:00:00Z", 7), ("2014-05-27T00:00:00Z", 7)]


def test_trend_hours_and_weeks(camp, rollup, engine):
    hours = dict(_series(trend(camp, "yesallwomen", every="hour", until="2014-05-25", rollup=rollup, engine=engine), "yesallwomen"))
    assert len(hours) == 14  # 10:00 .. 23:00 on the 24th
    assert hours["2014-05-24T10:00:00Z"] == 3 and hours["2014-05-24T11:00:00Z"] == 1 and hours["2014-05-24T12:00:00Z"] == 0
    weeks = _series(trend(camp, "yesallwomen", every="week", rollup=rollup, engine=engine), "yesallwomen")
    assert weeks == [("2014-05-19T00:00:00Z", 5), ("2014-05-26T00:00:00Z", 2)]  # weeks start on Monday


def test_origin(camp, rollup, engine):
    first = origin(camp, "YesAllWomen", first=3, rollup=rollup, engine=engine).data["first"]
    assert [(r["post_id"], r["author"], r["created_at"]) for r in first] == [
        ("1", "alice", "2014-05-24T10:00:00Z"), ("2", "bob", "2014-05-24T10:05:00Z"), ("3", "carol", "2014-05-24T10:30:00Z")]
    assert [r["post_id"] for r in origin(camp, "yesallwomen", first=3, no_reposts=True, rollup=rollup, engine=engine).data["first"]] == ["1", "2", "5"]
    assert "may not hold the true first use" in origin(camp, "yesallwomen").data["caveat"]


def test_origin_beyond_the_rollup_scans(camp, engine):
    fig = origin(camp, "yesallwomen", first=500, engine=engine)
    assert [r["post_id"] for r in fig.data["first"]] == ["1", "2", "3", "5", "6", "7", "11"]
    assert "FROM posts" in fig.explain()
