"""The store's rules, each tested end to end through real ingest (docs/store.md states them)."""

from __future__ import annotations

import gzip
import io
import os
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq
import pytest
import zstandard

from tagscope.store import Store
from tweetfactory import delete_notice, tweet, write_jsonl


def ids(store: Store) -> list[str]:
    return sorted(store.posts().column("id").to_pylist())


def test_ids_are_strings_from_id_str(store: Store, tmp_path: Path) -> None:
    big = "872836479608733696"  # loses precision as a double: 872836479608733700
    rec = tweet(big)
    rec["id"] = 872836479608733700
    store.ingest([str(write_jsonl(tmp_path / "a.jsonl", [rec]))])
    assert ids(store) == [big]


def test_same_post_twice_is_stored_once(store: Store, tmp_path: Path) -> None:
    f = write_jsonl(tmp_path / "a.jsonl", [tweet("1"), tweet("2"), tweet("1")])
    s1 = store.ingest([str(f)])
    assert (s1["ingested"], s1["duplicates"]) == (2, 1)
    s2 = store.ingest([str(f)])
    assert (s2["ingested"], s2["duplicates"]) == (0, 3)
    g = write_jsonl(tmp_path / "b.jsonl", [tweet("2"), tweet("3")])
    s3 = store.ingest([str(g)])
    assert (s3["ingested"], s3["duplicates"]) == (1, 1)
    assert ids(store) == ["1", "2", "3"]
    assert store.stats()["posts"] == 3


def test_later_copy_never_erases(store: Store, tmp_path: Path) -> None:
    full = tweet("7", followers=500, favorite_count=3)
    bare = tweet("7", followers=None)  # an archive copy has no follower counts
    store.ingest([str(write_jsonl(tmp_path / "a.jsonl", [full]))])
    s = store.ingest([str(write_jsonl(tmp_path / "b.jsonl", [bare]))])
    assert s["updated"] == 0
    row = store.posts().to_pylist()[0]
    assert row["author_followers"] == 500 and row["like_count"] == 3


def test_later_copy_fills_what_was_unknown(store: Store, tmp_path: Path) -> None:
    store.ingest([str(write_jsonl(tmp_path / "a.jsonl", [tweet("7", followers=None)]))])
    s = store.ingest([str(write_jsonl(tmp_path / "b.jsonl", [tweet("7", followers=900, favorite_count=5)]))])
    assert s["updated"] == 1 and s["ingested"] == 0
    row = store.posts().to_pylist()[0]
    assert row["author_followers"] == 900 and row["like_count"] == 5
    assert store.stats()["posts"] == 1


def test_delete_removes_and_is_remembered(store: Store, tmp_path: Path) -> None:
    store.ingest([str(write_jsonl(tmp_path / "a.jsonl", [tweet("1"), tweet("2")]))])
    s = store.ingest([str(write_jsonl(tmp_path / "d.jsonl", [delete_notice("1")]))])
    assert s["deleted"] == 1
    assert ids(store) == ["2"]
    # A copy that arrives later stays deleted.
    s = store.ingest([str(write_jsonl(tmp_path / "again.jsonl", [tweet("1")]))])
    assert s["ingested"] == 0 and s["skipped_deleted"] == 1
    assert ids(store) == ["2"]
    assert store.stats()["deleted"] == 1


def test_delete_before_post_in_same_file(store: Store, tmp_path: Path) -> None:
    store.ingest([str(write_jsonl(tmp_path / "a.jsonl", [delete_notice("5"), tweet("5"), tweet("6")]))])
    assert ids(store) == ["6"]


