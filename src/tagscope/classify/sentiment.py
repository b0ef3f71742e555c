"""Sentiment of a post: negative / neutral / positive (UMSAB English tweets), fast tier.

Two signals stacked: the shared tf-idf n-gram model, and the VADER lexicon (vaderSentiment, MIT,
the baseline to beat). A small logistic regression combines the n-gram model's log-probabilities,
taken out-of-fold on the training set (5 folds, seeded), with VADER's four scores.
VADER scores ~10x fewer posts per second than the n-gram models: it is the slow part here.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..files import write_bytes
from . import datasets, features, linear
from .base import MODELS_DIR, Batch, Result, file_version, macro_f1
from .tasks import SENTIMENT

CLASSES = SENTIMENT.classes
PATH = MODELS_DIR / "sentiment.npz"
STACK = MODELS_DIR / "sentiment.stack.json"
REFERENCE = {"best published (XLM-T)": 0.706, "TF-IDF": 0.519, "VADER": 0.560}


def _rows(split: str) -> tuple[list[str], list[str]]:
    rs = datasets.rows("umsab_en", split)
    return [r["text"] for r in rs], [r["label"] for r in rs]


VADER_LEXICON_SHA256 = "1ec9c6e9ee19aade328f8beb393a6afa71a5bb3acf7d3cc22d4ef568df374bf5"  # vaderSentiment 3.3.2


def _vader():
    try:
        from vaderSentiment import vaderSentiment as vs
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the install
        raise ModuleNotFoundError("the sentiment model needs vaderSentiment: pip install 'tagscope[classify]'") from exc
    lexicon = Path(vs.__file__).parent / "vader_lexicon.txt"
    if hashlib.sha256(lexicon.read_bytes()).hexdigest() != VADER_LEXICON_SHA256:
        raise FileNotFoundError(f"{lexicon} is not the pinned VADER lexicon: install vaderSentiment==3.3.2")
    return vs.SentimentIntensityAnalyzer()


def vader_scores(texts: list[str], analyzer=None) -> np.ndarray:
    """VADER's (neg, neu, pos, compound) per text."""
    a = analyzer or _vader()
    out = np.zeros((len(texts), 4), dtype=np.float32)
    for i, t in enumerate(texts):
        s = a.polarity_scores(t or "")
        out[i] = (s["neg"], s["neu"], s["pos"], s["compound"])
    return out


def vader_labels(texts: list[str]) -> list[str]:
    """The VADER baseline: compound >= 0.05 positive, <= -0.05 negative (its authors' rule)."""
    comp = vader_scores(texts)[:, 3]
    return ["positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral" for c in comp]


def _stack_features(p: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.hstack([np.log(np.clip(p, 1e-6, 1.0)), v])


@dataclass
class SentimentPredictor:
    name: str
    version: str
    ngram: linear.LinearModel
    coef: np.ndarray
    intercept: np.ndarray

    def __post_init__(self) -> None:
        self._analyzer = _vader()

    def predict(self, batch: Batch) -> tuple[list[str], np.ndarray]:
        if not len(batch):
            return [], np.zeros(0, dtype=np.float32)
        z = _stack_features(self.ngram.proba_blocks(batch.blocks), vader_scores(batch.texts, self._analyzer))
        z = z @ self.coef.T + self.intercept
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        idx = p.argmax(axis=1)
        return [CLASSES[i] for i in idx], p[np.arange(len(idx)), idx]


def train(data: Path | None = None, seed: int = 0) -> Path:
    """Fit the n-gram model on train, then the stacker on its out-of-fold probabilities plus VADER."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    texts, gold = _rows("train")
    oof = np.zeros((len(texts), len(CLASSES)))
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    for tr, te in folds.split(texts, gold):
        m = linear.fit([texts[i] for i in tr], [gold[i] for i in tr], classes=CLASSES, c=1.0, seed=seed)
        oof[te] = m.proba(features.counts([texts[i] for i in te]))
    stacker = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced", random_state=seed)
    stacker.fit(_stack_features(oof, vader_scores(texts)), [CLASSES.index(g) for g in gold])
    model = linear.fit(texts, gold, classes=CLASSES, c=1.0, seed=seed)
    model.meta = {"model": "sentiment", "trained_on": len(texts), "c": 1.0, "seed": seed, "licence": SENTIMENT.licence,
                  "command": "tagscope train sentiment"}
    model.save(PATH)
    write_bytes(STACK, json.dumps({"coef": stacker.coef_.round(6).tolist(), "intercept": stacker.intercept_.round(6).tolist()}).encode())
    return PATH


def load() -> SentimentPredictor:
    if not PATH.exists() or not STACK.exists():
        raise FileNotFoundError(f"model file {PATH} is missing: build it with `tagscope train sentiment`")
    stack = json.loads(STACK.read_text())
    version = file_version(PATH) + "-" + file_version(STACK, "stack")[6:]
    return SentimentPredictor("sentiment", version, linear.LinearModel.load(PATH),
                              np.array(stack["coef"]), np.array(stack["intercept"]))


def evaluate(data: Path | None = None) -> list[Result]:
    texts, gold = _rows("test")
    pred, _ = load().predict(Batch(texts))
    return [Result("sentiment", "umsab-en", "macro-F1", macro_f1(gold, pred), REFERENCE, len(texts)),
            Result("vader-baseline", "umsab-en", "macro-F1", macro_f1(gold, vader_labels(texts)), REFERENCE, len(texts))]
