"""A repost that names its subject by id counts for the subject's tags once the store holds the subject,
whichever arrives first; the ones that cannot be resolved are counted (reposts.py)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tagscope.store import Store

DATA = Path(__file__).resolve().parents[1] / "data"
JETSTREAM = DATA / "bluesky-jetstream" / "jetstream_expected_v1.jsonl"


def _events() -> list[dict]:
    return [orjson.loads(line) for line in JETSTREAM.read_bytes().splitlines() if line.strip()]


def _subject_posts() -> tuple[list[dict], list[str]]:
    """Real post events of the capture re-addressed to the subjects of its real reposts (whose posts
    the capture does not hold), and those subjects' URIs."""
    events = _events()
    reposts = [e for e in events if (e.get("commit") or {}).get("collection") == "app.bsky.feed.repost"
               and e["commit"].get("record")]
    posts = [e for e in events if (e.get("commit") or {}).get("collection") == "app.bsky.feed.post"
             and e["commit"].get("operation") == "create"]
    out, uris = [], []
    for rp, post in zip(reposts[:3], posts, strict=False):
        uri = rp["commit"]["record"]["subject"]["uri"]
        did, _, rkey = uri[5:].split("/")
        ev = orjson.loads(orjson.dumps(post))
        ev["did"], ev["commit"]["rkey"] = did, rkey
        ev["commit"]["record"]["tags"] = ["ReportedTag"]  # a tag the subject surely carries (record.tags)
        out.append(ev)
        uris.append(uri)
    return out, uris


def _write(path: Path, events: list[dict]) -> str:
    path.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in events))
    return str(path)


def _filled(store: Store, uris: list[str]) -> list[dict]:
    return store.sql(
        "SELECT repost_of_id, text, hashtags_norm FROM posts WHERE kind = 'repost' AND list_contains(?, repost_of_id) "
        "ORDER BY id", [uris]).to_pylist()


def _tag_reposts(store: Store) -> int:
    return store.sql("SELECT count(*) AS n FROM posts WHERE kind = 'repost' AND list_contains(hashtags_norm, "
                     "'reportedtag')").column("n")[0].as_py()


@pytest.mark.parametrize("subjects_first", [True, False])
def test_repost_takes_its_subjects_text_and_tags_whichever_arrives_first(tmp_path: Path, subjects_first: bool) -> None:
    subjects, uris = _subject_posts()
    assert len(uris) == 3
    capture = str(JETSTREAM)
    extra = _write(tmp_path / "subjects.jsonl", subjects)
    with Store(tmp_path / "s") as store:
        first = store.ingest([extra if subjects_first else capture])
        second = store.ingest([capture if subjects_first else extra])
        if subjects_first:  # filled at commit, from the store
            assert second["reposts_unresolved"] == 12
        else:  # stored as pointers, filled at the end of the run that brought their subjects
            assert first["reposts_unresolved"] == 15
            assert second["reposts_unresolved"] == 0
        rows = _filled(store, uris)
        assert len(rows) == 3
        for row in rows:
            assert row["text"] is not None and "reportedtag" in row["hashtags_norm"]
        assert _tag_reposts(store) == 3
        assert store.stats()["reposts_unresolved"] == 12
        # the rollups every analytic reads follow the rewrite: the reposts count for the tag
        got = store.sql("SELECT count(*) AS n FROM posts WHERE list_contains(hashtags_norm, 'reportedtag')")
        assert got.column("n")[0].as_py() == 6


def test_same_batch_and_unresolved_count(tmp_path: Path) -> None:
    subjects, _ = _subject_posts()
    path = _write(tmp_path / "both.jsonl", _events() + subjects)  # reposts before their subjects, one batch
    with Store(tmp_path / "s") as store:
        summary = store.ingest([path])
        assert summary["reposts_unresolved"] == 12
        assert _tag_reposts(store) == 3
        assert store.stats()["reposts_unresolved"] == 12
        again = store.ingest([path])  # nothing new: the filled reposts stay filled
        assert again["ingested"] == 0 and _tag_reposts(store) == 3


def test_trend_counts_filled_reposts(tmp_path: Path) -> None:
    from tagscope.analytics.trend import trend

    subjects, _ = _subject_posts()
    with Store(tmp_path / "s") as store:
        store.ingest([str(JETSTREAM)])
        store.ingest([_write(tmp_path / "subjects.jsonl", subjects)])
        every = trend(store, "reportedtag", every="week").table
        originals = trend(store, "reportedtag", every="week", no_reposts=True).table
        assert sum(every.column("count").to_pylist()) - sum(originals.column("count").to_pylist()) == 3


def test_a_stored_pointer_seen_again_with_its_subject_is_filled(tmp_path: Path) -> None:
    subjects, uris = _subject_posts()
    both = _write(tmp_path / "both.jsonl", subjects + _events())  # the subjects, then the reposts again
    with Store(tmp_path / "s") as store:
        store.ingest([str(JETSTREAM)])  # pointers stored
        again = store.ingest([both])
        assert (again["ingested"], again["reposts_unresolved"]) == (3, 0)
        assert all("reportedtag" in r["hashtags_norm"] for r in _filled(store, uris))
        assert store.stats()["reposts_unresolved"] == 12


def test_remap_keeps_the_reposts_filled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tagscope.store import remap as remapping

    monkeypatch.setattr(remapping, "BATCH_POSTS", 10)  # the reposts and their subjects in different batches

    subjects, _ = _subject_posts()
    with Store(tmp_path / "s") as store:
        store.ingest([str(JETSTREAM)])  # the reposts' raw records come first, their subjects' after
        store.ingest([_write(tmp_path / "subjects.jsonl", subjects)])
        assert _tag_reposts(store) == 3
        remapping.remap(store)
        assert _tag_reposts(store) == 3 and store.stats()["reposts_unresolved"] == 12
