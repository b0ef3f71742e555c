"""One store, several users: a collector killed with kill -9 resumes from the cursor its last commit
saved; a second writer waits and names the holder of the lock; readers never see half a commit."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import orjson
import pytest

pytest.importorskip("websockets")

from jetgen import POST, events
from tagscope.collect.bluesky import Collector, Options
from tagscope.collect.replay import serving
from tagscope.store import Store, coverage
from tagscope.store import store as store_module

SRC = Path(__file__).resolve().parents[2] / "src"


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}


def _cli(store: Path, url: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "tagscope", "collect", "bluesky", "--all", "--jetstream", url, "--store", str(store),
            "--batch-seconds", "0.2", *extra]


def _ids(st: Store, table: str) -> list[str]:
    st.refresh()
    return sorted(st.sql(f"SELECT id FROM {table}").column("id").to_pylist())


def test_kill_9_then_restart_from_the_saved_cursor(tmp_path: Path) -> None:
    frames = events(2000, seed=11, step_us=4000)  # 8 s of stream time: more than the 5 s rewind
    store = tmp_path / "s"
    with serving(frames, rate=800) as server:  # paced: the kill lands mid-stream
        proc = subprocess.Popen(_cli(store, server.url, "--json"), env=_env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                st = Store(store)
                if st.generation >= 4 and (st.cursor(f"bluesky {server.url}") or {}).get("cursor"):
                    break
                time.sleep(0.05)
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.wait(10)
        killed = Store(store)
        saved = killed.cursor(f"bluesky {server.url}")["cursor"]
        assert saved < orjson.loads(frames[-1])["time_us"], "killed after the end: nothing was tested"
        # What the saved cursor covers is in the store: every post up to it.
        reached = {f for f in frames if orjson.loads(f)["time_us"] <= saved}
        # The killed run has no end: the coverage says it may have stopped after its last commit.
        assert [e["kind"] for e in coverage.may_lack(killed)] == ["stopped"]
        server.rate = None
        done = subprocess.run(_cli(store, server.url, "--idle-exit", "1", "--json"), env=_env(), capture_output=True,
                              timeout=120, check=True)
        assert orjson.loads(done.stdout)["reconnects"] == 0
    ref_file = tmp_path / "all.jsonl"
    ref_file.write_bytes(b"\n".join(frames) + b"\n")
    ref = Store(tmp_path / "ref")
    ref.ingest([str(ref_file)])
    got = Store(store)
    assert _ids(got, "posts") == _ids(ref, "posts") and _ids(got, "tombstones") == _ids(ref, "tombstones")
    raws = _ids(got, "raw")
    assert len(raws) == len(set(raws))  # nothing doubled by the replay after the restart
    assert reached  # the first run had stored something before the kill
    # The killed run ends at its last commit, and the restart replayed from there: nothing lacking.
    assert coverage.may_lack(got) == []
    runs = [e for e in coverage.entries(got) if e["kind"] == "run"]
    assert len(runs) == 2 and "killed" in runs[0]["reason"] and runs[0]["end"] and runs[1]["end"]


HOLDER = textwrap.dedent("""
    import sys
    from tagscope.store import Store
    with Store(sys.argv[1]).writer():
        print("holding", flush=True)
        sys.stdin.readline()  # until the test lets go
""")


def _hold(script: Path, store: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, str(script), str(store)], env=_env(), stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    return holder


def _release(holder: subprocess.Popen[str]) -> None:
    holder.communicate("go\n", timeout=30)


def test_a_second_writer_waits_and_names_the_holder(tmp_path: Path) -> None:
    script = tmp_path / "hold_lock.py"
    script.write_text(HOLDER)
    store = tmp_path / "s"
    holder = _hold(script, store)
    said: list[str] = []

    def waiting(who: str) -> None:
        said.append(who)
        _release(holder)  # let go once the waiting writer has said whom it waits for

    old, store_module.on_wait = store_module.on_wait, waiting
    try:
        with Store(store).writer():
            assert holder.returncode == 0
    finally:
        store_module.on_wait = old
        if holder.returncode is None:
            _release(holder)
    assert said == [f"pid {holder.pid} (hold_lock.py {store})"]
    assert (store / ".lock").read_text() == ""  # released: nobody named


def test_the_cli_message_of_a_waiting_ingest(tmp_path: Path) -> None:
    script = tmp_path / "hold_lock.py"
    script.write_text(HOLDER)
    store = tmp_path / "s"
    data = tmp_path / "events.jsonl"
    data.write_bytes(b"\n".join(events(50)) + b"\n")
    holder = _hold(script, store)
    ingest = subprocess.Popen([sys.executable, "-m", "tagscope", "ingest", str(data), "--store", str(store), "--json"],
                              env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert ingest.stderr is not None
        first = ingest.stderr.readline()  # blocks until the ingest says something: that it waits
    finally:
        _release(holder)
    out, _ = ingest.communicate(timeout=60)
    assert first == f"store is being written by pid {holder.pid} (hold_lock.py {store}), waiting\n"
    assert ingest.returncode == 0 and orjson.loads(out)["ingested"] > 0


def test_readers_never_see_half_a_commit(tmp_path: Path) -> None:
    posts = [f for f in events(3000, seed=12)
             if (orjson.loads(f).get("commit") or {}).get("collection") == POST
             and orjson.loads(f)["commit"]["operation"] == "create"][:500]
    store = tmp_path / "s"
    seen: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                st = Store(store)
                seen.append(st.sql("SELECT count(*) AS n FROM posts").column("n")[0].as_py())
                time.sleep(0.005)  # leave the collector the GIL
                st.close()
            except BaseException as exc:  # a file named by the manifest and missing would land here
                errors.append(exc)
                return

    reader = threading.Thread(target=read)
    with serving(posts) as server:
        reader.start()
        opts = Options(url=server.url, keep_all=True, batch_records=50, batch_seconds=600, idle_exit=3)
        asyncio.run(Collector(Store(store), opts).run(asyncio.Event()))
    stop.set()
    reader.join(10)
    assert not errors
    assert len(set(seen)) > 3  # the reader did see the store grow
    assert all(n % 50 == 0 for n in seen), [n for n in sorted(set(seen)) if n % 50]  # whole batches only
    assert len(posts) == 500 and Store(store).stats()["posts"] == 500
