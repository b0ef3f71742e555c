"""Collection commands: `collect bluesky`, `collect mastodon`, `collect replay-server`, and `coverage`."""

from __future__ import annotations

import asyncio
import signal
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.live import Live
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..store import coverage as cov
from ..store import store as store_module
from ..times import to_utc
from .common import app, console, emit_json, existing_store, fail, needs_extra, open_store, out
from .options import JsonOpt, StoreOpt

collect_app = typer.Typer(no_args_is_help=True, help="Collect posts live from a platform's stream into the store.")
app.add_typer(collect_app, name="collect")


def parse_since(value: str | None) -> int | None:
    """--since: a Jetstream cursor (microseconds since 1970) or a time (ISO 8601, a date)."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return int(text)
    try:
        t = to_utc(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is neither a cursor (time_us) nor a time: {exc}") from exc
    assert t is not None
    return int((t.replace(tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() * 1_000_000)


@collect_app.command("bluesky")
def collect_bluesky(
    tag: Annotated[list[str] | None, typer.Option("--tag", help="A hashtag to collect (repeatable; # optional).")] = None,
    keyword: Annotated[list[str] | None, typer.Option("--keyword", help="Also keep posts whose text contains "
                                                      "this word or phrase (repeatable; case-insensitive).")] = None,
    keep_all: Annotated[bool, typer.Option("--all", help="Keep every post and repost (no filter): for local "
                                           "replays and benchmarks, not the real network.")] = False,
    since: Annotated[str | None, typer.Option("--since", help="Start from this time or Jetstream cursor (time_us) "
                                              "instead of the saved cursor (default: resume, else live).")] = None,
    jetstream: Annotated[str, typer.Option("--jetstream", help="Jetstream /subscribe URL.")] = "",
    idle_exit: Annotated[float | None, typer.Option("--idle-exit", help="Stop after this many seconds without an "
                                                    "event (a catch-up run; default: run until stopped).")] = None,
    gap_after: Annotated[float, typer.Option("--gap-after", help="Seconds a replay may start after the newest "
                                             "event already held before it is recorded as a gap.")] = 1.0,
    batch_seconds: Annotated[float, typer.Option("--batch-seconds", help="Commit at least this often.")] = 2.0,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Collect Bluesky posts live from Jetstream (resumable; Ctrl-C or SIGTERM stops after saving)."""
    try:
        import websockets  # noqa: F401
    except ImportError as exc:
        needs_extra("collect", "tagscope collect", exc)
    from ..collect.bluesky import JETSTREAM, Collector, Options

    if not (tag or keyword or keep_all):
        fail("say what to collect: --tag T (repeatable), --keyword K, or --all")
    opts = Options(tags=tag or [], keywords=keyword or [], keep_all=keep_all, since=parse_since(since),
                   url=jetstream or JETSTREAM, gap_after_us=int(gap_after * 1e6), batch_seconds=batch_seconds,
                   idle_exit=idle_exit)
    st = open_store(store)
    collector = Collector(st, opts)
    status = collector.status

    def waiting(holder: str) -> None:  # another writer (ingest, forget) holds the store
        status.note = f"store is being written by {holder}, waiting"
        console.print(status.note, highlight=False, markup=False)

    store_module.on_wait = waiting
    live = Live(Text(status.line()), console=console, transient=False, auto_refresh=False) \
        if console.is_terminal and not as_json else None
    last_print = [time.monotonic()]

    def on_tick(s: object) -> None:
        if live is not None:
            live.update(Text(status.line()), refresh=True)
        elif not as_json and time.monotonic() - last_print[0] >= 30:  # a service's journal: a line now and then
            last_print[0] = time.monotonic()
            console.print(status.line(), highlight=False, markup=False)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await collector.run(stop, on_tick)

    if not as_json:
        console.print(f"collecting from {escape(opts.source())} into {escape(str(st.path))} (Ctrl-C stops)",
                      highlight=False)
    if live is not None:
        live.start()
    from ..collect.bluesky import CommitFailed

    try:
        asyncio.run(main())
    except CommitFailed as exc:
        fail(str(exc), 1)
    finally:
        if live is not None:
            live.update(Text(status.line()), refresh=True)
            live.stop()
    if as_json:
        emit_json(status.as_dict() | {"store": str(st.path), "source": opts.source()})
        return
    out.print(f"stopped: {status.line()}", highlight=False, markup=False)


