"""A small hand-made campaign, ingested through the real path (dedup, deletes), with known answers.

UTC times (2014):
  1 alice  Sat 24 May 10:00  original  #YesAllWomen  5 likes             followers 100  bio "she/her"
  2 bob    Sat 24 May 10:05  original  #yesallwomen #YesAllWomen (twice)  followers 5000 bio "he/him"
  3 carol  Sat 24 May 10:30  repost of 1 (uses the tag through it)       followers 50   bio "they/them"
  4 dave   Sat 24 May 11:00  quote of 1, own text without the tag         (does not count)
  5 erin   Sat 24 May 11:10  reply, #ＹｅｓＡｌｌＷｏｍｅｎ (fullwidth)      followers 7    bio "she/they"
  6 frank  Sat 24 May 23:30  original  #YesAllWomen #NotAllMen, 3 retweets  (Sun 25 in Tokyo)  followers 20000
  7 gina   Mon 26 May 09:00  original  #YesAllWomen http://example.org/a, 40 likes  followers 300
  8 alice  Sat 24 May 12:00  #YesAllWomen, then deleted                   (does not count)
  9 henry  Mon 26 May 10:00  #everdaysexism                              (near miss)
 10 ivan   Mon 26 May 11:00  #EverydaySexism
 11 alice  Mon 26 May 12:00  #everydaysexism #YesAllWomen  http://www.example.org/b  followers 150
  2 again in a second file: a duplicate, counted once.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tagscope import engines
from tagscope.simulate import simulate
from tagscope.store import Store
from tweetfactory import delete_notice, tweet, write_jsonl

TAG = "yesallwomen"


def when(day: int, hm: str) -> str:
    wd = {24: "Sat", 25: "Sun", 26: "Mon"}[day]
    return f"{wd} May {day} {hm}:00 +0000 2014"


def _t(id_, user, day, hm, tags, followers=10, bio=None, urls=(), text=None, **extra):
    rec = tweet(id_, text or " ".join("#" + t for t in tags), user=user, created=when(day, hm), tags=tags, followers=followers, **extra)
    if bio is not None:
        rec["user"]["description"] = bio
    rec["entities"]["urls"] = [{"url": u, "expanded_url": u} for u in urls]
    return rec


def records() -> tuple[list, list]:
    t1 = _t("1", "alice", 24, "10:00", ["YesAllWomen"], 100, "writer, she/her", favorite_count=5)
    first = [
        t1,
        _t("2", "bob", 24, "10:05", ["yesallwomen", "YesAllWomen"], 5000, "Dad. he/him"),
        _t("3", "carol", 24, "10:30", [], 50, "(they/them)", retweet_of=t1),
        _t("4", "dave", 24, "11:00", [], 10, None, text="so true", is_quote_status=True, quoted_status_id_str="1",
           quoted_status=t1),
        _t("5", "erin", 24, "11:10", ["ＹｅｓＡｌｌＷｏｍｅｎ"], 7, "pronouns: she/they", in_reply_to_status_id_str="1",
           in_reply_to_user_id_str="u-alice"),
        _t("6", "frank", 24, "23:30", ["YesAllWomen", "NotAllMen"], 20000, "shelter volunteer", retweet_count=3),
        _t("8", "alice", 24, "12:00", ["YesAllWomen"], 100, "writer, she/her"),
    ]
    second = [
        _t("2", "bob", 24, "10:05", ["yesallwomen", "YesAllWomen"], 5000, "Dad. he/him"),
        _t("7", "gina", 26, "09:00", ["YesAllWomen"], 300, None, urls=["http://example.org/a"], favorite_count=40),
        delete_notice("8"),
        _t("9", "henry", 26, "10:00", ["everdaysexism"], 10),
        _t("10", "ivan", 26, "11:00", ["EverydaySexism"], 10),
        _t("11", "alice", 26, "12:00", ["everydaysexism", "YesAllWomen"], 150, "writer, she/her",
           urls=["http://www.example.org/b"]),
    ]
    return first, second


def build(path: Path, work: Path) -> Store:
    first, second = records()
    st = Store(path)
    st.ingest([str(write_jsonl(work / "first.jsonl", first))])
    st.ingest([str(write_jsonl(work / "second.jsonl", second))])
    return st


@pytest.fixture(scope="module")
def camp(tmp_path_factory):
    work = tmp_path_factory.mktemp("campaign")
    st = build(work / "store", work)
    yield st
    st.close()


# -- engines and paths ------------------------------------------------------------------------
# Every analytic test runs on each registered engine and, where an analytic has both, on the rollup
# and the scan path. A known gap is declared here, with its reason, never skipped silently:
#   GAPS[("spark", "scan")] = pytest.mark.xfail(reason="...", strict=True)
GAPS: dict[tuple[str, str], pytest.MarkDecorator] = {
    # Spark reads no rollups (they are DuckDB's per-file cache): rollup=True runs the very scan that
    # [scan-spark] runs, so Spark runs each test once, on the scan path; DuckDB's own tests hold its
    # rollups to the scan's answers (test_rollup_equals_scan). This also keeps Spark's share of CI
    # time to one JVM and one pass (docs/spark.md, "Parity").
    ("spark", "rollup"): pytest.mark.skip(reason="spark has no rollup path: rollup=True is the scan [scan-spark] runs"),
}


def _spark_missing() -> str | None:
    """Why the Spark engine cannot run here (None: it can). CI installs both (.ci/run)."""
    import importlib.util
    import os
    import shutil

    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install 'tagscope[spark]')"
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        return "no Java 17 (apt-get install -y openjdk-17-jre-headless)"
    return None


ENGINE_GAPS: dict[str, pytest.MarkDecorator] = {
    "spark": pytest.mark.skipif(_spark_missing() is not None, reason=f"spark engine: {_spark_missing()}"),
}


@pytest.fixture(scope="session", autouse=True)
def _one_spark_session():
    """The Spark engines of the whole run share one JVM (engines/spark_session.py); stop it at the end."""
    yield
    import sys

    if "tagscope.engines.spark_session" in sys.modules:
        sys.modules["tagscope.engines.spark_session"].stop()


# A test that is about one engine's internals, per (test function, engine): skipped with its reason.
TEST_GAPS: dict[tuple[str, str], str] = {
    ("test_rollup_path_equals_scan_path", "spark"):
        "holds an engine's rollups to its scan; Spark has no rollups (both paths are the same scan)",
}


@pytest.fixture(params=[pytest.param(n, id=n, marks=ENGINE_GAPS.get(n, ())) for n in engines.names()])
def engine(request) -> str:
    """An engine name from the registry (``engine=`` of every analytic)."""
    reason = TEST_GAPS.get((request.node.originalname, request.param))
    if reason:
        pytest.skip(f"{request.param}: {reason}")
    return request.param


@pytest.fixture(params=[pytest.param(True, id="rollup"), pytest.param(False, id="scan")])
def rollup(request, engine) -> bool:
    """The path: rollups (where they can answer) or a scan of posts."""
    gap = GAPS.get((engine, "rollup" if request.param else "scan"))
    if gap is not None and gap.name == "skip":  # a skip marker added here would come too late
        pytest.skip(gap.kwargs["reason"])
    if gap is not None:
        request.applymarker(gap)
    return request.param


# A simulated four-platform campaign (places' cache and the in-place rollups test against it).
@pytest.fixture(scope="module")
def multi(tmp_path_factory):
    folder = tmp_path_factory.mktemp("campaign")
    truth = simulate(folder, posts=2500, seed=7, platforms=("twitter", "bluesky", "mastodon", "reddit"))
    store = Store(tmp_path_factory.mktemp("store"))
    store.ingest([str(folder / f["path"]) for f in truth["files"].values()])
    yield store
    store.close()
