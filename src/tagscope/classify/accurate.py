"""The accurate tier of `sexism`: a fine-tuned MiniLM run with onnxruntime, averaged with the fast tier.

Selected with ``--model accurate``. Needs the ``accurate`` extra (onnxruntime, tokenizers), never
torch. The ONNX file is int8 (per-channel dynamic quantisation); posts are tokenised to at most 64
tokens and run in length-sorted batches so padding costs little. The final probability is a weighted
mean of this model's and the fast tier's, weight and threshold chosen on EDOS dev (see
:func:`calibrate`); both are in ``models/sexism-accurate.json``.

``sexism-category`` (EDOS B) has an accurate tier too, from the same ONNX run: a logistic-regression
head on the fine-tuned sentence embedding (``models/sexism-category-accurate.npz``), mixed with the
fast tier's category probabilities; like the fast tier it says ``none`` unless `sexism` says sexist.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from . import datasets
from .base import MODELS_DIR, Batch, Result, class_f1, file_version, macro_f1

MAX_LEN = 64
ONNX = "sexism-accurate.onnx"
TOKENIZER = "sexism-accurate.tokenizer.json"
INFO = "sexism-accurate.json"
CATEGORY_HEAD = "sexism-category-accurate.npz"


def available(folder: Path = MODELS_DIR) -> bool:
    return (folder / ONNX).exists() and (folder / TOKENIZER).exists()


def tiers(folder: Path = MODELS_DIR) -> list[str]:
    """Models whose accurate tier is installed (the others use their fast tier)."""
    if not available(folder):
        return []
    return ["sexism"] + (["sexism-category"] if (folder / CATEGORY_HEAD).exists() else [])


@dataclass
class AccurateScorer:
    """Probability of `sexist` from the ONNX model alone."""

    folder: Path = MODELS_DIR
    threads: int = 2
    batch: int = 64
    _session: Any = field(default=None, repr=False)
    _tok: Any = field(default=None, repr=False)
    _last: tuple = field(default=(None, None, None), repr=False)
    _names: list[str] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ModuleNotFoundError as exc:  # pragma: no cover - depends on the install
            raise ModuleNotFoundError("--model accurate needs onnxruntime and tokenizers: pip install 'tagscope[accurate]'") from exc
        if not available(self.folder):
            raise FileNotFoundError(f"{self.folder / ONNX} is missing: build it with python -m tagscope.classify.train_accurate")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.threads
        opts.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(self.folder / ONNX), opts, providers=["CPUExecutionProvider"])
        self._names = [o.name for o in self._session.get_outputs() if o.name in ("p", "e")]
        self._tok = Tokenizer.from_file(str(self.folder / TOKENIZER))
        self._tok.enable_truncation(MAX_LEN)
        self._tok.no_padding()

    def outputs(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(probability of sexist, sentence embedding) per text; the last batch is remembered so
        `sexism` and `sexism-category` labelling the same batch run the encoder once."""
        if self._last[0] is texts:
            return self._last[1], self._last[2]
        enc = self._tok.encode_batch([t or "" for t in texts])
        lengths = np.array([len(e.ids) for e in enc], dtype=np.int64)
        p = np.zeros(len(texts), dtype=np.float32)
        e = np.zeros((len(texts), 384), dtype=np.float32)
        order = np.argsort(lengths, kind="stable")
        for b in range(0, len(order), self.batch):
            idx = order[b : b + self.batch]
            width = max(1, int(lengths[idx].max()))
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                n = lengths[i]
                ids[row, :n] = enc[i].ids
                mask[row, :n] = 1
            res = self._session.run(self._names, {"input_ids": ids, "attention_mask": mask})
            p[idx] = res[0]
            if len(res) > 1:  # files from --frozen have no embedding output
                e[idx] = res[1]
        self._last = (texts, p, e)
        return p, e

    def proba(self, texts: list[str]) -> np.ndarray:
        return self.outputs(texts)[0]

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.outputs(texts)[1]


