"""What every classifier shares: the batch it reads, the metrics it reports, how it is declared.

A classifier is declared once (:class:`Classifier`: name, labels, licence, opt-in or not) and the
registry lists those declarations without importing numpy's heavy neighbours: scikit-learn, scipy,
onnxruntime and the lexicons are the ``classify``/``accurate`` extras, imported when a model is
trained, evaluated or loaded. A loaded predictor's ``predict(batch)`` returns one (label, score) per text.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
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
        from . import features  # scipy: the classify extra

        return features.counts(self.texts)

    @cached_property
    def blocks(self) -> features.Blocks:
        from . import features

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


@dataclass(kw_only=True)
class Classifier:
    """A named model as the registry lists it; subclasses say how to train, evaluate and load it."""

    name: str
    summary: str
    licence: str
    opt_in: bool = False  # True: never run unless asked for by name (e.g. non-commercial training data)
    needs_data: bool = False  # True: training/evaluation data is not shipped (pass --data)
    extra: str = "classify"  # the pip extra its code needs

    @property
    def labels(self) -> list[str]:
        """The labels it gives (empty: an open set, such as language codes)."""
        raise NotImplementedError

    def train(self, data: Path | None = None) -> Path:
        """Write its model file into ``classify/models``; returns the path."""
        raise NotImplementedError

    def evaluate(self, data: Path | None = None) -> list[Result]:
        """Score the shipped file on the official test split(s)."""
        raise NotImplementedError

    def load(self) -> Predictor:
        raise NotImplementedError


@contextlib.contextmanager
def needs_extra(what: str, extra: str = "classify") -> Iterator[None]:
    """Turn a missing optional dependency into one line naming the extra that brings it."""
    try:
        yield
    except ModuleNotFoundError as exc:
        if not exc.name or exc.name.split(".")[0] == "tagscope":
            raise
        raise ModuleNotFoundError(f"{what} needs {exc.name}: pip install 'tagscope[{extra}]'", name=exc.name) from None


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
