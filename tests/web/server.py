"""Run the dashboard on a free loopback port in a background thread, for browser tests and benches."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(store_path: Path, *, token: str | None = None) -> Iterator[str]:
    """Yield the base URL of a running dashboard; stop it on exit."""
    import uvicorn

    from tagscope.web.app import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(store_path, token=token), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(1200):  # wait for the socket (readiness, not a timing assertion)
        if server.started:
            break
        time.sleep(0.05)
    if not server.started:
        raise RuntimeError("the dashboard did not start within 60 s")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
