"""Transport protection, pure ASGI: security headers on every response, a request body cap."""

from collections.abc import Iterable

from fastapi import Depends, routing
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from intowork.core.errors import error_response

API_CSP = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI and ReDoc load their script and styles from jsDelivr and run an inline script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "img-src 'self' data: https://fastapi.tiangolo.com; frame-ancestors 'none'"
)
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
HSTS = "max-age=63072000; includeSubDomains"


class SecurityHeadersMiddleware:
    """The headers are encoded once, here; a response that set one of them keeps its own."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.api_headers = _security_headers(API_CSP, hsts=hsts)
        self.docs_headers = _security_headers(DOCS_CSP, hsts=hsts)
        self.names = frozenset(name for name, _ in self.api_headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = self.docs_headers if scope["path"] in DOCS_PATHS else self.api_headers
        names = self.names

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if any(name in names for name, _ in headers):
                    present = {name for name, _ in headers}
                    headers += [header for header in added if header[0] not in present]
                else:
                    headers += added
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _security_headers(csp: str, *, hsts: bool) -> list[tuple[bytes, bytes]]:
    headers = {
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "strict-origin-when-cross-origin",
        "content-security-policy": csp,
    }
    if hsts:
        headers["strict-transport-security"] = HSTS
    return [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]


class BodyTooLarge(HTTPException):
    """An HTTPException, so that FastAPI's body parsing lets it through as a 413 (it turns any
    other exception raised while reading the body into a 400)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"Request body too large (max {max_bytes} bytes)")


async def streamed_body() -> None:
    """Declares a route that reads its own body as it streams, under its own cap."""


# `dependencies=[STREAMED_BODY]`: the app exempts the route's path from the body cap.
STREAMED_BODY = Depends(streamed_body)


def streamed_paths(routes: Iterable[BaseRoute]) -> frozenset[str]:
    """The paths of the routes that declare STREAMED_BODY (read once, when the app is built)."""
    paths = {
        context.path_format or ""
        for context in routing.iter_route_contexts(list(routes))
        if isinstance(route := context.original_route, routing.APIRoute)
        and any(depends.dependency is streamed_body for depends in route.dependencies)
    }
    # The middleware matches the request path itself, before routing: no path parameters.
    if any("{" in path for path in paths):
        raise ValueError(f"A streamed upload's path must be fixed: {sorted(paths)}")
    return frozenset(paths)


class BodySizeLimitMiddleware:
    """Refuses request bodies over `max_bytes` with 413, by Content-Length or while streaming.

    Paths in `exempt` (routes declaring STREAMED_BODY: the CV upload) enforce their own, larger
    cap as they read.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int, exempt: frozenset[str]) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].rstrip("/") in self.exempt:
            await self.app(scope, receive, send)
            return
        detail = f"Request body too large (max {self.max_bytes} bytes)"
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await error_response(413, detail)(scope, receive, send)
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await error_response(413, detail)(scope, receive, send)
