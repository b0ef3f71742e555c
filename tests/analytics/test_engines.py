"""The engine registry's contract, and that every analytic runs through the engine it names."""

from __future__ import annotations

import pytest

import tagscope
from tagscope import analytics as an
from tagscope import engines
from tagscope.engines.base import Engine
from tagscope.engines.duckdb import DuckDBEngine
from tagscope.engines.plan import Plan


class Recording(DuckDBEngine):
    """DuckDB, noting every plan it runs: proves an analytic went through the engine."""

    name = "recording"

    def __init__(self, store):
        super().__init__(store)
        self.plans: list[Plan] = []

    def run(self, plan, *, rollup=True):
        self.plans.append(plan)
        return super().run(plan, rollup=rollup)


@pytest.fixture
def recording(monkeypatch):
    monkeypatch.setitem(engines._REGISTRY, "recording", Recording)
    return "recording"


def test_names_lists_duckdb_first():
    assert engines.names()[0] == "duckdb"


def test_engine_for_picks_caches_and_passes_engines_through(camp, monkeypatch):
    monkeypatch.delenv(engines.ENV, raising=False)
    eng = engines.engine_for(camp)
    assert isinstance(eng, DuckDBEngine) and eng is engines.engine_for(camp, "duckdb")
    assert engines.engine_for(eng) is eng and engines.engine_for(eng, "other") is eng


def test_unknown_engine_names_the_known_ones(camp, monkeypatch):
    with pytest.raises(ValueError, match=r"^unknown engine .x.; known engines: duckdb, spark$"):
        engines.engine_for(camp, "x")
    monkeypatch.setenv(engines.ENV, "x")
    with pytest.raises(ValueError, match="unknown engine 'x'"):
        an.count(camp, "yesallwomen")
    assert an.count(camp, "yesallwomen", engine="duckdb").data["count"] == 7


def test_the_call_then_open_then_the_environment_choose(camp, recording, monkeypatch, tmp_path):
    monkeypatch.setenv(engines.ENV, recording)
    assert isinstance(engines.engine_for(camp), Recording)
    assert not isinstance(engines.engine_for(camp, "duckdb"), Recording)
    monkeypatch.setenv(engines.ENV, "duckdb")
    store = tagscope.open(camp.path, engine=recording)
    try:
        assert isinstance(engines.engine_for(store), Recording)
        assert not isinstance(engines.engine_for(store, "duckdb"), Recording)
    finally:
        store.close()
    with pytest.raises(ValueError, match="unknown engine 'nope'"):
        tagscope.open(tmp_path / "s", engine="nope")


def test_every_analytic_runs_through_the_engine(camp, recording, tmp_path):
    eng = engines.engine_for(camp, recording)
    calls = {
        "count": lambda: an.count(camp, "yesallwomen", engine=recording),
        "count --where": lambda: an.count(camp, "yesallwomen", where="stance=against", engine=recording),
        "trend": lambda: an.trend(camp, "yesallwomen", engine=recording),
        "trend --by": lambda: an.trend(camp, "yesallwomen", by="stance", engine=recording),
        "origin": lambda: an.origin(camp, "yesallwomen", engine=recording),
        "notables": lambda: an.notables(camp, "yesallwomen", engine=recording),
        "audience": lambda: an.audience(camp, "yesallwomen", engine=recording),
        "cotags": lambda: an.cotags(camp, "yesallwomen", engine=recording),
        "links": lambda: an.links(camp, "yesallwomen", engine=recording),
        "variants": lambda: an.variants(camp, "everydaysexism", engine=recording),
        "velocity": lambda: an.velocity(camp, "yesallwomen", engine=recording),
        "network": lambda: an.network(camp, "yesallwomen", output=tmp_path / "n.gexf", engine=recording),
        "backlash": lambda: an.backlash(camp, "yesallwomen", engine=recording),
        "misogyny": lambda: an.misogyny(camp, engine=recording),
    }
    for what, call in calls.items():
        before = len(eng.plans)
        fig = call()
        assert len(eng.plans) > before, what
        assert len(fig.queries) >= len(eng.plans) - before, what


def test_an_engine_of_another_dialect_gets_transpiled_sql():
    class Other(Engine):
        dialect = "spark"

    sql = "SELECT list_has_any(hashtags_norm, ?) AS hit FROM posts"
    assert DuckDBEngine.statement(object.__new__(DuckDBEngine), sql) is sql  # DuckDB runs it as written
    assert "ARRAYS_OVERLAP" in Other().statement(sql).upper() or "&&" in Other().statement(sql)
