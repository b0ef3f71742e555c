"""Safety that does not depend on each page getting it right.

- Read-only: the app only declares GET routes, and every other method is refused here.
- A token, when configured, is required on every request: ``Authorization: Bearer T``, ``?token=T``
  (which also sets an HttpOnly cookie so links keep working) or that cookie.
- A Content-Security-Policy that forbids inline and foreign scripts: even a templating mistake could
  not run a script hidden in a post.
"""

from __future__ import annotations

import hmac

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


class Guard:
    """Pure ASGI middleware (no per-request task or body streaming, unlike @app.middleware)."""

    def __init__(self, app: ASGIApp, token: str | None):
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        refusal: Response | None = None
        if request.method not in ("GET", "HEAD"):
            refusal = PlainTextResponse("The dashboard is read-only: only GET requests are served.", 405,
                                        headers={"Allow": "GET, HEAD"})
        elif self.token and not hmac.compare_digest((presented_token(request) or "").encode(), self.token.encode()):
            message = "Give the dashboard token: add ?token=... to the address or send 'Authorization: Bearer ...'."
            refusal = (JSONResponse({"error": message}, 401) if request.url.path.startswith("/api/")
                       else PlainTextResponse(message, 401))
            refusal.headers["WWW-Authenticate"] = "Bearer"
        cookie = None
        if refusal is None and self.token and request.query_params.get("token"):
            jar = Response()
            jar.set_cookie(COOKIE, self.token, httponly=True, samesite="strict")
            cookie = jar.headers["set-cookie"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for k, v in HEADERS.items():
                    headers.setdefault(k, v)
                if cookie:
                    headers.append("set-cookie", cookie)
            await send(message)

        if refusal is not None:
            await refusal(scope, receive, send_with_headers)
        else:
            await self.app(scope, receive, send_with_headers)


def install(app: FastAPI, token: str | None) -> None:
    app.add_middleware(Guard, token=token)
