"""A bounded soak: the collector at full speed for about 40 s keeps its memory flat."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

pytest.importorskip("websockets")
psutil = pytest.importorskip("psutil")

from jetgen import events  # noqa: E402
from tagscope.collect.replay import serving  # noqa: E402

SRC = Path(__file__).resolve().parents[2] / "src"
SECONDS = 40


@pytest.mark.slow
def test_memory_stays_flat_at_full_speed(tmp_path: Path) -> None:
    frames = events(400_000, seed=21)
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    with serving(frames) as server:
        proc = subprocess.Popen([sys.executable, "-m", "tagscope", "collect", "bluesky", "--tag", "YesAllWomen",
                                 "--jetstream", server.url, "--store", str(tmp_path / "s"), "--json"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        samples: list[tuple[float, int]] = []
        started = time.monotonic()
        me = psutil.Process(proc.pid)
        while time.monotonic() - started < SECONDS and proc.poll() is None:
            total = 0
            for p in [me, *me.children(recursive=True)]:  # the collector and its parsing worker
                with contextlib.suppress(psutil.NoSuchProcess):
                    total += p.memory_info().rss
            samples.append((time.monotonic() - started, total))
            time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)  # the graceful stop: commit, save the cursor, exit 0
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0
    status = orjson.loads(out)
    assert status["events"] > 20_000, status  # it did run at volume
    # After the warm-up (imports, the worker's start, the first batches), memory does not grow with
    # the events: the last third's peak stays within 60 MB of the middle third's.
    print(f"soak: {status['events']:,} events; RSS MB by second:", [(round(t), rss >> 20) for t, rss in samples[::4]])
    third = len(samples) // 3
    middle = max(rss for _, rss in samples[third:2 * third])
    last = max(rss for _, rss in samples[2 * third:])
    assert last - middle < 60 * 2**20, [(round(t), rss >> 20) for t, rss in samples]
