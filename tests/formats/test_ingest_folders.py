"""End to end: each fixture folder ingests into a real store without crashing, with the expected counts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tagscope.store import Store

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def store(tmp_path: Path):
    st = Store(tmp_path / "store")
    yield st
    st.close()


def _copy(name: str, tmp_path: Path) -> str:
    """The data files of a test folder, without its PROVENANCE.md (which is no input)."""
    dest = tmp_path / name
    shutil.copytree(DATA / name, dest, ignore=shutil.ignore_patterns("*.md"))
    return str(dest)


def _formats(store: Store) -> dict[str, int]:
    rows = store.sql("SELECT source_format, count(*) AS n FROM posts GROUP BY 1").to_pylist()
    return {r["source_format"]: r["n"] for r in rows}


def test_v1_folder(store: Store, tmp_path: Path) -> None:
    summary = store.ingest([_copy("twitter-v1.1", tmp_path)])
    assert summary["quarantined"] == 1  # tweet_parser_missing_user.json
    q = store.sql("SELECT source_file, reason FROM quarantine").to_pylist()
    assert q[0]["reason"] == "missing user" and q[0]["source_file"].endswith("tweet_parser_missing_user.json")
    posts = store.stats()["posts"]
    assert posts == summary["ingested"] and posts > 300
    assert _formats(store) == {"twitter-v1": posts}


def test_v2_folder(store: Store, tmp_path: Path) -> None:
    summary = store.ingest([_copy("twitter-v2", tmp_path)])
    assert summary["quarantined"] == 1  # the cut last line of streaming_output_with_error.jsonl
    q = store.sql("SELECT source_file, source_line FROM quarantine").to_pylist()
    assert q[0]["source_file"].endswith("streaming_output_with_error.jsonl") and q[0]["source_line"] == 8
    ids = {r["id"] for r in store.sql("SELECT id FROM posts").to_pylist()}
    assert "1576994789110992896" in ids and "1576994746135764992" not in ids  # edit: the newest version only
    reasons = {r["reason"] for r in store.sql("SELECT reason FROM tombstones").to_pylist()}
    assert {"edited", "compliance", "deleted"} <= reasons
    assert _formats(store) == {"twitter-v2": len(ids)}


def test_gnip_folder(store: Store, tmp_path: Path) -> None:
    summary = store.ingest([_copy("gnip", tmp_path)])
    assert (summary["ingested"], summary["quarantined"]) == (25, 0)


def test_twarc_csv_folder(store: Store, tmp_path: Path) -> None:
    summary = store.ingest([_copy("twarc-csv", tmp_path)])
    assert summary["quarantined"] == 0
    assert summary["duplicates"] == 5  # brexit_multiline.csv repeats five brexit.csv rows
    ids = {r["id"] for r in store.sql("SELECT id FROM posts").to_pylist()}
    # edited.csv holds the newest version and tombstones the first; edited_before.csv's copy of the
    # first version (read after it) stays out.
    assert len(ids) == 201 and "1576994789110992896" in ids and "1576994746135764992" not in ids
    row = store.sql("SELECT text FROM posts WHERE id = '1440716895355764743'").to_pylist()[0]
    assert "\n\nTypical" in row["text"]


@pytest.mark.parametrize("name", ["folder", "twitter-2026-03-06-example.zip"])
def test_x_archive_folder_or_zip(store: Store, name: str) -> None:
    summary = store.ingest([str(DATA / "x-archive" / name)])
    assert (summary["ingested"], summary["quarantined"]) == (8, 0)
    authors = store.sql("SELECT DISTINCT author_handle FROM posts").to_pylist()
    assert authors == [{"author_handle": "ts_example"}]


def test_x_archive_deleted_tweet_stays_deleted(store: Store, tmp_path: Path) -> None:
    # A v1.1 copy of a tweet the archive lists as deleted arrives later: it stays deleted.
    import orjson

    copy = {"id_str": "2029583929812873669", "created_at": "Thu Mar 05 15:44:51 +0000 2026", "text": "x",
            "user": {"id_str": "1590000000000000001", "screen_name": "ts_example"}}
    (tmp_path / "late.jsonl").write_bytes(orjson.dumps(copy) + b"\n")
    store.ingest([str(DATA / "x-archive" / "folder")])
    summary = store.ingest([str(tmp_path / "late.jsonl")])
    assert summary["ingested"] == 0
    assert store.sql("SELECT count(*) AS n FROM posts WHERE id = '2029583929812873669'").to_pylist()[0]["n"] == 0


def test_forced_format_and_remap(store: Store, tmp_path: Path) -> None:
    src = tmp_path / "page.txt"
    shutil.copyfile(DATA / "twitter-v2" / "brexit.jsonl", src)
    summary = store.ingest([str(src)], fmt="twitter-v2")
    assert summary["ingested"] == 100
    raws = store.sql("SELECT max(octet_length(raw)) AS n FROM raw").to_pylist()[0]["n"]
    assert raws < src.stat().st_size / 10  # each post keeps its own small raw record, not the page
    from tagscope.store.remap import remap

    result = remap(store)
    assert result["failed"] == 0 and result["posts"] == 100
