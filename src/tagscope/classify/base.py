"""What every classifier shares: the batch it reads, the metrics it reports, how its file is named.

A classifier module exposes ``MODELS``: a dict of model name -> :class:`Classifier`. A classifier
knows how to ``train`` (write its file into ``classify/models``), ``evaluate`` (score the official
test split with the shipped file) and ``load`` a predictor whose ``predict(batch)`` returns one
(label, score) per text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp

from . import features

MODELS_DIR = Path(__file__).resolve().parent / "models"


class Batch:
    """Texts to label; the n-gram counts are computed once and shared by every fast model."""

    def __init__(self, texts: list[str]):
        self.texts = [t if isinstance(t, str) else "" for t in texts]
        try:
            "".join(self.texts).encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates (JSON "\ud83d" cut in half, surrogateescape'd bytes): U+FFFD
            self.texts = [_without_lone_surrogates(t) for t in self.texts]

    @cached_property
    def counts(self) -> sp.csr_matrix:
        return features.counts(self.texts)

    @cached_property
    def blocks(self) -> features.Blocks:
        return features.blocks(self.counts)

    def __len__(self) -> int:
        return len(self.texts)


def _without_lone_surrogates(text: str) -> str:
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


class Predictor(Protocol):
    name: str
    version: str

    def predict(self, batch: Batch) -> tuple[list[str], np.ndarray]: ...


@dataclass
class Result:
    """One evaluation row of `tagscope evaluate`."""

    model: str
    dataset: str
    metric: str
    score: float
    reference: dict[str, float] = field(default_factory=dict)
    n: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"model": self.model, "dataset": self.dataset, "metric": self.metric, "score": round(self.score, 4),
                "reference": self.reference, "n": self.n}


@dataclass
class Classifier:
    """A named model: how to train it, evaluate it and load it."""

    name: str
    summary: str
    labels: list[str]
    licence: str
    train: Callable[..., Path]
    evaluate: Callable[..., list[Result]]
    load: Callable[[], Predictor]
    opt_in: bool = False  # True: never run unless asked for by name (e.g. non-commercial training data)
    needs_data: bool = False  # True: training/evaluation data is not shipped (pass --data)


def file_version(path: Path, prefix: str = "fast") -> str:
    """A model version that changes whenever its file does: labels of older versions get redone."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
    return f"{prefix}-{digest}"


def macro_f1(gold: list[str], pred: list[str], labels: list[str] | None = None) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, pred, labels=labels, average="macro", zero_division=0))


def class_f1(gold: list[str], pred: list[str], positive: str) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, pred, labels=[positive], average="macro", zero_division=0))
