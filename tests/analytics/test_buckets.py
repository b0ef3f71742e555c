"""Time buckets: the SQL expression and its Python twin agree, across daylight-saving changes."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pytest

from tagscope.analytics import buckets, rules


@pytest.mark.parametrize("zone", [None, "Asia/Tokyo", "America/New_York", "Asia/Kathmandu", "Europe/London"])
@pytest.mark.parametrize("unit", buckets.UNITS)
def test_sql_and_python_buckets_agree(zone, unit):
    tz = ZoneInfo(zone) if zone else None
    # Every 37 minutes through the US fall-back night and the UK spring-forward night.
    times = [datetime(2014, 11, 1, 20) + timedelta(minutes=37 * i) for i in range(120)]
    times += [datetime(2014, 3, 29, 22) + timedelta(minutes=37 * i) for i in range(120)]
    expr, params = buckets.sql("t", unit, tz)
    con = duckdb.connect()
    sql = f"SELECT {expr} FROM (SELECT unnest(CAST(? AS TIMESTAMP[])) AS t) AS x ORDER BY t"
    got = [r[0] for r in con.execute(sql, [*params, times]).fetchall()]
    assert got == [buckets.trunc(t, unit, tz) for t in sorted(times)]


def test_local_days_are_23_24_or_25_hours():
    ny = ZoneInfo("America/New_York")
    days = buckets.axis(datetime(2014, 11, 1, 12), datetime(2014, 11, 4, 12), "day", ny, inclusive=True)
    assert days == [datetime(2014, 11, 1, 4), datetime(2014, 11, 2, 4), datetime(2014, 11, 3, 5), datetime(2014, 11, 4, 5)]
    assert days[2] - days[1] == timedelta(hours=25)


def test_bare_dates_are_midnight_in_the_zone():
    assert rules.parse_time("2014-05-25", rules.zone("Asia/Tokyo")) == datetime(2014, 5, 24, 15)
    assert rules.parse_time("2014-05-25") == datetime(2014, 5, 25)
    assert rules.parse_time("2014-05-25T03:00:00+03:00", rules.zone("Asia/Tokyo")) == datetime(2014, 5, 25)
    assert rules.zone("UTC") is None


def test_hour_rollup_only_where_local_time_is_whole_hours():
    assert rules.whole_hours(None) and rules.whole_hours(ZoneInfo("Asia/Tokyo")) and rules.whole_hours(ZoneInfo("America/New_York"))
    assert not rules.whole_hours(ZoneInfo("Asia/Kolkata"))
    f = rules.Filters.of(since="2014-05-24T10:00")
    assert rules.time_relation(f) == ("tag_hours", "hour")
    assert rules.time_relation(f, "minute") == ("tag_minutes", "minute")
    assert rules.time_relation(f, "day", ZoneInfo("Asia/Kolkata")) == ("tag_minutes", "minute")
    assert rules.time_relation(rules.Filters.of(since="2014-05-24T10:30")) == ("tag_minutes", "minute")
