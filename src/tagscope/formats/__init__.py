"""Input formats: one module each, found by name or sniffed from a file's first bytes."""

from __future__ import annotations

import importlib
from types import ModuleType

from .base import ParseError, Record, Rejected

# Module names in sniffing order: the most specific first.
_MODULES = ["twitter_v1"]
_OPTIONAL = ["twitter_v2", "gnip", "x_archive", "twarc_csv"]


def _load() -> dict[str, ModuleType]:
    mods: dict[str, ModuleType] = {}
    for name in _OPTIONAL + _MODULES:
        try:
            mod = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{name}":
                continue
            raise
        mods[mod.NAME] = mod
    return mods


FORMATS: dict[str, ModuleType] = _load()


def get(name: str) -> ModuleType:
    """The format module called NAME, or a ValueError listing the known ones."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown format {name!r}; known formats: {', '.join(sorted(FORMATS))}") from None


def sniff(head: bytes) -> ModuleType | None:
    """The first format whose sniff() accepts these bytes."""
    for mod in FORMATS.values():
        if mod.sniff(head):
            return mod
    return None


def sql_mapping(mod: ModuleType) -> ModuleType | None:
    """The module stating MOD's JSON-lines mapping in SQL (``<module>_sql``), if it has one."""
    try:
        return importlib.import_module(f"{mod.__name__}_sql")
    except ModuleNotFoundError as exc:
        if exc.name == f"{mod.__name__}_sql":
            return None
        raise


__all__ = ["FORMATS", "ParseError", "Record", "Rejected", "get", "sniff", "sql_mapping"]
