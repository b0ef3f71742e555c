"""Fixtures for the dashboard tests: the report tests' campaign store, stand-in analytics, a client."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from report.conftest import campaign_store, fake_analytics  # noqa: F401  (shared fixtures)


def make_client(app):
    with warnings.catch_warnings():
        # Starlette asks for httpx2; the httpx client it ships still works and is what is installed.
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    return TestClient(app)


@pytest.fixture
def client(campaign_store):  # noqa: F811
    from tagscope.web.app import create_app

    with make_client(create_app(campaign_store.path)) as c:
        yield c


@pytest.fixture
def store_path(campaign_store) -> Path:  # noqa: F811
    return Path(campaign_store.path)
