"""The fast tier: tf-idf weighted hashed n-grams and a linear model, saved as a small .npz file.

A model file holds only arrays (kept feature ids, their idf, the weights) and a JSON header, so
loading it needs numpy and scipy but not scikit-learn (which is only used to fit) and cannot break
on a library upgrade the way a pickle does.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..files import replacing
from . import features


@dataclass
class LinearModel:
    """Weights over the shared feature space; ``labels[i]`` is class i (binary: ``labels[1]`` positive)."""

    labels: list[str]
    keep: np.ndarray  # int64 feature ids with a weight
    idf: np.ndarray  # float32, one per kept id
    coef: np.ndarray  # float32, (len(keep), n_outputs); n_outputs is 1 for a binary model
    intercept: np.ndarray  # float32, (n_outputs,)
    threshold: float = 0.5  # binary: probability above which the positive label is given
    meta: dict[str, Any] = field(default_factory=dict)
    _dense_idf: np.ndarray | None = None
    _weights: np.ndarray | None = None

    # -- prediction ---------------------------------------------------------------------
    def _prepare(self) -> None:
        if self._dense_idf is None:
            idf = np.zeros(features.N_FEATURES, dtype=np.float32)
            idf[self.keep] = self.idf
            self._dense_idf = idf
            weights = np.zeros((features.N_FEATURES, self.coef.shape[1]), dtype=np.float32)
            weights[self.keep] = self.idf[:, None] * self.coef
            self._weights = weights  # idf times weight: the score is tf @ weights / |tf * idf|

    def proba(self, counts: sp.csr_matrix) -> np.ndarray:
        """Class probabilities, (n, len(labels)), from raw counts (see :func:`features.counts`)."""
        return self.proba_blocks(features.blocks(counts))

    def proba_blocks(self, b: features.Blocks) -> np.ndarray:
        """Class probabilities from shared blocks: equal to :func:`features.weigh` then the
        weights, without copying the matrix."""
        self._prepare()
        assert self._dense_idf is not None and self._weights is not None
        idf2 = self._dense_idf * self._dense_idf
        z = self.intercept.astype(np.float64)[None, :]
        for tf, sq in ((b.words, b.words_sq), (b.chars, b.chars_sq)):
            norm = np.sqrt(np.asarray(sq @ idf2, dtype=np.float64))
            norm[norm == 0] = 1.0
            z = z + np.asarray(tf @ self._weights, dtype=np.float64) / norm[:, None]
        if len(self.labels) == 2:
            p = 1.0 / (1.0 + np.exp(-z[:, 0]))
            return np.stack([1.0 - p, p], axis=1)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def predict_counts(self, counts: sp.csr_matrix | features.Blocks) -> tuple[list[str], np.ndarray]:
        """(label, score) per row; the score is the probability of the chosen label."""
        p = self.proba_blocks(counts if isinstance(counts, features.Blocks) else features.blocks(counts))
        idx = (p[:, 1] >= self.threshold).astype(np.int64) if len(self.labels) == 2 else p.argmax(axis=1)
        return [self.labels[i] for i in idx], p[np.arange(len(idx)), idx]

    def predict(self, texts: list[str]) -> tuple[list[str], np.ndarray]:
        return self.predict_counts(features.counts(texts))

    # -- files --------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Write the .npz deterministically (fixed zip timestamps): same weights, same bytes, same version."""
        header = {"labels": self.labels, "threshold": self.threshold, "meta": self.meta}
        arrays = {
            "header": np.frombuffer(json.dumps(header, sort_keys=True).encode(), dtype=np.uint8),
            "keep": self.keep.astype(np.int32),
            "idf": self.idf.astype(np.float16),
            "coef": self.coef.astype(np.float16),
            "intercept": self.intercept.astype(np.float32),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path) as tmp, zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, arr in arrays.items():
                info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                buf = io.BytesIO()
                np.lib.format.write_array(buf, arr, allow_pickle=False)
                zf.writestr(info, buf.getvalue())

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        with np.load(path) as z:
            header = json.loads(bytes(z["header"]).decode())
            return cls(
                labels=header["labels"],
                keep=z["keep"].astype(np.int64),
                idf=z["idf"].astype(np.float32),
                coef=z["coef"].astype(np.float32),
                intercept=z["intercept"].astype(np.float32),
                threshold=float(header["threshold"]),
                meta=header["meta"],
            )


def fit(
    texts: list[str],
    labels: list[str],
    *,
    classes: list[str],
    c: float = 4.0,
    min_df: int = 2,
    balanced: bool = True,
    seed: int = 0,
) -> LinearModel:
    """Fit a logistic regression on tf-idf hashed n-grams; features seen in < min_df posts are dropped."""
    from sklearn.linear_model import LogisticRegression

    x = features.counts(texts)
    df = np.bincount(x.indices, minlength=features.N_FEATURES)
    keep = np.flatnonzero(df >= min_df)
    idf_kept = (np.log((1 + x.shape[0]) / (1 + df[keep])) + 1.0).astype(np.float16).astype(np.float32)
    dense = np.zeros(features.N_FEATURES, dtype=np.float32)
    dense[keep] = idf_kept
    xw = features.weigh(x, dense)[:, keep]
    y = np.array([classes.index(v) for v in labels])
    clf = LogisticRegression(C=c, max_iter=3000, class_weight="balanced" if balanced else None, random_state=seed)
    clf.fit(xw, y)
    if len(classes) == 2:
        coef, intercept = clf.coef_.T, clf.intercept_
    else:
        full = np.zeros((len(classes), xw.shape[1]), dtype=np.float64)
        bias = np.full(len(classes), -1e4)
        full[clf.classes_] = clf.coef_
        bias[clf.classes_] = clf.intercept_
        coef, intercept = full.T, bias
    coef = coef.astype(np.float16).astype(np.float32)
    return LinearModel(labels=list(classes), keep=keep, idf=idf_kept, coef=coef, intercept=intercept.astype(np.float32))


def best_threshold(model: LinearModel, texts: list[str], gold: list[str]) -> float:
    """The probability cut that maximises macro-F1 on a development set (binary models)."""
    from sklearn.metrics import f1_score

    p = model.proba(features.counts(texts))[:, 1]
    y = np.array([model.labels.index(g) for g in gold])
    grid = np.round(np.arange(0.2, 0.81, 0.02), 2)
    scores = [f1_score(y, (p >= t).astype(int), average="macro") for t in grid]
    return float(grid[int(np.argmax(scores))])
