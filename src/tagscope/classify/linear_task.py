"""A fast-tier classifier defined by its data: which rows to train on, tune on and test on.

Every linear classifier (sexism, stance, offensive, hate, testimony...) is one
:class:`LinearTask`; this module turns it into the train / evaluate / load trio of
:class:`~tagscope.classify.base.Classifier`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import linear
from .base import MODELS_DIR, Batch, Classifier, Result, file_version

Rows = list[tuple[str, str]]  # (text, label)
Loader = Callable[[Path | None], Rows]


@dataclass
class Evaluation:
    """One official test: rows, a metric name and a scorer (gold, predicted) -> float."""

    dataset: str
    metric: str
    rows: Loader
    score: Callable[[list[str], list[str]], float]
    reference: dict[str, float] = field(default_factory=dict)
    # Map the model's labels onto the test set's (e.g. sexist -> Misogynistic); identity when None.
    relabel: Callable[[str], str] | None = None


@dataclass
class LinearTask:
    name: str
    summary: str
    classes: list[str]
    licence: str
    train_rows: Loader
    dev_rows: Loader | None
    evaluations: list[Evaluation]
    c: float = 2.0
    threshold: float = 0.5  # binary models without dev rows (chosen by cross-validation on train)
    balanced: bool = True
    opt_in: bool = False
    needs_data: bool = False

    @property
    def path(self) -> Path:
        return MODELS_DIR / f"{self.name}.npz"

    def train(self, data: Path | None = None, out: Path | None = None, seed: int = 0) -> Path:
        """Fit on the training rows, tune the binary threshold on the dev rows, write the file."""
        texts, gold = _split(self.train_rows(data))
        model = linear.fit(texts, gold, classes=self.classes, c=self.c, balanced=self.balanced, seed=seed)
        model.threshold = self.threshold
        if len(self.classes) == 2 and self.dev_rows is not None:
            model.threshold = linear.best_threshold(model, *_split(self.dev_rows(data)))
        model.meta = {
            "model": self.name,
            "trained_on": len(texts),
            "c": self.c,
            "balanced": self.balanced,
            "seed": seed,
            "licence": self.licence,
            "command": f"tagscope train {self.name}" + (" --data DIR" if self.needs_data else ""),
        }
        path = out or self.path
        model.save(path)
        return path

    def evaluate(self, data: Path | None = None, path: Path | None = None) -> list[Result]:
        predictor = self.load(path)
        results = []
        for ev in self.evaluations:
            texts, gold = _split(ev.rows(data))
            pred, _ = predictor.predict(Batch(texts))
            if ev.relabel is not None:
                pred = [ev.relabel(p) for p in pred]
            results.append(Result(self.name, ev.dataset, ev.metric, ev.score(gold, pred), ev.reference, len(texts)))
        return results

    def load(self, path: Path | None = None) -> LinearPredictor:
        p = path or self.path
        if not p.exists():
            raise FileNotFoundError(f"model file {p} is missing: build it with `tagscope train {self.name}`")
        return LinearPredictor(self.name, file_version(p), linear.LinearModel.load(p))

    def classifier(self) -> Classifier:
        return Classifier(
            name=self.name, summary=self.summary, labels=self.classes, licence=self.licence,
            train=self.train, evaluate=self.evaluate, load=self.load, opt_in=self.opt_in, needs_data=self.needs_data,
        )


@dataclass
class LinearPredictor:
    name: str
    version: str
    model: linear.LinearModel

    def predict(self, batch: Batch) -> tuple[list[str], np.ndarray]:
        if not len(batch):
            return [], np.zeros(0, dtype=np.float32)
        return self.model.predict_counts(batch.blocks)

    @property
    def meta(self) -> dict[str, Any]:
        return self.model.meta


def _split(rows: Rows) -> tuple[list[str], list[str]]:
    return [t for t, _ in rows], [y for _, y in rows]
