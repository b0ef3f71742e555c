"""Safety that does not depend on each page getting it right.

- Read-only: the app only declares GET routes, and every other method is refused here.
- A token, when configured, is required on every request: ``Authorization: Bearer T``, ``?token=T``
  (which also sets an HttpOnly cookie so links keep working) or that cookie.
- A Content-Security-Policy that forbids inline and foreign scripts: even a templating mistake could
  not run a script hidden in a post.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

COOKIE = "tagscope_token"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def presented_token(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.query_params.get("token") or request.cookies.get(COOKIE)


def install(app: FastAPI, token: str | None) -> None:
    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.method not in ("GET", "HEAD"):
            resp: Response = PlainTextResponse("The dashboard is read-only: only GET requests are served.", 405)
            resp.headers["Allow"] = "GET, HEAD"
        elif token and not hmac.compare_digest((presented_token(request) or "").encode(), token.encode()):
            message = "Give the dashboard token: add ?token=... to the address or send 'Authorization: Bearer ...'."
            if request.url.path.startswith("/api/"):
                resp = JSONResponse({"error": message}, 401)
            else:
                resp = PlainTextResponse(message, 401)
            resp.headers["WWW-Authenticate"] = "Bearer"
        else:
            resp = await call_next(request)
            if token and request.query_params.get("token"):
                resp.set_cookie(COOKIE, token, httponly=True, samesite="strict")
        for k, v in HEADERS.items():
            resp.headers.setdefault(k, v)
        return resp
