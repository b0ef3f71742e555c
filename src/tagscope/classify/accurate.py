"""The accurate tier: fine-tuned MiniLM and mpnet encoders run with onnxruntime, mixed with the fast tier.

Selected with ``--model accurate`` for ``sexism``, ``sexism-category`` and ``stance`` (the other
models stay fast). Needs the ``accurate`` extra (onnxruntime, tokenizers), never torch. Int8 ONNX
files built by scripts/train/train_accurate.py, one per fine-tune (``accurate-<task><tag>.onnx``; a tag naming
mpnet marks an all-mpnet-base-v2 fine-tune, any other all-MiniLM-L6-v2), with outputs ``p`` (class
probabilities) and ``e`` (the mean-pooled sentence embedding). Every fine-tune kept its encoder's
word-embedding table frozen, so each table is stored once (``accurate-embeddings.npz``,
``accurate-mpnet-embeddings.npz``: int8 with a scale per row) and looked up here; the graphs start
after the lookup (``inputs_embeds``). Files over 20 MB (mpnet's graphs and table) are committed as
``<name>.part0``, ``.part1``, ... and joined in memory. Posts are tokenised to at most 96 tokens and
run in length-sorted batches so padding costs little.

- ``sexism``: weighted mean of the ONNX and fast-tier probabilities of `sexist`, then a threshold;
  the ONNX probability may be the mean of several fine-tunes' (listed in accurate.json's
  ``sexism.graphs``).
- ``sexism-category``: the same for the 4 EDOS B categories (argmax, after optional per-class
  offsets; several fine-tunes may be averaged, listed in accurate.json's ``category.graphs``);
  ``none`` unless the accurate `sexism` says sexist (the EDOS cascade), so its graphs run only on
  posts called sexist.
- ``stance``: its own fine-tune (``accurate-stance.onnx``) or a logistic regression on another
  fine-tune's embedding ``e``, or on the mean of several graphs' of one encoder (``accurate-stance.npz``; graphs
  listed in accurate.json's ``stance.graphs``), whichever cross-validation chose, mixed with the
  fast tier's probabilities.

Weights, threshold and the stance model were chosen on dev splits (stance: cross-validation on its
train+dev tweets) and are stored in ``models/accurate.json``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..files import replacing
from . import datasets
from .base import MODELS_DIR, Batch, Result, class_f1, macro_f1
from .tasks import EDOS_REF, GUEST_REF, SEXISM, SEXISM_CATEGORY, STANCE, STANCE_REF

MAX_LEN = 96
TOKENIZER = "accurate.tokenizer.json"
EMBEDDINGS = "accurate-embeddings.npz"
# Each graph reads the tokenizer and word-embedding table of the encoder it was fine-tuned from: a
# graph whose tag names mpnet (``accurate-sexism-mpnet.onnx``) all-mpnet-base-v2's, any other MiniLM's.
BASES = {"minilm": (TOKENIZER, EMBEDDINGS), "mpnet": ("accurate-mpnet.tokenizer.json", "accurate-mpnet-embeddings.npz")}
# A committed file stays under 20 MB: larger ones (an mpnet graph, its table) ship as `<name>.part0`,
# `<name>.part1`, ... (written by scripts/train/model_parts.py) and are joined in memory when read.
INFO = "accurate.json"
STANCE_NPZ = "accurate-stance.npz"
TASKS = ("sexism", "category")
MODELS = ("sexism", "sexism-category", "stance")


def base_of(graph: str) -> str:
    """The encoder a graph was fine-tuned from, by its name (see :data:`BASES`)."""
    return "mpnet" if "-mpnet" in graph else "minilm"


def base_files(graphs: list[str]) -> list[str]:
    """The tokenizers and tables that these graphs read."""
    return [f for b in dict.fromkeys(base_of(g) for g in graphs) for f in BASES[b]]


def pieces(path: Path) -> list[Path]:
    """The numbered pieces of a split file, in order (none when it is whole or missing)."""
    return sorted(path.parent.glob(path.name + ".part[0-9]*"), key=lambda p: int(p.name.rpartition(".part")[2]))


def parts(path: Path) -> list[Path]:
    """The files that hold ``path``: itself, or its numbered pieces when it was split (none: missing)."""
    return [path] if path.exists() else pieces(path)


def read_bytes(path: Path) -> bytes:
    found = parts(path)
    if not found:
        raise FileNotFoundError(path)
    return b"".join(p.read_bytes() for p in found)


def onnx_name(task: str, tag: str = "") -> str:
    """The ONNX file of one fine-tune (``sexism`` or ``category``; ``tag``: another run of it)."""
    return f"accurate-{task}{tag}.onnx"


def sexism_files(info: dict[str, Any]) -> list[str]:
    """The EDOS A graphs whose probabilities are averaged (one, or several seeds' fine-tunes)."""
    return list(info["sexism"].get("graphs", [onnx_name("sexism")]))


def category_files(info: dict[str, Any]) -> list[str]:
    """The EDOS B graphs whose category probabilities are averaged (one, or several seeds' fine-tunes)."""
    return list(info["category"].get("graphs", [onnx_name("category")]))


def stance_graphs(info: dict[str, Any]) -> list[str]:
    """The graphs whose embeddings (averaged when several) feed the stance regression, or its own fine-tune."""
    s = info["stance"]
    return list(s.get("graphs", [onnx_name(s["encoder"])]))


def stance_files(info: dict[str, Any]) -> list[str]:
    """What the stance model reads: ONNX files, plus the logistic regression unless it is its own fine-tune."""
    s = info["stance"]
    return stance_graphs(info) + ([] if s["encoder"] == "stance" else [STANCE_NPZ])


def files(info: dict[str, Any]) -> list[str]:
    """Every file the accurate tier reads (the graphs are those accurate.json names: a chosen set may
    leave out seed 0's), each possibly split into parts."""
    graphs = [*sexism_files(info), *category_files(info), *stance_graphs(info)]
    return list(dict.fromkeys([INFO, *base_files(graphs), *graphs, *stance_files(info)]))


def available(folder: Path = MODELS_DIR) -> bool:
    if not (folder / INFO).exists():
        return False
    try:
        return all(parts(folder / f) for f in files(settings(folder)))
    except KeyError:  # settings of an older build
        return False


def tiers(folder: Path = MODELS_DIR) -> list[str]:
    """Models whose accurate tier is installed (the others use their fast tier)."""
    return list(MODELS) if available(folder) else []


@lru_cache(maxsize=4)
def settings(folder: Path = MODELS_DIR) -> dict[str, Any]:
    return json.loads((folder / INFO).read_text())


@dataclass
class AccurateScorer:
    """One ONNX fine-tune's outputs (``p``, ``e``) for a list of texts."""

    path: Path
    threads: int = 2
    batch: int = 64
    _session: Any = field(default=None, repr=False)
    _tok: Any = field(default=None, repr=False)
    _last: tuple[Any, dict[str, np.ndarray]] = field(default=(None, {}), repr=False)
    _table: tuple[np.ndarray, np.ndarray] = field(default=(np.zeros(0), np.zeros(0)), repr=False)

    def __post_init__(self) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ModuleNotFoundError as exc:  # pragma: no cover - depends on the install
            raise ModuleNotFoundError("--model accurate needs onnxruntime and tokenizers: pip install 'tagscope[accurate]'") from exc
        tok, table = (self.path.parent / f for f in BASES[base_of(self.path.name)])
        if not parts(self.path) or not tok.exists() or not parts(table):
            raise FileNotFoundError(f"{self.path} is missing: build it once with `make accurate-model` "
                                    "(python scripts/train/train_accurate.py)")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.threads
        opts.inter_op_num_threads = 1
        graph = str(self.path) if self.path.exists() else read_bytes(self.path)
        self._session = ort.InferenceSession(graph, opts, providers=["CPUExecutionProvider"])
        self._tok = Tokenizer.from_file(str(tok))
        self._tok.enable_truncation(MAX_LEN)
        self._tok.no_padding()
        self._table = embeddings(table)

    def outputs(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Both outputs per text. The last batch is remembered, so several models labelling the
        same batch run the encoder once."""
        if self._last[0] is texts:
            return self._last[1]
        classes, width = (o.shape[1] for o in self._session.get_outputs())
        res = {"p": np.zeros((len(texts), classes), np.float32), "e": np.zeros((len(texts), width), np.float32)}
        enc = self._tok.encode_batch([t or "" for t in texts])
        lengths = np.array([len(e.ids) for e in enc], dtype=np.int64)
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
            q, scale = self._table
            vectors = q[ids].astype(np.float32) * scale[ids][..., None]
            p, e = self._session.run(["p", "e"], {"inputs_embeds": vectors, "attention_mask": mask})
            res["p"][idx], res["e"][idx] = p, e
        self._last = (texts, res)
        return res


@lru_cache(maxsize=2)
def embeddings(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """The shared int8 word-embedding table and its per-row scales (read once per process)."""
    with np.load(path if path.exists() else io.BytesIO(read_bytes(path))) as z:
        return z["q"], z["scale"]


@lru_cache(maxsize=8)
def scorer(task: str, folder: Path = MODELS_DIR, threads: int = 2, tag: str = "") -> AccurateScorer:
    """One session per fine-tune and process, shared by every accurate model."""
    return AccurateScorer(folder / onnx_name(task, tag), threads)


def graph_scorer(name: str, folder: Path = MODELS_DIR, threads: int = 2) -> AccurateScorer:
    """The scorer of an ONNX file named ``accurate-<task><tag>.onnx`` (the same cached one as load's)."""
    task, _, tag = name.removeprefix("accurate-").removesuffix(".onnx").partition("-")
    return scorer(task, folder, threads, f"-{tag}") if tag else scorer(task, folder, threads)


def fast_columns(model: Any, batch: Batch, classes: list[str]) -> np.ndarray:
    """A fast-tier model's probabilities with columns in ``classes`` order."""
    p = model.proba_blocks(batch.blocks)
    return p[:, [list(model.labels).index(c) for c in classes]]


@dataclass
class StanceHead:
    """Logistic regression over a fine-tune's standardised embedding: (n, 3) probabilities."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray  # (embedding width, 3)
    intercept: np.ndarray  # (3,)

    @classmethod
    def load(cls, path: Path) -> StanceHead:
        with np.load(path) as z:
            return cls(*(z[k].astype(np.float32) for k in ("mean", "scale", "coef", "intercept")))

    def save(self, path: Path) -> None:
        with replacing(path) as tmp, open(tmp, "wb") as fh:
            np.savez(fh, mean=self.mean, scale=self.scale, coef=self.coef, intercept=self.intercept)

    def proba(self, e: np.ndarray) -> np.ndarray:
        z = ((e - self.mean) / self.scale) @ self.coef + self.intercept
        z = z - z.max(1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(1, keepdims=True)


@dataclass
class MixedHead:
    """ONNX (or stance-head) probabilities mixed with a fast-tier model's: w * accurate + (1 - w) * fast,
    then each class's probability times exp(its offset) (chosen on dev: the class-weighted fine-tune
    over-predicts the rare classes), renormalised."""

    classes: list[str]
    scorer: AccurateScorer
    fast: Any
    weight: float
    head: StanceHead | None = None  # None: the ONNX file's own `p`
    more: tuple[AccurateScorer, ...] = ()  # other seeds' graphs of the same task: `p` averaged
    offsets: np.ndarray | None = None

    def accurate(self, batch: Batch) -> np.ndarray:
        out = self.scorer.outputs(batch.texts)
        key = "p" if self.head is None else "e"  # a head reads the graphs' averaged embedding
        mean = np.mean([out[key], *(s.outputs(batch.texts)[key] for s in self.more)], axis=0)
        return mean if self.head is None else self.head.proba(mean)

    def proba(self, batch: Batch) -> np.ndarray:
        fast = fast_columns(self.fast.model, batch, self.classes)
        p = fast if self.weight == 0 else self.weight * self.accurate(batch) + (1 - self.weight) * fast
        if self.offsets is None:
            return p
        p = p * np.exp(self.offsets)
        return p / p.sum(1, keepdims=True)

    def labels(self, batch: Batch) -> tuple[list[str], np.ndarray]:
        p = self.proba(batch)
        best = p.argmax(1)
        return [self.classes[k] for k in best], p.max(1)


@dataclass
class _Predictor:
    """What the accurate models share: a name and version, and no model run for an empty batch."""

    name: str
    version: str

    def predict(self, batch: Batch) -> tuple[list[str], np.ndarray]:
        if not len(batch):
            return [], np.zeros(0, dtype=np.float32)
        return self._predict(batch)

    def _predict(self, batch: Batch) -> tuple[list[str], np.ndarray]:
        raise NotImplementedError


@dataclass
class AccuratePredictor(_Predictor):
    """`sexism`: the mixed probability of `sexist`, then a threshold."""

    head: MixedHead
    threshold: float

    def proba(self, batch: Batch) -> np.ndarray:
        return self.head.proba(batch)[:, 1]

    def _predict(self, batch: Batch) -> tuple[list[str], np.ndarray]:
        p = self.proba(batch)
        sexist = p >= self.threshold
        return ["sexist" if s else "not sexist" for s in sexist], np.where(sexist, p, 1 - p)


@dataclass
class AccurateCategoryPredictor(_Predictor):
    """`sexism-category`: `none` unless the accurate `sexism` says sexist."""

    binary: AccuratePredictor
    head: MixedHead

    def _predict(self, batch: Batch) -> tuple[list[str], np.ndarray]:
        flag, fscore = self.binary.predict(batch)
        labels, scores = ["none"] * len(batch), np.asarray(fscore, dtype=np.float32).copy()
        sexist = np.flatnonzero(np.array(flag) == "sexist")
        if len(sexist):  # the B graphs run only where the cascade lets them set a label (a quarter of EDOS posts)
            cats, score = self.head.labels(Batch([batch.texts[i] for i in sexist]))
            for j, i in enumerate(sexist):
                labels[i], scores[i] = cats[j], score[j]
        return labels, scores


@dataclass
class AccurateStancePredictor(_Predictor):
    """`stance`: favor / against / none from the mixed probabilities."""

    head: MixedHead

    def _predict(self, batch: Batch) -> tuple[list[str], np.ndarray]:
        return self.head.labels(batch)


@lru_cache(maxsize=32)
def _digest(path: Path, stamp: tuple[tuple[int, int], ...]) -> str:
    """sha256 of a file's (joined) bytes, once per process and state (``stamp``: its pieces' sizes
    and mtimes): each accurate model's version names the shared mpnet graph, 88.8 MB to hash."""
    return hashlib.sha256(read_bytes(path)).hexdigest()


def _version(folder: Path, *names: str) -> str:
    """Six hex digits of each file's sha256 (of a split file's joined bytes: one part per file)."""
    stamps = {n: tuple((st.st_size, st.st_mtime_ns) for st in (p.stat() for p in parts(folder / n))) for n in names}
    return "accurate-" + "-".join(_digest(folder / n, stamps[n])[:6] for n in names)


def load(name: str = "sexism", folder: Path = MODELS_DIR) -> AccuratePredictor | AccurateCategoryPredictor | AccurateStancePredictor:
    """The accurate predictor of one of :data:`MODELS`; its version covers its ONNX, settings and fast files."""
    if name not in MODELS:
        raise KeyError(f"no accurate tier for {name!r}: choose one of {', '.join(MODELS)}")
    info = settings(folder)
    threads = int(os.environ.get("TAGSCOPE_THREADS", "2"))
    if name == "stance":
        fast = STANCE.linear()
        s = info["stance"]
        own = s["encoder"] == "stance"
        sgraphs = stance_graphs(info)
        head = MixedHead(info["stance_classes"], graph_scorer(sgraphs[0], folder, threads), fast, float(s["weight"]),
                         None if own else StanceHead.load(folder / STANCE_NPZ),
                         more=tuple(graph_scorer(g, folder, threads) for g in sgraphs[1:]))
        return AccurateStancePredictor(name, f"{_version(folder, INFO, *stance_files(info))}+{fast.version}", head)
    fast = SEXISM.linear()
    a = info["sexism"]
    graphs = sexism_files(info)
    more = tuple(graph_scorer(g, folder, threads) for g in graphs[1:])
    binary = AccuratePredictor("sexism", f"{_version(folder, *graphs, INFO)}+{fast.version}",
                               MixedHead(["not sexist", "sexist"], graph_scorer(graphs[0], folder, threads), fast,
                                         float(a["weight"]), more=more), float(a["threshold"]))
    if name == "sexism":
        return binary
    fast_cat = SEXISM_CATEGORY.linear()  # its own model: the cascade is the accurate `sexism`'s
    c = info["category"]
    offsets = np.array(c["offsets"], dtype=np.float64) if c.get("offsets") else None
    cgraphs = category_files(info)
    head = MixedHead(info["categories"], graph_scorer(cgraphs[0], folder, threads), fast_cat, float(c["weight"]), offsets=offsets,
                     more=tuple(graph_scorer(g, folder, threads) for g in cgraphs[1:]))
    return AccurateCategoryPredictor(name, f"{binary.version}+{_version(folder, *cgraphs)}+{fast_cat.version}", binary, head)


def evaluate(models: list[str] | None = None, folder: Path = MODELS_DIR) -> list[Result]:
    """The accurate tier's scores on the official test splits (the same rows as the fast tier's)."""
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
                          GUEST_REF, len(rs)))
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
                          STANCE_REF, len(rs)))
    return out
