"""The accurate tier: one fine-tuned MiniLM run with onnxruntime, mixed with the fast tier.

Selected with ``--model accurate`` for ``sexism``, ``sexism-category`` and ``stance`` (the other
models stay fast). Needs the ``accurate`` extra (onnxruntime, tokenizers), never torch. One int8
ONNX file (``models/accurate.onnx``, built by train_accurate.py) holds a shared encoder and three
heads, so a batch is encoded once whichever of the three models are asked for. Posts are tokenised
to at most 64 tokens and run in length-sorted batches so padding costs little.

Each model mixes the ONNX head's probabilities with its fast tier's (a weighted mean; for `sexism`
also a threshold), the weights chosen on dev splits and stored in ``models/accurate.json``.
``sexism-category`` says ``none`` unless the accurate `sexism` says sexist (the EDOS cascade).
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
ONNX = "accurate.onnx"
TOKENIZER = "accurate.tokenizer.json"
INFO = "accurate.json"
OUTPUTS = ("p", "category", "stance", "e")
MODELS = ("sexism", "sexism-category", "stance")


def available(folder: Path = MODELS_DIR) -> bool:
    return all((folder / f).exists() for f in (ONNX, TOKENIZER, INFO))


def tiers(folder: Path = MODELS_DIR) -> list[str]:
    """Models whose accurate tier is installed (the others use their fast tier)."""
    return list(MODELS) if available(folder) else []


@lru_cache(maxsize=4)
def settings(folder: Path = MODELS_DIR) -> dict[str, Any]:
    return json.loads((folder / INFO).read_text())


@dataclass
class AccurateScorer:
    """The ONNX model's outputs (``p``, ``category``, ``stance``, ``e``) for a list of texts."""

    folder: Path = MODELS_DIR
    threads: int = 2
    batch: int = 64
    _session: Any = field(default=None, repr=False)
    _tok: Any = field(default=None, repr=False)
    _last: tuple[Any, dict[str, np.ndarray]] = field(default=(None, {}), repr=False)

    def __post_init__(self) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ModuleNotFoundError as exc:  # pragma: no cover - depends on the install
            raise ModuleNotFoundError("--model accurate needs onnxruntime and tokenizers: pip install 'tagscope[accurate]'") from exc
        if not all((self.folder / f).exists() for f in (ONNX, TOKENIZER)):
            raise FileNotFoundError(f"{self.folder / ONNX} is missing: build it once with `make accurate-model` "
                                    "(python -m tagscope.classify.train_accurate)")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.threads
        opts.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(self.folder / ONNX), opts, providers=["CPUExecutionProvider"])
        self._tok = Tokenizer.from_file(str(self.folder / TOKENIZER))
        self._tok.enable_truncation(MAX_LEN)
        self._tok.no_padding()

    def outputs(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Every output per text. The last batch is remembered, so several models labelling the
        same batch run the encoder once."""
        if self._last[0] is texts:
            return self._last[1]
        enc = self._tok.encode_batch([t or "" for t in texts])
        lengths = np.array([len(e.ids) for e in enc], dtype=np.int64)
        res: dict[str, np.ndarray] = {}
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
            for name, value in zip(OUTPUTS, self._session.run(list(OUTPUTS), {"input_ids": ids, "attention_mask": mask}), strict=True):
                if name not in res:
                    res[name] = np.zeros((len(texts), *value.shape[1:]), dtype=np.float32)
                res[name][idx] = value
        if not texts:
            res = {"p": np.zeros(0, np.float32), "category": np.zeros((0, 4), np.float32),
                   "stance": np.zeros((0, 3), np.float32), "e": np.zeros((0, 384), np.float32)}
        self._last = (texts, res)
        return res


@lru_cache(maxsize=4)
def scorer(folder: Path = MODELS_DIR, threads: int = 2) -> AccurateScorer:
    """One session per process, shared by every accurate model."""
    return AccurateScorer(folder, threads)


def fast_columns(model: Any, batch: Batch, classes: list[str]) -> np.ndarray:
    """A fast-tier model's probabilities with columns in ``classes`` order."""
    p = model.proba_blocks(batch.blocks)
    return p[:, [list(model.labels).index(c) for c in classes]]


@dataclass
class AccuratePredictor:
    """`sexism`: weighted mean of the ONNX and fast-tier probabilities of `sexist`, then a threshold."""

    name: str
    version: str
    scorer: AccurateScorer
    fast: Any
    weight: float
    threshold: float

    def proba(self, batch: Batch) -> np.ndarray:
        p_fast = self.fast.model.proba_blocks(batch.blocks)[:, 1]
        return self.weight * self.scorer.outputs(batch.texts)["p"] + (1 - self.weight) * p_fast

    def predict(self, batch: Batch) -> tuple[list[str], np.ndarray]:
        if not len(batch):
            return [], np.zeros(0, dtype=np.float32)
        p = self.proba(batch)
        sexist = p >= self.threshold
        return ["sexist" if s else "not sexist" for s in sexist], np.where(sexist, p, 1 - p)


@dataclass
class MixedHead:
    """A multi-class ONNX head mixed with a fast-tier model: the class with the highest mean."""

    output: str
    classes: list[str]
    scorer: AccurateScorer
    fast: Any
    weight: float

    def proba(self, batch: Batch) -> np.ndarray:
        acc = self.scorer.outputs(batch.texts)[self.output]
        return self.weight * acc + (1 - self.weight) * fast_columns(self.fast.model, batch, self.classes)

    def labels(self, batch: Batch) -> tuple[list[str], np.ndarray]:
        p = self.proba(batch)
        best = p.argmax(1)
        return [self.classes[k] for k in best], p.max(1)


@dataclass
class AccurateCategoryPredictor:
    """`sexism-category`: `none` unless the accurate `sexism` says sexist."""

    name: str
    version: str
    binary: AccuratePredictor
    head: MixedHead

    def predict(self, batch: Batch) -> tuple[list[str], np.ndarray]:
        if not len(batch):
            return [], np.zeros(0, dtype=np.float32)
        flag, fscore = self.binary.predict(batch)
        cats, score = self.head.labels(batch)
        sexist = np.array(flag) == "sexist"
        return [c if s else "none" for c, s in zip(cats, sexist, strict=True)], np.where(sexist, score, fscore)


@dataclass
class AccurateStancePredictor:
    """`stance`: favor / against / none from the mixed probabilities."""

    name: str
    version: str
    head: MixedHead

    def predict(self, batch: Batch) -> tuple[list[str], np.ndarray]:
        if not len(batch):
            return [], np.zeros(0, dtype=np.float32)
        return self.head.labels(batch)


def load(name: str = "sexism", folder: Path = MODELS_DIR) -> AccuratePredictor | AccurateCategoryPredictor | AccurateStancePredictor:
    """The accurate predictor of one of :data:`MODELS`; its version covers the ONNX and fast files."""
    from .sexism import BINARY, CATEGORY
    from .stance import TASK as STANCE

    if name not in MODELS:
        raise KeyError(f"no accurate tier for {name!r}: choose one of {', '.join(MODELS)}")
    info = settings(folder)
    run = scorer(folder, int(os.environ.get("TAGSCOPE_THREADS", "2")))
    base = file_version(folder / ONNX, "accurate") + "-" + file_version(folder / INFO, "")[1:]
    if name == "stance":
        fast = STANCE.load()
        head = MixedHead("stance", info["stance_classes"], run, fast, float(info["stance_weight"]))
        return AccurateStancePredictor(name, f"{base}+{fast.version}", head)
    fast = BINARY.load()
    binary = AccuratePredictor("sexism", f"{base}+{fast.version}", run, fast, float(info["weight"]), float(info["threshold"]))
    if name == "sexism":
        return binary
    fast_cat = CATEGORY.load()
    head = MixedHead("category", info["categories"], run, fast_cat, float(info["category_weight"]))
    return AccurateCategoryPredictor(name, f"{binary.version}+{fast_cat.version}", binary, head)


def evaluate(models: list[str] | None = None, folder: Path = MODELS_DIR) -> list[Result]:
    """The accurate tier's scores on the official test splits (the same rows as the fast tier's)."""
    from .sexism import EDOS_REF

    models = list(MODELS) if models is None else [m for m in models if m in MODELS]
    out = []
    if "sexism" in models:
        pred = load("sexism", folder)
        rs = datasets.rows("edos", "test")
        labels, _ = pred.predict(Batch([r["text"] for r in rs]))
        out.append(Result("sexism (accurate)", "edos-a", "macro-F1", macro_f1([r["a"] for r in rs], labels), EDOS_REF["a"], len(rs)))
        rs = datasets.rows("guest2021", "test")
        labels, _ = pred.predict(Batch([r["text"] for r in rs]))
        mapped = ["Misogynistic" if lab == "sexist" else "Nonmisogynistic" for lab in labels]
        out.append(Result("sexism (accurate)", "guest2021", "F1 misogynistic", class_f1([r["level_1"] for r in rs], mapped, "Misogynistic"),
                          {"paper": 0.43, "TF-IDF": 0.457}, len(rs)))
    if "sexism-category" in models:
        # Scored like the task and the fast tier: the category of each sexist test post, no cascade.
        cat = load("sexism-category", folder)
        assert isinstance(cat, AccurateCategoryPredictor)
        rs = [r for r in datasets.rows("edos", "test") if r["a"] == "sexist"]
        labels, _ = cat.head.labels(Batch([r["text"] for r in rs]))
        out.append(Result("sexism-category (accurate)", "edos-b", "macro-F1", macro_f1([r["b"] for r in rs], labels),
                          EDOS_REF["b"], len(rs)))
    if "stance" in models:
        pred = load("stance", folder)
        rs = datasets.rows("stance_feminist", "test")
        labels, _ = pred.predict(Batch([r["text"] for r in rs]))
        out.append(Result("stance (accurate)", "stance-feminist", "mean F1 favor/against",
                          macro_f1([r["label"] for r in rs], labels, labels=["favor", "against"]),
                          {"best published": 0.600, "TF-IDF": 0.553}, len(rs)))
    return out
