"""Writing and removing the accurate tier's files, whole or split into pieces (training only).

The runtime reads them with :func:`tagscope.classify.accurate.parts`; a committed file stays under
20 MB, so a larger one (an mpnet graph, its embedding table) is written as ``<name>.part0``,
``<name>.part1``, ... Each piece is written atomically.
"""

from __future__ import annotations

from pathlib import Path

from tagscope.classify.accurate import pieces
from tagscope.files import write_bytes

PART_BYTES = 19 * 2**20


def write_parts(path: Path, data: bytes) -> list[Path]:
    """Write ``data`` as ``path``, or as pieces of at most :data:`PART_BYTES` when larger (replacing
    whatever form was there)."""
    remove(path)
    if len(data) <= PART_BYTES:
        return [write_bytes(path, data)]
    return [write_bytes(path.with_name(f"{path.name}.part{k}"), data[start : start + PART_BYTES])
            for k, start in enumerate(range(0, len(data), PART_BYTES))]


def graph_names(folder: Path, task: str) -> list[str]:
    """The other runs' graphs of a task found in ``folder`` (``accurate-<task>-<tag>.onnx``, whole or in parts)."""
    whole = {p.name for p in folder.glob(f"accurate-{task}-*.onnx")}
    split = {p.name.removesuffix(".part0") for p in folder.glob(f"accurate-{task}-*.onnx.part0")}
    return sorted(whole | split)


def remove(path: Path) -> None:
    """Delete ``path`` in every form: whole and any pieces."""
    for p in [path, *pieces(path)]:
        p.unlink(missing_ok=True)
