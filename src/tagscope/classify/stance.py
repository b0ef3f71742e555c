"""Stance toward feminism / the campaign: favor, against or none (SemEval-2016 Task 6, fast tier).

The backbone of backlash figures: ``against`` posts are the backlash. Trained on the TweetEval copy
of the "Feminist Movement" target (tweets, 2016); scored as in SemEval, the mean F1 of favor and against.
"""

from __future__ import annotations

from pathlib import Path

from . import datasets
from .base import Batch, Classifier, macro_f1
from .linear_task import Evaluation, LinearTask

LICENCE = "SemEval-2016 Task 6 via cardiffnlp/tweeteval (released without restrictions; per-task terms may apply)"


def _rows(split: str):
    def load(_data: Path | None) -> list[tuple[str, str]]:
        return [(r["text"], r["label"]) for r in datasets.rows("stance_feminist", split)]

    return load


TASK = LinearTask(
    name="stance",
    summary="stance toward feminism: favor / against / none (SemEval-2016, feminist target)",
    classes=["none", "against", "favor"],
    licence=LICENCE,
    train_rows=_rows("train"),
    dev_rows=_rows("dev"),
    evaluations=[Evaluation("stance-feminist", "mean F1 favor/against", _rows("test"),
                            lambda g, p: macro_f1(g, p, labels=["favor", "against"]),
                            {"best published": 0.600, "TF-IDF": 0.553})],
    c=1.0,
)
MODELS: dict[str, Classifier] = {"stance": TASK.classifier()}


def predict(texts: list[str]) -> list[tuple[str, float]]:
    labels, scores = TASK.load().predict(Batch(texts))
    return [(lab, float(s)) for lab, s in zip(labels, scores, strict=True)]


def train(data: Path | None = None) -> Path:
    return TASK.train(data)


def evaluate(data: Path | None = None):
    return TASK.evaluate(data)
