"""Store maintenance commands: remap."""

from __future__ import annotations

from .cli import JsonOpt, StoreOpt, app, emit_json, open_store, out


@app.command()
def remap(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Rebuild the posts from the raw records kept in the store (after a mapping improved)."""
    from .store.remap import remap as run

    result = run(open_store(store))
    if as_json:
        emit_json(result)
        return
    out.print(f"Remapped the store: {result['posts']:,} posts; {result['failed']:,} raw records no longer map.")
