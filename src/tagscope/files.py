"""Atomic file writes: a reader sees the old file or the new one, never half of either.

One way for every layer (manifest, labels, rollups, search covers, pseudonym key, ground truth):
write a hidden temporary beside the target, fsync it, rename it over the target, fsync the folder.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    """Make a rename in FOLDER durable (a no-op where the OS cannot open folders)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def temp_path(path: Path) -> Path:
    """The hidden temporary a write of PATH goes through (same folder, so the rename is atomic)."""
    return path.with_name(f".{path.name}.tmp")


@contextlib.contextmanager
def replacing(path: Path, *, durable: bool = True) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces PATH atomically, on error it is removed.

    For writers that need a path (pyarrow, DuckDB's COPY); :func:`write_bytes` for bytes in hand.
    ``durable=False`` skips the fsyncs, for files derived from others that are not fsynced either
    (rollups of posts files): still atomic, and ~6 ms a file cheaper."""
    path = Path(path)
    tmp = temp_path(path)
    try:
        yield tmp
        if durable:
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    if durable:
        fsync_dir(path.parent)


def write_bytes(path: Path, data: bytes | Callable[[], bytes]) -> Path:
    """Replace PATH with DATA atomically; returns PATH."""
    with replacing(Path(path)) as tmp:
        tmp.write_bytes(data() if callable(data) else data)
    return Path(path)
