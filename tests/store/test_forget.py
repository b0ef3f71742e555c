"""`forget` removes an author's posts, their raw records and reposts of them, and keeps them out."""

from __future__ import annotations

import orjson
from typer.testing import CliRunner

from tagscope.cli import app
from tagscope.store import Store
from tweetfactory import tweet, write_jsonl


def test_forget_author(tmp_path) -> None:
    store_dir = tmp_path / "store"
    orig = tweet("10", "my story #YesAllWomen", user="carol", tags=["YesAllWomen"])
    f = write_jsonl(tmp_path / "a.jsonl", [orig, tweet("11", user="dave"), tweet("12", user="dave", retweet_of=orig)])
    st = Store(store_dir)
    st.ingest([str(f)])
    res = CliRunner().invoke(app, ["forget", "--author", "@Carol", "--store", str(store_dir), "--json"])
    assert res.exit_code == 0, res.output
    out = orjson.loads(res.stdout)
    assert out["forgotten"] == 2 and out["raw_records_purged"] == 2
    st.refresh()
    assert st.posts().column("id").to_pylist() == ["11"]
    assert st.sql("SELECT id FROM raw").column("id").to_pylist() == ["11"]
    # A later copy stays out.
    s = st.ingest([str(f)])
    assert s["ingested"] == 0
    assert st.posts().column("id").to_pylist() == ["11"]


def test_forget_needs_a_target(tmp_path) -> None:
    res = CliRunner().invoke(app, ["forget", "--store", str(tmp_path / "s")])
    assert res.exit_code == 2
    assert "--author" in res.output
