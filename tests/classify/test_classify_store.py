"""`tagscope classify`: incremental labelling of a store, labels beside the posts, surviving re-ingest."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from tagscope.classify import labels as label_store
from tagscope.classify import predict
from tagscope.classify.run import classify
from tagscope.cli import app
from tagscope.engines import engine_for
from tagscope.store import Store
from tweetfactory import tweet, write_jsonl

TEXTS = [
    "Women are too stupid to vote #YesAllWomen",
    "Because I was groped on the bus at 14 #YesAllWomen",
    "Not all men are like that #NotAllMen",
    "Lovely weather in Santa Barbara today",
    "Feminism is about equality #YesAllWomen",
]


def _store(tmp_path: Path) -> tuple[Store, Path]:
    recs = [tweet(str(i + 1), t, tags=[w[1:] for w in t.split() if w.startswith("#")]) for i, t in enumerate(TEXTS)]
    f = write_jsonl(tmp_path / "a.jsonl", recs)
    st = Store(tmp_path / "store")
    st.ingest([str(f)])
    return st, f


def _current(st: Store, model: str) -> dict[str, str]:
    rows = engine_for(st).query("SELECT id, label FROM labels WHERE model = ?", [model], ("labels",)).to_pylist()
    return {r["id"]: r["label"] for r in rows}


def test_labels_every_post_once_then_only_new_ones(tmp_path: Path) -> None:
    st, _ = _store(tmp_path)
    s1 = classify(st, "sexism,stance", jobs=1)
    assert s1.todo == {"sexism": 5, "stance": 5}
    assert s1.labelled == {"sexism": 5, "stance": 5}
    got = _current(st, "sexism")
    expected = predict("sexism", TEXTS)
    assert got == {str(i + 1): lab for i, (lab, _) in enumerate(expected)}

    assert classify(st, "sexism,stance", jobs=1).todo == {"sexism": 0, "stance": 0}

    g = write_jsonl(tmp_path / "b.jsonl", [tweet("6", "Men are trash #YesAllWomen", tags=["YesAllWomen"]), tweet("7", "hello")])
    st.ingest([str(g)])
    s3 = classify(st, "sexism", jobs=1)
    assert s3.todo == {"sexism": 2}
    # A model asked for later labels every post, the others none.
    s4 = classify(st, "sexism,offensive", jobs=1)
    assert s4.todo == {"sexism": 0, "offensive": 7}


def test_tag_restricts_which_posts_are_labelled(tmp_path: Path) -> None:
    st, _ = _store(tmp_path)
    s = classify(st, "stance", tag="#YESALLWOMEN", jobs=1)
    assert s.todo == {"stance": 3}
    assert set(_current(st, "stance")) == {"1", "2", "5"}


def test_labels_survive_reingest_and_new_posts_files(tmp_path: Path) -> None:
    st, f = _store(tmp_path)
    classify(st, "sexism", jobs=1)
    before = _current(st, "sexism")
    files_before = set(st.files("posts"))
    # Re-ingest the same file and an edited copy of post 1 with more information: posts files change.
    again = tweet("1", TEXTS[0], tags=["YesAllWomen"], followers=99)
    st.ingest([str(f), str(write_jsonl(tmp_path / "c.jsonl", [again]))])
    assert _current(st, "sexism") == before
    assert classify(st, "sexism", jobs=1).todo == {"sexism": 0}
    assert files_before  # sanity: the store had files to begin with


def test_labels_are_parquet_files_with_the_promised_columns(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    st, _ = _store(tmp_path)
    summary = classify(st, "sexism", jobs=1)
    files = label_store.files(st, "sexism")
    assert len(files) == 1 and Path(files[0]).parent == tmp_path / "store" / "labels" / "sexism"
    table = pq.read_table(files[0])
    assert table.column_names == ["platform", "id", "model", "version", "label", "score", "labelled_at"]
    assert set(table.column("version").to_pylist()) == {summary.models["sexism"]}
    assert not list((tmp_path / "store" / "labels" / "sexism").glob(".*"))  # no temp file left


def test_a_new_model_version_relabels_and_wins(tmp_path: Path) -> None:
    st, _ = _store(tmp_path)
    label_store.write(st, "sexism", "old-version", ["twitter"] * 5, [str(i) for i in range(1, 6)], ["sexist"] * 5, [0.9] * 5)
    s = classify(st, "sexism", jobs=1)
    assert s.todo == {"sexism": 5}
    assert _current(st, "sexism") == {str(i + 1): lab for i, (lab, _) in enumerate(predict("sexism", TEXTS))}


def test_empty_view_before_any_label(tmp_path: Path) -> None:
    st, _ = _store(tmp_path)
    labels = engine_for(st).query("SELECT * FROM labels", needs=("labels",))
    assert labels.num_rows == 0
    assert labels.column_names == ["platform", "id", "model", "label", "score"]


def test_two_worker_processes_give_the_same_labels(tmp_path: Path) -> None:
    recs = [tweet(str(i), f"{TEXTS[i % 5]} number {i}") for i in range(1, 4_501)]
    st = Store(tmp_path / "store")
    st.ingest([str(write_jsonl(tmp_path / "many.jsonl", recs))])
    s = classify(st, "sexism", jobs=2, batch_size=2_000)
    assert s.labelled == {"sexism": 4_500}
    got = _current(st, "sexism")
    sample = [r for r in recs[:50]]
    want = predict("sexism", [r["text"] for r in sample])
    assert [got[r["id_str"]] for r in sample] == [lab for lab, _ in want]


def test_classify_command(tmp_path: Path) -> None:
    st, _ = _store(tmp_path)
    runner = CliRunner()
    res = runner.invoke(app, ["classify", "--store", str(st.path), "--models", "sexism,language", "--json"])
    assert res.exit_code == 0, res.output
    body = orjson.loads(res.stdout)
    assert body["labelled"] == {"sexism": 5, "language": 5}
    res = runner.invoke(app, ["classify", "--store", str(st.path), "--models", "nope"])
    assert res.exit_code == 2
    res = runner.invoke(app, ["classify", "--store", str(st.path), "--model", "exact"])
    assert res.exit_code == 2


def test_label_texts_slices_and_subsets_keep_order(monkeypatch) -> None:
    from tagscope.classify import run
    from tagscope.classify.registry import load

    monkeypatch.setattr(run, "SLICE", 2)
    preds = {"sexism": load("sexism"), "stance": load("stance")}
    texts = [*TEXTS, "Men are trash", "women are property"]
    needs = {"sexism": [0, 3, 4, 6], "stance": list(range(len(texts)))}
    got = run.label_texts(preds, texts, needs)
    assert got["sexism"][0] == [lab for lab, _ in predict("sexism", [texts[i] for i in needs["sexism"]])]
    assert got["stance"][0] == [lab for lab, _ in predict("stance", texts)]


def test_compaction_keeps_one_current_row_per_post(tmp_path: Path) -> None:
    st, _ = _store(tmp_path)
    ids = [str(i) for i in range(1, 6)]
    for k in range(7):
        label_store.write(st, "sexism", "old", ["twitter"] * 5, ids, ["sexist"] * 5, [0.5 + k / 100] * 5)
    classify(st, "sexism", jobs=1)  # 8th file: the current version, then compaction
    paths = label_store.files(st, "sexism")
    assert len(paths) == 1
    import pyarrow.parquet as pq

    table = pq.read_table(paths[0])
    assert table.num_rows == 5
    assert set(table.column("version").to_pylist()) == {get_version(st)}
    assert _current(st, "sexism") == {str(i + 1): lab for i, (lab, _) in enumerate(predict("sexism", TEXTS))}


def get_version(st: Store) -> str:
    from tagscope.classify.registry import load

    return load("sexism").version
