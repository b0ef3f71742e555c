"""The FastAPI application: `create_app(store_path)` wires the pool, safety, pages and API."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..analytics.registry import NotAvailable
from . import api, pages, security
from .html import ROOT, templates
from .params import BadRequest
from .pool import StorePool


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def error_response(request: Request, status: int, message: str) -> Response:
    if wants_json(request):
        return JSONResponse({"error": message}, status)
    env: jinja2.Environment = request.app.state.templates
    html = env.get_template("error.html").render(status=status, message=message, tag=None, page="error", query={})
    return HTMLResponse(html, status)


def validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(x) for x in err.get("loc", ())[1:]) or "request"
        parts.append(f"{where}: {err.get('msg', 'invalid value')}")
    return "; ".join(parts) or "invalid request"


def create_app(store_path: str | Path, *, token: str | None = None, pool_size: int = 4) -> FastAPI:
    """The dashboard for the store at ``store_path`` (read-only; ``token`` required when given)."""
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.pool.close()

    app = FastAPI(
        lifespan=lifespan,
        title="tagscope dashboard API",
        version=__version__,
        description="Read-only JSON mirror of the `tagscope ... --json` commands. Times are UTC ISO 8601; "
        "windows are half-open [since, until).",
        docs_url=None,
        redoc_url=None,
    )
    app.state.pool = StorePool(Path(store_path), size=pool_size)
    app.state.templates = templates()
    app.state.stats_cache = {}
    app.state.store_path = Path(store_path)

    @app.exception_handler(BadRequest)
    async def bad_request(request: Request, exc: BadRequest) -> Response:
        return error_response(request, exc.status, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 400, validation_message(exc))

    @app.exception_handler(ValueError)
    async def value_error(request: Request, exc: ValueError) -> Response:
        return error_response(request, 400, str(exc))

    @app.exception_handler(NotAvailable)
    async def not_available(request: Request, exc: NotAvailable) -> Response:
        return error_response(request, 501, f"{str(exc).capitalize()}.")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and message == "Not Found":
            message = "There is no such page: start from the overview at /."
        return error_response(request, exc.status_code, message)

    app.include_router(api.router())
    app.include_router(pages.router())
    app.mount("/static", StaticFiles(directory=str(ROOT / "static")), name="static")
    security.install(app, token)
    return app


def app_from_env() -> FastAPI:
    """The app for `tagscope serve --workers N` (uvicorn imports it in each worker process)."""
    return create_app(os.environ["TAGSCOPE_STORE"], token=os.environ.get("TAGSCOPE_TOKEN") or None)
