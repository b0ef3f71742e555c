"""Campaign analytics: one module per analytic, each a function of the store returning a Figure."""

from .figure import Figure

__all__ = ["Figure"]
