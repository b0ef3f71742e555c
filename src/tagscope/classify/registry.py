"""Every classifier by name, and the default set `tagscope classify` runs."""

from __future__ import annotations

import importlib

from .base import Classifier

MODULES = ("sexism", "stance", "offensive", "sentiment", "language", "testimony", "hate")
DEFAULT = ("sexism", "sexism-category", "sexism-vector", "stance", "offensive", "sentiment", "language", "testimony")


def all_models() -> dict[str, Classifier]:
    out: dict[str, Classifier] = {}
    for name in MODULES:
        try:
            mod = importlib.import_module(f"{__package__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__package__}.{name}":
                continue
            raise
        out.update(mod.MODELS)
    return out


def get(name: str) -> Classifier:
    models = all_models()
    if name not in models:
        raise KeyError(f"no model named {name!r}: choose one of {', '.join(sorted(models))}")
    return models[name]


def parse(spec: str | None) -> list[str]:
    """Model names from a comma-separated --models value; the default set when empty."""
    models = all_models()
    if not spec:
        return [n for n in DEFAULT if n in models]
    names = [s.strip() for s in spec.split(",") if s.strip()]
    for n in names:
        if n not in models:
            raise KeyError(f"no model named {n!r}: choose among {', '.join(sorted(models))}")
    return names


ACCURATE = ("sexism", "sexism-category", "stance")  # models that can have an accurate tier (see accurate.py)


def load(name: str, tier: str = "fast"):
    """The predictor of a model in a tier; models without an accurate tier use the fast one."""
    if tier not in ("fast", "accurate"):
        raise KeyError(f"no tier named {tier!r}: use fast or accurate")
    if tier == "accurate" and name in ACCURATE:
        from . import accurate

        if name in accurate.tiers():
            return accurate.load(name)
    return get(name).load()