@lru_cache(maxsize=4)
def scorer(folder: Path = MODELS_DIR, threads: int = 2) -> AccurateScorer:
    """One session per process, shared by the accurate `sexism` and `sexism-category`."""
    return AccurateScorer(folder, threads)


@dataclass
class AccuratePredictor:
    """`sexism`, accurate tier: weighted mean of the ONNX and fast-tier probabilities."""

    name: str
    version: str
    scorer: AccurateScorer
    fast: Any
    weight: float
    threshold: float

    def proba(self, batch: Batch) -> np.ndarray:
        p_fast = self.fast.model.proba_blocks(batch.blocks)[:, 1]
        return self.weight * self.scorer.proba(batch.texts) + (1 - self.weight) * p_fast

    def predict(self, batch: Batch) -> tuple[list[str], np.ndarray]:
        if not len(batch):
            return [], np.zeros(0, dtype=np.float32)
        p = self.proba(batch)
        sexist = p >= self.threshold
        return ["sexist" if s else "not sexist" for s in sexist], np.where(sexist, p, 1 - p)


@dataclass
class CategoryHead:
    """EDOS B probabilities from the fine-tuned embedding (multinomial logistic regression)."""

    coef: np.ndarray
    intercept: np.ndarray
    classes: list[str]

    @classmethod
    def load(cls, path: Path) -> CategoryHead:
        with np.load(path) as z:
            return cls(z["coef"], z["intercept"], [str(c) for c in z["classes"]])

    def proba(self, emb: np.ndarray) -> np.ndarray:
        z = emb @ self.coef.T + self.intercept
        z = np.exp(z - z.max(1, keepdims=True))
        return z / z.sum(1, keepdims=True)


def _mixed_category(head: CategoryHead, emb: np.ndarray, fast: Any, batch: Batch, weight: float) -> np.ndarray:
    """Mix head and fast-tier category probabilities, columns in the head's class order."""
    p_fast = fast.model.proba_blocks(batch.blocks)
    cols = [list(fast.model.labels).index(c) for c in head.classes]
    return weight * head.proba(emb) + (1 - weight) * p_fast[:, cols]


@dataclass
class AccurateCategoryPredictor:
    """`sexism-category`, accurate tier: `none` unless the accurate `sexism` says sexist."""

    name: str
    version: str
    binary: AccuratePredictor
    head: CategoryHead
    fast: Any
    weight: float

    def predict(self, batch: Batch) -> tuple[list[str], np.ndarray]:
        if not len(batch):
            return [], np.zeros(0, dtype=np.float32)
        flag, fscore = self.binary.predict(batch)
        p = _mixed_category(self.head, self.binary.scorer.embed(batch.texts), self.fast, batch, self.weight)
        best = p.argmax(1)
        labels = [self.head.classes[k] if f == "sexist" else "none" for f, k in zip(flag, best, strict=True)]
        sexist = np.array(flag) == "sexist"
        return labels, np.where(sexist, p.max(1), fscore)


def load(name: str = "sexism", folder: Path = MODELS_DIR) -> AccuratePredictor | AccurateCategoryPredictor:
    from .sexism import BINARY, CATEGORY

    info = json.loads((folder / INFO).read_text())
    fast = BINARY.load()
    threads = int(os.environ.get("TAGSCOPE_THREADS", "2"))
    version = file_version(folder / ONNX, "accurate") + "+" + fast.version
    binary = AccuratePredictor("sexism", version, scorer(folder, threads), fast, float(info["weight"]), float(info["threshold"]))
    if name == "sexism":
        return binary
    if name != "sexism-category" or not (folder / CATEGORY_HEAD).exists():
        raise KeyError(f"no accurate tier for {name!r}")
    fast_cat = CATEGORY.load()
    version = f"{version}+{file_version(folder / CATEGORY_HEAD, 'head')}+{fast_cat.version}"
    return AccurateCategoryPredictor(name, version, binary, CategoryHead.load(folder / CATEGORY_HEAD), fast_cat,
                                     float(info["category_weight"]))


