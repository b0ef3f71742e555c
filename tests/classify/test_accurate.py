"""The accurate tier (ONNX MiniLM + fast tier), when its files and runtime are installed."""

from __future__ import annotations

import orjson
import pytest
from typer.testing import CliRunner

from tagscope.classify import accurate
from tagscope.classify.base import Batch
from tagscope.classify.registry import load
from tagscope.cli import app

pytestmark = pytest.mark.skipif(not accurate.available(), reason="accurate tier files not built")
FAST_EDOS_A = 0.7743  # the fast tier's EDOS A test macro-F1: the accurate tier must beat it


def test_accurate_sexism_on_plain_cases() -> None:
    pytest.importorskip("onnxruntime")
    pred = accurate.load()
    labels, scores = pred.predict(Batch(["Women are too emotional to be leaders, they belong in the kitchen",
                                         "The train was late again this morning", ""]))
    assert labels[:2] == ["sexist", "not sexist"]
    assert all(0.5 <= s <= 1 for s in scores)
    assert pred.version.startswith("accurate-")


def test_label_command_with_accurate_tier() -> None:
    pytest.importorskip("onnxruntime")
    res = CliRunner().invoke(app, ["label", "sexism", "--model", "accurate"], input="Women are inferior to men\nnice day\n")
    assert res.exit_code == 0, res.output
    assert [orjson.loads(line)["label"] for line in res.stdout.splitlines()] == ["sexist", "not sexist"]


def test_accurate_category_follows_the_cascade() -> None:
    pytest.importorskip("onnxruntime")
    if "sexism-category" not in accurate.tiers():
        pytest.skip("no accurate category head shipped")
    pred = load("sexism-category", "accurate")
    texts = ["Women are too emotional to be leaders, they belong in the kitchen", "The train was late again this morning"]
    labels, scores = pred.predict(Batch(texts))
    assert labels[1] == "none"
    assert labels[0] in {"1. threats, plans to harm and incitement", "2. derogation", "3. animosity",
                         "4. prejudiced discussions"}
    assert all(0 <= s <= 1 for s in scores)


def test_one_encoder_run_serves_both_models() -> None:
    pytest.importorskip("onnxruntime")
    scorer = accurate.scorer()
    texts = ["a b c", "women are property"]
    p, e = scorer.outputs(texts)
    assert e.shape == (2, 384)
    assert scorer.outputs(texts)[0] is p  # same list object: remembered, not re-run


def test_accurate_beats_fast_tier_on_test_posts() -> None:
    """On 1,000 EDOS test posts (full test: `tagscope evaluate --model accurate`, about a minute)."""
    pytest.importorskip("onnxruntime")
    from tagscope.classify import datasets
    from tagscope.classify.base import macro_f1

    rs = datasets.rows("edos", "test")[:1_000]
    batch, gold = Batch([r["text"] for r in rs]), [r["a"] for r in rs]
    acc = macro_f1(gold, accurate.load().predict(batch)[0])
    fast = macro_f1(gold, load("sexism").predict(batch)[0])
    assert acc > max(fast, FAST_EDOS_A)
