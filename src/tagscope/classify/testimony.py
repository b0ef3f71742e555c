"""Testimony: is a post a first-person account of an experience, or commentary? (fast tier)

No public set exists, so tagscope ships its own: 460 Reddit and Gab posts (EDOS CC0-1.0, Guest 2021
MIT) labelled by the rules in docs/models/testimony-guidelines.md, split 70/30 (stratified, seed 0).
A small set (59 testimonies): treat scores as rough and see the model card before relying on it.
"""

from __future__ import annotations

from pathlib import Path

from . import datasets
from .base import Batch, Classifier, Result, macro_f1
from .linear_task import Evaluation, LinearTask

LICENCE = "tagscope testimony set (texts: EDOS CC0-1.0, Guest 2021 MIT; labels: tagscope, Apache-2.0)"


def _rows(split: str, key: str = "label"):
    def load(_data: Path | None) -> list[tuple[str, str]]:
        return [(r["text"], r[key]) for r in datasets.rows("testimony", split)]

    return load


TASK = LinearTask(
    name="testimony",
    summary="first-person account of an experience vs commentary (tagscope set)",
    classes=["commentary", "testimony"],
    licence=LICENCE,
    train_rows=_rows("train"),
    dev_rows=None,
    evaluations=[Evaluation("testimony", "macro-F1", _rows("test"), macro_f1)],
    c=4.0,
    threshold=0.4,  # 5-fold cross-validation on the training split (c in 0.5..16, cut in 0.3..0.5)
)


def agreement() -> Result:
    """Cohen's kappa between the two labelling passes over all 460 posts."""
    from sklearn.metrics import cohen_kappa_score

    rs = datasets.rows("testimony")
    kappa = float(cohen_kappa_score([r["label"] for r in rs], [r["label_pass2"] for r in rs]))
    return Result("testimony-labels", "testimony", "Cohen's kappa (pass 1 vs pass 2)", kappa, {}, len(rs))


def evaluate(data: Path | None = None) -> list[Result]:
    return [*TASK.evaluate(data), agreement()]


def predict(texts: list[str]) -> list[tuple[str, float]]:
    labels, scores = TASK.load().predict(Batch(texts))
    return [(lab, float(s)) for lab, s in zip(labels, scores, strict=True)]


def train(data: Path | None = None) -> Path:
    return TASK.train(data)


_cl = TASK.classifier()
_cl.evaluate = evaluate
MODELS: dict[str, Classifier] = {"testimony": _cl}
