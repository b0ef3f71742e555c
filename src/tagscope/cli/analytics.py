"""The analytics commands, one per registered analytic, made from its declaration.

Each takes the analytic's options, ``--store``, ``--json/--csv/--explain`` and ``--engine``, opens
the store, calls the analytic through the registry and renders its Figure (:mod:`.output`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import typer

from ..analytics import registry
from ..analytics.registry import Analytic, NotAvailable
from .common import analytics_store, app, fail
from .options import CsvOpt, EngineOpt, ExplainOpt, JsonOpt, SparkMasterOpt, StoreOpt, StoreUri, param
from .output import show

# Parameters every analytics command adds to the analytic's own, in this order after them.
OUTPUT = (("as_json", JsonOpt, False), ("as_csv", CsvOpt, False), ("explain", ExplainOpt, False),
          ("engine", EngineOpt, None), ("spark_master", SparkMasterOpt, None))


def command(spec: Analytic) -> Callable[..., None]:
    """The command function of SPEC, its signature built from the declared options.

    Arguments come first, then required options, ``--store``, the other options as declared, and the
    output options."""

    def run(**values: Any) -> None:
        store, as_json, as_csv, explain = (values.pop(k) for k in ("store", "as_json", "as_csv", "explain"))
        engine = values.pop("engine")
        master = values.pop("spark_master")
        if master:  # read when the Spark engine starts its session (engines/spark_session.py)
            from ..engines import spark_session

            spark_session.configure(master)
        # An analytic that runs on no engine (gaps reads the store's coverage files) takes no engine=,
        # even when $TAGSCOPE_ENGINE names one, and reads a local store only.
        takes_engine = "engine" in inspect.signature(spec.call()).parameters
        if isinstance(store, StoreUri) and not takes_engine:
            fail(f"{spec.name} reads the store's folder, on no engine: give --store a local path, not {store}.")
        st = analytics_store(store, engine, posts=spec.labels)  # a URI store with --engine spark
        if engine and takes_engine:
            values["engine"] = engine
        from ..engines.spark_session import SparkUnavailable  # its error type only: no pyspark import

        try:
            fig = registry.run(spec.name, st, **values)
        except (ValueError, NotAvailable) as exc:  # NotAvailable: an optional extra is missing
            fail(str(exc))
        except (ModuleNotFoundError, SparkUnavailable) as exc:  # an engine's extra or Java: its one line
            fail(str(exc))
        show(spec, fig, as_json=as_json, as_csv=as_csv, explain=explain)

    def parameter(name: str, annotation: Any, default: Any) -> inspect.Parameter:
        return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)

    own = [parameter(o.name, *param(o)) for o in spec.options]
    first = [p for o, p in zip(spec.options, own, strict=True) if o.argument or o.required]
    rest = [p for p in own if p not in first]
    params = [*first, parameter("store", StoreOpt, None), *rest, *(parameter(*o) for o in OUTPUT)]
    run.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in params}
    run.__name__ = spec.name
    run.__doc__ = spec.help
    return run


def add(typer_app: typer.Typer, spec: Analytic) -> None:
    """Add SPEC's command to TYPER_APP."""
    typer_app.command(spec.name)(command(spec))


for _spec in registry.analytics():
    add(app, _spec)
