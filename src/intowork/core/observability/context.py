"""What every log line of a request carries: request id, method, route and, once known, the user.

The middleware opens one `RequestContext` per request; the auth dependencies fill in the user;
a loguru patcher copies the fields onto each record. The context is a mutable object behind a
context variable, so a value set deep inside (a dependency, a worker thread) is seen by every
later line of the request, the access-log line included.
"""

from contextvars import ContextVar
from typing import TYPE_CHECKING

from starlette.types import Scope

if TYPE_CHECKING:
    from loguru import Record


class RequestContext:
    __slots__ = ("method", "request_id", "scope", "user_id")

    def __init__(self, request_id: str, method: str, scope: Scope) -> None:
        self.request_id = request_id
        self.method = method
        self.scope = scope
        self.user_id: int | None = None

    @property
    def route(self) -> str | None:
        """The matched route's template, once the router has chosen it."""
        route = self.scope.get("route")
        path: str | None = getattr(route, "path", None)
        return path


current_request: ContextVar[RequestContext | None] = ContextVar("intowork_request", default=None)


def bind_user(user_id: int) -> None:
    """The caller is authenticated: the request's next log lines carry its id."""
    context = current_request.get()
    if context is not None:
        context.user_id = user_id


def add_request_fields(record: "Record") -> None:
    """Loguru patcher. Fields bound explicitly on a line (`user_id` of a subject) win."""
    context = current_request.get()
    if context is None:
        return
    extra = record["extra"]
    extra["request_id"] = context.request_id
    extra.setdefault("method", context.method)
    route = context.route
    if route is not None:
        extra.setdefault("route", route)
    if context.user_id is not None:
        extra.setdefault("user_id", context.user_id)
