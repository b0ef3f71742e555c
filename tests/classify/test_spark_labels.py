"""Batch labelling on Spark's executors (classify/spark_labels.py) against the local path: the same
labels post for post, the same files, and DuckDB and Spark reading each other's labels.

One JVM for the whole run (engines/spark_session.py); a few seconds of Spark jobs in all."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sparkcheck import HAVE_SPARK
from tagscope import engines
from tagscope.classify import labels as label_store
from tagscope.classify.run import classify
from tagscope.engines import engine_for
from tagscope.store import Store
from tweetfactory import tweet, write_jsonl

pytestmark = pytest.mark.skipif(not HAVE_SPARK, reason="spark engine: pyspark or Java 17 missing (CI installs both)")

TEXTS = [
    "Women are too stupid to vote #YesAllWomen",
    "Because I was groped on the bus at 14 #YesAllWomen",
    "Not all men are like that #NotAllMen",
    "Lovely weather in Santa Barbara today",
    "Feminism is about equality #YesAllWomen",
    "Men are trash, all of them #YesAllWomen",
    "I love this community so much ❤️ #YesAllWomen",
    "Ｗｏｍｅｎ ｄｅｓｅｒｖｅ ｂｅｔｔｅｒ #ＹｅｓＡｌｌＷｏｍｅｎ",
    "Las mujeres merecen respeto #YesAllWomen",
    "",
]
MODELS = "sexism,stance,sentiment"


def _records(first: int, n: int) -> list[dict]:
    out = []
    for i in range(first, first + n):
        text = f"{TEXTS[i % len(TEXTS)]} {'again ' * (i % 3)}".strip()
        out.append(tweet(str(i), text, user=f"u{i % 7}", tags=[w[1:] for w in text.split() if w.startswith("#")]))
    return out


def _store(path: Path, work: Path, engine: str) -> Store:
    st = Store(path)
    # Two ingests: two posts files, so Spark reads more than one partition.
    st.ingest([str(write_jsonl(work / "a.jsonl", _records(1, 30)))])
    st.ingest([str(write_jsonl(work / "b.jsonl", _records(31, 30)))])
    # An older version's labels: they stand in as the current label until the post is relabelled.
    label_store.write(st, "sexism", "old-version", ["twitter"] * 3, ["1", "2", "3"], ["sexist"] * 3, [0.5] * 3)
    engines.choose(st, engine)
    return st


def _rows(st: Store, relation: str, engine: str) -> list[tuple]:
    cols = "platform, id, model, label, round(score, 5) AS score" + (", version" if relation == "label_rows" else "")
    table = engine_for(st, engine).query(f"SELECT {cols} FROM {relation} ORDER BY ALL", [], (relation,))
    return sorted(tuple(r.values()) for r in table.to_pylist())


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """The same store labelled by the local path (DuckDB) and by Spark's executors."""
    work = tmp_path_factory.mktemp("spark-labels")
    local, sparked = _store(work / "local", work, "duckdb"), _store(work / "spark", work, "spark")
    ticks: list[tuple[int, int]] = []
    summaries = (classify(local, MODELS, jobs=1),
                 classify(sparked, MODELS, progress=lambda d, t: ticks.append((d, t))))
    yield local, sparked, summaries, ticks
    for st in (local, sparked):
        st.close()


def test_spark_labels_equal_the_local_labels_post_for_post(pair):
    local, sparked, (a, b), ticks = pair
    assert a.as_dict() == b.as_dict()
    assert a.todo == {"sexism": 60, "stance": 60, "sentiment": 60} and b.posts == 60
    assert _rows(sparked, "label_rows", "duckdb")[0][:2] == ("twitter", "1")
    # Every stored row (the old version's three included) and every current label, alike.
    assert _rows(sparked, "label_rows", "duckdb") == _rows(local, "label_rows", "duckdb")
    current = _rows(local, "labels", "duckdb")
    assert len(current) == 180 and not any(r[3] == 0.5 and r[1] in "123" and r[2] == "sexism" for r in current)
    assert ticks[0] == (0, 60) and ticks[-1] == (60, 60)


def test_the_files_are_the_local_paths_files(pair):
    local, sparked, _, _ = pair
    for st in (local, sparked):
        paths = label_store.files(st)
        assert {Path(p).parent.name for p in paths} == {"sexism", "stance", "sentiment"}
        for p in paths:
            assert re.fullmatch(r"\d{8}T\d{12}-[0-9a-f]{8}\.parquet", Path(p).name), p
            assert pq.read_schema(p).remove_metadata() == label_store.SCHEMA


def test_duckdb_and_spark_read_each_others_labels(pair, tmp_path):
    local, sparked, _, _ = pair
    for st in (local, sparked):
        assert _rows(st, "labels", "spark") == _rows(st, "labels", "duckdb")
    # New posts: DuckDB's classify labels only them, reading Spark's labels, and Spark then finds nothing to do.
    sparked.ingest([str(write_jsonl(tmp_path / "c.jsonl", _records(61, 4)))])
    engines.choose(sparked, "duckdb")
    assert classify(sparked, "sexism", jobs=1).todo == {"sexism": 4}
    engines.choose(sparked, "spark")
    assert classify(sparked, "sexism").todo == {"sexism": 0}
    # And the other way: Spark labels a new post of the DuckDB-labelled store; DuckDB has nothing left.
    local.ingest([str(write_jsonl(tmp_path / "d.jsonl", _records(61, 4)))])
    engines.choose(local, "spark")
    got = classify(local, "sexism,stance", tag="yesallwomen")
    assert got.todo == got.labelled == {"sexism": 2, "stance": 2}  # 61 and 64 use the tag; 62, 63 do not
    engines.choose(local, "duckdb")
    assert classify(local, "sexism,stance", tag="yesallwomen", jobs=1).todo == {"sexism": 0, "stance": 0}
    assert _rows(local, "labels", "duckdb") == _rows(local, "labels", "spark")
