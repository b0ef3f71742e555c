"""The accurate tier (ONNX MiniLM + fast tier), when its files and runtime are installed."""

from __future__ import annotations

import orjson
import pytest
from typer.testing import CliRunner

from tagscope.classify import accurate
from tagscope.classify.base import Batch
from tagscope.cli import app

pytestmark = pytest.mark.skipif(not accurate.available(), reason="accurate tier files not built")


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
