"""The cold path: a new process's first answer read from the compacted rollups (engines/compact.py),
the warm tables loaded from them in the background, and both held to the scan's answers while the
store changes (a new ingest, a deletion, a duplicate, forget, a small commit left uncompacted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tagscope import analytics as an
from tagscope.engines import compact, engine_for, rollup
from tagscope.store import Store
from tagscope.store.forget import forget
from tweetfactory import delete_notice, tweet, write_jsonl

TAG = "yesallwomen"


def _t(id_: str, user: str, hm: str, tags: list[str], followers: int | None, bio: str | None = None, **extra):
    rec = tweet(id_, " ".join("#" + t for t in tags), user=user, created=f"Sat May 24 {hm}:00 +0000 2014",
                tags=tags, followers=followers, **extra)
    if bio is not None:
        rec["user"]["description"] = bio
    return rec


FIRST = [
    _t("1", "alice", "10:00", ["YesAllWomen"], 100, "she/her", favorite_count=5),
    _t("2", "bob", "10:05", ["yesallwomen", "NotAllMen"], 5000, "he/him"),
    _t("3", "carol", "10:30", ["YesAllWomen"], 50, "they/them", retweet_count=2),
    _t("4", "dave", "11:00", ["NotAllMen"], 7000, "he/him"),
    _t("5", "erin", "11:10", ["YesAllWomen", "EverydaySexism"], None, "she/they"),
]
SECOND = [
    _t("2", "bob", "10:05", ["yesallwomen", "NotAllMen"], 5000, "he/him"),  # a duplicate: counted once
    _t("6", "alice", "12:00", ["YesAllWomen"], 9000, "she/her, writer"),  # alice's latest followers and bio
    _t("7", "frank", "12:30", ["YesAllWomen"], 300, "he/they"),
    delete_notice("3", "u-carol"),
    _t("8", "dave", "13:00", ["YesAllWomen"], 7100, None),  # dave's first use of the tag; a bio left unsaid
]


def _answers(st: Store, *, rollup: bool = True) -> dict:
    """Every analytic this part serves, with the options that exercise tag_accounts' repost columns."""
    return {
        "notables": an.notables(st, TAG, rollup=rollup).data["accounts"],
        "notables_reach": an.notables(st, TAG, by="reach", no_reposts=True, rollup=rollup).data["accounts"],
        "notables_engagement": an.notables(st, TAG, by="engagement", rollup=rollup).data["accounts"],
        "audience": an.audience(st, TAG, rollup=rollup).data["groups"],
        "count": an.count(st, TAG, rollup=rollup).data["count"],
        "trend": an.trend(st, TAG, every="hour", rollup=rollup).data,
        "origin": an.origin(st, TAG, rollup=rollup).data,
        "cotags": an.cotags(st, TAG, rollup=rollup).data,
    }


def _store(tmp_path: Path, batches: list[list]) -> Path:
    path = tmp_path / "store"
    st = Store(path)
    for i, records in enumerate(batches):
        st.ingest([str(write_jsonl(tmp_path / f"in{i}.jsonl", records))])
    st.close()
    return path


def _queries(st: Store) -> str:
    return "\n".join(sql for sql, _ in an.notables(st, TAG).queries)


def test_first_call_reads_the_compacted_files_and_equals_the_scan(tmp_path) -> None:
    path = _store(tmp_path, [FIRST, SECOND])
    st = Store(path)  # a fresh store object: nothing warm yet, as in a new process
    assert compact.paths(st, rollup.files(st)) is not None  # the ingest's commit compacted the rollups
    assert "compacted rollup (one file sorted by tag), read in place" in _queries(st)  # the first call
    cold = _answers(st)
    assert cold == _answers(Store(path), rollup=False)
    top = cold["notables"][0]
    assert (top["author"], top["followers"]) == ("alice", 9000)  # the latest post's count, from another file
    assert [a["author"] for a in cold["notables"]].count("carol") == 0  # carol's only post was deleted
    dave = next(a for a in cold["notables"] if a["author"] == "dave")
    assert dave["followers"] == 7100 and dave["posts"] == 1


def test_warm_tables_are_loaded_in_the_background_and_answer_the_same(tmp_path) -> None:
    path = _store(tmp_path, [FIRST, SECOND])
    st = Store(path)
    eng = engine_for(st)
    first = _answers(st)  # reads the files in place
    second = _answers(st)  # starts the loads, still reads the files
    assert eng.wait_loads(30)
    third = _answers(st)  # adopts the warm tables
    assert "warm table of tag_accounts, loaded once per store generation from the compacted" in _queries(st)
    assert not eng._cold
    assert first == second == third == _answers(st, rollup=False)


def test_a_store_changed_between_calls_is_answered_from_its_new_files(tmp_path) -> None:
    path = _store(tmp_path, [FIRST])
    st = Store(path)
    before = _answers(st)
    _answers(st)  # loads started for the old generation: dropped when they finish, never used
    st.ingest([str(write_jsonl(tmp_path / "more.jsonl", SECOND))])
    after = _answers(st)
    assert after != before
    assert after == _answers(Store(path), rollup=False)
    assert next(a for a in after["notables"] if a["author"] == "alice")["followers"] == 9000
    assert len({p.name.split(".")[1] for p in compact.compact_dir(st).glob("*.parquet")}) == 1  # old key removed


