"""Sexism: EDOS task A (sexist or not), B (4 categories) and C (11 vectors), fast tier.

Trained on EDOS (SemEval-2023 Task 10, Reddit and Gab, CC0-1.0) and also evaluated on the Reddit
misogyny set of Guest et al. 2021 (MIT), whose manosphere subreddits it never saw in training.
``sexism-category`` and ``sexism-vector`` label a post ``none`` unless ``sexism`` calls it sexist,
the cascade EDOS defines (B and C are scored on the sexist test posts, as in the shared task).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import datasets
from .base import Batch, Classifier, class_f1, macro_f1
from .linear_task import Evaluation, LinearPredictor, LinearTask

LICENCE = "EDOS data CC0-1.0 (rewire-online/edos); Guest 2021 evaluation data MIT"
EDOS_REF = {"a": {"best published": 0.8746, "TF-IDF": 0.771, "median": 0.832},
            "b": {"best published": 0.7326, "TF-IDF": 0.512, "median": 0.619},
            "c": {"best published": 0.5606, "TF-IDF": 0.311, "median": 0.423}}


def _edos(key: str, splits: tuple[str, ...], sexist_only: bool = False):
    def load(_data: Path | None) -> list[tuple[str, str]]:
        return [(r["text"], r[key]) for r in datasets.rows("edos", splits) if not sexist_only or r["a"] == "sexist"]

    return load


def _guest_test(_data: Path | None) -> list[tuple[str, str]]:
    return [(r["text"], r["level_1"]) for r in datasets.rows("guest2021", "test")]


def _sexist_only_classes(key: str) -> list[str]:
    return sorted({r[key] for r in datasets.rows("edos") if r["a"] == "sexist"})


BINARY = LinearTask(
    name="sexism",
    summary="sexist or not (EDOS task A)",
    classes=["not sexist", "sexist"],
    licence=LICENCE,
    train_rows=_edos("a", ("train",)),
    dev_rows=_edos("a", ("dev",)),
    evaluations=[
        Evaluation("edos-a", "macro-F1", _edos("a", ("test",)), macro_f1, EDOS_REF["a"]),
        Evaluation("guest2021", "F1 misogynistic", _guest_test,
                   lambda g, p: class_f1(g, p, "Misogynistic"), {"paper": 0.43, "TF-IDF": 0.457},
                   relabel=lambda y: "Misogynistic" if y == "sexist" else "Nonmisogynistic"),
    ],
    c=2.0,
)


def _fine(name: str, key: str, summary: str, c: float) -> LinearTask:
    return LinearTask(
        name=name, summary=summary, classes=_sexist_only_classes(key), licence=LICENCE,
        train_rows=_edos(key, ("train",), sexist_only=True), dev_rows=None,
        evaluations=[Evaluation(f"edos-{key}", "macro-F1", _edos(key, ("test",), sexist_only=True), macro_f1, EDOS_REF[key])],
        c=c,
    )


CATEGORY = _fine("sexism-category", "b", "category of sexism (EDOS task B)", 0.5)
VECTOR = _fine("sexism-vector", "c", "fine-grained vector of sexism (EDOS task C)", 0.5)


@dataclass
class CascadePredictor:
    """A fine-grained label for posts the binary model calls sexist; ``none`` for the rest."""

    name: str
    version: str
    binary: LinearPredictor
    fine: LinearPredictor

    def predict(self, batch: Batch) -> tuple[list[str], np.ndarray]:
        flag, fscore = self.binary.predict(batch)
        fine, score = self.fine.predict(batch)
        labels = [f if b == "sexist" else "none" for b, f in zip(flag, fine, strict=True)]
        scores = np.where(np.array(flag) == "sexist", score, fscore) if len(flag) else score
        return labels, scores


def _cascade(task: LinearTask) -> Classifier:
    def load() -> CascadePredictor:
        b, f = BINARY.load(), task.load()
        return CascadePredictor(task.name, f"{b.version}+{f.version}", b, f)

    cl = task.classifier()
    cl.load = load
    cl.labels = ["none", *task.classes]
    return cl


MODELS: dict[str, Classifier] = {
    "sexism": BINARY.classifier(),
    "sexism-category": _cascade(CATEGORY),
    "sexism-vector": _cascade(VECTOR),
}


def predict(texts: list[str], model: str = "sexism") -> list[tuple[str, float]]:
    """Label texts with one of this module's models: [(label, score)]."""
    labels, scores = MODELS[model].load().predict(Batch(texts))
    return [(lab, float(s)) for lab, s in zip(labels, scores, strict=True)]


def train(model: str = "sexism", data: Path | None = None) -> Path:
    return {"sexism": BINARY, "sexism-category": CATEGORY, "sexism-vector": VECTOR}[model].train(data)


def evaluate(model: str = "sexism", data: Path | None = None):
    return MODELS[model].evaluate(data)
