"""The dashboard's HTML: its Jinja templates (package data, autoescaped) and rendering a page."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from .. import __version__
from ..analytics.display import text

ROOT = files("tagscope.web")


def templates() -> jinja2.Environment:
    """The templates, autoescaped: post text can never become markup; ``num`` writes numbers as the CLI does."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(ROOT / "templates")), autoescape=True
    )
    env.filters["num"] = lambda v: text(v) if isinstance(v, int) and not isinstance(v, bool) else v
    env.globals["version"] = __version__
    return env


def render(request: Request, template: str, code: int = 200, **context: Any) -> HTMLResponse:
    """TEMPLATE as the response, with the tag and the query string every page's navigation keeps."""
    env: jinja2.Environment = request.app.state.templates
    context.setdefault("tag", None)
    context.setdefault("query", dict(request.query_params))
    return HTMLResponse(env.get_template(template).render(**context), code)