def test_malformed_records_are_quarantined_and_the_rest_goes_on(store: Store, tmp_path: Path) -> None:
    f = write_jsonl(
        tmp_path / "bad.jsonl",
        [
            tweet("1"),
            b"{not json",
            b"[1, 2]",
            b'"a string"',
            orjson.dumps({"id_str": "9", "created_at": "Sat May 24 10:00:00 +0000 2014", "text": "x"}),  # no user
            orjson.dumps({k: v for k, v in tweet("8").items() if k not in ("id", "id_str")}),  # no id
            b"",
            tweet("2"),
        ],
    )
    with open(f, "ab") as fh:
        fh.write(orjson.dumps(tweet("3"))[:40])  # cut-off last line, no newline
    s = store.ingest([str(f)])
    assert s["ingested"] == 2
    assert s["quarantined"] == 6
    q = store.sql("SELECT source_line, reason FROM quarantine ORDER BY source_line").to_pylist()
    assert [r["source_line"] for r in q] == [2, 3, 4, 5, 6, 9]
    reasons = {r["source_line"]: r["reason"] for r in q}
    assert "invalid JSON" in reasons[2]
    assert "missing user" in reasons[5]
    assert "id" in reasons[6]
    assert "invalid JSON" in reasons[9]
    # Re-running does not quarantine the same records twice.
    s = store.ingest([str(f)])
    assert s["quarantined"] == 0
    assert store.stats()["quarantined"] == 6


def test_compressed_zip_and_stdin_inputs(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = orjson.dumps(tweet("1")) + b"\n"
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(orjson.dumps(tweet("2")) + b"\n"))
    (tmp_path / "b.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(orjson.dumps(tweet("3")) + b"\n"))
    with zipfile.ZipFile(tmp_path / "c.zip", "w") as zf:
        zf.writestr("inner/c.jsonl", orjson.dumps(tweet("4")) + b"\n")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(plain)))
    s = store.ingest(["-", str(tmp_path / "a.jsonl.gz"), str(tmp_path / "b.jsonl.zst"), str(tmp_path / "c.zip")])
    assert s["ingested"] == 4
    assert ids(store) == ["1", "2", "3", "4"]
    src = dict(store.sql("SELECT id, source_file FROM posts").to_pylist()[i].values() for i in range(4))  # type: ignore[misc]
    assert src["1"] == "-" and src["4"].endswith("c.zip!inner/c.jsonl")


@pytest.mark.parametrize("pack", [gzip.compress, zstandard.ZstdCompressor().compress], ids=["gz", "zst"])
def test_compressed_stdin_is_decompressed(store: Store, monkeypatch: pytest.MonkeyPatch, pack: Any) -> None:
    """`curl .../tweets.jsonl.gz | tagscope ingest -`: stdin has no name to tell its compression by,
    so the whole stream was one quarantined record in no known format; its magic number tells it."""
    data = pack(orjson.dumps(tweet("1")) + b"\n" + orjson.dumps(tweet("2")) + b"\n")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    s = store.ingest(["-"])
    assert (s["ingested"], s["quarantined"]) == (2, 0)
    assert ids(store) == ["1", "2"]


