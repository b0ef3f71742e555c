"""`--store URI` on the command line: the analytics commands read a store by URI with --engine spark
(read-only, through Hadoop's file systems); DuckDB and the commands that write say so in one line.

The URI tested is file:// (the Hadoop file system that runs offline); s3a:// and hdfs:// go through
the same code, only the file system differs."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from sparkcheck import needs_spark
from tagscope.classify import labels as label_store
from tagscope.cli import app
from tagscope.cli.options import StoreUri, store_path
from tagscope.store import Store
from tweetfactory import tweet, write_jsonl

runner = CliRunner()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    work = tmp_path_factory.mktemp("uri")
    recs = [tweet(str(i), f"post {i} #YesAllWomen", tags=["YesAllWomen", "NotAllMen" if i % 3 else "yesallwomen"],
                  created=f"Sat May 24 {10 + i % 5}:0{i % 10}:00 +0000 2014", user=f"u{i % 4}", followers=i * 10)
            for i in range(1, 13)]
    st = Store(work / "store")
    st.ingest([str(write_jsonl(work / "a.jsonl", recs))])
    ids = [str(i) for i in range(1, 13)]
    label_store.write(st, "stance", "v1", ["twitter"] * 12, ids, ["against" if i % 2 else "favor" for i in range(12)], [0.9] * 12)
    label_store.write(st, "sexism", "v1", ["twitter"] * 12, ids, ["sexist" if i % 3 else "not sexist" for i in range(12)], [0.8] * 12)
    yield st
    st.close()


def _one_line(got, exit_code: int = 2) -> str:
    assert got.exit_code == exit_code, got.output
    text = " ".join(got.output.split())
    assert text.startswith("error: ") and got.output.strip().count("error:") == 1
    return text


def test_store_option_keeps_a_uri_whole():
    assert store_path("s3a://bucket/stores/x") == "s3a://bucket/stores/x"
    assert isinstance(store_path("hdfs://nn:8020/x"), StoreUri) and isinstance(store_path("file:///tmp/x"), StoreUri)
    assert store_path("relative/store") == Path("relative/store") and not isinstance(store_path("/a/b"), StoreUri)


def test_a_uri_with_duckdb_is_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TAGSCOPE_ENGINE", raising=False)
    got = runner.invoke(app, ["count", "yesallwomen", "--store", "s3a://bucket/store"])
    assert _one_line(got) == ("error: --store s3a://bucket/store is a URI: DuckDB reads a local store folder; "
                              "read the URI with --engine spark, or copy the store to a local folder.")
    assert not any(tmp_path.iterdir())  # no folder "s3a:" made on the way


@pytest.mark.parametrize("command", [["ingest", "x.jsonl"], ["classify"], ["forget", "--author", "u1"], ["stats"],
                                     ["search", "women"]])
def test_a_uri_with_a_command_that_is_not_an_analytic_is_one_line(command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    got = runner.invoke(app, [*command, "--store", "hdfs://nn/stores/x"], env={"TAGSCOPE_ENGINE": "spark"})
    assert _one_line(got).startswith("error: --store hdfs://nn/stores/x is a URI: this command needs a local store "
                                     "folder; only the analytics commands read a store by URI, with --engine spark")
    assert not any(tmp_path.iterdir())


def test_an_analytic_on_no_engine_ignores_the_engine_and_reads_local_stores_only(store, tmp_path):
    """gaps reads the coverage files: $TAGSCOPE_ENGINE=spark does not break it, and a URI is one line."""
    want = _json(["gaps", "--store", str(store.path)])
    assert _json(["gaps", "--store", str(store.path)], TAGSCOPE_ENGINE="spark") == want
    got = runner.invoke(app, ["gaps", "--store", "s3a://bucket/store", "--engine", "spark"])
    assert _one_line(got) == "error: gaps reads the store's folder, on no engine: give --store a local path, not s3a://bucket/store."


def _json(args: list[str], **env: str) -> dict:
    got = runner.invoke(app, [*args, "--json"], env=env or None)
    assert got.exit_code == 0, got.output
    return orjson.loads(got.stdout)


@needs_spark
def test_analytics_read_a_file_uri_store_on_spark(store):
    uri = Path(store.path).resolve().as_uri()
    assert uri.startswith("file:///")
    for args in (["count", "yesallwomen"], ["trend", "yesallwomen", "notallmen", "--every", "hour", "--tz", "Asia/Kolkata"],
                 ["notables", "yesallwomen"], ["backlash", "yesallwomen"], ["count", "yesallwomen", "--where", "stance=against"]):
        local = _json([*args, "--store", str(store.path), "--engine", "duckdb"])
        assert _json([*args, "--store", uri, "--engine", "spark"]) == local, args
    # the store and the engine from the environment, as --store and --engine
    assert _json(["count", "notallmen"], TAGSCOPE_STORE=uri, TAGSCOPE_ENGINE="spark") == \
        _json(["count", "notallmen", "--store", str(store.path)])


@needs_spark
def test_no_store_at_a_uri_is_one_line(tmp_path):
    got = runner.invoke(app, ["count", "yesallwomen", "--store", (tmp_path / "nothing").as_uri(), "--engine", "spark"])
    assert _one_line(got).startswith(f"error: no store at {(tmp_path / 'nothing').as_uri()}: it has no manifest.json")


@needs_spark
def test_count_query_reads_a_file_uri_store_on_spark(store):
    """count-query by URI scans on Spark and gives the index's counts on the local folder, bucket for bucket."""
    uri = Path(store.path).resolve().as_uri()
    args = ["count-query", "#yesallwomen", '"not all men"', "--every", "day"]
    local = _json([*args, "--store", str(store.path)])
    remote = _json([*args, "--store", uri, "--engine", "spark"])
    assert remote["series"] == local["series"] and remote["series"]
    got = runner.invoke(app, [*args, "--store", uri, "--engine", "index"])
    assert "is a URI" in _one_line(got)
