"""The Spark engine through a Spark Connect server: `--spark-master sc://127.0.0.1:PORT`.

A real server (pyspark's own SparkConnectServer, on loopback, local[2]) is started once for the
module; the commands run in child processes, as a user runs them (a Connect client turns pyspark
"remote" for its whole process, so it is kept out of the test process and its classic session).
Slow: the server's JVM start and each client's, about a minute on 2 cores."""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from tagscope import analytics as an
from tagscope.classify.run import classify
from tagscope.engines import engine_for
from tagscope.store import Store
from tweetfactory import tweet, write_jsonl

HAVE_CONNECT = all(importlib.util.find_spec(m) is not None for m in ("pyspark", "grpc", "google.rpc", "zstandard"))
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not HAVE_CONNECT, reason="Spark Connect: pyspark's connect client missing (the spark extra)")]
SRC = str(Path(__file__).resolve().parents[2] / "src")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(**more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TAGSCOPE_", "PYSPARK_", "SPARK_"))}
    # The server's Python workers (batch labelling) and the clients import this checkout's tagscope.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [SRC, os.environ.get("PYTHONPATH")]))
    return {**env, **more}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import pyspark

    home = Path(pyspark.__file__).parent
    port = _free_port()
    log = tmp_path_factory.mktemp("connect") / "server.log"
    cmd = [str(home / "bin" / "spark-submit"), "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
           "--master", "local[2]", "--conf", "spark.connect.grpc.binding.address=127.0.0.1",
           "--conf", f"spark.connect.grpc.binding.port={port}", "--conf", "spark.ui.enabled=false",
           "--conf", f"spark.pyspark.python={sys.executable}"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                env=_env(SPARK_HOME=str(home), PYSPARK_PYTHON=sys.executable))
    try:
        deadline = time.monotonic() + 300
        while "Spark Connect server started" not in log.read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Spark Connect server did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(1)
        yield f"sc://127.0.0.1:{port}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the server we started, and its children
        proc.wait(60)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    work = tmp_path_factory.mktemp("connect-store")
    texts = ["Women are too stupid to vote #YesAllWomen", "Not all men #NotAllMen #YesAllWomen", "Lovely day #YesAllWomen"]
    recs = [tweet(str(i), texts[i % 3], tags=[w[1:] for w in texts[i % 3].split() if w.startswith("#")], user=f"u{i % 5}",
                  created=f"Sat May 24 {10 + i % 6}:{i:02d}:00 +0000 2014", followers=10 * i) for i in range(1, 25)]
    st = Store(work / "store")
    st.ingest([str(write_jsonl(work / "a.jsonl", recs))])
    yield st
    st.close()


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tagscope", *args], capture_output=True, text=True, timeout=300,
                          env=_env(**env))


def test_an_analytic_through_spark_connect_answers_as_duckdb(server, store):
    got = _cli("trend", "yesallwomen", "notallmen", "--every", "hour", "--tz", "Asia/Kolkata", "--store", str(store.path),
               "--engine", "spark", "--spark-master", server, "--json")
    assert got.returncode == 0, got.stderr
    want = an.trend(store, ["yesallwomen", "notallmen"], every="hour", tz="Asia/Kolkata", engine="duckdb")
    assert orjson.loads(got.stdout) == orjson.loads(orjson.dumps(want.data, default=str))
    assert len(want.data["series"]) > 4  # local hours across the day: the time-zone rewrite ran on the server


def test_batch_labelling_on_the_connect_servers_workers(server, store, tmp_path):
    """`TAGSCOPE_ENGINE=spark tagscope classify` with a Connect master: the server's Python workers label
    (mapInArrow), the files land in the store, and the labels equal the local path's."""
    got = _cli("classify", "--models", "sexism", "--store", str(store.path), "--json",
               TAGSCOPE_ENGINE="spark", TAGSCOPE_SPARK_MASTER=server)
    assert got.returncode == 0, got.stderr
    assert orjson.loads(got.stdout)["labelled"] == {"sexism": 24}
    sparked = engine_for(store, "duckdb").query("SELECT id, label, score FROM labels WHERE model = 'sexism'", [], ("labels",))
    local = Store(tmp_path / "local")
    local.ingest([str(p) for p in Path(store.path).parent.glob("*.jsonl")])
    classify(local, "sexism", jobs=1)
    alike = engine_for(local, "duckdb").query("SELECT id, label, score FROM labels WHERE model = 'sexism'", [], ("labels",))
    assert sorted(map(tuple, (r.values() for r in sparked.to_pylist()))) == \
        sorted(map(tuple, (r.values() for r in alike.to_pylist())))
    local.close()
    # and a label filter read back through the server (the labels view of a Connect session)
    got = _cli("count", "yesallwomen", "--where", "sexism=sexist", "--store", str(store.path), "--engine", "spark",
               "--spark-master", server, "--json")
    assert got.returncode == 0, got.stderr
    assert orjson.loads(got.stdout) == orjson.loads(orjson.dumps(
        an.count(store, "yesallwomen", where="sexism=sexist", engine="duckdb").data, default=str))