def test_a_utf8_byte_order_mark_is_not_part_of_the_first_record(store: Store, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows tools (Notepad, PowerShell) start UTF-8 files with a BOM, which orjson refuses: it cost a
    file of JSON lines its first post, and a JSON document (a search response) all of its posts."""
    bom = b"\xef\xbb\xbf"
    (tmp_path / "a.jsonl").write_bytes(bom + orjson.dumps(tweet("1")) + b"\n" + orjson.dumps(tweet("2")) + b"\n")
    (tmp_path / "b.jsonl.gz").write_bytes(gzip.compress(bom + orjson.dumps(tweet("3")) + b"\n"))
    (tmp_path / "c.json").write_bytes(bom + orjson.dumps([tweet("4"), tweet("5")]))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(bom + orjson.dumps(tweet("6")) + b"\n")))
    s = store.ingest([str(tmp_path / n) for n in ("a.jsonl", "b.jsonl.gz", "c.json")] + ["-"])
    assert (s["ingested"], s["quarantined"]) == (6, 0)
    assert ids(store) == ["1", "2", "3", "4", "5", "6"]
    assert store.sql("SELECT source_line FROM posts WHERE id = '2'").column(0).to_pylist() == [2]
    assert store.sql("SELECT raw FROM raw WHERE id = '1'").column(0).to_pylist() == [orjson.dumps(tweet("1"))]


def test_a_cut_off_or_corrupt_compressed_file_keeps_what_was_read(store: Store, tmp_path: Path) -> None:
    """A .gz download cut short stopped the whole run (the CLI printed only "Aborted.") and a file that
    is not what its name says raised a traceback. The posts before the cut are kept, the cut is one
    quarantined record with its line and reason, and the next file is read."""
    body = b"".join(orjson.dumps(tweet(str(i), f"#YesAllWomen {i} " + "x" * 300)) + b"\n" for i in range(1, 3001))
    packed = gzip.compress(body)
    (tmp_path / "a.jsonl.gz").write_bytes(packed[: len(packed) // 2])
    (tmp_path / "b.jsonl.gz").write_bytes(b"not gzip at all\n")
    write_jsonl(tmp_path / "c.jsonl", [tweet("9999")])
    whole = zlib.decompressobj(31).decompress(packed[: len(packed) // 2]).count(b"\n")  # complete lines before the cut
    assert 0 < whole < 3000
    s = store.ingest([str(tmp_path / n) for n in ("a.jsonl.gz", "b.jsonl.gz", "c.jsonl")])
    assert s["ingested"] == whole + 1
    assert ids(store) == sorted([str(i) for i in range(1, whole + 1)] + ["9999"])
    q = store.sql("SELECT source_file, source_line, reason FROM quarantine ORDER BY ALL").to_pylist()
    cut = [r for r in q if r["source_file"].endswith("a.jsonl.gz")]
    assert [r["source_line"] for r in cut] == [whole + 1, whole + 1]  # the cut-off line, and the cut
    assert any("EOFError" in r["reason"] for r in cut)
    [bad] = [r for r in q if r["source_file"].endswith("b.jsonl.gz")]
    assert bad["source_line"] == 1 and "Not a gzipped file" in bad["reason"]
    assert s["quarantined"] == 3


@pytest.mark.parametrize("frames", [1, 3], ids=["one-frame", "three-frames"])
def test_a_cut_off_zst_file_is_quarantined_like_a_gz(store: Store, tmp_path: Path, frames: int) -> None:
    """A .zst download cut short ended quietly: zstandard's reader returns end of file mid-frame without an
    error, so the posts after the cut vanished with no quarantined record. The cut is now one quarantined
    record with its line, as for a .gz, and the next file is read."""
    body = b"".join(orjson.dumps(tweet(str(i), f"#YesAllWomen {i} " + "x" * 300)) + b"\n" for i in range(1, 3001))
    step = len(body) // frames + 1
    packed = b"".join(zstandard.ZstdCompressor().compress(body[i : i + step]) for i in range(0, len(body), step))
    cut = packed[: len(packed) * 2 // 3]
    (tmp_path / "a.jsonl.zst").write_bytes(cut)
    write_jsonl(tmp_path / "c.jsonl", [tweet("9999")])
    with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(cut), read_across_frames=True) as r:
        n = r.read().count(b"\n")  # complete lines before the cut
    assert 0 < n < 3000
    s = store.ingest([str(tmp_path / n_) for n_ in ("a.jsonl.zst", "c.jsonl")])
    assert s["ingested"] == n + 1
    q = store.sql("SELECT source_file, source_line, reason FROM quarantine ORDER BY ALL").to_pylist()
    cut_recs = [r for r in q if r["source_file"].endswith("a.jsonl.zst")]
    assert cut_recs and all(r["source_line"] == n + 1 for r in cut_recs)
    assert any("input cut off or corrupt" in r["reason"] for r in cut_recs)
    # An intact multi-frame file (zstd's own --long output, pzstd) is read whole, with nothing quarantined.
    (tmp_path / "whole.jsonl.zst").write_bytes(packed)
    s2 = store.ingest([str(tmp_path / "whole.jsonl.zst")])
    assert (s2["ingested"], s2["quarantined"]) == (3000 - n, 0)


def test_a_folder_used_as_a_store_keeps_the_users_own_files(tmp_path: Path) -> None:
    """`tagscope ingest raw --store .` in a project whose input lives in ./raw deleted every file there
    (taken for leftovers of an interrupted commit) before reading it. Only the store's own leftovers go."""
    (tmp_path / "raw").mkdir()
    src = write_jsonl(tmp_path / "raw" / "tweets.jsonl", [tweet("1"), tweet("2")])
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "notes.txt").write_text("my notes")
    leftovers = [tmp_path / "posts" / ".part-000001-0123456789ab.parquet",
                 tmp_path / "tombstones" / "tomb-000001-0123456789ab.parquet"]
    (tmp_path / "tombstones").mkdir()
    for f in leftovers:
        f.write_bytes(b"PAR1")
    store = Store(tmp_path)
    assert store.ingest([str(tmp_path / "raw")])["ingested"] == 2
    assert src.exists() and (tmp_path / "posts" / "notes.txt").read_text() == "my notes"
    assert not any(f.exists() for f in leftovers)
    assert ids(store) == ["1", "2"]


