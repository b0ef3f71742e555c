"""Campaign analytics: one module per analytic, each a function of the store returning a Figure.

    import tagscope
    from tagscope.analytics import backlash, count, misogyny, trend
    store = tagscope.open("tagscope-data")
    count(store, "yesallwomen").data        # {"count": ...}
    backlash(store, "yesallwomen")          # needs stance labels: tagscope classify

The counting rules are in :mod:`.rules`; the SQL each analytic runs is in ``Figure.queries``. Each
analytic declares itself in :mod:`.registry`, from which the CLI, the API, the dashboard and the
report are made.
"""

from .audience import audience
from .backlash import backlash
from .cotags import cotags
from .count import count
from .figure import Figure
from .links import links
from .misogyny import misogyny
from .network import network
from .notables import notables
from .origin import origin
from .petitions import petitions
from .places import places
from .registry import REGISTRY
from .topics import topics
from .trend import trend
from .variants import variants
from .velocity import velocity

__all__ = [
    "REGISTRY",
    "Figure",
    "audience",
    "backlash",
    "cotags",
    "count",
    "links",
    "misogyny",
    "network",
    "notables",
    "origin",
    "petitions",
    "places",
    "topics",
    "trend",
    "variants",
    "velocity",
]
