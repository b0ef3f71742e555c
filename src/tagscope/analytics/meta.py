"""Declared metadata of each analytic (like 4CAT's processors): title, description, options.

Front ends (CLI help, report, dashboard) read these instead of repeating the words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

REGISTRY: dict[str, Analytic] = {}


@dataclass(frozen=True)
class Analytic:
    name: str
    title: str
    description: str
    options: dict[str, str] = field(default_factory=dict)
    rollup: bool = True  # whether rollups can answer it (else it always scans posts)


def declare(name: str, title: str, description: str, options: dict[str, str] | None = None, *, rollup: bool = True) -> Analytic:
    a = Analytic(name, title, description, dict(options or {}), rollup)
    REGISTRY[name] = a
    return a


COMMON = {
    "since": "Count posts from this time on (ISO 8601; a bare date is midnight).",
    "until": "Count posts before this time (half-open window).",
    "tz": "Time zone for bare dates and local buckets (IANA name); results stay in UTC.",
    "no_reposts": "Leave reposts out (they count by default, as Topsy's 'tweeted N times' did).",
    "platform": "Only posts from this platform (twitter, bluesky, mastodon, reddit).",
}


def pick(*names: str, **extra: Any) -> dict[str, str]:
    return {**{n: COMMON[n] for n in names}, **extra}
