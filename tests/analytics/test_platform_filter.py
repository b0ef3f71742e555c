"""`--platform` on every analytic: each one in the registry declares it, offers it in its API, and
the platform reaches the SQL it runs (walks the registry: a new analytic is checked without a list)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tagscope.analytics import registry
from tagscope.simulate import simulate
from tagscope.store import Store

ANALYTICS = registry.analytics()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    folder = tmp_path_factory.mktemp("campaign")
    truth = simulate(folder, posts=600, seed=4, platforms=("twitter", "mastodon", "reddit"))
    st = Store(tmp_path_factory.mktemp("store"))
    st.ingest([str(folder / f["path"]) for f in truth["files"].values()])
    return st


@pytest.mark.parametrize("spec", ANALYTICS, ids=[a.name for a in ANALYTICS])
def test_every_analytic_declares_platform_and_offers_it_in_its_api(spec: registry.Analytic) -> None:
    assert spec.option("platform") is registry.FILTERS["platform"], spec.name
    if spec.api is not None:
        assert "platform" in spec.api, f"/api/{spec.name} has no platform parameter"


@pytest.mark.parametrize("spec", ANALYTICS, ids=[a.name for a in ANALYTICS])
def test_the_platform_reaches_the_sql(spec: registry.Analytic, store: Store, tmp_path: Path) -> None:
    extra: dict = {"tag": "yesallwomen", "tags": ["yesallwomen"]}
    if spec.option("output") is not None:
        extra["output"] = tmp_path / "graph.gexf"
    try:
        fig = registry.run(spec.name, store, platform="Mastodon", **extra)  # the platform as stored: lower case
    except registry.NotAvailable:
        pytest.skip(f"{spec.name} needs an optional part that is not installed")
    except ValueError as exc:
        if "classify" not in str(exc) and "label" not in str(exc):
            raise
        pytest.skip(f"{spec.name} needs classifier labels: {exc}")
    if fig.queries:
        params = [p for _, ps in fig.queries for p in ps]
        assert "mastodon" in params, f"{spec.name} ran no query filtered by platform"
        assert fig.data.get("platform", "mastodon") == "mastodon"
    else:  # an analytic that reads no posts (gaps: the collectors' records) says what it filtered
        assert fig.data.get("platform") == "mastodon", f"{spec.name} does not say it kept one platform"
