"""Testimony: is a post a first-person account of an experience, or commentary? (fast tier)

No public set exists, so tagscope ships its own: 460 Reddit and Gab posts (EDOS CC0-1.0, Guest 2021
MIT) labelled by the rules in docs/models/testimony-guidelines.md, split 70/30 (stratified, seed 0).
A small set (59 testimonies): treat scores as rough and see the model card before relying on it.
Its evaluation also reports how far two labelling passes agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import datasets
from .base import Result, needs_extra
from .linear_task import LinearTask


def agreement() -> Result:
    """Cohen's kappa between the two labelling passes over all 460 posts."""
    from sklearn.metrics import cohen_kappa_score

    rs = datasets.rows("testimony")
    kappa = float(cohen_kappa_score([r["label"] for r in rs], [r["label_pass2"] for r in rs]))
    return Result("testimony-labels", "testimony", "Cohen's kappa (pass 1 vs pass 2)", kappa, {}, len(rs))


@dataclass(kw_only=True)
class TestimonyTask(LinearTask):
    __test__ = False  # a task, not a test class, whatever pytest makes of its name

    def evaluate(self, data: Path | None = None, path: Path | None = None) -> list[Result]:
        results = super().evaluate(data, path)
        with needs_extra(f"evaluating {self.name}", self.extra):
            return [*results, agreement()]
