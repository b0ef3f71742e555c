"""A new user finds every post of a phrase in a simulated campaign, from the CLI and the Python API."""

from __future__ import annotations

import orjson
import pytest
from typer.testing import CliRunner

import tagscope
from tagscope.cli import app
from tagscope.search import count_query, search

simulate = pytest.importorskip("tagscope.simulate")


def test_phrase_in_the_demo_campaign(tmp_path):
    truth = simulate.simulate(tmp_path / "campaign", posts=4_000, seed=7)
    store = tmp_path / "store"
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", "--store", str(store), str(tmp_path / "campaign"), "--json"]).exit_code == 0
    expected = truth["phrase"]["posts"]
    assert expected > 0

    res = runner.invoke(app, ["search", "--store", str(store), '"supreme gentleman"', "--limit", "10000", "--json"])
    data = orjson.loads(res.stdout)
    assert data["total"] == expected == len(data["hits"])
    assert all("supreme gentleman" in h["text"].lower() for h in data["hits"])

    with tagscope.open(store) as st:
        assert search(st, '"supreme gentleman"', limit=0).total == expected
        # Every post holding the phrase, found by the index, equals a plain scan of the store.
        scan = st.con.execute("SELECT count(*) FROM posts WHERE text ILIKE '%supreme gentleman%'").fetchone()[0]
        assert scan == expected
        per_day = count_query(st, '"supreme gentleman"', every="day").data["series"]
        assert sum(r["count"] for r in per_day) == expected
        tag = truth["main_tag"]
        assert search(st, f"#{tag}", limit=0).total == truth["hashtags"][tag]