def test_forget_rewrites_the_compacted_files(tmp_path) -> None:
    path = _store(tmp_path, [FIRST, SECOND])
    st = Store(path)
    assert any(a["author"] == "alice" for a in _answers(st)["notables"])
    forget(st, authors=["alice"])
    fresh = Store(path)
    got = _answers(fresh)
    assert not any(a["author"] == "alice" for a in got["notables"])
    assert compact.paths(fresh, rollup.files(fresh)) is not None
    assert got == _answers(Store(path), rollup=False)


LATE = [  # no deletion or duplicate: the files merged by the last compaction all stay
    _t("6", "alice", "12:00", ["YesAllWomen"], 9000, "she/her, writer"),  # in both: her fields merged anew
    _t("7", "frank", "12:30", ["YesAllWomen"], 300, "he/they"),  # a new account
    _t("8", "dave", "13:00", ["YesAllWomen"], None, None),  # new to the tag; his fields stay the compacted ones
    tweet("9", user="gina", created="Sat May 24 14:00:00 +0000 2014", followers=12345, retweet_of=FIRST[0]),
]


def test_a_small_commit_is_read_from_the_lagging_compaction_plus_the_new_rollups(tmp_path, monkeypatch) -> None:
    path = _store(tmp_path, [FIRST])
    monkeypatch.setattr(compact, "LAG", 1e9)  # every commit is "small": the compacted files lag
    st = Store(path)
    st.ingest([str(write_jsonl(tmp_path / "late.jsonl", LATE))])
    fresh = Store(path)
    assert compact.paths(fresh, rollup.files(fresh)) is None  # not the files of this generation...
    assert compact.reads(fresh, rollup.files(fresh))[1] is True  # ... but a compaction to add the rest to
    assert "plus the per-file rollups committed since it, read in place" in _queries(fresh)
    got = _answers(fresh)
    assert got == _answers(Store(path), rollup=False)
    by = {a["author"]: a for a in got["notables"]}
    assert by["alice"]["followers"] == 9000 and by["alice"]["posts"] == 2  # posts 1 and 6, one in each part
    assert by["dave"]["followers"] == 7000 and by["gina"]["followers"] == 12345
    eng = engine_for(fresh)
    assert eng.wait_loads(30)
    assert _answers(fresh) == got  # the warm tables loaded from the same SELECTs
    monkeypatch.setattr(compact, "LAG", 0.0)
    with fresh.writer():
        assert rollup.update(fresh)["compacted"] == 1  # the next commit that is not small compacts
    assert _answers(Store(path)) == got


def test_a_commit_that_rewrites_a_compacted_file_compacts_again_however_small(tmp_path, monkeypatch) -> None:
    path = _store(tmp_path, [FIRST])
    monkeypatch.setattr(compact, "LAG", 1e9)
    Store(path).ingest([str(write_jsonl(tmp_path / "more.jsonl", SECOND))])  # deletes post 3: a file rewritten
    fresh = Store(path)
    assert compact.reads(fresh, rollup.files(fresh))[1] is False  # exact again: no rows of the old file
    assert "compacted rollup (one file sorted by tag), read in place" in _queries(fresh)
    assert _answers(fresh) == _answers(Store(path), rollup=False)


def test_a_store_without_compacted_files_merges_the_rollups(tmp_path) -> None:
    path = _store(tmp_path, [FIRST, SECOND])
    for p in compact.compact_dir(Store(path)).iterdir():
        p.unlink()  # as a store written before compaction existed
    st = Store(path)
    got = _answers(st)
    assert "built once per store generation from the rollups" in _queries(st)
    assert got == _answers(Store(path), rollup=False)


def test_compacted_files_are_sorted_by_tag(tmp_path) -> None:
    path = _store(tmp_path, [FIRST, SECOND])
    st = Store(path)
    for rel, file in compact.paths(st, rollup.files(st)).items():
        col = "platform, author_key" if rel == "authors" else "tag"
        rows = st.con.execute(f"SELECT {col} FROM read_parquet('{file}')").fetchall()
        assert rows and rows == sorted(rows), rel


def test_a_failed_compaction_warns_and_leaves_the_commit_and_the_answers_exact(tmp_path, monkeypatch) -> None:
    import duckdb

    def fail(*_a, **_k):
        raise duckdb.OutOfMemoryException("Out of Memory Error: failed to pin block")

    path = _store(tmp_path, [FIRST])
    monkeypatch.setattr(compact, "_update", fail)
    with pytest.warns(compact.CompactionWarning, match="Could not compact"):
        Store(path).ingest([str(write_jsonl(tmp_path / "late.jsonl", LATE))])
    fresh = Store(path)
    assert compact.reads(fresh, rollup.files(fresh)) is None and fresh.stats()["posts"] == len(FIRST) + len(LATE)
    assert "built once per store generation from the rollups" in _queries(fresh)
    assert _answers(fresh) == _answers(Store(path), rollup=False)
