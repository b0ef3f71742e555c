"""The `tagscope` command line: thin wrappers over the store, the analytics, search and the classifiers.

One module per group of commands, each registering on :data:`app` (the order of the imports is the
order of ``tagscope --help``, :data:`GROUPS`): :mod:`.store` (ingest, stats, quarantine, remap, forget),
:mod:`.analytics` (one command per registered analytic), :mod:`.search`, :mod:`.classify`,
:mod:`.report` (report, serve), :mod:`.simulate`. Shared options are in :mod:`.options`; every command
that prints a result takes ``--json`` (one JSON object on stdout, nothing else).
"""

from __future__ import annotations

import importlib

from .common import app

# The command groups, in the order `tagscope --help` lists them; importing one registers its commands.
GROUPS = ("store", "analytics", "search", "classify", "report", "simulate", "collect")
for _group in GROUPS:
    importlib.import_module(f"{__name__}.{_group}")

__all__ = ["app", "main"]


def main() -> None:  # pragma: no cover
    app()
