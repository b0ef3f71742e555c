"""The format contract, run over every registered format (formats/contract.py says what it promises).

A format is tested by registering it: each test takes the format's real fixtures from the golden cases
(tests/formats/golden.py ``CASES``), so a new format needs its fixtures and goldens there, and nothing
here. Per format: the goldens hold, its files sniff (or are claimed) as it, a cut record is quarantined
with its file and position while the records before it are kept, and ``forget`` leaves no trace of a
forgotten author in any raw record or in the search index.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import zipfile
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formats.golden import CASES, DATA, golden_path, normalise
from tagscope import formats
from tagscope.formats.base import Record, json_records
from tagscope.store import Store
from tagscope.store.forget import forget

NAMES = list(formats.FORMATS)


def _cases(name: str) -> list[Path]:
    paths = [DATA / rel for fmt, rel in CASES if fmt == name]
    assert paths, f"format {name} has no fixtures: add real files and goldens to tests/formats/golden.py CASES"
    return paths


def _claims(mod: Any, path: Path) -> bool:
    return hasattr(mod, "claims_path") and mod.claims_path(path)


def _split(mod: Any, path: Path) -> list[Record]:
    """The raw records of one input, as ingest splits it."""
    if _claims(mod, path):
        return list(mod.path_records(path))
    with open(path, "rb") as fh:
        return list(getattr(mod, "records", json_records)(fh, str(path)))


def test_every_format_keeps_the_contract() -> None:
    assert NAMES, "no format registered"
    for name, mod in formats.FORMATS.items():
        assert name == mod.NAME and mod.PLATFORM in formats.PLATFORMS
        assert callable(mod.sniff) and callable(mod.parse) and callable(mod.scrub)
        sql = formats.sql_mapping(mod)
        if sql is not None:
            assert isinstance(sql.MACROS, str) and "{COLS}" not in sql.query() and sql.BLOCK_BYTES > 0
            assert not hasattr(sql, "connect"), "a mapping is SQL text: the store opens the connection"


def test_a_format_without_scrub_is_refused() -> None:
    import types

    from tagscope.formats.contract import check

    bare = types.ModuleType("bare")
    bare.NAME, bare.PLATFORM, bare.sniff, bare.parse = "bare", "x", lambda h: False, lambda o: []
    with pytest.raises(TypeError, match="lacks scrub"):
        check(bare)


@pytest.mark.parametrize("name", NAMES)
def test_goldens(name: str) -> None:
    for path in _cases(name):
        expected = json.loads(golden_path(str(path.relative_to(DATA))).read_text(encoding="utf-8"))
        assert normalise(name, path) == expected, path


@pytest.mark.parametrize("name", NAMES)
def test_sniffed_or_claimed(name: str) -> None:
    """Its files are sniffed (or, read as a whole, claimed) as it; every other format's are not."""
    mod = formats.get(name)
    for path in _cases(name):
        if _claims(mod, path):
            continue
        head = path.read_bytes()[:65536]
        assert mod.sniff(head), path
        assert formats.sniff(head) is mod, path
    for other in NAMES:
        for path in _cases(other) if other != name else ():
            assert not _claims(mod, path), path
            assert path.is_dir() or not mod.sniff(path.read_bytes()[:65536]), path


def test_the_sniff_matrix_covers_every_format() -> None:
    from formats.test_sniff import OWN

    assert set(OWN) == set(NAMES), "add the format's fixture folder to tests/formats/test_sniff.py OWN"


