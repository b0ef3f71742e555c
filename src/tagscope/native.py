"""``tagscope._native``, the C++ parts of ingest (native/), or None where it was not built.

setup.py compiles it when the package is installed, if a C++17 compiler is there; everything it does
has a Python (or DuckDB) path beside it, and TAGSCOPE_NATIVE=0 turns it off.
"""

from __future__ import annotations

import os
from types import ModuleType

native: ModuleType | None
try:
    from . import _native as native  # type: ignore[attr-defined,no-redef]
except ImportError:
    native = None
if os.environ.get("TAGSCOPE_NATIVE", "1") == "0":
    native = None