def test_a_store_inside_an_input_folder_is_not_read_as_input(tmp_path: Path) -> None:
    """`tagscope ingest .` with the default store ./tagscope-data: the second run read the store's own
    Parquet files and manifest as input and quarantined each as a file in no known format."""
    write_jsonl(tmp_path / "x.jsonl", [tweet("1"), tweet("2")])
    store = Store(tmp_path / "tagscope-data")
    assert store.ingest([str(tmp_path)])["ingested"] == 2
    again = store.ingest([str(tmp_path)])
    assert [f["file"] for f in again["files"]] == [str(tmp_path / "x.jsonl")]
    assert (again["duplicates"], again["quarantined"]) == (2, 0)
    assert store.stats()["quarantined"] == 0


def test_a_store_path_that_cannot_be_a_store_is_a_clear_error(tmp_path: Path) -> None:
    """--store naming a file, or a store whose manifest is damaged, ended in a Python traceback."""
    from typer.testing import CliRunner

    from tagscope.cli import app

    src = write_jsonl(tmp_path / "a.jsonl", [tweet("1")])
    (tmp_path / "file").write_text("x")
    (tmp_path / "damaged").mkdir()
    (tmp_path / "damaged" / "manifest.json").write_text("{cut")
    for store, says in (("file", "is a file: a store is a folder"), ("damaged", "manifest.json is damaged")):
        for args in (["ingest", str(src)], ["stats"]):
            res = CliRunner().invoke(app, [*args, "--store", str(tmp_path / store), "--json"])
            assert res.exit_code == 2 and "Traceback" not in res.output
            assert says.replace(" ", "") in "".join(res.output.split())  # the console wraps long lines
    assert (tmp_path / "file").read_text() == "x"


@pytest.mark.parametrize("command", ["remap", "stats", "quarantine"])
def test_a_missing_store_is_a_clear_error(tmp_path: Path, command: str) -> None:
    """`tagscope remap --store TYPO` created an empty store there and said it remapped 0 posts, and
    `stats`/`quarantine` printed a confident table of zeros; each is now the error the analytics give
    for a missing store, and nothing is created."""
    from typer.testing import CliRunner

    from tagscope.cli import app

    for where in (tmp_path / "typo", tmp_path):
        res = CliRunner().invoke(app, [command, "--store", str(where), "--json"])
        assert res.exit_code == 2 and res.stdout == "" and "Traceback" not in res.output
        assert "no store at" in " ".join(res.output.split())
    assert list(tmp_path.iterdir()) == []


def test_quarantine_limit_must_not_be_negative(tmp_path: Path) -> None:
    """`tagscope quarantine --limit -1` reached DuckDB and ended in a BinderException traceback."""
    from typer.testing import CliRunner

    from tagscope.cli import app

    res = CliRunner().invoke(app, ["quarantine", "--limit", "-1", "--store", str(tmp_path / "s"), "--json"])
    assert res.exit_code == 2 and "Traceback" not in res.output and "--limit" in res.output
    Store(tmp_path / "s").ingest(write_jsonl(tmp_path / "t.jsonl", [tweet("1")]))
    res = CliRunner().invoke(app, ["quarantine", "--limit", "0", "--store", str(tmp_path / "s"), "--json"])
    assert res.exit_code == 0 and orjson.loads(res.stdout) == {"total": 0, "records": []}