def _cut(mod: Any, path: Path, tmp: Path) -> tuple[Path, Path]:
    """A copy of the input PATH with one file cut in the middle of a line, two thirds in; returns the
    input to ingest and the file that was cut. A folder or zip read as a whole is unpacked, and its
    largest file this format sniffs is the one cut."""
    if _claims(mod, path):
        whole = tmp / "input"
        if path.is_dir():
            shutil.copytree(path, whole)
        else:
            with zipfile.ZipFile(path) as zf:
                zf.extractall(whole)
        files = [f for f in whole.rglob("*") if f.is_file() and mod.sniff(f.read_bytes()[:65536])]
        target = max(files, key=lambda f: f.stat().st_size)
    else:
        whole = target = tmp / path.name
        shutil.copy(path, target)
    data = target.read_bytes()
    at = len(data) * 2 // 3
    start, end = data.rfind(b"\n", 0, at) + 1, data.find(b"\n", at)
    end = len(data) if end < 0 else end
    target.write_bytes(data[: (start + end) // 2])
    return whole, target


@pytest.mark.parametrize("name", NAMES)
def test_a_cut_record_is_quarantined_with_its_position(name: str, tmp_path: Path) -> None:
    mod = formats.get(name)
    path = _cases(name)[0]
    uncut = _split(mod, path)
    cut_input, _ = _cut(mod, path, tmp_path)
    cut = _split(mod, cut_input)
    k = next(i for i, r in enumerate(cut) if r.error is not None and (i >= len(uncut) or uncut[i].error is None))
    # The records before the cut read as they did, and the cut one is where the whole one was.
    assert [r.obj for r in cut[:k]] == [r.obj for r in uncut[:k]]
    assert cut[k].line == uncut[k].line
    with Store(tmp_path / "store") as store:
        summary = store.ingest([str(cut_input)])
        assert summary["quarantined"] >= 1
        rows = store.sql("SELECT source_file, source_line, source_format, reason FROM quarantine").to_pylist()
        assert {"source_file": str(cut_input), "source_line": cut[k].line, "source_format": name,
                "reason": cut[k].error} in rows


def _own(items: list[Any]) -> list[Any]:
    """What a record maps to, but reposts (forget takes them with what they repost) and the raw bytes a
    post may carry."""
    return [{k: v for k, v in it.items() if k != "_raw"} if isinstance(it, dict) else it for it in items
            if not (isinstance(it, dict) and it["kind"] == "repost")]


@pytest.mark.parametrize("name", NAMES)
def test_scrub_keeps_what_a_record_maps_to(name: str) -> None:
    """Scrubbing a record of everyone it refers to (the posts it quotes or replies to, the accounts it
    replies to or mentions) removes only copies: the record still maps to the same posts. Reposts are
    left out: forget takes a repost with the reposted post or account, so no copy is scrubbed from a
    repost that stays. (Vacuous for a format whose records embed nothing: CSV rows, archive tweets.)"""
    mod = formats.get(name)
    for path in _cases(name):
        for rec in _split(mod, path):
            if rec.error is not None:
                continue
            try:
                before = mod.parse(rec.obj)
            except formats.ParseError:
                continue
            posts = [p for p in before if isinstance(p, dict)]
            own_ids = {p["id"] for p in posts}
            own_accounts = {p["author_id"] for p in posts}
            own_handles = {(p["author_handle"] or "").lower() for p in posts} | {
                (p["repost_of_author"] or "").lower() for p in posts}
            gone = formats.Forgotten.of(
                ids={p[k] for p in posts for k in ("reply_to_id", "quote_of_id") if p[k]} - own_ids,
                accounts={p["reply_to_user_id"] for p in posts if p["reply_to_user_id"]} - own_accounts,
                handles={m.lower() for p in posts for m in p["mentions"]} - own_handles)
            copy = orjson.loads(orjson.dumps(rec.obj))
            if gone and mod.scrub(copy, gone):
                assert _own(mod.parse(copy)) == _own(before), (path, rec.line)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _holds(strings: list[str], texts: set[str], about: set[str]) -> bool:
    """Whether a record's STRINGS hold one of TEXTS (even inside a longer string) or one of ABOUT whole."""
    return any(t in s for t in texts for s in strings) or not about.isdisjoint(strings)


@pytest.mark.parametrize("name", NAMES)
def test_forget_leaves_no_trace_of_an_author(name: str, tmp_path: Path) -> None:
    """The author whose words the format's fixtures copy into most other records (else the one with the
    most posts) is forgotten: their texts (even inside a longer string), name and bio (as whole values)
    are in no raw record (their own records are purged, copies embedded in others' scrubbed), no word
    only they wrote is left in the search index or its files, and a remap gives the same posts."""
    search = pytest.importorskip("tagscope.search")
    pytest.importorskip("tantivy")
    from tagscope.search import index

    with Store(tmp_path / "store") as store:
        store.ingest([str(p) for p in _cases(name)])
        posts = store.posts().to_pylist()
        records = [(r["id"], _strings(orjson.loads(r["raw"]))) for r in store.sql("SELECT id, raw FROM raw").to_pylist()]
        by_author: dict[str, list[dict[str, Any]]] = {}
        for p in posts:
            by_author.setdefault(p["author_id"], []).append(p)

        def traces_of(author: str) -> tuple[set[str], set[str], list[dict[str, Any]]]:
            """What only AUTHOR wrote (their posts' texts, but a repost's, which is the reposted author's),
            their name and bio (a copy of their profile holds them as whole values; as words of someone's
            text, or a name that is their handle, they are in that person's mention); and the posts of
            everyone else."""
            theirs = by_author[author]
            handles = {p["author_handle"] for p in theirs}
            others = [p for p in posts if p["author_id"] != author and p["repost_of_author"] not in handles]
            texts = {p["text"] for p in theirs if p["kind"] != "repost" and p["text"]} - {p["text"] for p in others}
            about = {v for p in theirs for v in (p["author_name"], p["author_bio"]) if v and len(v) > 3} - {
                h for p in theirs for h in (p["author_handle"], (p["author_handle"] or "").lower())}
            return texts, about, others

        def copies(author: str) -> int:
            """Records of other posts that embed a trace of AUTHOR: what forget must scrub."""
            texts, about, others = traces_of(author)
            ids = {p["id"] for p in others}
            return sum(1 for pid, strings in records if pid in ids and _holds(strings, texts, about))

        # The author whose words other records carry most, so the format's scrub is exercised.
        author = max(by_author, key=lambda a: (copies(a), len(by_author[a]), a))
        texts, about, others = traces_of(author)
        others_words = {w for p in others for w in re.findall(r"\w+", (p["text"] or "").lower())}
        candidates = {w for t in texts for w in re.findall(r"\w+", t.lower()) if len(w) >= 7 and w.isascii() and w.isalpha()}
        assert texts or about, f"{name}: the fixtures give the author {author} nothing to forget"
        with store.writer():
            index.reindex(store)
        # Words only they wrote (not even inside another's word) that find only their posts.
        mine = {p["id"] for p in by_author[author]}

        def only_theirs(word: str) -> bool:
            found = search.search(store, word)
            return 1 <= found.total == len(found.hits) and {h.post_id for h in found.hits} <= mine

        words = sorted(w for w in candidates if not any(w in o for o in others_words) and only_theirs(w))

        forget(store, authors=[author])
        store.refresh()

        assert author not in set(store.posts().column("author_id").to_pylist())
        for raw in store.sql("SELECT raw FROM raw").column("raw").to_pylist():
            assert not _holds(_strings(orjson.loads(raw)), texts, about), (name, author, raw[:300])
        for word in words:
            assert search.search(store, word).total == 0, word
            on_disk = [f for f in index.folder(store).rglob("*")
                       if f.is_file() and f.suffix != ".json" and word.encode() in f.read_bytes()]
            assert not on_disk, word


_SCRUB_KEYS = ["id", "id_str", "user", "author", "author_id", "screen_name", "username", "name", "quoted_status",
               "user_mentions", "mentions", "twitter_quoted_status", "actor", "preferredUsername", "expanded_url",
               "expanded_url_title", "referenced_tweets", "type", "in_reply_to_user", "includes", "users", "tweets",
               "data", "entities", "text"]
_scalars = st.none() | st.booleans() | st.integers(-5, 5) | st.sampled_from(["1", "2", "al", "AL", "x.com/al/status/1"])
_records = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(st.sampled_from(_SCRUB_KEYS), inner, max_size=6), max_leaves=30)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(NAMES), _records)
def test_scrub_of_any_json_value_never_raises(name: str, obj: Any) -> None:
    """forget hands every candidate raw record to its format's scrub: an odd record (one its parse took)
    must not stop a forget half-way."""
    assert formats.get(name).scrub(obj, formats.Forgotten.of(ids=["1"], accounts=["2"], handles=["al"])) in (True, False)


