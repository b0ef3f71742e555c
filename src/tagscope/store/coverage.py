"""Coverage: what the collectors saw, and the windows the archive may lack.

A small JSON-lines file in the store (``STORE/coverage.jsonl``), one entry per collection run,
disconnect, back-fill or known gap::

    {"id", "platform", "source", "kind", "start", "end", "cursor", "reason"}

``kind`` is ``run`` (a collector running; ``end`` is null while it runs or when it was killed),
``disconnect`` (from losing the connection to resuming it: covered again when the resume replayed the
window, as Jetstream's does), ``backfill`` (a REST catch-up) or ``gap`` (a window known to be missing:
the source could not replay it). Times are ISO 8601 UTC. The file is replaced atomically
(:mod:`tagscope.files`) and only under the store's write lock, so entries are never lost to a race.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from .. import files

COVERAGE = "coverage.jsonl"
KINDS = ("run", "disconnect", "backfill", "gap")
FIELDS = ("id", "platform", "source", "kind", "start", "end", "cursor", "reason")
# Kinds whose window may be incomplete in the archive (a disconnect is, until its resume replays it).
INCOMPLETE = ("gap",)


def now() -> str:
    """The current time as coverage entries write it."""
    return iso(datetime.now(UTC))


def iso(t: datetime) -> str:
    if t.tzinfo is not None:
        t = t.astimezone(UTC).replace(tzinfo=None)
    return t.isoformat(timespec="milliseconds") + "Z"


def load(root: Path) -> list[dict[str, Any]]:
    """Every entry, in the order recorded (an empty list for a store that never collected)."""
    try:
        data = (Path(root) / COVERAGE).read_bytes()
    except FileNotFoundError:
        return []
    return [orjson.loads(line) for line in data.splitlines() if line.strip()]


def _save(root: Path, entries: list[dict[str, Any]]) -> None:
    files.write_bytes(Path(root) / COVERAGE, b"".join(orjson.dumps(e) + b"\n" for e in entries))


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def record(store: Any, kind: str, platform: str, source: str, *, start: str, end: str | None = None,
           cursor: Any = None, reason: str | None = None, entry_id: str | None = None) -> str:
    """Add one entry (call inside ``store.writer()``); return its id (ENTRY_ID when given)."""
    if kind not in KINDS:
        raise ValueError(f"unknown coverage kind {kind!r} (one of {', '.join(KINDS)})")
    entry = {"id": entry_id or new_id(), "platform": platform, "source": source, "kind": kind,
             "start": start, "end": end, "cursor": None if cursor is None else str(cursor), "reason": reason}
    entries = load(store.path)
    entries.append(entry)
    _save(store.path, entries)
    return str(entry["id"])


def update(store: Any, entry_id: str, **fields: Any) -> None:
    """Change fields of one entry (call inside ``store.writer()``): a run's end, a disconnect's resume."""
    unknown = set(fields) - set(FIELDS[4:])
    if unknown:
        raise ValueError(f"coverage entries have no field {sorted(unknown)}")
    entries = load(store.path)
    for e in entries:
        if e["id"] == entry_id:
            e.update({k: (str(v) if k == "cursor" and v is not None else v) for k, v in fields.items()})
    _save(store.path, entries)


def entries(store: Any) -> list[dict[str, Any]]:
    """Every entry, each run's open end filled from the cursor its last commit saved (``last_commit``):
    a killed collector's run ends where its data does."""
    cursors = store.manifest.get("cursors") or {}
    out = []
    for e in load(store.path):
        e = dict(e)
        if e["kind"] == "run" and e["end"] is None:
            saved = next((c for c in cursors.values() if isinstance(c, dict) and c.get("run") == e["id"]), None)
            e["last_commit"] = saved.get("at") if saved else None
        out.append(e)
    return out


def may_lack(store: Any) -> list[dict[str, Any]]:
    """The windows the archive may lack: known gaps, disconnects never resumed, runs that stopped
    without closing (killed: the time after their last commit was not collected by them)."""
    lacking = []
    for e in entries(store):
        if e["kind"] in INCOMPLETE or (e["kind"] == "disconnect" and e["end"] is None):
            lacking.append(e)
        elif e["kind"] == "run" and e["end"] is None and e.get("last_commit"):
            lacking.append({**e, "kind": "stopped", "start": e["last_commit"], "end": None,
                            "reason": "no end recorded: still running, or stopped (killed?) after its last commit"})
    return lacking
