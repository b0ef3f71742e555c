"""Research exports: files a research tool wrote, whose posts come from several platforms.

Zeeschuimer's NDJSON (``zeeschuimer``), 4CAT's NDJSON and CSV downloads (``4cat-ndjson``,
``4cat-csv``) and any CSV or JSON lines read with a mapping file (``mapped``, ``tagscope ingest --map``).
A post keeps its source platform (``tiktok``, ``instagram``, ``threads``, ``twitter``...), so this
folder's ``PLATFORM`` names the family, not a platform: ``PLATFORMS`` lists the platforms only its
formats produce, and a post of a platform that has a folder of its own (a tweet in a 4CAT CSV) is
merged by that folder's rule (see ``formats.merge_into``).
"""

from __future__ import annotations

from . import fourcat_csv, fourcat_ndjson, mapped, zeeschuimer

PLATFORM = "exports"
# The platforms whose posts come only through these formats (no folder of their own).
PLATFORMS = ("tiktok", "instagram", "threads")

FORMATS = (zeeschuimer, fourcat_ndjson, fourcat_csv, mapped)

__all__ = ["FORMATS", "PLATFORM", "PLATFORMS"]
