"""The Spark engine beyond the analytics suite: its SQL rewrites (no JVM), its clear failures, the
environment choosing it, a store read by URI, and the classifiers' batch labelling through it.

The analytics themselves run on Spark in tests/analytics (parametrised by engine)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from sparkcheck import needs_spark
from tagscope import analytics as an
from tagscope import engines
from tagscope.engines import spark_session
from tagscope.engines.spark_sql import named, to_spark
from tagscope.store import Store
from tweetfactory import delete_notice, tweet, write_jsonl


# -- the dialect tweaks (SQLGlot only) --------------------------------------------------------
def test_timezone_goes_both_ways_by_the_argument_type():
    sql = to_spark("SELECT timezone(?, timezone('UTC', created_at)) AS wall, "
                   "timezone('UTC', timezone(?, date_trunc('day', w) - INTERVAL 6 HOUR) + INTERVAL 6 HOUR) AS utc FROM posts")
    assert "FROM_UTC_TIMESTAMP(created_at, :p0)" in sql
    assert "TO_UTC_TIMESTAMP(DATE_TRUNC('DAY', w) - INTERVAL '6' HOUR, :p1) + INTERVAL '6' HOUR AS utc" in sql
    assert "TIMEZONE(" not in sql.upper().replace("_TIMESTAMP(", "")


def test_parameters_keep_their_duckdb_order_after_a_rewrite():
    sql = to_spark("SELECT '?' AS q, timezone(?, timezone(?, x) + INTERVAL 6 HOUR) FROM t WHERE a = ? LIMIT ?")
    assert sql.startswith("SELECT '?' AS q, FROM_UTC_TIMESTAMP(TO_UTC_TIMESTAMP(x, :p1) + INTERVAL '6' HOUR, :p0)")
    assert sql.endswith("WHERE a = :p2 LIMIT :p3")
    assert named(["a", "b"]) == {"p0": "a", "p1": "b"}


def test_lists_arg_max_and_casts():
    sql = to_spark("SELECT list_has_any(h, ?) AS a, list_intersect(h, ?) AS b, arg_max(x, y) AS c, "
                   "CAST(t AS TIMESTAMP) AS d FROM p")
    assert "ARRAYS_OVERLAP(h, :p0)" in sql and "ARRAY_INTERSECT(h, :p1)" in sql
    assert "MAX_BY(x, CASE WHEN NOT x IS NULL THEN y END)" in sql  # DuckDB skips a NULL x
    assert "CAST(t AS TIMESTAMP_LTZ)" in sql


# -- clear failures ---------------------------------------------------------------------------
def test_missing_pyspark_is_one_line(monkeypatch):
    monkeypatch.setattr(spark_session, "_root", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(ModuleNotFoundError, match=r"^The spark engine needs pyspark: pip install 'tagscope\[spark\]'$"):
        spark_session.session()


@needs_spark
def test_missing_java_is_one_line(monkeypatch):
    monkeypatch.setattr(spark_session, "_root", None)
    monkeypatch.setattr(spark_session.shutil, "which", lambda _: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.delenv(spark_session.MASTER_ENV, raising=False)
    with pytest.raises(RuntimeError, match=r"^The spark engine needs Java 17: apt-get install -y openjdk-17-jre-headless"):
        spark_session.session()


def test_master_from_configure_then_environment(monkeypatch):
    monkeypatch.setattr(spark_session, "_master", None)
    monkeypatch.delenv(spark_session.MASTER_ENV, raising=False)
    assert spark_session.master() == "local[*]"
    monkeypatch.setenv(spark_session.MASTER_ENV, "spark://h:7077")
    assert spark_session.master() == "spark://h:7077"
    spark_session.configure("sc://h:15002")
    assert spark_session.master() == "sc://h:15002"


# -- a store on Spark -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def store(tmp_path_factory):
    work = tmp_path_factory.mktemp("spark")
    recs = [tweet(str(i), f"post {i} #YesAllWomen", tags=["YesAllWomen", "NotAllMen" if i % 3 else "yesallwomen"],
                  created=f"Sat May 24 {10 + i % 5}:0{i % 10}:00 +0000 2014", user=f"u{i % 4}", followers=i * 10)
            for i in range(1, 21)]
    st = Store(work / "store")
    st.ingest([str(write_jsonl(work / "a.jsonl", recs))])
    st.ingest([str(write_jsonl(work / "b.jsonl", [delete_notice("3"), recs[0]]))])
    yield st
    st.close()


@needs_spark
def test_environment_chooses_spark_and_answers_as_duckdb(store, monkeypatch):
    monkeypatch.setenv(engines.ENV, "spark")
    fig = an.trend(store, ["yesallwomen", "notallmen"], every="day", tz="America/New_York")
    assert type(engines.engine_for(store)).__name__ == "SparkEngine"
    assert any("FROM_UTC_TIMESTAMP" in sql for sql, _ in fig.queries)  # local days: the timezone rewrite ran
    assert fig.data == an.trend(store, ["yesallwomen", "notallmen"], every="day", tz="America/New_York", engine="duckdb").data
    assert an.count(store, "yesallwomen").data["count"] == 19  # 20 posts, one deleted, one duplicate


@needs_spark
def test_a_store_read_by_uri(store):
    from tagscope.engines.spark_store import RemoteStore

    remote = RemoteStore(Path(store.path).resolve().as_uri())
    assert remote.generation == store.generation and len(remote.files("posts")) == len(store.files("posts"))
    for call in (lambda s, e: an.count(s, "yesallwomen", engine=e), lambda s, e: an.notables(s, "yesallwomen", engine=e)):
        assert call(remote, "spark").data == call(store, "duckdb").data


@needs_spark
def test_batch_labelling_reads_through_spark(tmp_path, monkeypatch):
    from tagscope.classify.run import classify

    texts = ["Women are too stupid to vote #YesAllWomen", "Lovely weather today", "Not all men #NotAllMen"]
    f = write_jsonl(tmp_path / "a.jsonl", [tweet(str(i + 1), t) for i, t in enumerate(texts)])
    got = {}
    for name in ("duckdb", "spark"):
        st = Store(tmp_path / name)
        st.ingest([str(f)])
        monkeypatch.setenv(engines.ENV, name)
        summary = classify(st, "sexism", jobs=1, batch_size=2)  # two batches streamed
        assert summary.todo == {"sexism": 3} and summary.labelled == {"sexism": 3}
        rows = engines.engine_for(st).query("SELECT id, label FROM labels WHERE model = ?", ["sexism"], ("labels",))
        got[name] = sorted(map(tuple, (r.values() for r in rows.to_pylist())))
        assert classify(st, "sexism", jobs=1).todo == {"sexism": 0}  # the labels, read back by the engine
        st.close()
    assert got["spark"] == got["duckdb"] and len(got["spark"]) == 3


# -- ingest on Spark ----------------------------------------------------------------------------
@needs_spark
def test_spark_ingest_writes_a_store_duckdb_reads_alike(tmp_path):
    """The hand-made campaign (reposts, quotes, fullwidth and case variants, a delete, a duplicate
    across files) ingested by Spark and by `tagscope ingest`: DuckDB gives the same answers on both."""
    from tagscope.engines.spark_ingest import ingest

    spec = importlib.util.spec_from_file_location("_campaign", Path(__file__).resolve().parents[1] / "analytics" / "conftest.py")
    campaign = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(campaign)  # the analytics suite's campaign
    records = campaign.records

    first, second = records()
    a, b = write_jsonl(tmp_path / "first.jsonl", first), write_jsonl(tmp_path / "second.jsonl", second)
    local = Store(tmp_path / "local")
    local.ingest([str(a)])
    local.ingest([str(b)])
    counts = ingest(str(tmp_path / "spark"), [str(a), str(b)])
    assert counts["tombstones"] == 1 and counts["raw"] == len(first) + len(second) - 1  # the notice has no raw post
    sparked = Store(tmp_path / "spark")
    assert sparked.stats()["posts"] == local.stats()["posts"] == 10
    keep = ["platform", "id", "author_handle", "created_at", "hashtags_norm", "kind", "like_count", "repost_count"]
    assert sparked.sql(f"SELECT {', '.join(keep)} FROM posts ORDER BY id").to_pylist() == \
        local.sql(f"SELECT {', '.join(keep)} FROM posts ORDER BY id").to_pylist()
    for call in (lambda s: an.count(s, "yesallwomen", engine="duckdb"), lambda s: an.origin(s, "yesallwomen", engine="duckdb"),
                 lambda s: an.notables(s, "yesallwomen", engine="duckdb"), lambda s: an.trend(s, "yesallwomen", engine="spark")):
        assert call(sparked).data == call(local).data
    with pytest.raises(ValueError, match="is a store already"):
        ingest(str(tmp_path / "spark"), [str(a)])
    for st in (local, sparked):
        st.close()


def test_cli_without_java_says_so_in_one_line(store, monkeypatch):
    from typer.testing import CliRunner

    from tagscope.cli import app

    monkeypatch.setattr(spark_session, "_root", None)
    monkeypatch.setattr(spark_session.shutil, "which", lambda _: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.delenv(spark_session.MASTER_ENV, raising=False)
    monkeypatch.setattr(spark_session, "_master", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", type(sys)("pyspark.sql"))  # as if pyspark were installed
    sys.modules["pyspark.sql"].SparkSession = None
    got = CliRunner().invoke(app, ["count", "yesallwomen", "--store", str(store.path), "--engine", "spark",
                                   "--spark-master", "local[1]"])
    assert got.exit_code == 2
    assert " ".join(got.output.split()) == \
        "error: The spark engine needs Java 17: apt-get install -y openjdk-17-jre-headless (or set JAVA_HOME)"


@needs_spark
def test_spark_ingest_fills_pointer_reposts_as_the_store_does():
    """A repost naming its subject by id alone takes the subject's text and tags (store/reposts.py);
    one whose subject is absent stays a pointer."""
    import pyarrow as pa

    from tagscope.engines.spark_ingest import fill_pointers
    from tagscope.post import POST_SCHEMA

    def post(id_, **kw):
        return {**dict.fromkeys(POST_SCHEMA.names), "platform": "bluesky", "id": id_, **kw}

    rows = [post("s", kind="original", text="#YesAllWomen now", lang="en", hashtags=["YesAllWomen"],
                 hashtags_norm=["yesallwomen"], urls=[], domains=[]),
            post("r", kind="repost", repost_of_id="s", hashtags=[]),
            post("lost", kind="repost", repost_of_id="gone", hashtags=[], lang="de")]
    spark = spark_session.session()
    with spark_session.quiet():
        got = fill_pointers(spark.createDataFrame(pa.Table.from_pylist(rows, POST_SCHEMA))).toArrow()
    by_id = {r["id"]: r for r in got.to_pylist()}
    assert by_id["r"]["text"] == "#YesAllWomen now" and by_id["r"]["hashtags_norm"] == ["yesallwomen"]
    assert by_id["r"]["lang"] == "en" and by_id["r"]["kind"] == "repost"
    assert by_id["lost"]["text"] is None and by_id["lost"]["hashtags"] == [] and by_id["lost"]["lang"] == "de"
