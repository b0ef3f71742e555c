"""Engine neutrality: every statement an analytic runs transpiles to Spark SQL, and the rollups
follow the store through deletes and rewrites."""

from __future__ import annotations

import os

import sqlglot

from tagscope import analytics as an
from tagscope.engines import engine_for, relations
from tagscope.engines import rollup as rollups
from tagscope.engines.duckdb import rollup_dir
from tweetfactory import delete_notice, tweet, write_jsonl


def _figures(store, tmp_path, rollup_: bool, engine: str):
    yield an.count(store, "yesallwomen", since="2014-05-24T10:00:30", rollup=rollup_, engine=engine)
    yield an.count(store, "yesallwomen", no_reposts=True, platform="twitter", rollup=rollup_, engine=engine)
    yield an.trend(store, ["yesallwomen", "notallmen"], every="day", tz="Asia/Tokyo", rollup=rollup_, engine=engine)
    yield an.origin(store, "yesallwomen", rollup=rollup_, engine=engine)
    yield an.notables(store, "yesallwomen", by="reach", rollup=rollup_, engine=engine)
    yield an.audience(store, "yesallwomen", rollup=rollup_, engine=engine)
    yield an.cotags(store, "yesallwomen", rollup=rollup_, engine=engine)
    yield an.links(store, "yesallwomen", rollup=rollup_, engine=engine)
    yield an.petitions(store, "yesallwomen", rollup=rollup_, engine=engine)
    yield an.places(store, "yesallwomen", every="day", rollup=rollup_, engine=engine)
    yield an.variants(store, "everydaysexism", rollup=rollup_, engine=engine)
    yield an.velocity(store, "yesallwomen", rollup=rollup_, engine=engine)
    yield an.platforms(store, "yesallwomen", compare=["notallmen"], engine=engine)
    yield an.trend(store, "yesallwomen", by="platform", every="hour", rollup=rollup_, engine=engine)
    yield an.trend(store, "yesallwomen", by="community", tz="Asia/Tokyo", rollup=rollup_, engine=engine)
    for kind in ("retweet", "mention", "cohashtag"):
        yield an.network(store, "yesallwomen", kind=kind, output=tmp_path / f"{kind}.gexf", rollup=rollup_, engine=engine)
    # Label relations: these always scan, on either path.
    yield an.count(store, "yesallwomen", where=["stance=against"], rollup=rollup_, engine=engine)
    yield an.trend(store, "yesallwomen", by="stance", rollup=rollup_, engine=engine)
    yield an.backlash(store, "yesallwomen", counter=["notallmen"], engine=engine)
    yield an.misogyny(store, engine=engine)


def test_every_analytic_statement_transpiles_to_spark(camp, tmp_path, rollup, engine):
    seen = 0
    for fig in _figures(camp, tmp_path, rollup, engine):
        assert fig.queries, fig.name
        for sql, _ in fig.queries:
            if sql.startswith("-- warm table"):
                continue  # the DuckDB engine's own cache of rollup files, not the analytic
            spark = sqlglot.transpile(sql, read="duckdb", write="spark", unsupported_level=sqlglot.ErrorLevel.RAISE)
            assert spark and spark[0]
            seen += 1
    assert seen >= 18


def test_explain_names_the_rollup_or_the_scan(camp):
    assert "tag_hours" in an.count(camp, "yesallwomen").explain()
    assert "tag_minutes" in an.count(camp, "yesallwomen", since="2014-05-24T10:05").explain()
    assert "FROM posts" in an.count(camp, "yesallwomen", rollup=False).explain()
    assert "-- parameters: ['yesallwomen']" in an.count(camp, "yesallwomen").explain()


def test_rollups_follow_deletes_and_new_files(tmp_path):
    from tagscope.store import Store

    store = Store(tmp_path / "s")
    store.ingest([str(write_jsonl(tmp_path / "a.jsonl", [tweet("1", tags=["YesAllWomen"]), tweet("2", tags=["YesAllWomen"])]))])
    assert an.count(store, "yesallwomen").data["count"] == 2
    store.ingest([str(write_jsonl(tmp_path / "b.jsonl", [delete_notice("1"), tweet("3", tags=["yesallwomen"])]))])
    assert engine_for(store).has_rollups()
    assert an.count(store, "yesallwomen").data["count"] == 2  # 2 and 3
    names = {n.split(".parquet.")[0] + ".parquet" for n in os.listdir(rollup_dir(store))}
    assert len(os.listdir(rollup_dir(store))) == len(relations.NAMES) * len(names)
    assert names == {os.path.basename(f) for f in store.files("posts")}
    # A store whose rollups are missing still answers, by scanning.
    for name in os.listdir(rollup_dir(store)):
        os.unlink(rollup_dir(store) / name)
    fresh = Store(tmp_path / "s")
    assert not engine_for(fresh).has_rollups()
    assert an.count(fresh, "yesallwomen").data["count"] == 2
    assert rollups.update(fresh)["added"] > 0
    fresh2 = Store(tmp_path / "s")
    assert engine_for(fresh2).has_rollups() and an.count(fresh2, "yesallwomen").data["count"] == 2
    for st in (store, fresh, fresh2):
        st.close()
