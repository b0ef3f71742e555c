"""The one implementation of every fast-tier linear classifier; each task is a declaration (data).

A :class:`LinearTask` says what a model is (name, labels, licence, opt-in), which rows it trains,
tunes and is tested on (a :class:`~.sources.Source` and split names) and its few fitting knobs;
this module trains, evaluates and loads any of them the same way. A task with a ``gate`` is a
cascade: it gives its own label only to posts the gate's binary model calls positive, ``none`` to
the rest (EDOS B and C under A).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .base import MODELS_DIR, Batch, Classifier, Result, class_f1, file_version, macro_f1, needs_extra
from .sources import Rows, Source

if TYPE_CHECKING:
    from .linear import LinearModel


@dataclass(frozen=True)
class Evaluation:
    """One official test: a split scored by macro-F1 (over ``over``'s labels, or all) or, with
    ``positive``, by that one class's F1; ``relabel`` maps the model's labels onto the test set's."""

    dataset: str
    metric: str
    split: str = "test"
    source: Source | None = None  # another set than the task's (e.g. Guest 2021 for EDOS A)
    over: tuple[str, ...] | None = None
    positive: str | None = None
    relabel: dict[str, str] | None = None
    reference: dict[str, float] = field(default_factory=dict)

    def score(self, gold: list[str], pred: list[str]) -> float:
        if self.positive is not None:
            return class_f1(gold, pred, self.positive)
        return macro_f1(gold, pred, labels=list(self.over) if self.over else None)


@dataclass(kw_only=True)
class LinearTask(Classifier):
    classes: list[str]
    source: Source
    evaluations: list[Evaluation]
    dev: str | None = "dev"  # binary models: the split the threshold is tuned on (None: ``threshold``)
    c: float = 2.0
    threshold: float = 0.5  # binary models without a dev split (chosen by cross-validation on train)
    balanced: bool = True
    gate: LinearTask | None = None

    @property
    def labels(self) -> list[str]:
        return ["none", *self.classes] if self.gate is not None else list(self.classes)

    @property
    def path(self) -> Path:
        return MODELS_DIR / f"{self.name}.npz"

    def train(self, data: Path | None = None, out: Path | None = None, seed: int = 0) -> Path:
        """Fit on the training rows, tune the binary threshold on the dev rows, write the file."""
        with needs_extra(f"training {self.name}", self.extra):
            from . import linear

            texts, gold = _split(self.source.rows("train", data))
            model = linear.fit(texts, gold, classes=self.classes, c=self.c, balanced=self.balanced, seed=seed)
            model.threshold = self.threshold
            if len(self.classes) == 2 and self.dev is not None:
                model.threshold = linear.best_threshold(model, *_split(self.source.rows(self.dev, data)))
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
        """Each evaluation's score of this task's own model (a cascade's fine model is scored alone,
        on the posts its test set labels, as EDOS scores B and C)."""
        predictor = self.linear(path)
        results = []
        with needs_extra(f"evaluating {self.name}", self.extra):
            for ev in self.evaluations:
                texts, gold = _split((ev.source or self.source).rows(ev.split, data))
                pred, _ = predictor.predict(Batch(texts))
                if ev.relabel is not None:
                    pred = [ev.relabel[p] for p in pred]
                results.append(Result(self.name, ev.dataset, ev.metric, ev.score(gold, pred), ev.reference, len(texts)))
        return results

    def linear(self, path: Path | None = None) -> LinearPredictor:
        """The task's own linear model (for a cascade: without its gate)."""
        p = path or self.path
        if not p.exists():
            raise FileNotFoundError(f"model file {p} is missing: build it with `tagscope train {self.name}`")
        with needs_extra(f"the {self.name} model", self.extra):
            from .linear import LinearModel

            return LinearPredictor(self.name, file_version(p), LinearModel.load(p))

    def load(self, path: Path | None = None) -> LinearPredictor | CascadePredictor:
        """The predictor ``tagscope classify`` runs (``path``: another file of this task's own model)."""
        if self.gate is None:
            return self.linear(path)
        gate, fine = self.gate.linear(), self.linear(path)
        return CascadePredictor(self.name, f"{gate.version}+{fine.version}", gate, fine)


@dataclass
class LinearPredictor:
    name: str
    version: str
    model: LinearModel

    def predict(self, batch: Batch) -> tuple[list[str], np.ndarray]:
        if not len(batch):
            return [], np.zeros(0, dtype=np.float32)
        return self.model.predict_counts(batch.blocks)

    @property
    def meta(self) -> dict[str, Any]:
        return self.model.meta


@dataclass
class CascadePredictor:
    """A fine-grained label for posts the gate's binary model calls positive; ``none`` for the rest
    (scored, there, by the gate's probability of its label)."""

    name: str
    version: str
    gate: LinearPredictor
    fine: LinearPredictor

    def predict(self, batch: Batch) -> tuple[list[str], np.ndarray]:
        flag, fscore = self.gate.predict(batch)
        fine, score = self.fine.predict(batch)
        positive = self.gate.model.labels[1]
        labels = [f if b == positive else "none" for b, f in zip(flag, fine, strict=True)]
        scores = np.where(np.array(flag) == positive, score, fscore) if len(flag) else score
        return labels, scores


def _split(rows: Rows) -> tuple[list[str], list[str]]:
    return [t for t, _ in rows], [y for _, y in rows]
