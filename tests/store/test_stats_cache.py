"""Store.stats() keeps its figures for the committed state they describe: a second call (another
process, the dashboard, the report) reads them back; any commit makes them be counted again."""

from __future__ import annotations

from pathlib import Path

from tagscope.store import Store
from tagscope.store.store import STATS_CACHE

DATA = Path(__file__).resolve().parents[1] / "data"
LINES = DATA / "twitter-v1.1" / "python-twitter_streaming_lines.jsonl"
PAGE = DATA / "twitter-v1.1" / "simdjson_twitter_timeline.json"


def test_stats_are_read_back_for_the_same_commit_and_counted_again_after_one(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with Store(path) as st:
        st.ingest(LINES)
        first = st.stats()
    assert (path / STATS_CACHE).exists()
    with Store(path) as st:  # a new process's view of the same commit
        assert st.stats() == first
    # The kept figures are what is returned: a planted value shows (nothing was counted).
    data = (path / STATS_CACHE).read_bytes()
    planted = data.replace(f'"posts":{first["posts"]}'.encode(), b'"posts":123456789', 1)
    assert planted != data
    (path / STATS_CACHE).write_bytes(planted)
    with Store(path) as st:
        assert st.stats()["posts"] == 123456789
        st.ingest(PAGE)  # a commit: the figures are counted again, for the new state
        after = st.stats()
    assert after["posts"] > first["posts"] and after["generation"] > first["generation"]
    with Store(path) as st:
        assert st.stats() == after


def test_a_damaged_or_foreign_cache_is_counted_again(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with Store(path) as st:
        st.ingest(LINES)
        want = st.stats()
    for junk in (b"", b"not json", b"[1, 2]", b'{"key": "other", "stats": {"posts": 1}}'):
        (path / STATS_CACHE).write_bytes(junk)
        with Store(path) as st:
            assert st.stats() == want


def test_no_store_no_cache_and_an_unwritable_cache_is_no_error(tmp_path: Path) -> None:
    empty = tmp_path / "nothing"
    assert Store(empty).stats()["posts"] == 0
    assert not empty.exists()  # reading a store that is not there creates nothing
    path = tmp_path / "s"
    with Store(path) as st:
        st.ingest(LINES)
        want = st.stats()
    (path / STATS_CACHE).unlink()
    (path / STATS_CACHE).mkdir()  # as on read-only media: the write fails, the figures are still given
    with Store(path) as st:
        assert st.stats() == want