def test_the_python_api_takes_one_path_alone(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`store.ingest("tweets.jsonl")` was read as the one-letter paths "t", "w", ...: no such file "t"
    (and an absolute path began with "/": the whole file system). Relative here, so that the old
    behaviour fails at once."""
    monkeypatch.chdir(tmp_path)
    write_jsonl(tmp_path / "zz.jsonl", [tweet("1")])
    assert store.ingest("zz.jsonl")["ingested"] == 1
    g = write_jsonl(tmp_path / "b.jsonl", [tweet("2")])
    assert store.ingest(g)["ingested"] == 1 and store.ingest([g])["duplicates"] == 1
    assert ids(store) == ["1", "2"]


def test_a_file_name_that_is_not_utf8_does_not_stop_the_run(store: Store, tmp_path: Path) -> None:
    """A Latin-1 file name (unpacked from an old archive) stopped the whole ingest: Arrow refused its
    surrogate escapes in source_file ("surrogates not allowed")."""
    d = tmp_path / "in"
    d.mkdir()
    write_jsonl(d / os.fsdecode(b"caf\xe9.jsonl"), [tweet("1")])
    write_jsonl(d / "z.jsonl", [tweet("2")])
    s = store.ingest([str(d)])
    assert s["ingested"] == 2
    assert [f["file"] for f in s["files"]] == [str(d / "caf\ufffd.jsonl"), str(d / "z.jsonl")]
    assert store.sql("SELECT source_file FROM posts WHERE id = '1'").column(0).to_pylist() == [str(d / "caf\ufffd.jsonl")]
    assert store.ingest([str(d)])["duplicates"] == 2


def test_file_names_and_reasons_are_printed_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich read file names and quarantine reasons (the user's text) as markup: "[bold]x.jsonl" was
    listed as "x.jsonl", and a reason quoting "[/bold]" crashed `tagscope quarantine` (MarkupError)."""
    from typer.testing import CliRunner

    from tagscope.cli import app

    monkeypatch.chdir(tmp_path)  # short names: the table must not wrap them
    Path("in").mkdir()
    write_jsonl(Path("in") / "[bold]x[red].jsonl", [tweet("5", created="[/bold] [link=http://evil]x[/link]"), tweet("6")])
    store = "s"
    res = CliRunner().invoke(app, ["ingest", "in", "--store", store])
    assert res.exit_code == 0 and "[bold]x[red].jsonl" in res.output
    res = CliRunner().invoke(app, ["quarantine", "--store", store])
    assert res.exit_code == 0, res.output
    assert "[bold]x[red].jsonl" in res.output and "[/bold]" in res.output


def test_folder_input_and_provenance(store: Store, tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    write_jsonl(d / "x.jsonl", [tweet("1"), tweet("2")])
    write_jsonl(d / "y.jsonl", [tweet("3")])
    store.ingest([str(d)])
    rows = {r["id"]: r for r in store.posts().to_pylist()}
    assert rows["2"]["source_line"] == 2 and rows["2"]["source_file"].endswith("x.jsonl")
    assert rows["3"]["source_format"] == "twitter-v1"


def test_missing_input_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such file"):
        store.ingest([str(tmp_path / "nope.jsonl")])


def test_store_is_plain_parquet(store: Store, tmp_path: Path) -> None:
    """Another engine (Spark, pandas) reads posts/ as it is: live posts only, no side files."""
    store.ingest([str(write_jsonl(tmp_path / "a.jsonl", [tweet("1"), tweet("2"), delete_notice("1")]))])
    table = pq.read_table(store.path / "posts")
    assert table.column("id").to_pylist() == ["2"]


def test_raw_records_kept_for_remap(store: Store, tmp_path: Path) -> None:
    rt = tweet("11", retweet_of=tweet("10", "original text #YesAllWomen " + "x" * 150, user="bob", tags=["YesAllWomen"]))
    store.ingest([str(write_jsonl(tmp_path / "a.jsonl", [rt]))])
    raw = store.sql("SELECT raw FROM raw WHERE id = '11'").to_pylist()[0]["raw"]
    assert orjson.loads(raw)["retweeted_status"]["id_str"] == "10"
    post = store.posts().to_pylist()[0]
    assert post["kind"] == "repost" and post["repost_of_id"] == "10"
    assert post["text"].startswith("original text") and post["hashtags_norm"] == ["yesallwomen"]


def test_remap_reapplies_mapping_without_sources(store: Store, tmp_path: Path) -> None:
    from tagscope.store.remap import remap

    f = write_jsonl(tmp_path / "a.jsonl", [tweet("1", tags=["A"]), tweet("2"), delete_notice("2")])
    store.ingest([str(f)])
    before = store.posts().drop(["source_file"]).to_pylist()
    f.unlink()
    result = remap(store)
    assert result["posts"] == 1
    assert store.posts().drop(["source_file"]).to_pylist() == before


def test_folder_skips_documentation_and_finds_nested_archives(store: Store, tmp_path: Path) -> None:
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    write_jsonl(d / "sub" / "x.jsonl", [tweet("1")])
    (d / "README.md").write_text("# notes about this collection\n")
    (d / "PROVENANCE").write_text("collected by hand\n")
    s = store.ingest([str(d)])
    assert (s["ingested"], s["quarantined"]) == (1, 0)
    assert [f["file"].rsplit("/", 1)[-1] for f in s["files"]] == ["x.jsonl"]


def test_deferred_deletions_are_applied_on_recovery(store: Store, tmp_path: Path) -> None:
    """A run killed after committing a delete notice but before applying it: the next writer applies it."""
    from tagscope.post import POST_SCHEMA
    from tagscope.store import commit
    from tagscope.store.tables import RAW_SCHEMA

    store.ingest([str(write_jsonl(tmp_path / "a.jsonl", [tweet("1"), tweet("2")]))])
    tomb = {"platform": "twitter", "id": "1", "reason": "deleted", "at": None, "source_file": "x", "source_line": 1}
    with store.writer():
        commit.commit_batch(store, POST_SCHEMA.empty_table(), RAW_SCHEMA.empty_table(), [tomb], [], "t",
                            defer_removals=True)
    assert ids(store) == ["1", "2"]  # as a killed run would leave it
    with store.writer():
        pass
    assert ids(store) == ["2"]


@pytest.mark.parametrize("sql", [True, False], ids=["sql-lines", "python-lines"])
def test_deletes_scattered_over_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sql: bool) -> None:
    """Delete notices for posts of earlier batches, with small batches: the end state is exact."""
    from tagscope.store import ingest as ingest_mod

    monkeypatch.setattr(ingest_mod, "SQL_LINES", sql)
    monkeypatch.setattr(ingest_mod, "SQL_BLOCK_BYTES", 64)
    monkeypatch.setattr(ingest_mod, "BATCH_POSTS", 3)
    monkeypatch.setattr(ingest_mod, "BLOCK_BYTES", 64)  # about a line per chunk: a commit every 3 posts
    monkeypatch.setattr(ingest_mod, "PARALLEL_AFTER_BLOCKS", 10**6)
    records = [tweet(str(i)) for i in range(1, 13)]
    records[7:7] = [delete_notice("2"), delete_notice("5")]
    records.append(delete_notice("11"))
    records.append(tweet("2"))  # a late copy of a deleted post
    st = Store(tmp_path / "s")
    s = st.ingest([str(write_jsonl(tmp_path / "a.jsonl", records))])
    assert s["deleted"] == 3
    assert st.generation > 5
    assert ids(st) == sorted(str(i) for i in range(1, 13) if i not in (2, 5, 11))
    # "ingested" counts the posts the run leaves live: those a later notice removed are not in it.
    assert s["ingested"] == st.stats()["posts"] == 9
    st.close()
    # A later run deleting posts of an earlier run reports them as deleted, not as un-ingested.
    again = Store(tmp_path / "s")
    s2 = again.ingest([str(write_jsonl(tmp_path / "b.jsonl", [tweet("13"), delete_notice("1")]))])
    assert (s2["ingested"], s2["deleted"], again.stats()["posts"]) == (1, 1, 9)


@pytest.mark.parametrize("sql", [True, False], ids=["sql-lines", "python-lines"])
def test_every_posts_file_is_sorted_by_time_then_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sql: bool) -> None:
    """Posts files are written in (created_at, id) order, ids as strings, by every writer (new posts,
    merges, deletion rewrites): the per-file rollups take the row order as each account's "latest"."""
    import random

    from tagscope.store import ingest as ingest_mod

    monkeypatch.setattr(ingest_mod, "SQL_LINES", sql)
    monkeypatch.setattr(ingest_mod, "BATCH_POSTS", 7)
    monkeypatch.setattr(ingest_mod, "BLOCK_BYTES", 64)
    monkeypatch.setattr(ingest_mod, "SQL_BLOCK_BYTES", 64)
    rng = random.Random(3)
    stamps = [f"Sat May 24 10:0{m}:00 +0000 2014" for m in range(3)]
    records = [tweet(str(i), created=rng.choice(stamps), followers=None) for i in rng.sample(range(90, 130), 40)]
    records += [delete_notice(str(i)) for i in (95, 101, 120)]
    st = Store(tmp_path / "s")
    st.ingest([str(write_jsonl(tmp_path / "a.jsonl", records))])
    merged = [tweet(str(i), created=stamps[0], followers=5) for i in (91, 99, 100, 110)]  # fills followers in
    st.ingest([str(write_jsonl(tmp_path / "b.jsonl", [*merged, delete_notice("92")]))])
    assert len(st.files("posts")) > 3
    for fname in st.files("posts"):
        rows = pq.read_table(fname, columns=["created_at", "id"]).to_pylist()
        keys = [(r["created_at"], r["id"]) for r in rows]
        assert keys == sorted(keys), fname
    assert st.stats()["posts"] == 36


