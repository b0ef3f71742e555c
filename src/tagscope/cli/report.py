"""`tagscope report` (one self-contained HTML file) and `tagscope serve` (the dashboard): the web extra."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from .. import files
from ..times import to_utc
from .common import app, console, fail, needs_extra, open_store, out, posts_store
from .options import StoreOpt

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def parse_when(value: str | None, name: str) -> datetime | None:
    """A bare date (midnight UTC) or an ISO 8601 time; a clear error otherwise."""
    if not value:
        return None
    try:
        return to_utc(value)
    except ValueError:
        fail(f"--{name} {value!r} is not a date: write it like 2014-05-24 or 2014-05-24T18:00")


@app.command()
def report(
    tag: Annotated[str, typer.Argument(help="The hashtag to report on (# optional).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.")] = Path("report.html"),
    compare: Annotated[list[str] | None, typer.Option("--compare", help="Another tag to compare with (repeatable).")] = None,
    since: Annotated[str | None, typer.Option(help="Start of the window, inclusive (UTC; bare date = midnight).")] = None,
    until: Annotated[str | None, typer.Option(help="End of the window, exclusive (UTC).")] = None,
    every: Annotated[str | None, typer.Option(help="Bucket for the charts: minute, hour, day or week (default: by span).")] = None,
    platform: Annotated[str | None, typer.Option(help="Only posts from this platform (every section, and the platform mix).")] = None,
    reveal_authors: Annotated[bool, typer.Option("--reveal-authors", help="Name every author instead of pseudonymising those who are not notable.")] = False,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also print it to PDF (same name, .pdf) with a local Chromium.")] = False,
    store: StoreOpt = None,
) -> None:
    """Write a self-contained HTML report on a hashtag (opens from disk, no network)."""
    try:
        from ..report import build_report
    except ImportError as exc:
        needs_extra("web", "the report", exc)

    if every is not None and every not in ("minute", "hour", "day", "week"):
        fail(f"--every {every!r}: choose minute, hour, day or week")
    st = posts_store(store)
    start, end = parse_when(since, "since"), parse_when(until, "until")
    if start is not None and end is not None and start >= end:
        fail(f"--since {since} is not before --until {until}: the window would hold no posts")
    try:
        result = build_report(
            st, tag, compare=compare or [], since=start, until=end,
            every=every, reveal_authors=reveal_authors, platform=platform,
        )
    except ValueError as exc:
        fail(str(exc))
    output.parent.mkdir(parents=True, exist_ok=True)
    files.write_bytes(output, result.html.encode("utf-8"))
    for problem in result.problems:
        console.print(f"[yellow]warning:[/yellow] {problem}", highlight=False)
    if pdf:
        from ..report.pdf import html_to_pdf

        try:
            printed = html_to_pdf(output, output.with_suffix(".pdf"))
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
            fail(str(exc))
        out.print(f"Printed it to {printed} ({printed.stat().st_size:,} bytes).", highlight=False)
    missing = [s.title for s in result.sections if s.status == "unavailable"]
    out.print(f"Wrote the report on #{tag.lstrip('#')} to {output} ({len(result.html):,} bytes).", highlight=False)
    if missing:
        out.print(f"Not available yet: {', '.join(missing)}.", highlight=False)
    out.print(f"Open it in a browser: file://{output.resolve()}", highlight=False)
    out.print(f"Explore the same store live: tagscope serve --store {st.path}  (then open http://127.0.0.1:8000/)",
              highlight=False)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on; anything but loopback needs --token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    token: Annotated[str | None, typer.Option(envvar="TAGSCOPE_TOKEN", help="Secret required on every request (Bearer header or ?token=).", show_default=False)] = None,
    workers: Annotated[int, typer.Option(help="Server processes (each keeps its own warm analytics).", min=1, max=32)] = 1,
    store: StoreOpt = None,
) -> None:
    """Start the read-only web dashboard (search, trends, notables, live feed, JSON API)."""
    try:
        import uvicorn

        from ..web.app import create_app
    except ImportError as exc:
        needs_extra("web", "the dashboard", exc)
    if host not in LOOPBACK and not token:
        fail(f"refusing to listen on {host} without a token: pass --token SECRET or set $TAGSCOPE_TOKEN")
    st = open_store(store)
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    out.print(f"Serving the dashboard of {st.path} at {url} (Ctrl+C to stop).", highlight=False)
    if token:
        out.print(f"Open {url}?token=<your token> once; the browser then keeps a cookie.", highlight=False)
    # Keep-alive longer than clients' (httpx: 5 s) so a reused connection is never closed under them.
    opts = {"host": host, "port": port, "log_level": "warning", "timeout_keep_alive": 30}
    if workers > 1:
        os.environ["TAGSCOPE_STORE"] = str(st.path)
        os.environ["TAGSCOPE_TOKEN"] = token or ""
        uvicorn.run("tagscope.web.app:app_from_env", factory=True, workers=workers, **opts)
    else:
        uvicorn.run(create_app(st.path, token=token), **opts)
