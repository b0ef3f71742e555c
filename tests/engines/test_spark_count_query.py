"""count-query on Spark (``engine="spark"``): the scan evaluator runs on the executors (mapInArrow)
and Spark sums per slot; the answers equal the index's, bucket for bucket, over the same store,
queries and filters as the DuckDB parity (tests/search/scandata.py).

One JVM for the whole test run (engines/spark_session.py's shared SparkContext, as test_spark.py and
tests/analytics use it); a dozen small Spark jobs, a few seconds each after the JVM's start."""

from __future__ import annotations

import orjson
import pytest

from search.scandata import FILTERS, QUERIES, build
from sparkcheck import HAVE_SPARK
from tagscope import engines
from tagscope.search import count_query

pytestmark = pytest.mark.skipif(not HAVE_SPARK, reason="spark engine: pyspark or Java 17 missing (CI installs both)")

# The filters Spark runs: each kind of bound, bucket, time zone and filter once (the DuckDB parity
# runs them all; these keep Spark's share of the suite to tens of seconds).
# Unfiltered weeks; local days; local hours in a half-hour zone and across a clock change; minutes
# with a fractional-second window; tag; author (folded); lang and kind; platform; no reposts.
SPARK_FILTERS = [FILTERS[i] for i in (0, 1, 2, 3, 4, 7, 9, 10, 12)] + [
    {"every": "week", "platform": "twitter", "no_reposts": True, "kind": "reply"},
]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    st = build(tmp_path_factory.mktemp("spark-scan"))
    yield st
    st.close()


@pytest.mark.parametrize("kw", SPARK_FILTERS, ids=lambda kw: "-".join(f"{k}={v}" for k, v in kw.items()))
def test_spark_scan_equals_the_index_bucket_for_bucket(sample, kw):
    index = count_query(sample, QUERIES, engine="index", **kw)
    spark = count_query(sample, QUERIES, engine="spark", **kw)
    assert spark.data == index.data
    assert spark.meta["engine"] == "spark" and "mapped" in spark.queries[-1][0]


def test_a_store_read_by_uri(sample):
    from pathlib import Path

    from tagscope.engines.spark_store import RemoteStore

    remote = RemoteStore(Path(sample.path).resolve().as_uri())
    kw = {"every": "week", "since": "2014-01-01", "until": "2015-01-01"}
    assert count_query(remote, QUERIES, engine="spark", **kw).data == count_query(sample, QUERIES, engine="index", **kw).data


def test_environment_chooses_spark_for_count_query(sample, monkeypatch):
    from typer.testing import CliRunner

    from tagscope.cli import app

    monkeypatch.setenv(engines.ENV, "spark")
    fig = count_query(sample, ["#yesallwomen", "gentleman"], every="day", tz="Asia/Kolkata", since="2014-05-24", until="2014-05-28")
    assert fig.meta["engine"] == "spark" and "created_at >= :p0 AND created_at < :p1" in fig.queries[0][0]  # Spark SQL
    assert fig.data == count_query(sample, ["#yesallwomen", "gentleman"], every="day", tz="Asia/Kolkata", since="2014-05-24",
                                   until="2014-05-28", engine="index").data
    res = CliRunner().invoke(app, ["count-query", "--store", str(sample.path), "#brexit", "--tag", "brexit", "--every", "week",
                                   "--json"])
    assert res.exit_code == 0, res.output
    monkeypatch.delenv(engines.ENV)
    assert orjson.loads(res.stdout) == count_query(sample, "#brexit", tag="brexit", every="week").to_json()
