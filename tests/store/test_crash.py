"""A kill mid-ingest leaves the store consistent; re-running ends with exactly the right posts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from tagscope.store import Store
from tweetfactory import tweet

N = 50_000


def _write_big(path: Path) -> None:
    with open(path, "wb") as fh:
        for i in range(N):
            fh.write(orjson.dumps(tweet(str(1000 + i), f"post {i} #tag{i % 7}", user=f"user{i % 500}")) + b"\n")


@pytest.mark.slow
@pytest.mark.parametrize("kill_after_generation", [1, 5])
def test_kill_mid_ingest_then_rerun(tmp_path: Path, kill_after_generation: int) -> None:
    src = tmp_path / "big.jsonl"
    _write_big(src)
    store_dir = tmp_path / "store"
    env = {**os.environ, "TAGSCOPE_BATCH_POSTS": "1000", "TAGSCOPE_BLOCK_BYTES": "65536",
           "TAGSCOPE_SQL_BLOCK_BYTES": "65536"}
    cmd = [sys.executable, "-m", "tagscope", "ingest", "--store", str(store_dir), str(src), "--json"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    manifest = store_dir / "manifest.json"
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if manifest.exists():
            try:
                gen = orjson.loads(manifest.read_bytes())["generation"]
            except orjson.JSONDecodeError:
                gen = 0
            if gen >= kill_after_generation:
                break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # Whatever was committed is readable and consistent: no duplicates, every file present.
    st = Store(store_dir)
    n_before = st.stats()["posts"]
    assert n_before < N
    assert st.con.execute("SELECT count(*) - count(DISTINCT id) FROM posts").fetchone()[0] == 0
    st.close()
    done = subprocess.run(cmd, env=env, capture_output=True, check=True)
    summary = orjson.loads(done.stdout)
    assert summary["ingested"] + summary["duplicates"] == N
    assert summary["ingested"] == N - n_before
    st = Store(store_dir)
    assert st.stats()["posts"] == N
    assert st.con.execute("SELECT count(DISTINCT id) FROM posts").fetchone()[0] == N
    # Leftovers of the interrupted commit were cleaned: every posts file is named by the manifest.
    assert sorted(p.name for p in (store_dir / "posts").iterdir()) == sorted(st.manifest["posts"])
    # The killed run's scratch blocks (kept in the store, not the system temp folder) are gone too.
    assert not any((store_dir / ".scratch").iterdir())
    st.close()
