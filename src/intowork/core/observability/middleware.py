"""Request id, access log and HTTP metrics in one pure ASGI middleware, the outermost of the app.

One wrapper instead of three keeps the per-request cost to a few microseconds: no Request
object, no header parsing beyond X-Request-ID, metric children cached by their label values.
"""

import random
import re
import time
import uuid
from typing import Any

from loguru import logger
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from intowork.core.observability.context import RequestContext, current_request
from intowork.core.observability.logging import ACCESS_EVENT
from intowork.core.observability.metrics import (
    HTTP_METHODS,
    HTTP_REQUEST_DURATION,
    HTTP_REQUESTS_IN_PROGRESS,
    OTHER,
    UNMATCHED_ROUTE,
)

REQUEST_ID_HEADER = "X-Request-ID"
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
# Probes and scrapes: logged at DEBUG when they succeed, so they don't drown the access log.
QUIET_ROUTES = frozenset({"/health", "/health/ready", "/metrics"})
STATUS_CLASSES = {n: f"{n}xx" for n in range(1, 6)}

_HEADER_NAME = REQUEST_ID_HEADER.lower().encode("latin-1")
_in_progress = {
    method: HTTP_REQUESTS_IN_PROGRESS.labels(method=method) for method in (*HTTP_METHODS, OTHER)
}
# Bounded: methods x route templates (+ "unmatched") x five status classes.
_durations: dict[tuple[str, str, str], Any] = {}


def incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            return candidate if VALID_REQUEST_ID.fullmatch(candidate) else None
    return None


def new_request_id() -> str:
    """A random UUID4 from the process's generator, not from os.urandom: a request id only
    correlates log lines, it guards nothing, and the system call cost more than everything else
    this middleware does (about 15 us here). `random` reseeds in forked children, so workers never
    share a sequence."""
    return str(uuid.UUID(int=random.getrandbits(128), version=4))


def _observe(method: str, route: str, status: int, seconds: float) -> None:
    key = (method, route, STATUS_CLASSES.get(status // 100, OTHER))
    child = _durations.get(key)
    if child is None:
        child = _durations[key] = HTTP_REQUEST_DURATION.labels(*key)
    child.observe(seconds)


class ObservabilityMiddleware:
    """X-Request-ID on every response, the request's log context, its access-log line and its
    duration and in-progress metrics. Unknown paths share the route label "unmatched"."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = incoming_request_id(scope) or new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        header = (_HEADER_NAME, request_id.encode("latin-1"))
        method = scope["method"] if scope["method"] in HTTP_METHODS else OTHER
        context = RequestContext(request_id, method, scope)
        token = current_request.set(context)
        in_progress = _in_progress[method]
        in_progress.inc()
        status = 500  # unless a response starts: an exception that escapes becomes a 500
        sent = 0

        async def send_observed(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        finally:
            seconds = time.perf_counter() - started
            in_progress.dec()
            route = context.route or UNMATCHED_ROUTE
            _observe(method, route, status, seconds)
            level = "DEBUG" if route in QUIET_ROUTES and status < 400 else "INFO"
            logger.log(
                level,
                ACCESS_EVENT,
                method=method,
                route=route,
                status=status,
                duration_ms=round(seconds * 1000, 2),
                bytes=sent,
            )
            current_request.reset(token)
