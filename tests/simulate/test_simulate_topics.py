"""`simulate --topics`: planted sub-topics with their own words, start times and shares, in truth.json and
topics.csv, without changing any other figure of the same seed; and `topics` recovers them."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tagscope.simulate import FILES, TOPIC_LABELS, TRUTH, simulate
from tagscope.simulate.topics import TOPICS
from tagscope.store import Store

N = 3000


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict]:
    folder = tmp_path_factory.mktemp("topics")
    plain = simulate(folder / "plain", posts=N, seed=3)
    truth = simulate(folder / "planted", posts=N, seed=3, topics=True)
    return folder, plain, truth


@pytest.fixture(scope="module")
def store(planted, tmp_path_factory: pytest.TempPathFactory):
    folder, _, _ = planted
    st = Store(tmp_path_factory.mktemp("store") / "store")
    st.ingest([str(folder / "planted" / name) for name in FILES.values()])
    yield st
    st.close()


def _labels(folder: Path) -> dict[str, str]:
    with open(folder / TOPIC_LABELS, newline="") as fh:
        return {r["id"]: r["topic"] for r in csv.DictReader(fh)}


def test_other_figures_are_those_of_the_same_seed(planted) -> None:
    folder, plain, truth = planted
    assert "topics" not in plain and not (folder / "plain" / TOPIC_LABELS).exists()
    assert sorted(p.name for p in (folder / "plain").iterdir()) == sorted([*FILES.values(), TRUTH])
    assert {k: v for k, v in truth.items() if k not in ("topics", "files")} == {
        k: v for k, v in plain.items() if k != "files"}


def test_truth_counts_the_labels_and_each_topic_starts_on_time(planted) -> None:
    folder, _, truth = planted
    labels = _labels(folder / "planted")
    rows = {r["name"]: r for r in truth["topics"]["planted"]}
    assert set(rows) == {t.name for t in TOPICS}
    assert Counter(labels.values()) == {name: r["posts"] for name, r in rows.items() if r["posts"]}
    assert truth["topics"]["posts_with_a_topic"] == len(labels) > N // 10
    for topic in TOPICS:
        r = rows[topic.name]
        if r["first_post"] is not None:
            assert r["starts"] <= r["first_post"]
    assert rows["mental-illness"]["ends"] is not None and rows["media-games"]["ends"] is None


def test_planted_topics_name_no_place_and_places_stay_exact(planted, store) -> None:
    """Topic sentences name no place (the places truth counts only its own planted sentences), so the
    places analytic still equals the truth on a campaign with topics (the demo's)."""
    from analytics.test_places import named
    from tagscope.analytics import places
    from tagscope.simulate import content

    for topic in TOPICS:
        for text in (*topic.sentences, *topic.tails):
            assert named(text) == [], text
    _, _, truth = planted
    got = {r["code"]: r["posts"] for r in places(store, content.MAIN, top=100).data["places"]}
    assert got == truth["places"][content.MAIN]


def test_store_holds_the_planted_words(planted, store) -> None:
    folder, _, truth = planted
    st = store
    labels = _labels(folder / "planted")
    words = {t.name: t.words for t in TOPICS}
    rows = st.con.execute("SELECT id, text, created_at FROM posts WHERE list_contains(?, id)", [list(labels)]).fetchall()
    assert len(rows) == len(labels)
    for pid, text, _ in rows:
        assert any(w in text.lower() for w in words[labels[pid]]), (labels[pid], text)
    first = min(created for pid, _, created in rows if labels[pid] == "mental-illness")
    assert first.replace(tzinfo=UTC) >= datetime.fromisoformat(truth["first_post"])


def test_topics_recovers_the_planted_labels(planted, store) -> None:
    """The analytic's model, on the campaign's posts: adjusted Rand index against the planted labels."""
    pytest.importorskip("sklearn")
    from sklearn.metrics import adjusted_rand_score

    from tagscope.analytics import topics_model
    from tagscope.engines import engine_for

    folder, _, _ = planted
    posts = engine_for(store, None).query("SELECT id, text FROM posts WHERE list_contains(hashtags_norm, 'yesallwomen')")
    texts = {r["id"]: r["text"] for r in posts.to_pylist()}
    labels = {pid: lab for pid, lab in _labels(folder / "planted").items() if pid in texts}
    distinct = sorted(set(texts.values()))
    model, _ = topics_model.fit_sample(distinct, "yesallwomen", 10, 0, 20_000)  # auto takes six fits
    assigned = dict(zip(distinct, model.assign(distinct)[0].tolist(), strict=True))
    ari = adjusted_rand_score(list(labels.values()), [assigned[texts[pid]] for pid in labels])
    assert ari > 0.45, ari  # 0.59 when written (bench/RESULTS.md: the demo campaign's figures)
