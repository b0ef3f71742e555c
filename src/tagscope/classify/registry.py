"""Every classifier by name, and the default set `tagscope classify` runs.

Reading the registry imports declarations only (see :mod:`.tasks`): the analytics and the store
check model and label names through it without the classify extra installed."""

from __future__ import annotations

from . import accurate
from .base import Classifier, Predictor
from .tasks import ALL

MODELS: dict[str, Classifier] = {c.name: c for c in ALL}
# Everything but the opt-in models (hate: CC BY-NC data).
DEFAULT = tuple(n for n, c in MODELS.items() if not c.opt_in)


def all_models() -> dict[str, Classifier]:
    return dict(MODELS)


def get(name: str) -> Classifier:
    if name not in MODELS:
        raise KeyError(f"no model named {name!r}: choose one of {', '.join(sorted(MODELS))}")
    return MODELS[name]


def parse(spec: str | None) -> list[str]:
    """Model names from a comma-separated --models value; the default set when empty."""
    if not spec:
        return list(DEFAULT)
    names = [s.strip() for s in spec.split(",") if s.strip()]
    for n in names:
        if n not in MODELS:
            raise KeyError(f"no model named {n!r}: choose among {', '.join(sorted(MODELS))}")
    return names


def load(name: str, tier: str = "fast") -> Predictor:
    """The predictor of a model in a tier; models without an accurate tier use the fast one."""
    if tier not in ("fast", "accurate"):
        raise KeyError(f"no tier named {tier!r}: use fast or accurate")
    if tier == "accurate" and name in accurate.MODELS and name in accurate.tiers():
        return accurate.load(name)
    return get(name).load()
