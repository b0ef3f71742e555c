"""Classifier commands: classify, label, evaluate, train, backlash, misogyny."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from .cli import JsonOpt, app, console, emit_json, fail, open_store, out

ModelsOpt = Annotated[str | None, typer.Option("--models", help="Comma-separated models (default: all but opt-in ones).")]
TierOpt = Annotated[str, typer.Option("--model", help="Tier: fast (n-gram linear models) or accurate (ONNX MiniLM + fast for sexism, sexism-category, stance; others stay fast).")]
ExplainOpt = Annotated[bool, typer.Option("--explain", help="Print the exact SQL behind the figure.")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print the table as CSV on stdout.")]


def _emit(fig: Any, *, as_json: bool, as_csv: bool, explain: bool) -> bool:
    """--json and --csv as every analytic prints them (``queries`` and ``rule`` with --explain); True if done."""
    if not (as_json or as_csv):
        return False
    from .cli_analytics import show

    show(fig, as_json=as_json, as_csv=as_csv, explain=explain, title=fig.name)
    return True


def _tier(tier: str) -> None:
    if tier not in ("fast", "accurate"):
        fail(f"Use --model fast or --model accurate (got {tier!r}).")
    if tier == "accurate":
        from .classify import accurate

        if not accurate.available():
            fail("The accurate tier's model file is not built: use --model fast, or build it once with "
                 "`make accurate-model` (about 50 minutes on 2 cores; see docs/models/README.md).")


def _posts_store(path: Path | None) -> Any:
    """The store at PATH, or a clear error when it holds no posts (a misspelt --store would
    otherwise label nothing and report 0 everywhere)."""
    st = open_store(path)
    if not st.files("posts"):
        fail(f"the store {st.path} holds no posts yet: ingest some first with `tagscope ingest --store {st.path} FILES`")
    return st


@app.command()
def classify(
    store: Annotated[Path | None, typer.Option("--store", envvar="TAGSCOPE_STORE", help="Store folder.")] = None,
    models: ModelsOpt = None,
    tag: Annotated[str | None, typer.Option("--tag", help="Only posts using this hashtag.")] = None,
    tier: TierOpt = "fast",
    jobs: Annotated[int, typer.Option("--jobs", help="Worker processes (default: 2).")] = 2,
    as_json: JsonOpt = False,
) -> None:
    """Label the store's posts that lack a current label (hate is opt-in: --models hate)."""
    from .classify.run import classify as run_classify

    _tier(tier)
    st = _posts_store(store)
    with Progress(TextColumn("Labelling"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, disable=as_json, transient=False) as bar:
        task = bar.add_task("classify", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            summary = run_classify(st, models, tag=tag, tier=tier, jobs=jobs, progress=progress)
        except (KeyError, FileNotFoundError, ModuleNotFoundError) as exc:
            fail(str(exc).strip("'\""))
            return
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
    from .classify.base import Batch
    from .classify.registry import get, load

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
    from .classify.registry import all_models, parse

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
        from .classify import accurate

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
    from .classify.registry import all_models

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
        except (ValueError, FileNotFoundError) as exc:
            fail(str(exc))
            return
        console.print(f"Wrote {path}", highlight=False)


def _print_figure(fig: Any, explain: bool, columns: dict[str, str] | None = None) -> None:
    """A figure's table; COLUMNS maps a heading to a format over the row (default: every column)."""
    table = Table(title=fig.name)
    cols = columns or {c: "{" + c + "}" for c in fig.table.column_names}
    for name in cols:
        table.add_column(name)
    for row in fig.table.to_pylist():
        shown = {k: _fmt(v) for k, v in row.items()}
        table.add_row(*[fmt.format(**shown) for fmt in cols.values()])
    out.print(table)
    if fig.meta.get("caveat"):
        console.print(fig.meta["caveat"], highlight=False)
    out.print(fig.rule, highlight=False, style="dim")
    if explain:
        out.print(fig.explain(), highlight=False)


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}"
    if hasattr(v, "isoformat"):
        return v.isoformat(sep=" ", timespec="minutes")
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


@app.command()
def backlash(
    tag: Annotated[str, typer.Argument(help="The campaign's hashtag, e.g. yesallwomen.")],
    store: Annotated[Path | None, typer.Option("--store", envvar="TAGSCOPE_STORE", help="Store folder.")] = None,
    counter: Annotated[list[str] | None, typer.Option("--counter", help="Counter-hashtag (repeatable), e.g. notallmen.")] = None,
    every: Annotated[str, typer.Option(help="Bucket: minute, hour, day or week.")] = "day",
    since: Annotated[str | None, typer.Option(help="From this time (ISO 8601).")] = None,
    until: Annotated[str | None, typer.Option(help="Before this time (half-open).")] = None,
    no_reposts: Annotated[bool, typer.Option("--no-reposts", help="Leave reposts out.")] = False,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    explain: ExplainOpt = False,
) -> None:
    """Measure backlash: share of against-stance posts and of counter-hashtag posts over time."""
    from .analytics.backlash import backlash as run

    try:
        fig = run(_posts_store(store), tag, counter=counter or [], every=every, since=since, until=until, no_reposts=no_reposts)
    except ValueError as exc:
        fail(str(exc))
        return
    if _emit(fig, as_json=as_json, as_csv=as_csv, explain=explain):
        return
    _print_figure(fig, explain, {
        "bucket (UTC)": "{bucket}", "posts": "{posts}", "labelled": "{labelled}", "against": "{against}",
        "against share [95% CI]": "{against_share} [{against_low}-{against_high}]",
        "counter posts": "{counter_posts}", "counter share [95% CI]": "{counter_share} [{counter_low}-{counter_high}]",
    })


@app.command()
def misogyny(
    store: Annotated[Path | None, typer.Option("--store", envvar="TAGSCOPE_STORE", help="Store folder.")] = None,
    tag: Annotated[str | None, typer.Option("--tag", help="Only posts using this hashtag.")] = None,
    model: Annotated[str, typer.Option(help="Model whose labels count.")] = "sexism",
    positive: Annotated[str, typer.Option(help="Label that counts.")] = "sexist",
    top: Annotated[int, typer.Option(min=0, help="Groups to list per dimension.")] = 20,
    min_posts: Annotated[int, typer.Option("--min-posts", min=0, help="Leave out groups with fewer labelled posts.")] = 1,
    since: Annotated[str | None, typer.Option(help="From this time (ISO 8601).")] = None,
    until: Annotated[str | None, typer.Option(help="Before this time (half-open).")] = None,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    explain: ExplainOpt = False,
) -> None:
    """Rate misogyny by hashtag, community and author group, with 95% confidence intervals."""
    from .analytics.misogyny import misogyny as run

    try:
        fig = run(_posts_store(store), tag=tag, model=model, positive=positive, top=top, min_posts=min_posts,
                  since=since, until=until)
    except ValueError as exc:
        fail(str(exc))
        return
    if _emit(fig, as_json=as_json, as_csv=as_csv, explain=explain):
        return
    _print_figure(fig, explain, {
        "by": "{dimension}", "group": "{group}", "posts": "{posts}", "labelled": "{labelled}",
        "positive": "{positive}", "rate [95% CI]": "{rate} [{low}-{high}]",
    })
