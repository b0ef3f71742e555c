"""The registry of analytics: one declaration gives a CLI command, an API route, a dashboard page and
a report section; and every declaration matches its function."""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Iterator
from typing import Any

import orjson
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from report.conftest import campaign_store  # noqa: F401  (shared fixture)
from tagscope.analytics import registry
from tagscope.analytics.figure import Figure
from tagscope.analytics.registry import Page, Section, declare
from tagscope.cli import app
from tagscope.cli.analytics import add
from tagscope.post import fold_tag
from tagscope.report import build_report

SQL = ("SELECT author_handle AS author, CAST(count(*) AS BIGINT) AS posts FROM posts "
       "WHERE list_contains(hashtags_norm, ?) GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?")


def toy(store: Any, tag: str, *, top: int = 20, since: Any = None, until: Any = None) -> Figure:
    """The most active authors of a tag (the toy analytic of these tests)."""
    params = [fold_tag(tag), top]
    table = store.sql(SQL, params)
    return Figure("toy", table, {"hashtag": fold_tag(tag), "authors": table.to_pylist()}, [(SQL, params)],
                  rule="toy: posts using the tag, by author")


@pytest.fixture
def toy_analytic() -> Iterator[registry.Analytic]:
    spec = declare(
        "toy", "Most active authors", "Who posted most with the tag?", ("tag", "top", "since", "until"),
        help="List the authors who used a tag most.", module=__name__, order=1000,
        heading="Most active authors of #{hashtag}", api=("tag", "top", "since", "until"),
        api_summary="Authors who used the tag most", page=Page("Toy authors", "Who posted most with it?"),
        section=Section("Toy authors", "Who posted most with it?"),
    )
    add(app, spec)
    try:
        yield spec
    finally:
        del registry.REGISTRY["toy"]
        app.registered_commands[:] = [c for c in app.registered_commands if c.name != "toy"]


def client_for(path: Any) -> Any:
    from tagscope.web.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    return TestClient(create_app(path))


def test_a_declared_analytic_gets_a_command_a_route_a_page_and_a_section(campaign_store, toy_analytic) -> None:  # noqa: F811
    want = toy(campaign_store, "yesallwomen", top=2).data
    runner = CliRunner()
    res = runner.invoke(app, ["toy", "#YesAllWomen", "--top", "2", "--json", "--store", str(campaign_store.path)])
    assert res.exit_code == 0, res.output
    assert orjson.loads(res.stdout) == want
    res = runner.invoke(app, ["toy", "yesallwomen", "--store", str(campaign_store.path)], env={"COLUMNS": "200"})
    assert res.exit_code == 0 and "Most active authors of #yesallwomen" in " ".join(res.stdout.split())
    assert "List the authors who used a tag most." in runner.invoke(app, ["--help"], env={"COLUMNS": "200"}).stdout

    with client_for(campaign_store.path) as client:
        assert client.get("/api/toy", params={"tag": "yesallwomen", "top": 2}).json() == want
        explained = client.get("/api/toy", params={"tag": "yesallwomen", "explain": "true"}).json()
        assert explained["queries"][0]["sql"] == SQL and explained["rule"]
        assert client.get("/api/toy", params={"tag": "yesallwomen", "top": 0}).status_code == 400
        assert "/api/toy" in client.get("/openapi.json").json()["paths"]
        page = client.get("/toy", params={"tag": "yesallwomen"})
        assert page.status_code == 200 and "Toy authors" in page.text and 'id="table-toy"' in page.text

    report = build_report(campaign_store, "yesallwomen")
    section = next(s for s in report.sections if s.id == "toy")
    assert section.status == "ok" and section.title == "Toy authors" and SQL in section.queries
    assert [s.id for s in report.sections][-1] == "toy"  # order=1000: after the others


@pytest.mark.parametrize("spec", registry.analytics(), ids=lambda s: s.name)
def test_declarations_match_their_functions(spec: registry.Analytic) -> None:
    """Every declared option is a parameter of the function, with the same default (the front ends leave a
    default out of the call, so the two must agree)."""
    params = inspect.signature(spec.call()).parameters
    for opt in spec.options:
        assert opt.name in params, f"{spec.name} declares {opt.name}, which its function does not take"
        default = params[opt.name].default
        if opt.required:  # the command asks for it; the function may still have a default (network's output)
            continue
        if opt.repeatable:
            assert default in (None, (), [])
        else:
            assert default == opt.default, f"{spec.name}: --{opt.name} defaults to {opt.default!r}, the function to {default!r}"


def test_run_passes_only_declared_options_that_were_given() -> None:
    seen: dict[str, Any] = {}

    def origin(store: Any, tag: str, **options: Any) -> Figure:
        seen.update(options, tag=tag)
        return Figure("origin", pa.table({}), {})

    with registry.substituted({"origin": origin}):
        registry.run("origin", None, tag="x", first=10, top=5, since=None, platform="bluesky", no_reposts=False)
    assert seen == {"tag": "x", "platform": "bluesky"}  # top: not origin's; first, no_reposts: the defaults


def test_an_unknown_analytic_is_not_available() -> None:
    with pytest.raises(registry.NotAvailable, match="the nosuch analytic is not available"):
        registry.run("nosuch", None)
