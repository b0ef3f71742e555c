"""Store maintenance commands: remap, forget."""

from __future__ import annotations

from typing import Annotated

import typer

from .cli import JsonOpt, StoreOpt, app, emit_json, existing_store, fail, open_store, out


@app.command()
def remap(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Rebuild the posts from the raw records kept in the store (after a mapping improved)."""
    from .store.remap import remap as run

    result = run(existing_store(store))
    if as_json:
        emit_json(result)
        return
    out.print(f"Remapped the store: {result['posts']:,} posts; {result['failed']:,} raw records no longer map.")


@app.command()
def forget(
    author: Annotated[list[str] | None, typer.Option("--author", help="Handle or author id (repeatable).")] = None,
    post: Annotated[list[str] | None, typer.Option("--post", help="Post id (repeatable).")] = None,
    platform: Annotated[str | None, typer.Option(help="Only on this platform.")] = None,
    drop_quarantine: Annotated[bool, typer.Option("--quarantine", help="Also drop every quarantined record.")] = False,
    deleted: Annotated[bool, typer.Option(
        "--deleted", help="Also purge the raw records of every post a delete notice removed.")] = False,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Remove an author's or a post's data from the store for good (posts, raw records, index)."""
    from .store.forget import forget as run

    try:
        result = run(open_store(store), authors=author or [], posts=post or [], platform=platform,
                     drop_quarantine=drop_quarantine, deleted=deleted)
    except ValueError as exc:
        fail(str(exc))
        return
    if as_json:
        emit_json(result)
        return
    if author or post:
        out.print(
            f"Forgot {result['forgotten']:,} posts and purged {result['raw_records_purged']:,} raw records; "
            "later copies of them will stay out of the store.",
            highlight=False,
        )
    if deleted:
        out.print(f"Purged {result['deleted_raw_records_purged']:,} raw records of deleted posts.", highlight=False)
