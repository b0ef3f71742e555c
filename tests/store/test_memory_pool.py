"""tagscope picks Arrow's jemalloc pool on Linux (ingest faulted pages in again under mimalloc's
10 ms purge), unless the user chose a pool; it never overrides the user's choice."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CODE = "import tagscope, pyarrow as pa; print(pa.default_memory_pool().backend_name)"


def _backend(env: dict[str, str]) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    out = subprocess.run([sys.executable, "-c", CODE], env=clean | env, capture_output=True, text=True, check=True)
    return out.stdout.strip()


@pytest.mark.skipif(sys.platform != "linux", reason="Linux wheels of pyarrow ship jemalloc")
def test_jemalloc_by_default_and_the_users_choice_wins() -> None:
    assert _backend({}) == "jemalloc"
    assert _backend({"ARROW_DEFAULT_MEMORY_POOL": "system"}) == "system"
