"""The store's events: how data computed from the posts keeps in step without the store naming it.

The store sits below everything derived from it (rollups, the search index, classifier labels), so it
never imports them. Each derived part subscribes to the events it needs when its module is imported;
the store only emits. Posts files are immutable, so a subscriber compares the files it covers with
``store.files("posts")``: that is incremental, exact and crash-safe (a subscriber that missed an event
catches up on the next one, or when ``tagscope reindex`` runs).

Which parts exist is decided above the store, by the package root (:mod:`tagscope`), which registers
a *loader*: the first emit runs it, so every entry point (``tagscope.open``, the CLI, a script using
``Store`` directly) reaches the same subscribers, and a part whose extra is not installed is simply
not subscribed.

Events (subscribers are called in subscription order, on the writer's thread, with the lock held):

``file_written(store, posts_file, table)``
    A posts file's rows, in memory, before the file is committed (rollups are made from them at once;
    ``after_commit`` still checks). May be called from several threads at once.
``after_commit(store)``
    After every commit (cheap updates that every figure reads: rollups).
``catch_up(store)``
    On request: ``ingest --index``, ``tagscope reindex``, ``forget``, and readers that need it current
    (the search index: building it once over the final posts files costs less than keeping it in
    step with every batch of an ingest, whose merges and deletions rewrite files).
``on_forget(store, forgotten)``
    After ``forget`` removed posts (:class:`ForgottenPosts`): derived data holding their text or anything
    read from it must drop it from disk, not only from view.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, ParamSpec

if TYPE_CHECKING:
    import pyarrow as pa

    from .store import Store

P = ParamSpec("P")


class Event(Generic[P]):
    """One named event: ``subscribe`` a handler (also as a decorator), ``emit`` to call them all."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._handlers: list[Callable[P, object]] = []

    def __repr__(self) -> str:
        return f"<store event {self.name}: {len(self._handlers)} subscribers>"

    def subscribe(self, handler: Callable[P, object]) -> Callable[P, object]:
        """Call HANDLER on every emit; subscribing the same function again (a module reloaded) replaces it."""
        key = _key(handler)
        self._handlers = [h for h in self._handlers if _key(h) != key] + [handler]
        return handler

    def unsubscribe(self, handler: Callable[P, object]) -> None:
        self._handlers = [h for h in self._handlers if _key(h) != _key(handler)]

    @property
    def handlers(self) -> list[Callable[P, object]]:
        return list(self._handlers)

    def emit(self, *args: P.args, **kwargs: P.kwargs) -> None:
        _load()
        for handler in list(self._handlers):
            handler(*args, **kwargs)


@dataclass(frozen=True)
class ForgottenPosts:
    """What one ``forget`` removed: the (platform, id) of the forgotten posts, and whether the raw
    records of deleted posts were purged too (their text may wait in derived data as well)."""

    keys: tuple[tuple[str, str], ...]
    deleted: bool = False


file_written: Event[[Store, str, pa.Table]] = Event("file_written")
after_commit: Event[[Store]] = Event("after_commit")
catch_up: Event[[Store]] = Event("catch_up")
on_forget: Event[[Store, ForgottenPosts]] = Event("on_forget")

_loaders: list[Callable[[], None]] = []
_loaded = threading.Event()
_loading = threading.RLock()


def add_loader(loader: Callable[[], None]) -> None:
    """Run LOADER (it imports the parts that subscribe) before the first event is emitted."""
    with _loading:
        _loaders.append(loader)
        _loaded.clear()


def _load() -> None:
    if _loaded.is_set():
        return
    with _loading:  # file_written is emitted from several threads: the parts are imported once
        while _loaders:
            _loaders.pop(0)()
        _loaded.set()


def _key(handler: Callable[..., object]) -> tuple[str, str] | int:
    name = getattr(handler, "__qualname__", None)
    return (handler.__module__, name) if name and "<" not in name else id(handler)
