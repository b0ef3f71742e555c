"""Local buckets whose start is repeated or skipped by a clock change at that very moment.

A bucket starts at the earliest UTC instant whose local time is in it (day and week buckets; an hour
bucket in the repeated hour of a fall-back night is the post's own pass of that hour, two buckets).
America/Havana changes at midnight (2014-11-02: 01:00 back to 00:00, so midnight happens twice;
2014-03-09: 00:00 jumps to 01:00), Australia/Lord_Howe by half an hour, America/Sao_Paulo at
midnight until 2019. The SQL of trend, the Python of count-query and pandas must agree.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pandas as pd
import pytest

from tagscope import analytics as an
from tagscope.analytics import buckets
from tagscope.search.engine import count_query
from tagscope.store import Store
from tweetfactory import tweet, write_jsonl

ZONES = ["America/Havana", "Australia/Lord_Howe", "America/Los_Angeles", "Europe/London", "Asia/Kathmandu",
         "America/Sao_Paulo", "UTC"]


def _local(u: datetime, tz: ZoneInfo) -> datetime:
    return u.replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None)


def first_instant(wall: datetime, tz: ZoneInfo) -> datetime:
    """zoneinfo reference: the earliest UTC instant whose local time is WALL or later (just after)."""
    cands = [wall.replace(tzinfo=tz, fold=f).astimezone(UTC).replace(tzinfo=None) for f in (0, 1)]
    real = [c for c in cands if _local(c, tz) == wall]
    if real:
        return min(real)
    u = min(cands)  # WALL is skipped: the first minute at which the clocks are past it
    while _local(u, tz) < wall:
        u += timedelta(minutes=1)
    return u


def pandas_start(utc: pd.DatetimeIndex, unit: str, zone: str) -> np.ndarray:
    """pandas reference: local wall floor, localized back (day/week: the earliest instant; hour: the
    post's own pass)."""
    local = utc.tz_localize("UTC").tz_convert(zone)
    wall = local.tz_localize(None)
    if unit == "hour":
        b, amb = wall.floor("h"), np.array([bool(t.dst()) for t in local])
    else:
        b = wall.normalize()
        if unit == "week":
            b = b - pd.to_timedelta(b.day_of_week, unit="D")
        amb = np.ones(len(b), dtype=bool)
    start = b.tz_localize(zone, ambiguous=amb, nonexistent="NaT").tz_convert("UTC").tz_localize(None)
    # A skipped start: the moment clocks jump past it. (pandas' nonexistent="shift_forward" moves
    # Lord Howe's half-hour gap on by a whole hour, to 03:00, so zoneinfo says when that moment is.)
    gaps = start.isna()
    out = start.to_numpy().astype("datetime64[ns]")
    out[gaps] = [np.datetime64(first_instant(w.to_pydatetime(), ZoneInfo(zone)), "ns") for w in b[gaps]]
    return out


def sql_start(times: list[datetime] | np.ndarray, unit: str, tz: ZoneInfo | None) -> np.ndarray:
    expr, params = buckets.sql("t", unit, tz)
    con = duckdb.connect()
    con.register("x", pd.DataFrame({"t": pd.Series(times, dtype="datetime64[us]")}))
    return con.execute(f"SELECT {expr} AS b FROM x", params).df()["b"].to_numpy().astype("datetime64[ns]")


def _transitions(tz: ZoneInfo, years=range(2010, 2021)) -> list[datetime]:
    """UTC instants (to the hour) just before each offset change in YEARS."""
    out, t = [], datetime(years[0], 1, 1)
    prev = t.replace(tzinfo=UTC).astimezone(tz).utcoffset()
    while t.year <= years[-1]:
        off = t.replace(tzinfo=UTC).astimezone(tz).utcoffset()
        if off != prev:
            out.append(t - timedelta(hours=1))
        prev, t = off, t + timedelta(hours=1)
    return out


@pytest.mark.parametrize("zone", ZONES)
def test_every_day_2010_2020_starts_at_its_first_instant(zone):
    tz = None if zone == "UTC" else ZoneInfo(zone)
    z = tz or ZoneInfo("UTC")
    days = [datetime(2010, 1, 1) + timedelta(days=i) for i in range((datetime(2021, 1, 1) - datetime(2010, 1, 1)).days)]
    starts = [first_instant(d, z) for d in days]
    assert starts == sorted(starts)
    # Posts every 15 minutes (every change of offset is on that grid), all of 2010-2020.
    grid = np.arange(np.datetime64(starts[0]), np.datetime64(starts[-1]), np.timedelta64(15, "m"))
    got = sql_start(grid, "day", tz)
    # Which local day each post is in, and that day's start by the zoneinfo reference.
    idx = np.searchsorted(np.array(starts, dtype="datetime64[ns]"), grid.astype("datetime64[ns]"), side="right") - 1
    want = np.array(starts, dtype="datetime64[ns]")[idx]
    bad = np.nonzero(got != want)[0]
    assert not len(bad), [(str(grid[i]), str(got[i]), str(want[i])) for i in bad[:5]]
    assert (got <= grid).all()
    assert (got == pandas_start(pd.DatetimeIndex(grid), "day", zone if tz else "UTC")).all()


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("unit", ["hour", "day", "week"])
def test_sql_python_and_pandas_agree_around_every_change(zone, unit):
    tz = None if zone == "UTC" else ZoneInfo(zone)
    marks = _transitions(tz) if tz else [datetime(2014, 11, 2)]
    grid = sorted({m + timedelta(minutes=15 * k) for m in marks for k in range(-8 * 4, 8 * 4)})
    got = sql_start(grid, unit, tz)
    py = np.array([buckets.trunc(t, unit, tz) for t in grid], dtype="datetime64[ns]")
    assert (got == py).all(), [(str(t), str(g), str(p)) for t, g, p in zip(grid, got, py, strict=True) if g != p][:5]
    assert (got == pandas_start(pd.DatetimeIndex(grid), unit, zone)).all()
    # Each post is in a bucket that starts at or before it, and the next bucket starts after it.
    g = np.array(grid, dtype="datetime64[ns]")
    assert (got <= g).all()
    for i in range(1, len(g)):
        if g[i] - g[i - 1] == np.timedelta64(15, "m") and got[i] != got[i - 1]:
            assert got[i] > g[i - 1] and got[i] == g[i]  # a new bucket starts at its first post


# Posts every 20 minutes around four changes (UTC): Havana's repeated midnight (2014-11-02 05:00,
# local 01:00 CDT back to 00:00 CST) and skipped midnight (2014-03-09 05:00), Lord Howe's half-hour
# fall-back (2014-04-05 15:00, 02:00 back to 01:30) and spring-forward (2014-10-04 15:30, 02:00 to 02:30).
AROUND = {
    "America/Havana": [datetime(2014, 11, 2, 5), datetime(2014, 3, 9, 5)],
    "Australia/Lord_Howe": [datetime(2014, 4, 5, 15), datetime(2014, 10, 4, 15, 30)],
}


def _posts(zone):
    return [t + timedelta(minutes=20 * k) for t in AROUND[zone] for k in range(-15, 15)]


@pytest.fixture(scope="module")
def dst_store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dst")
    times = sorted({t for z in AROUND for t in _posts(z)})
    recs = [tweet(str(i + 1), "#dst", created=t.strftime("%a %b %d %H:%M:%S +0000 %Y"), tags=["dst"])
            for i, t in enumerate(times)]
    st = Store(tmp / "s")
    st.ingest([str(write_jsonl(tmp / "a.jsonl", recs))])
    yield st, times
    st.close()


@pytest.mark.parametrize("zone", list(AROUND))
@pytest.mark.parametrize("unit", ["hour", "day", "week"])
def test_trend_and_count_query_bucket_like_pandas(dst_store, zone, unit, engine):
    st, times = dst_store
    ref = Counter(pd.Timestamp(b).to_pydatetime() for b in pandas_start(pd.DatetimeIndex(times), unit, zone))
    want = {b.strftime("%Y-%m-%dT%H:%M:%SZ"): n for b, n in ref.items()}
    for rollup in (True, False):
        got = {r["bucket"]: r["count"] for r in an.trend(st, "dst", every=unit, tz=zone, rollup=rollup, engine=engine).data["series"]}
        assert {b: n for b, n in got.items() if n} == want, (rollup, got)
    cq = {r["bucket"]: r["count"] for r in count_query(st, "#dst", every=unit, tz=zone).data["series"]}
    assert {b: n for b, n in cq.items() if n} == want


def test_havana_repeated_midnight_is_one_day_from_its_first_instant(dst_store, engine):
    st, _ = dst_store
    series = an.trend(st, "dst", every="day", tz="America/Havana", since="2014-11-01", until="2014-11-04", engine=engine).data["series"]
    # 2014-11-02 local starts at 00:00 CDT = 04:00Z (not at the second midnight, 05:00Z), 25 hours long.
    assert [r["bucket"] for r in series] == ["2014-11-01T04:00:00Z", "2014-11-02T04:00:00Z", "2014-11-03T05:00:00Z"]
    # Posts 00:00Z-09:40Z: twelve before 04:00Z (Nov 1 local), eighteen on Nov 2 (in both midnights).
    assert [r["count"] for r in series] == [12, 18, 0]
