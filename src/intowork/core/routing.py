"""Transport conventions that apply to every route."""

import re
from collections.abc import Iterator

from fastapi import Request, routing
from fastapi._compat import ModelField, field_annotation_is_sequence
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.datastructures import MutableHeaders
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REPEATED_SLASHES = re.compile("/{2,}")
REPEATED_RAW_SLASHES = re.compile(b"/{2,}")


class PathNormalisationMiddleware:
    """The path is matched as nginx would serve it, with no redirect: repeated slashes merged
    (`//api/jobs` is `/api/jobs`; the IntoWork frontend joins its API origin and a `cv_url` with
    one slash too many), then one trailing slash dropped (`/api/jobs/` is `/api/jobs`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in {"http", "websocket"}:
            path: str = scope.get("path", "")
            normalised = _normalise(path)
            if normalised != path:
                scope = dict(scope, path=normalised)
                raw_path = scope.get("raw_path")
                if raw_path:
                    scope["raw_path"] = _normalise_raw(raw_path)
        await self.app(scope, receive, send)


def _normalise(path: str) -> str:
    if "//" in path:
        path = REPEATED_SLASHES.sub("/", path)
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    return path


def _normalise_raw(raw_path: bytes) -> bytes:
    if b"//" in raw_path:
        raw_path = REPEATED_RAW_SLASHES.sub(b"/", raw_path)
    if len(raw_path) > 1 and raw_path.endswith(b"/"):
        raw_path = raw_path.rstrip(b"/") or b"/"
    return raw_path


class AllowHeaderMiddleware:
    """A 405 lists every method of its path (RFC 9110, 15.5.6).

    Each method of a path is a route of its own (`GET /api/jobs/{job_id}`, `PUT ...`), and the
    router answers 405 with the methods of the first one only.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                methods = allowed_methods(scope["app"].routes, scope)
                if methods:
                    MutableHeaders(scope=message)["Allow"] = ", ".join(methods)
            await send(message)

        await self.app(scope, receive, send_with_allow)


def allowed_methods(routes: list[BaseRoute], scope: Scope) -> list[str]:
    methods: set[str] = set()
    for context in routing.iter_route_contexts(routes):
        match, _ = context.matches(scope)
        if match is not Match.NONE:
            methods.update(context.methods or ())
    return sorted(methods)


def _query_parameters(dependant: Dependant) -> Iterator[ModelField]:
    yield from dependant.query_params
    for dependency in dependant.dependencies:
        yield from _query_parameters(dependency)


# Kept on the route itself (a route defines __eq__ and so cannot be a dictionary key).
_SINGLE_QUERY_ATTRIBUTE = "intowork_single_query_parameters"


def _single_query_parameters(route: APIRoute) -> frozenset[str]:
    """The query parameters of a route that take one value (every one of ours): found once per
    route (a walk of its dependency tree), not on every request that has a query string."""
    names: frozenset[str] | None = route.__dict__.get(_SINGLE_QUERY_ATTRIBUTE)
    if names is None:
        names = frozenset(
            param.alias
            for param in _query_parameters(route.dependant)
            if not field_annotation_is_sequence(param.field_info.annotation)
        )
        setattr(route, _SINGLE_QUERY_ATTRIBUTE, names)
    return names


async def single_valued_query(request: Request) -> None:
    """`?search=a&search=b` is ambiguous: a 422, rather than silently keeping the last value."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.scope.get("query_string"):
        return
    repeated = [
        name
        for name in _single_query_parameters(route)
        if len(request.query_params.getlist(name)) > 1
    ]
    if repeated:
        raise RequestValidationError(
            [
                {"type": "repeated", "loc": ("query", name), "msg": "Give this parameter once"}
                for name in sorted(repeated)
            ]
        )
