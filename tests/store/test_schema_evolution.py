"""A store written before a field was added to the canonical post still opens, reads and takes ingests."""

from __future__ import annotations

from pathlib import Path

import orjson
import pyarrow.parquet as pq

from tagscope.post import POST_SCHEMA
from tagscope.store import Store
from tagscope.store import migrate as migration

DATA = Path(__file__).resolve().parents[1] / "data"
JETSTREAM = DATA / "bluesky-jetstream" / "jetstream_golden_v1.jsonl"
NEW = ("indexed_at", "hashtags_hidden", "edit_count")


def _make_old(path: Path) -> None:
    """Turn a store into one written before NEW existed: posts files without them, no manifest key."""
    for f in (path / "posts").glob("part-*.parquet"):
        table = pq.read_table(f)
        pq.write_table(table.drop_columns(list(NEW)), f)
    manifest = orjson.loads((path / "manifest.json").read_bytes())
    del manifest[migration.KEY]
    (path / "manifest.json").write_bytes(orjson.dumps(manifest))


def test_old_store_reads_new_fields_as_null_then_migrates(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with Store(path) as store:
        store.ingest([str(JETSTREAM)])
        n = store.stats()["posts"]
        assert store.sql("SELECT count(*) AS n FROM posts WHERE indexed_at IS NOT NULL").column("n")[0].as_py() == n
    _make_old(path)
    before = {f.name for f in (path / "posts").glob("part-*.parquet")}

    with Store(path) as old:  # a reader: nothing rewritten, new columns read as null
        got = old.sql("SELECT count(*) AS n, count(indexed_at) AS i, count(edit_count) AS e FROM posts")
        assert got.to_pylist() == [{"n": n, "i": 0, "e": 0}]
        assert old.posts().schema.names == POST_SCHEMA.names
        assert old.stats()["posts"] == n
    assert {f.name for f in (path / "posts").glob("part-*.parquet")} == before

    with Store(path) as store:  # the first writer migrates every old file, then ingests as usual
        summary = store.ingest([str(JETSTREAM)])
        assert summary["ingested"] == 0
        assert migration.current(store.manifest)
        for f in store.files("posts"):
            assert pq.read_schema(f).names == POST_SCHEMA.names
        assert store.stats()["posts"] == n
        # the same records again fill what the old rows lacked (a later copy fills a null, as for any field)
        assert store.sql("SELECT count(indexed_at) AS i FROM posts").column("i")[0].as_py() == n
