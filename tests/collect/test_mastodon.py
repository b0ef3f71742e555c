"""`collect mastodon` against a loopback Mastodon (REST timeline + SSE hashtag stream) built on a real
recorded status, with faults: 429 and 5xx answers, a stream dropped mid-way whose hole the back-fill
fills, a delete event, two instances carrying the same statuses (one post per uri)."""

from __future__ import annotations

import asyncio
import copy
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

pytest.importorskip("httpx")

from tagscope.collect import mastodon
from tagscope.store import Store, coverage

FIXTURE = Path("/work/shared/fixtures/mastodon/rtoot_get_timeline_hashtag_default_0.json")
_here = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "mastodon" / FIXTURE.name
if _here.exists():
    FIXTURE = _here


def statuses(n: int, host: str = "masto.test") -> list[dict]:
    base = json.loads(FIXTURE.read_text())[0]
    out = []
    for i in range(n):
        st = copy.deepcopy(base)
        st["id"] = str(109307661655991184 + i)
        st["uri"] = f"https://{host}/users/u{i % 7}/statuses/{i}"
        st["url"] = st["uri"]
        st["content"] = f"<p>post {i} #IchbinHanna</p>"
        st["tags"] = [{"name": "IchbinHanna", "url": f"https://{host}/tags/IchbinHanna"}]
        out.append(st)
    return out


class Instance:
    """The server's state: what is posted (the timeline), what the stream sends, the faults."""

    def __init__(self, all_statuses: list[dict], posted: int):
        self.all = all_statuses
        self.posted = posted  # statuses[:posted] are on the timeline
        self.faults = ["429", "500"]  # the first two timeline requests
        self.streams = 0
        self.requests: list[str] = []
        self.links = True  # send Link headers (the collector follows rel="prev")

    def page(self, min_id: str | None, limit: int) -> list[dict]:
        shown = self.all[: self.posted]
        if min_id is None:
            return list(reversed(shown[-limit:]))
        newer = [s for s in shown if int(s["id"]) > int(min_id)]
        return list(reversed(newer[:limit]))  # the page right after min_id, newest first


def serve(inst: Instance) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            q = parse_qs(url.query)
            inst.requests.append(self.path)
            if url.path.startswith("/api/v1/timelines/tag/"):
                if inst.faults:
                    code = int(inst.faults.pop(0))
                    self.send_response(code)
                    if code == 429:
                        self.send_header("Retry-After", "0.2")
                    self.end_headers()
                    return
                page = inst.page(q.get("min_id", [None])[0], int(q.get("limit", ["20"])[0]))
                body = json.dumps(page).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                if page and inst.links:  # Mastodon's pagination header, as it writes it
                    host = f"http://127.0.0.1:{self.server.server_address[1]}"
                    self.send_header("Link", f'<{host}{url.path}?max_id={page[-1]["id"]}>; rel="next", '
                                             f'<{host}{url.path}?min_id={page[0]["id"]}&limit=40>; rel="prev"')
                self.send_header("X-RateLimit-Remaining", "299")
                self.end_headers()
                self.wfile.write(body)
                return
            if url.path == "/api/v1/streaming/hashtag":
                assert self.headers.get("Authorization") == "Bearer t0k"
                inst.streams += 1
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                if inst.streams == 1:
                    # Ten statuses streamed, a delete, then the connection drops; ten more are posted
                    # meanwhile, never streamed: the hole the back-fill must fill.
                    for _ in range(10):
                        st = inst.all[inst.posted]
                        inst.posted += 1
                        self.wfile.write(f"event: update\ndata: {json.dumps(st)}\n\n".encode())
                    self.wfile.write(f":)\nevent: delete\ndata: {inst.all[inst.posted - 3]['id']}\n\n".encode())
                    self.wfile.flush()
                    inst.posted += 10
                    return  # the handler ends: the connection is closed mid-stream
                while True:  # later connections: heartbeats until the client goes away
                    try:
                        self.wfile.write(b":)\n")
                        self.wfile.flush()
                    except OSError:
                        return
                    time.sleep(0.2)
            self.send_response(404)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def stop(server: ThreadingHTTPServer) -> None:
    server.shutdown()
    server.server_close()


