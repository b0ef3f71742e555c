"""Twitter / X: API v1.1, API v2 (twarc2), Gnip Activity Streams, the X account archive, twarc-csv.

Each format is a module of this folder (``v1``, ``v2``, ``gnip``, ``x_archive``, ``twarc_csv``); v1.1
and v2 also state their JSON-lines mapping in SQL (``v1_sql``, ``v2_sql``) and in C++ (``v1_native``,
``v2_native``, over ``tagscope._native``) for ingest's fast path. They share forget's scrub
(``scrubbing``) and the platform's merge rule (``merging``).
"""

from __future__ import annotations

from . import gnip, twarc_csv, v1, v2, x_archive
from .merging import merge

PLATFORM = "twitter"

# Sniffing order: the most specific first (v1.1's sniff is the loosest).
FORMATS = (v2, gnip, x_archive, twarc_csv, v1)

__all__ = ["FORMATS", "PLATFORM", "merge"]
