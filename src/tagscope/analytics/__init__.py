"""Campaign analytics: one module per analytic, each a function of the store returning a Figure.

    import tagscope
    from tagscope.analytics import count, trend
    store = tagscope.open("tagscope-data")
    count(store, "yesallwomen").data        # {"count": ...}

The counting rules are in :mod:`.rules`; the SQL each analytic runs is in ``Figure.queries``.
"""

from .audience import audience
from .cotags import cotags
from .count import count
from .figure import Figure
from .links import links
from .meta import REGISTRY
from .network import network
from .notables import notables
from .origin import origin
from .trend import trend
from .variants import variants
from .velocity import velocity

__all__ = [
    "REGISTRY",
    "Figure",
    "audience",
    "cotags",
    "count",
    "links",
    "network",
    "notables",
    "origin",
    "trend",
    "variants",
    "velocity",
]