@collect_app.command("mastodon")
def collect_mastodon(
    instance: Annotated[list[str], typer.Option("--instance", help="An instance's URL (repeatable: collected at once).")],
    tag: Annotated[list[str], typer.Option("--tag", help="A hashtag to collect (repeatable; # optional).")],
    token: Annotated[str | None, typer.Option("--token", envvar="TAGSCOPE_MASTODON_TOKEN", help="A user access token "
                                              "(the hashtag stream needs one since Mastodon 4.2).")] = None,
    no_stream: Annotated[bool, typer.Option("--no-stream", help="Back-fill from the REST timeline only, then stop.")]
    = False,
    idle_exit: Annotated[float | None, typer.Option("--idle-exit", help="Stop after this many seconds without a "
                                                    "status (default: run until stopped).")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Collect Mastodon statuses of hashtags from instances (stream + REST back-fill of every hole; resumable)."""
    try:
        import httpx  # noqa: F401
    except ImportError as exc:
        needs_extra("collect", "tagscope collect mastodon", exc)
    from ..collect.mastodon import Options as MOptions
    from ..collect.mastodon import collect as collect_m
    from ..collect.status import Status

    opts = MOptions(instances=instance, tags=tag, token=token, idle_exit=idle_exit, stream=not no_stream)
    st = open_store(store)
    status = Status()

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)

        async def show() -> None:
            while not stop.is_set():
                await asyncio.sleep(30)
                if not as_json:
                    console.print(status.line(), highlight=False, markup=False)

        shower = asyncio.create_task(show())
        try:
            await collect_m(st, opts, stop, status)
        finally:
            shower.cancel()

    if not as_json:
        console.print(f"collecting #{', #'.join(t.lstrip('#') for t in tag)} from {', '.join(instance)} into "
                      f"{escape(str(st.path))} (Ctrl-C stops)", highlight=False, markup=False)
    asyncio.run(main())
    if as_json:
        emit_json(status.as_dict() | {"store": str(st.path)})
        return
    out.print(f"stopped: {status.line()}", highlight=False, markup=False)


@collect_app.command("replay-server")
def replay_server(
    file: Annotated[Path, typer.Argument(help="A file of Jetstream events, one JSON object a line.")],
    port: Annotated[int, typer.Option("--port", help="Port to listen on (loopback).")] = 6008,
    rate: Annotated[float | None, typer.Option("--rate", help="Events per second (default: as fast as read).")] = None,
    window: Annotated[int | None, typer.Option("--oldest", help="The replay window's start (time_us): older "
                                               "events are gone, as on the real server.")] = None,
) -> None:
    """Replay a file of Jetstream events as a local Jetstream (ws://127.0.0.1:PORT/subscribe), for trying
    `collect bluesky` offline."""
    try:
        from ..collect.replay import ReplayServer, read_frames
    except ImportError as exc:  # pragma: no cover
        needs_extra("collect", "tagscope collect replay-server", exc)
    if not file.is_file():
        fail(f"no such file: {file}")
    server = ReplayServer(read_frames(file), rate=rate, oldest_us=window, port=port)
    console.print(f"replaying {len(server.frames):,} events at ws://127.0.0.1:{port}/subscribe (Ctrl-C stops)",
                  highlight=False)
    try:
        asyncio.run(server.serve())
    except KeyboardInterrupt:
        pass
    except ImportError as exc:
        needs_extra("collect", "tagscope collect replay-server", exc)


@app.command("coverage")
def coverage_cmd(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """What the collectors saw: runs, disconnects, back-fills and gaps (windows the archive may lack)."""
    st = existing_store(store)
    entries = cov.entries(st)
    lacking = cov.may_lack(st)
    if as_json:
        emit_json({"entries": entries, "may_lack": lacking})
        return
    if not entries:
        out.print(f"No collection recorded in {escape(str(st.path))} (its posts were ingested from files).",
                  highlight=False)
        return
    table = Table(title=escape(f"Coverage of {st.path}"))
    for col in ("kind", "platform", "source", "start", "end", "cursor", "reason"):
        table.add_column(col)
    for e in entries:
        end = e["end"] or (f"(last commit {e['last_commit']})" if e.get("last_commit") else "")
        table.add_row(*(escape(str(v or "")) for v in (e["kind"], e["platform"], e["source"], e["start"], end,
                                                        e["cursor"], e["reason"])))
    out.print(table)
    if lacking:
        out.print(f"What this archive may lack: {len(lacking)} window(s) (kind gap or stopped above).",
                  highlight=False)
    else:
        out.print("No known gap.", highlight=False)
