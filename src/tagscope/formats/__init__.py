"""Input formats, by platform: the registry that finds them, by name or sniffed from a file's first bytes.

Every sub-package of this folder is a platform (``twitter/``; later ``bluesky/``, ``reddit/``...) and
declares its formats (see :mod:`tagscope.formats.contract`): the registry imports each folder it finds,
so adding a platform or a format edits no list here. Sniffing tries the platforms in folder-name order
and, within one, its formats in the order it declares.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import Any

from ..post import merge_fields
from .base import ParseError, Record, Rejected, Skipped
from .contract import Forgotten, Format, SqlMapping, check


def _platform_packages(path: list[str], package: str) -> list[ModuleType]:
    """Every sub-package of PACKAGE (found on PATH), imported, in name order."""
    infos = sorted((i for i in pkgutil.iter_modules(path) if i.ispkg), key=lambda i: i.name)
    return [importlib.import_module(f"{package}.{i.name}") for i in infos]


def _register(packages: list[ModuleType]) -> tuple[dict[str, ModuleType], dict[str, ModuleType]]:
    platforms: dict[str, ModuleType] = {}
    found: dict[str, ModuleType] = {}
    for pkg in packages:
        platforms[pkg.PLATFORM] = pkg
        for mod in pkg.FORMATS:
            check(mod)
            if mod.PLATFORM != pkg.PLATFORM:
                raise TypeError(f"format {mod.NAME} says platform {mod.PLATFORM!r} in folder {pkg.PLATFORM!r}")
            if mod.NAME in found:
                raise TypeError(f"two formats are called {mod.NAME!r}: {found[mod.NAME].__name__}, {mod.__name__}")
            found[mod.NAME] = mod
    return platforms, found


PLATFORMS: dict[str, ModuleType]
FORMATS: dict[str, ModuleType]  # every registered format by name, in sniffing order
PLATFORMS, FORMATS = _register(_platform_packages(__path__, __name__))


def _merge_rules(platforms: dict[str, ModuleType]) -> dict[str, Any]:
    """Each post platform's merge rule: its folder's, or that of the folder declaring it in ``PLATFORMS``
    (a folder of exports whose posts keep their source platform: ``tiktok``, ``instagram``...). A
    platform with a folder of its own keeps that folder's rule whatever format a post came in."""
    rules = {name: pkg.merge for name, pkg in platforms.items() if hasattr(pkg, "merge")}
    for pkg in platforms.values():
        for name in getattr(pkg, "PLATFORMS", ()):
            if name not in platforms and hasattr(pkg, "merge"):
                rules.setdefault(name, pkg.merge)
    return rules


def _post_platforms(platforms: dict[str, ModuleType]) -> tuple[str, ...]:
    """The platforms a post may carry: each folder's, or the ones a folder of exports lists instead."""
    names = [n for pkg in platforms.values() for n in getattr(pkg, "PLATFORMS", (pkg.PLATFORM,))]
    return tuple(sorted(set(names)))


_MERGE_RULES = _merge_rules(PLATFORMS)
POST_PLATFORMS = _post_platforms(PLATFORMS)  # twitter, bluesky, ..., and tiktok, instagram, threads


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
    """The module stating MOD's JSON-lines mapping in SQL (its ``SQL_MAPPING``), if it has one."""
    name = getattr(mod, "SQL_MAPPING", None)
    return importlib.import_module(name, mod.__package__) if name else None


def handle_keys() -> tuple[str, ...]:
    """The JSON keys under which any registered format's raw records name an account's handle."""
    return tuple(dict.fromkeys(k for mod in FORMATS.values() for k in getattr(mod, "HANDLE_KEYS", ())))


def merge_into(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Merge a later copy of a post into the known one (OLD, in place); return whether anything changed.

    The post's platform rule first (Twitter: a full text completes a compat-mode cut one), then the
    neutral one, ``post.merge_fields``: the later copy never erases, fills nulls, raises counts."""
    rule = _MERGE_RULES.get(old.get("platform"))  # type: ignore[arg-type]
    changed = rule(old, new) if rule is not None else False
    return merge_fields(old, new) or changed


__all__ = [
    "FORMATS",
    "PLATFORMS",
    "POST_PLATFORMS",
    "Forgotten",
    "Format",
    "ParseError",
    "Record",
    "Rejected",
    "Skipped",
    "SqlMapping",
    "get",
    "handle_keys",
    "merge_into",
    "sniff",
    "sql_mapping",
]