@pytest.mark.parametrize("sql", [True, False], ids=["sql-lines", "python-lines"])
def test_a_failed_commit_stops_the_run_and_a_rerun_completes_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                sql: bool) -> None:
    """Commits run on their own thread: the error of one reaches the caller, no later batch commits
    after it, and re-running the ingest ends with exactly the posts of a clean run."""
    from tagscope.store import commit as commit_mod
    from tagscope.store import ingest as ingest_mod

    monkeypatch.setattr(ingest_mod, "SQL_LINES", sql)
    monkeypatch.setattr(ingest_mod, "SQL_BLOCK_BYTES", 64)
    monkeypatch.setattr(ingest_mod, "BATCH_POSTS", 3)
    monkeypatch.setattr(ingest_mod, "BLOCK_BYTES", 64)
    monkeypatch.setattr(ingest_mod, "PARALLEL_AFTER_BLOCKS", 10**6)
    real = commit_mod.commit_batch
    calls = []

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 3:
            raise OSError("disk full (simulated)")
        return real(*args, **kwargs)

    monkeypatch.setattr(commit_mod, "commit_batch", failing)
    src = write_jsonl(tmp_path / "a.jsonl", [tweet(str(i)) for i in range(1, 31)])
    st = Store(tmp_path / "s")
    with pytest.raises(OSError, match="disk full"):
        st.ingest([str(src)])
    assert len(calls) == 3  # the failure stopped the run: no batch was committed after it
    assert ids(st) == sorted(str(i) for i in range(1, 7))  # the two batches before it
    st.close()
    monkeypatch.setattr(commit_mod, "commit_batch", real)
    again = Store(tmp_path / "s")
    s = again.ingest([str(src)])
    assert ids(again) == sorted(str(i) for i in range(1, 31))
    assert (s["ingested"], s["duplicates"]) == (24, 6)



