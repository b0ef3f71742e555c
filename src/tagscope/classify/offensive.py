"""Offensive language (OLID / OffensEval 2019, tweets), fast tier."""

from __future__ import annotations

from pathlib import Path

from . import datasets
from .base import Batch, Classifier, macro_f1
from .linear_task import Evaluation, LinearTask

LICENCE = "OLID via cardiffnlp/tweeteval (released without restrictions; per-task terms may apply)"


def _rows(split: str):
    def load(_data: Path | None) -> list[tuple[str, str]]:
        return [(r["text"], r["label"]) for r in datasets.rows("olid", split)]

    return load


TASK = LinearTask(
    name="offensive",
    summary="offensive language or not (OLID)",
    classes=["not-offensive", "offensive"],
    licence=LICENCE,
    train_rows=_rows("train"),
    dev_rows=_rows("dev"),
    evaluations=[Evaluation("olid", "macro-F1", _rows("test"), macro_f1, {"best published (OffensEval 2019)": 0.829})],
    c=2.0,
)
MODELS: dict[str, Classifier] = {"offensive": TASK.classifier()}


def predict(texts: list[str]) -> list[tuple[str, float]]:
    labels, scores = TASK.load().predict(Batch(texts))
    return [(lab, float(s)) for lab, s in zip(labels, scores, strict=True)]


def train(data: Path | None = None) -> Path:
    return TASK.train(data)


def evaluate(data: Path | None = None):
    return TASK.evaluate(data)
