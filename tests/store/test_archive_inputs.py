"""X account archives are found inside folders and can be forced with --format x-archive."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from tagscope.store import Store
from tweetfactory import tweet, write_jsonl

ARCHIVE = Path(__file__).resolve().parents[1] / "data" / "x-archive"


def test_archive_folder_nested_in_a_folder(tmp_path: Path) -> None:
    outer = tmp_path / "collections"
    shutil.copytree(ARCHIVE / "folder", outer / "alice-archive")
    direct = Store(tmp_path / "direct")
    expected = direct.ingest([str(ARCHIVE / "folder")])
    nested = Store(tmp_path / "nested")
    got = nested.ingest([str(outer)])
    assert got["ingested"] == expected["ingested"] > 0
    assert got["quarantined"] == expected["quarantined"]


def test_format_forced_on_an_archive(tmp_path: Path) -> None:
    st = Store(tmp_path / "s")
    s = st.ingest([str(ARCHIVE / "folder")], fmt="x-archive")
    assert s["ingested"] > 0
    assert st.stats()["formats"] == {"x-archive": s["ingested"]}


def test_a_corrupt_member_of_an_archive_zip_is_quarantined_and_the_rest_read(tmp_path: Path) -> None:
    """A damaged member (bad CRC) raised BadZipFile out of ingest as a traceback; now the member's
    damage is one quarantined record and the archive's other files are still read."""
    zipped = tmp_path / "twitter-archive.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_STORED) as zf:
        for f in sorted((ARCHIVE / "folder").rglob("*")):
            if f.is_file():
                zf.write(f, f.relative_to(ARCHIVE / "folder").as_posix())
    data = bytearray(zipped.read_bytes())
    at = data.index(b'"editTweetIds" : [\n            "2029583929812873669"') + 40  # a digit of an id in data/deleted-tweets.js
    data[at] = ord("0") if data[at] != ord("0") else ord("1")
    zipped.write_bytes(bytes(data))
    store = Store(tmp_path / "s")
    s = store.ingest([str(zipped)])
    assert s["ingested"] == Store(tmp_path / "whole").ingest([str(ARCHIVE / "folder")])["ingested"] == 8
    reasons = store.sql("SELECT reason FROM quarantine WHERE reason LIKE '%BadZipFile%'").column(0).to_pylist()
    assert len(reasons) == 1 and reasons[0].startswith("data/deleted-tweets.js: unreadable")


def test_another_format_forced_on_a_folder_holding_an_archive(tmp_path: Path) -> None:
    """`--format twitter-v1` on a folder with an X archive in it hit an AssertionError (the archive was
    left claimed whole, with no stream to read as v1): now its files are read as the forced format."""
    outer = tmp_path / "collection"
    shutil.copytree(ARCHIVE / "folder", outer / "alice-archive")
    shutil.copy(ARCHIVE / "twitter-2026-03-06-example.zip", outer / "alice.zip")
    write_jsonl(outer / "stream.jsonl", [tweet("1"), tweet("2")])
    st = Store(tmp_path / "s")
    s = st.ingest([str(outer)], fmt="twitter-v1")
    assert s["ingested"] == 2 and s["quarantined"] > 0
    assert {f["format"] for f in s["files"]} == {"twitter-v1"}
    assert any(f["file"].endswith("alice.zip!data/tweets.js") for f in s["files"])
    assert st.stats()["formats"] == {"twitter-v1": 2}


def test_a_zip_of_a_collection_reads_every_archive_and_file_in_it(tmp_path: Path) -> None:
    """A zip holding an X archive was read as that one archive: the other files in it, and any other
    archive (only the first data/tweets.js was kept), were silently left out. Read as its folder is."""
    outer = tmp_path / "collection"
    shutil.copytree(ARCHIVE / "folder", outer / "alice-archive")
    shutil.copytree(ARCHIVE / "folder", outer / "bob-archive")
    bob = outer / "bob-archive" / "data"
    for f in bob.glob("*.js"):  # another account, other ids
        f.write_text(f.read_text().replace("ts_example", "ts_bob").replace("16000000000000000", "17000000000000000"))
    write_jsonl(outer / "stream.jsonl", [tweet("1"), tweet("2")])
    zipped = tmp_path / "collection.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for f in sorted(outer.rglob("*")):
            zf.write(f, f.relative_to(tmp_path).as_posix())
    from_folder = Store(tmp_path / "folder").ingest([str(outer)])
    st = Store(tmp_path / "zip")
    s = st.ingest([str(zipped)])
    assert s["ingested"] == from_folder["ingested"] > 8 + 2  # (bob's copies of the real community posts are duplicates)
    assert sorted(f["file"].split("!")[1] for f in s["files"]) == [
        "collection/alice-archive/", "collection/bob-archive/", "collection/stream.jsonl"]
    handles = st.sql("SELECT DISTINCT author_handle FROM posts ORDER BY 1").column(0).to_pylist()
    assert handles == ["alice", "ts_bob", "ts_example"]