def test_a_failed_raw_write_fails_its_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The raw file is written on a side thread beside the posts file: its error fails the commit (no
    posts without their raw records), and a re-run completes the store."""
    from tagscope.store import commit as commit_mod

    real = commit_mod._write

    def failing(store, kind, name, table):  # type: ignore[no-untyped-def]
        if kind == "raw":
            raise OSError("disk full (simulated)")
        return real(store, kind, name, table)

    monkeypatch.setattr(commit_mod, "_write", failing)
    src = write_jsonl(tmp_path / "a.jsonl", [tweet(str(i)) for i in range(1, 6)])
    st = Store(tmp_path / "s")
    with pytest.raises(OSError, match="disk full"):
        st.ingest([str(src)])
    assert ids(st) == [] and st.stats()["posts"] == 0
    st.close()
    monkeypatch.setattr(commit_mod, "_write", real)
    again = Store(tmp_path / "s")
    assert again.ingest([str(src)])["ingested"] == 5
    assert again.con.execute("SELECT count(*) FROM raw").fetchone()[0] == 5

FULL = ("A startling number of technical people come to social data analytics with absolutely no idea how "
        "character encoding works, and then it bites them #YesAllWomen")
CUT = ("A startling number of technical people come to social data analytics with absolutely no idea how "
       "character encoding\u2026 https://t.co/IQIAIF0rt8")


def _compat(id_: str) -> dict:
    """Twitter's compat mode: the text cut at 140 characters, a link to the status, no later hashtag."""
    st = tweet(id_, CUT, truncated=True, followers=None)
    st["entities"]["urls"] = [{"url": "https://t.co/IQIAIF0rt8",
                               "expanded_url": f"https://twitter.com/i/web/status/{id_}"}]
    return st


