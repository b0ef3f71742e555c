"""Classifier commands: classify, label, evaluate, train (the classify extra).

The analytics that read labels (backlash, misogyny) are registered analytics: see :mod:`.analytics`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from .common import app, console, emit_json, fail, needs_extra, out, posts_store
from .options import JsonOpt, StoreOpt

ModelsOpt = Annotated[str | None, typer.Option("--models", help="Comma-separated models (default: all but opt-in ones).")]
TierOpt = Annotated[str, typer.Option("--model", help="Tier: fast (n-gram linear models) or accurate (ONNX MiniLM + fast for sexism, sexism-category, stance; others stay fast).")]


def _tier(tier: str) -> None:
    if tier not in ("fast", "accurate"):
        fail(f"Use --model fast or --model accurate (got {tier!r}).")
    if tier == "accurate":
        from ..classify import accurate

        if not accurate.available():
            fail("The accurate tier's model file is not built: use --model fast, or build it once with "
                 "`make accurate-model` (about 50 minutes on 2 cores; see docs/models/README.md).")


@app.command()
def classify(
    store: StoreOpt = None,
    models: ModelsOpt = None,
    tag: Annotated[str | None, typer.Option("--tag", help="Only posts using this hashtag.")] = None,
    tier: TierOpt = "fast",
    jobs: Annotated[int, typer.Option("--jobs", help="Worker processes (default: 2).")] = 2,
    as_json: JsonOpt = False,
) -> None:
    """Label the store's posts that lack a current label (hate is opt-in: --models hate)."""
    try:
        from ..classify.run import classify as run_classify
    except ModuleNotFoundError as exc:
        needs_extra("classify", "classifying", exc)
    _tier(tier)
    st = posts_store(store)
    with Progress(TextColumn("Labelling"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, disable=as_json, transient=False) as bar:
        task = bar.add_task("classify", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        failure = None
        try:
            summary = run_classify(st, models, tag=tag, tier=tier, jobs=jobs, progress=progress)
        except ModuleNotFoundError as exc:  # a model's extra: its message names it
            failure = str(exc)
        except (KeyError, FileNotFoundError) as exc:
            failure = str(exc).strip("'\"")  # a KeyError's message comes quoted
        if failure is not None:
            bar.live.transient = True  # the error alone, not a bar left at 0/? under it
    if failure is not None:
        fail(failure)
    if as_json:
        emit_json(summary.as_dict())
        return
    table = Table(title=f"Labelled posts in {st.path}")
    for col in ("model", "version", "needed a label", "labelled"):
        table.add_column(col, justify="right" if col in ("needed a label", "labelled") else "left")
    for name, version in summary.models.items():
        table.add_row(name, version, f"{summary.todo.get(name, 0):,}", f"{summary.labelled.get(name, 0):,}")
    out.print(table)


@app.command()
def label(
    model: Annotated[str, typer.Argument(help="Model name, e.g. sexism, stance, sentiment.")],
    tier: TierOpt = "fast",
    batch: Annotated[int, typer.Option(help="Lines labelled at a time.")] = 10_000,
) -> None:
    """Label texts read on stdin (one per line); write one JSON object per line: {"label", "score"}."""
    from ..classify.base import Batch
    from ..classify.registry import get, load

    _tier(tier)
    try:
        get(model)
        predictor = load(model, tier)
    except (KeyError, FileNotFoundError, ModuleNotFoundError) as exc:
        fail(str(exc).strip("'\""))
        return

    def flush(lines: list[str]) -> None:
        labels, scores = predictor.predict(Batch(lines))
        for lab, s in zip(labels, scores, strict=True):
            emit_json({"label": lab, "score": round(float(s), 4)})

    # Bytes, decoded here: invalid UTF-8 becomes U+FFFD on its own line instead of a traceback, a
    # byte-order mark before the first line is dropped, and only \n (or \r\n) ends a line.
    stream = getattr(sys.stdin, "buffer", sys.stdin)
    lines: list[str] = []
    for i, raw in enumerate(stream):
        line = raw.decode("utf-8-sig" if i == 0 else "utf-8", errors="replace") if isinstance(raw, bytes) else raw
        lines.append(line.rstrip("\r\n"))
        if len(lines) >= batch:
            flush(lines)
            lines = []
    if lines:
        flush(lines)


@app.command()
def evaluate(
    models: ModelsOpt = None,
    tier: Annotated[str, typer.Option("--model", help="fast, or accurate to also score the accurate tier.")] = "fast",
    hateval: Annotated[Path | None, typer.Option("--hateval", envvar="TAGSCOPE_HATEVAL",
                                                 help="Folder with HatEval 2019 (CC BY-NC, not shipped) to also score hate.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Score the shipped models on the official test splits, beside published reference scores."""
    from ..classify.registry import all_models, parse

    _tier(tier)  # before the minutes of scoring, and a misspelt tier is an error, not a quiet fast-only run
    try:
        names = parse(models)
    except KeyError as exc:
        fail(str(exc).strip("'\""))
        return
    if models is None and hateval is not None:
        names.append("hate")
    registry = all_models()
    results: list[dict[str, Any]] = []
    skipped: list[str] = []
    for name in names:
        cl = registry[name]
        if cl.needs_data and hateval is None:
            skipped.append(f"{name}: its data is not shipped; pass --hateval DIR")
            continue
        try:
            rs = cl.evaluate(hateval) if cl.needs_data else cl.evaluate()
        except (FileNotFoundError, ModuleNotFoundError) as exc:
            skipped.append(f"{name}: {exc}")
            continue
        results += [r.as_dict() for r in rs]
    if tier == "accurate":
        from ..classify import accurate

        results += [r.as_dict() for r in accurate.evaluate(names)]
    if as_json:
        emit_json({"results": results, "skipped": skipped})
        return
    table = Table(title="Scores on official test splits")
    for col in ("model", "dataset", "metric", "score", "posts", "reference scores"):
        table.add_column(col, justify="right" if col in ("score", "posts") else "left")
    for r in results:
        ref = "; ".join(f"{k} {v:.3f}" for k, v in r["reference"].items())
        table.add_row(r["model"], r["dataset"], r["metric"], f"{r['score']:.4f}", f"{r['n']:,}", ref)
    out.print(table)
    for s in skipped:
        console.print(f"Skipped {s}", highlight=False)


@app.command()
def train(
    models: Annotated[str | None, typer.Argument(help="Comma-separated models (default: every trainable model).")] = None,
    data: Annotated[Path | None, typer.Option("--data", help="Folder with data that is not shipped (hate: HatEval 2019).")] = None,
) -> None:
    """Rebuild model files from the shipped training data (seeded: same data, same file)."""
    from ..classify.registry import all_models

    registry = all_models()
    names = [n.strip() for n in models.split(",")] if models else [
        n for n, c in registry.items() if not c.opt_in and n != "language"]
    for name in names:
        if name not in registry:
            fail(f"No model named {name!r}: choose among {', '.join(sorted(registry))}.")
        cl = registry[name]
        if cl.needs_data and data is None:
            fail(f"Pass --data DIR to train {name}: its data is not shipped (see docs/models/{name}.md).")
        try:
            path = cl.train(data)
        except (ValueError, FileNotFoundError, ModuleNotFoundError) as exc:
            fail(str(exc))
            return
        console.print(f"Wrote {path}", highlight=False)
