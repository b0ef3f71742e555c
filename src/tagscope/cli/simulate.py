"""`tagscope simulate`: write a synthetic campaign in real formats, with its ground truth."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..simulate import DEFAULT_POSTS, DEFAULT_SEED, FILES, TRUTH
from ..simulate import simulate as run_simulation
from .common import app, console, emit_json, fail, out
from .options import JsonOpt


@app.command()
def simulate(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the campaign files and truth.json into.")],
    posts: Annotated[int, typer.Option("--posts", help="Posts to generate (before deletions).")] = DEFAULT_POSTS,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed writes the same bytes.")] = DEFAULT_SEED,
    formats: Annotated[str, typer.Option("--formats", help="Comma-separated: v1 (API v1.1 lines), v2 (twarc2 pages).")] = "v1,v2",
    topics: Annotated[bool, typer.Option("--topics", help="Plant sub-topics (their own words, start times, shares) and label them in topics.csv.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Write a synthetic #YesAllWomen-style campaign (v1.1 lines, v2 pages) and its ground truth."""
    chosen = tuple(dict.fromkeys(f.strip() for f in formats.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in FILES]
    if unknown or not chosen:
        fail(f"unknown format {', '.join(unknown) or '(none)'}: use --formats v1, v2 or v1,v2")
    if posts < 1:
        fail("--posts must be at least 1")
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if not as_json:
            console.print(f"wrote {done:,}/{total:,} posts", highlight=False)

    try:
        truth = run_simulation(out_dir, posts=posts, seed=seed, formats=chosen, progress=progress, topics=topics)
    except OSError as exc:
        fail(f"cannot write to {out_dir}: {exc.strerror or exc}; choose another --out folder")
    seconds = time.perf_counter() - started
    files = {name: {**info, "path": str(out_dir / info["path"])} for name, info in truth["files"].items()}
    summary = {
        "out": str(out_dir),
        "posts_generated": truth["posts_generated"],
        "posts": truth["posts"],
        "deleted": truth["deleted"],
        "in_both_files": truth["in_both_files"],
        "authors": truth["authors"],
        "files": files,
        "truth": str(out_dir / TRUTH),
        "seconds": round(seconds, 3),
    }
    if as_json:
        emit_json(summary)
        return
    table = Table(title=f"Simulated campaign in {out_dir}")
    for col in ("file", "format", "posts", "delete notices", "size"):
        table.add_column(col, justify="left" if col in ("file", "format") else "right")
    for name, info in files.items():
        label = "Twitter API v1.1 lines" if name == "v1" else "twarc2 v2 pages"
        table.add_row(Path(info["path"]).name, label, f"{info['posts']:,}", f"{info['delete_notices']:,}", f"{info['bytes'] / 1e6:,.1f} MB")
    out.print(table)
    out.print(
        f"Wrote {truth['posts_generated']:,} posts by {truth['authors']:,} accounts in {seconds:.1f} s: "
        f"{truth['posts']:,} live after {truth['deleted']:,} deletions, {truth['in_both_files']:,} written to both files. "
        f"Ground truth: {out_dir / TRUTH}",
        highlight=False,
    )
    out.print(f"Ingest it with: tagscope ingest {' '.join(info['path'] for info in files.values())}", highlight=False)