def calibrate(folder: Path = MODELS_DIR) -> dict[str, Any]:
    """Choose the ensemble weight and threshold for macro-F1 on EDOS dev (never on test)."""
    from .sexism import BINARY

    rs = datasets.rows("edos", "dev")
    texts, gold = [r["text"] for r in rs], [r["a"] for r in rs]
    p_acc = AccurateScorer(folder).proba(texts)
    p_fast = BINARY.load().model.proba_blocks(Batch(texts).blocks)[:, 1]
    best: tuple[float, float, float] = (-1.0, 1.0, 0.5)
    alone = 0.0
    for w in (0.25, 0.5, 0.6, 0.7, 0.8, 1.0):
        p = w * p_acc + (1 - w) * p_fast
        for t in np.round(np.arange(0.2, 0.81, 0.02), 2):
            f = macro_f1(gold, ["sexist" if v >= t else "not sexist" for v in p])
            if w == 1.0:
                alone = max(alone, f)
            if f > best[0]:
                best = (f, w, float(t))
    return {"weight": best[1], "threshold": best[2], "dev_macro_f1": round(best[0], 4), "dev_macro_f1_onnx_alone": round(alone, 4)}


def calibrate_category(folder: Path = MODELS_DIR) -> dict[str, Any]:
    """Choose the head/fast-tier mixing weight for EDOS B macro-F1 on the sexist dev posts."""
    from .sexism import CATEGORY

    rs = [r for r in datasets.rows("edos", "dev") if r["a"] == "sexist"]
    batch, gold = Batch([r["text"] for r in rs]), [r["b"] for r in rs]
    head, fast = CategoryHead.load(folder / CATEGORY_HEAD), CATEGORY.load()
    emb = AccurateScorer(folder).embed(batch.texts)
    best = (-1.0, 1.0)
    for w in (0.0, 0.25, 0.4, 0.5, 0.6, 0.75, 1.0):
        p = _mixed_category(head, emb, fast, batch, w)
        f = macro_f1(gold, [head.classes[k] for k in p.argmax(1)])
        print(f"category weight {w} dev macro-F1 {f:.4f}", flush=True)
        best = max(best, (f, w))
    return {"category_weight": best[1], "category_dev_macro_f1": round(best[0], 4)}


def evaluate(folder: Path = MODELS_DIR) -> list[Result]:
    from .sexism import EDOS_REF

    pred = load("sexism", folder)
    out = []
    rs = datasets.rows("edos", "test")
    labels, _ = pred.predict(Batch([r["text"] for r in rs]))
    out.append(Result("sexism (accurate)", "edos-a", "macro-F1", macro_f1([r["a"] for r in rs], labels), EDOS_REF["a"], len(rs)))
    rs = datasets.rows("guest2021", "test")
    labels, _ = pred.predict(Batch([r["text"] for r in rs]))
    mapped = ["Misogynistic" if lab == "sexist" else "Nonmisogynistic" for lab in labels]
    out.append(Result("sexism (accurate)", "guest2021", "F1 misogynistic", class_f1([r["level_1"] for r in rs], mapped, "Misogynistic"),
                      {"paper": 0.43, "TF-IDF": 0.457}, len(rs)))
    if (folder / CATEGORY_HEAD).exists():
        # Scored like the task and the fast tier: the category of each sexist test post, no cascade.
        cat = load("sexism-category", folder)
        rs = [r for r in datasets.rows("edos", "test") if r["a"] == "sexist"]
        batch = Batch([r["text"] for r in rs])
        p = _mixed_category(cat.head, cat.binary.scorer.embed(batch.texts), cat.fast, batch, cat.weight)
        labels = [cat.head.classes[k] for k in p.argmax(1)]
        out.append(Result("sexism-category (accurate)", "edos-b", "macro-F1", macro_f1([r["b"] for r in rs], labels),
                          EDOS_REF["b"], len(rs)))
    return out
