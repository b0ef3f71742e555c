"""store.heap: the CLI's glibc heap settings apply on glibc, and can be turned off."""

from __future__ import annotations

import subprocess
import sys

import pytest

CODE = "from tagscope.store.heap import keep_freed_memory; print(keep_freed_memory())"


def _run(env_value: str | None) -> str:
    import os

    env = dict(os.environ)
    env.pop("TAGSCOPE_MALLOPT", None)
    if env_value is not None:
        env["TAGSCOPE_MALLOPT"] = env_value
    # In a child process: the settings are process-wide and must not leak into the test session.
    return subprocess.run([sys.executable, "-c", CODE], env=env, capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_applied_on_glibc_and_off_on_request() -> None:
    assert _run(None) == "True"
    assert _run("0") == "False"