def _extended(id_: str) -> dict:
    st = tweet(id_, tags=["YesAllWomen"], full_text=FULL)
    del st["text"]
    return st


@pytest.mark.parametrize("sql", [True, False], ids=["sql-lines", "python-lines"])
@pytest.mark.parametrize("order", ["cut-first", "full-first", "same-file"])
def test_a_full_text_replaces_a_compat_mode_cut(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sql: bool,
                                                order: str) -> None:
    """The later copy never erases, except a 140-character compat text, which the full one completes
    (with its hashtags and links); a cut copy arriving after the full one changes nothing."""
    from tagscope.store import ingest as ingest_mod

    monkeypatch.setattr(ingest_mod, "SQL_LINES", sql)
    st = Store(tmp_path / "s")
    if order == "same-file":
        st.ingest([str(write_jsonl(tmp_path / "a.jsonl", [_compat("1"), _extended("1")]))])
    else:
        first, second = (_compat, _extended) if order == "cut-first" else (_extended, _compat)
        st.ingest([str(write_jsonl(tmp_path / "a.jsonl", [first("1")]))])
        st.ingest([str(write_jsonl(tmp_path / "b.jsonl", [second("1")]))])
    row = st.sql("SELECT text, hashtags_norm, urls, domains, author_followers FROM posts").to_pylist()
    assert row == [{"text": FULL, "hashtags_norm": ["yesallwomen"], "urls": [], "domains": [],
                    "author_followers": 10}]


def test_a_symbolic_link_back_up_a_folder_is_walked_once(store: Store, tmp_path: Path) -> None:
    """A link to a parent folder made the walk read every file again at each level, down to the
    kernel's limit of 40 links: 41 reads of the same file, 40 of them counted as duplicates."""
    d = tmp_path / "in" / "a"
    d.mkdir(parents=True)
    write_jsonl(d / "x.jsonl", [tweet("1")])
    (d / "up").symlink_to("..")
    s = store.ingest([str(tmp_path / "in")])
    assert [f["file"] for f in s["files"]] == [str(d / "x.jsonl")]
    assert (s["ingested"], s["duplicates"]) == (1, 0)