def run(store: Path, instances: list[str], **kw: object) -> mastodon.Status:
    opts = mastodon.Options(instances=instances, tags=["#IchbinHanna"], token="t0k", batch_seconds=0.2,
                            idle_exit=1.5, backoff_first=0.05, **kw)  # type: ignore[arg-type]
    return asyncio.run(mastodon.collect(Store(store), opts, asyncio.Event()))


def test_backfill_stream_drop_and_refill_with_429_and_5xx(tmp_path: Path) -> None:
    everything = statuses(100)
    inst = Instance(everything, posted=60)
    server, url = serve(inst)
    try:
        # A first run starts from the newest page (40), the later ones from the saved cursor.
        status = run(tmp_path / "s", [url])
    finally:
        stop(server)
    st = Store(tmp_path / "s")
    got = sorted(st.sql("SELECT id FROM posts").column("id").to_pylist())
    deleted = everything[60 + 7]["uri"]
    want = sorted(s["uri"] for s in everything[20:80] if s["uri"] != deleted)
    assert got == want  # the newest page, the streamed ten, the ten of the hole; one deleted
    assert st.sql("SELECT id FROM tombstones").column("id").to_pylist() == [deleted]
    assert status.reconnects >= 1
    kinds = [e["kind"] for e in coverage.entries(st)]
    assert kinds.count("backfill") >= 2 and "disconnect" in kinds and "gap" not in kinds
    assert coverage.may_lack(st) == []
    assert st.cursor(f"mastodon {url}/api/v1/timelines/tag/IchbinHanna")["cursor"] == everything[79]["id"]
    # The second back-fill asked for what followed the stream's last status.
    assert any(f"min_id={everything[69]['id']}" in r for r in inst.requests)
    assert any("&limit=40" in r and r.index("min_id") < r.index("limit") for r in inst.requests)  # a Link followed


def test_two_instances_one_post_per_uri_and_resume(tmp_path: Path) -> None:
    shared = statuses(50)
    a, b = Instance(shared, posted=50), Instance(shared, posted=50)
    a.faults = b.faults = []
    b.links = False  # the collector pages by min_id itself where no Link header comes
    sa, ua = serve(a)
    sb, ub = serve(b)
    try:
        run(tmp_path / "s", [ua, ub], stream=False)
        a.posted = b.posted = 50
        a.all = b.all = shared + statuses(80)[50:]
        a.posted = b.posted = 80
        run(tmp_path / "s", [ua, ub], stream=False)  # resumes from each instance's cursor
    finally:
        stop(sa)
        stop(sb)
    st = Store(tmp_path / "s")
    ids = st.sql("SELECT id FROM posts").column("id").to_pylist()
    assert len(ids) == len(set(ids)) == 80 - 10  # the first run's newest page (40) of 50, then the 30 new
    sources = {e["source"] for e in coverage.entries(st)}
    assert sources == {f"{ua}/api/v1/timelines/tag/IchbinHanna", f"{ub}/api/v1/timelines/tag/IchbinHanna"}


def test_the_cli_backfills_and_prints_json(tmp_path: Path) -> None:
    import orjson
    from typer.testing import CliRunner

    from tagscope.cli import app

    inst = Instance(statuses(30), posted=30)
    inst.faults = ["503"]
    server, url = serve(inst)
    try:
        res = CliRunner().invoke(app, ["collect", "mastodon", "--instance", url, "--tag", "IchbinHanna", "--no-stream",
                                       "--store", str(tmp_path / "s"), "--json"])
    finally:
        stop(server)
    assert res.exit_code == 0, res.output
    assert orjson.loads(res.stdout)["stored"] == 30
