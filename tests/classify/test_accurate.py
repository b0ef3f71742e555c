"""The accurate tier (ONNX fine-tunes of MiniLM and mpnet and a stance head, mixed with the fast tier) as built in the package."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import orjson
import pytest
from typer.testing import CliRunner

from tagscope.classify import accurate, datasets
from tagscope.classify.base import MODELS_DIR, Batch, macro_f1
from tagscope.classify.registry import load
from tagscope.classify.run import classify
from tagscope.cli import app
from tagscope.engines import engine_for
from tagscope.store import Store
from tweetfactory import tweet, write_jsonl

pytest.importorskip("onnxruntime")  # the `accurate` extra, part of `all` (make setup)
# The accurate tier's files are committed (each < 20 MB), so these tests run on a fresh clone.
FAST_EDOS_A = 0.7743  # the fast tier's EDOS A test macro-F1: the accurate tier must beat it
CATEGORIES = {"1. threats, plans to harm and incitement", "2. derogation", "3. animosity", "4. prejudiced discussions"}
SEXIST = "Women are too emotional to be leaders, they belong in the kitchen"
NEUTRAL = "The train was late again this morning"


def test_the_accurate_tier_ships_small_and_complete() -> None:
    assert accurate.available(), "models/accurate-*.onnx (built), the tokenizer, accurate.json and the stance head must be there"
    assert accurate.tiers() == ["sexism", "sexism-category", "stance"]
    info = accurate.settings()
    for name in info["sha256"]:  # every shipped file is committed: under GitHub's 20 MB comfort line
        assert (MODELS_DIR / name).stat().st_size < 20_000_000
    assert set(info["sha256"]) == {p.name for p in MODELS_DIR.glob("accurate*")} - {accurate.INFO}  # nothing unchosen left
    assert not list(MODELS_DIR.glob("*.pt")) and not list(MODELS_DIR.glob("*fp32*"))
    assert 0 <= info["sexism"]["weight"] <= 1 and 0 < info["sexism"]["threshold"] < 1
    assert 0 <= info["category"]["weight"] <= 1 and 0 <= info["stance"]["weight"] <= 1
    assert info["stance"]["encoder"] in (*accurate.TASKS, "stance")  # a regression on a task's embedding, or its own fine-tune
    assert all(accurate.parts(MODELS_DIR / f) for f in accurate.files(info))  # whole or in pieces
    assert all(accurate.parts(MODELS_DIR / f) for f in accurate.stance_files(info))
    assert set(info["categories"]) == CATEGORIES and info["stance_classes"] == ["none", "against", "favor"]


def test_accurate_sexism_on_plain_cases() -> None:
    pred = accurate.load()
    labels, scores = pred.predict(Batch([SEXIST, NEUTRAL, ""]))
    assert labels[:2] == ["sexist", "not sexist"]
    assert all(0.5 <= s <= 1 for s in scores)
    assert pred.version.startswith("accurate-")


def test_label_command_with_accurate_tier() -> None:
    res = CliRunner().invoke(app, ["label", "sexism", "--model", "accurate"], input="Women are inferior to men\nnice day\n")
    assert res.exit_code == 0, res.output
    assert [orjson.loads(line)["label"] for line in res.stdout.splitlines()] == ["sexist", "not sexist"]


def test_accurate_category_follows_the_cascade() -> None:
    labels, scores = load("sexism-category", "accurate").predict(Batch([SEXIST, NEUTRAL]))
    assert labels[1] == "none"
    assert labels[0] in CATEGORIES
    assert all(0 <= s <= 1 for s in scores)


def test_category_graphs_run_only_on_posts_called_sexist(monkeypatch) -> None:
    """The cascade labels every other post `none`, so the B graphs (one of them mpnet) never see them."""
    pred = load("sexism-category", "accurate")
    assert isinstance(pred, accurate.AccurateCategoryPredictor)
    texts = [SEXIST, NEUTRAL, "Women should not be allowed to vote, they are too stupid", "Lovely weather for a walk"]
    flags, _ = pred.binary.predict(Batch(texts))
    seen: list[str] = []
    for sc in (pred.head.scorer, *pred.head.more):
        real = sc.outputs
        monkeypatch.setattr(sc, "outputs", lambda t, real=real: seen.extend(t) or real(t))
    labels, scores = pred.predict(Batch(texts))
    sexist = [t for t, f in zip(texts, flags, strict=True) if f == "sexist"]
    assert sexist and set(seen) == set(sexist)
    expected, _ = pred.head.labels(Batch(sexist))
    assert [lab for lab, f in zip(labels, flags, strict=True) if f == "sexist"] == expected
    assert all(lab == "none" for lab, f in zip(labels, flags, strict=True) if f != "sexist")
    assert all(0 <= s <= 1 for s in scores)


def test_accurate_stance_labels_and_scores() -> None:
    pred = load("stance", "accurate")
    assert isinstance(pred, accurate.AccurateStancePredictor)
    labels, scores = pred.predict(Batch(["Feminists are ugly man-haters, feminism is cancer", "", "hello"]))
    assert labels[0] == "against"
    assert set(labels) <= {"none", "against", "favor"}
    assert all(1 / 3 <= s <= 1 for s in scores)
    assert pred.predict(Batch([])) == ([], pytest.approx([]))


def test_one_encoder_run_serves_every_model_of_its_file() -> None:
    scorer = accurate.graph_scorer(accurate.category_files(accurate.settings())[0])
    texts = ["a b c", "women are property", "x " * 200]
    out = scorer.outputs(texts)
    assert out["e"].shape == (3, 384) and out["p"].shape == (3, 4)
    assert out["p"].sum(1) == pytest.approx(1, abs=1e-3)
    assert scorer.outputs(texts)["p"] is out["p"]  # same list object: remembered, not re-run
    # One post per batch gives nearly the same: padding is masked, and only dynamic int8's per-batch
    # activation scale differs (measured: up to 0.075 on this 4-class head beside a 96-token post).
    alone = accurate.AccurateScorer(scorer.path, batch=1).outputs(texts)
    assert alone["p"] == pytest.approx(out["p"], abs=0.1)
    assert accurate.graph_scorer(accurate.sexism_files(accurate.settings())[0]).outputs(texts)["p"].shape == (3, 2)


def test_stance_probabilities_sum_to_one() -> None:
    """From its own fine-tune's graph, or from the regression head over another graph's embedding."""
    texts = ["Feminism is for everyone", "hello"]
    info = accurate.settings()
    outs = [accurate.graph_scorer(g).outputs(texts) for g in accurate.stance_graphs(info)]
    if info["stance"]["encoder"] == "stance":
        p = outs[0]["p"]
    else:  # the regression reads the graphs' averaged embedding
        p = accurate.StanceHead.load(MODELS_DIR / accurate.STANCE_NPZ).proba(np.mean([o["e"] for o in outs], axis=0))
    assert p.shape == (2, 3) and p.sum(1) == pytest.approx(1, abs=1e-3)
    pred = load("stance", "accurate")
    assert isinstance(pred, accurate.AccurateStancePredictor)
    assert pred.head.accurate(Batch(texts)) == pytest.approx(p, abs=1e-5)  # what `stance` mixes with the fast tier


def test_accurate_beats_fast_tier_on_test_posts() -> None:
    """On 1,000 EDOS test posts (full test: `tagscope evaluate --model accurate`, about a minute)."""
    rs = datasets.rows("edos", "test")[:1_000]
    batch, gold = Batch([r["text"] for r in rs]), [r["a"] for r in rs]
    acc = macro_f1(gold, accurate.load().predict(batch)[0])
    fast = macro_f1(gold, load("sexism").predict(batch)[0])
    assert acc > max(fast, FAST_EDOS_A)


def test_evaluate_stance_with_accurate_tier_as_json() -> None:
    res = CliRunner().invoke(app, ["evaluate", "--models", "stance", "--model", "accurate", "--json"])
    assert res.exit_code == 0, res.output
    rows = orjson.loads(res.stdout)["results"]
    assert [(r["model"], r["dataset"]) for r in rows] == [("stance", "stance-feminist"), ("stance (accurate)", "stance-feminist")]
    assert rows[1]["n"] == 285 and rows[1]["score"] >= 0.553  # at least the TF-IDF reference


def test_classify_store_with_accurate_stance(tmp_path: Path) -> None:
    texts = ["Feminists are ugly man-haters, feminism is cancer #YesAllWomen", "Lovely weather today",
             "Women deserve equal pay, proud feminist #YesAllWomen"]
    f = write_jsonl(tmp_path / "a.jsonl", [tweet(str(i + 1), t) for i, t in enumerate(texts)])
    st = Store(tmp_path / "store")
    st.ingest([str(f)])
    s = classify(st, "stance,sexism", tier="accurate", jobs=1)
    assert s.labelled == {"stance": 3, "sexism": 3}
    assert s.models["stance"].startswith("accurate-") and s.models["sexism"].startswith("accurate-")
    expected, _ = load("stance", "accurate").predict(Batch(texts))
    rows = engine_for(st).query("SELECT id, label FROM labels WHERE model = 'stance'", needs=("labels",)).to_pylist()
    got = {r["id"]: r["label"] for r in rows}
    assert got == {str(i + 1): lab for i, lab in enumerate(expected)}
    assert classify(st, "stance", tier="accurate", jobs=1).todo == {"stance": 0}
