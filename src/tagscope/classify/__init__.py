"""Offline classifiers: sexism, stance, hate, offensive, sentiment, language and testimony.

``predict(model, texts)`` labels texts; ``tagscope classify`` labels the store (see :mod:`.run`),
``tagscope evaluate`` scores every model on official test splits. Model files ship in ``models/``;
every model is declared in :mod:`.tasks`. Importing this package (or its registry and labels) needs
no optional extra: scikit-learn, scipy, onnxruntime and the lexicons load when a model is used.
"""

from __future__ import annotations

from .base import Batch
from .registry import get


def predict(model: str, texts: list[str]) -> list[tuple[str, float]]:
    """[(label, score)] for each text, with the named model (fast tier)."""
    labels, scores = get(model).load().predict(Batch(list(texts)))
    return [(lab, float(s)) for lab, s in zip(labels, scores, strict=True)]


__all__ = ["predict"]
