"""The accurate tier of `sexism`: a fine-tuned MiniLM run with onnxruntime, averaged with the fast tier.

Selected with ``--model accurate``. Needs the ``accurate`` extra (onnxruntime, tokenizers), never
torch. The ONNX file is int8 (per-channel dynamic quantisation); posts are tokenised to at most 64
tokens and run in length-sorted batches so padding costs little. The final probability is a weighted
mean of this model's and the fast tier's, weight and threshold chosen on EDOS dev (see
:func:`calibrate`); both are in ``models/sexism-accurate.json``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import datasets
from .base import MODELS_DIR, Batch, Result, class_f1, file_version, macro_f1

MAX_LEN = 64
ONNX = "sexism-accurate.onnx"
TOKENIZER = "sexism-accurate.tokenizer.json"
INFO = "sexism-accurate.json"


def available(folder: Path = MODELS_DIR) -> bool:
    return (folder / ONNX).exists() and (folder / TOKENIZER).exists()


@dataclass
class AccurateScorer:
    """Probability of `sexist` from the ONNX model alone."""

    folder: Path = MODELS_DIR
    threads: int = 2
    batch: int = 64
    _session: Any = field(default=None, repr=False)
    _tok: Any = field(default=None, repr=False)

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
        self._tok = Tokenizer.from_file(str(self.folder / TOKENIZER))
        self._tok.enable_truncation(MAX_LEN)
        self._tok.no_padding()

    def proba(self, texts: list[str]) -> np.ndarray:
        enc = self._tok.encode_batch([t or "" for t in texts])
        lengths = np.array([len(e.ids) for e in enc])
        out = np.zeros(len(texts), dtype=np.float32)
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
            out[idx] = self._session.run(["p"], {"input_ids": ids, "attention_mask": mask})[0]
        return out


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


def load(folder: Path = MODELS_DIR) -> AccuratePredictor:
    from .sexism import BINARY

    info = json.loads((folder / INFO).read_text())
    fast = BINARY.load()
    threads = int(os.environ.get("TAGSCOPE_THREADS", "2"))
    version = file_version(folder / ONNX, "accurate") + "+" + fast.version
    return AccuratePredictor("sexism", version, AccurateScorer(folder, threads), fast, float(info["weight"]), float(info["threshold"]))


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


def evaluate(folder: Path = MODELS_DIR) -> list[Result]:
    from .sexism import EDOS_REF

    pred = load(folder)
    out = []
    rs = datasets.rows("edos", "test")
    labels, _ = pred.predict(Batch([r["text"] for r in rs]))
    out.append(Result("sexism (accurate)", "edos-a", "macro-F1", macro_f1([r["a"] for r in rs], labels), EDOS_REF["a"], len(rs)))
    rs = datasets.rows("guest2021", "test")
    labels, _ = pred.predict(Batch([r["text"] for r in rs]))
    mapped = ["Misogynistic" if lab == "sexist" else "Nonmisogynistic" for lab in labels]
    out.append(Result("sexism (accurate)", "guest2021", "F1 misogynistic", class_f1([r["level_1"] for r in rs], mapped, "Misogynistic"),
                      {"paper": 0.43, "TF-IDF": 0.457}, len(rs)))
    return out