def test_the_registry_finds_a_platform_by_its_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A platform is a folder: the registry imports it and its formats with no list edited elsewhere,
    and refuses a format whose folder says another platform or whose name is taken."""
    from tagscope.formats import _platform_packages, _register

    fmt = ('NAME = "{name}"\nPLATFORM = "{platform}"\n'
           "def sniff(head): return head.startswith(b'#fake')\ndef parse(obj): return []\n"
           "def scrub(obj, forgotten): return False\n")
    root = tmp_path / "fakeformats"
    (root / "fakeplat").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "fakeplat" / "__init__.py").write_text('from . import one\nPLATFORM = "fake"\nFORMATS = (one,)\n')
    (root / "fakeplat" / "one.py").write_text(fmt.format(name="fake-one", platform="fake"))
    monkeypatch.syspath_prepend(str(tmp_path))
    platforms, found = _register(_platform_packages([str(root)], "fakeformats"))
    assert list(platforms) == ["fake"] and list(found) == ["fake-one"] and found["fake-one"].sniff(b"#fake")

    (root / "fakeplat" / "one.py").write_text(fmt.format(name="twitter-v1", platform="fake"))
    for mod in [m for m in sys.modules if m.startswith("fakeformats")]:
        monkeypatch.delitem(sys.modules, mod)
    packages = [*_platform_packages(formats.__path__, formats.__name__), *_platform_packages([str(root)], "fakeformats")]
    with pytest.raises(TypeError, match="two formats are called 'twitter-v1'"):
        _register(packages)

    (root / "fakeplat" / "one.py").write_text(fmt.format(name="fake-one", platform="elsewhere"))
    for mod in [m for m in sys.modules if m.startswith("fakeformats")]:
        monkeypatch.delitem(sys.modules, mod)
    with pytest.raises(TypeError, match="says platform 'elsewhere' in folder 'fake'"):
        _register(_platform_packages([str(root)], "fakeformats"))
