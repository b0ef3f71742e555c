"""A classifier whose code is its own module (sentiment, language): the module's ``train``,
``evaluate`` and ``load`` functions, imported only when called."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from .base import Classifier, Predictor, Result, needs_extra


@dataclass(kw_only=True)
class ModuleClassifier(Classifier):
    classes: list[str]
    module: str  # under tagscope.classify

    @property
    def labels(self) -> list[str]:
        return list(self.classes)

    def _code(self) -> ModuleType:
        with needs_extra(f"the {self.name} model", self.extra):
            return importlib.import_module(f"{__package__}.{self.module}")

    def train(self, data: Path | None = None) -> Path:
        with needs_extra(f"training {self.name}", self.extra):
            return self._code().train(data)

    def evaluate(self, data: Path | None = None) -> list[Result]:
        with needs_extra(f"evaluating {self.name}", self.extra):
            return self._code().evaluate(data)

    def load(self) -> Predictor:
        with needs_extra(f"the {self.name} model", self.extra):
            return self._code().load()
