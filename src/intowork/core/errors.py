"""The error model: every error body is `{"detail": ...}` (API.md 1.3)."""

import socket
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from loguru import logger
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from intowork.core.i18n import gettext
from intowork.core.schemas import NUL_ERROR_MESSAGE, NUL_ERROR_TYPE

INTERNAL_ERROR_DETAIL = "Internal server error"
UNAVAILABLE_DETAIL = "Service temporarily unavailable"
CONFLICT_DETAIL = "The request conflicts with existing data"
# PostgreSQL's character_not_in_repertoire: the driver sends valid UTF-8, so the one text it
# refuses is a NUL character, which only a client can have sent.
NUL_IN_TEXT_SQLSTATE = "22021"
NUL_IN_TEXT_ERROR = {
    "type": NUL_ERROR_TYPE,
    "loc": ["request"],
    "msg": NUL_ERROR_MESSAGE,
}

OVERSIZED_INTEGER_ERROR = {
    "type": "int_parsing_size",
    "loc": ["body"],
    "msg": "Unable to parse input string as an integer, exceeded maximum size",
}


class AppError(Exception):
    """An expected failure that carries its HTTP status; the one handler renders it."""

    status_code = 500
    detail = INTERNAL_ERROR_DETAIL
    headers: dict[str, str] | None = None
    # Rare: the refusal itself must be stored (e.g. a reused refresh token revokes its family).
    commit_changes = False

    def __init__(
        self,
        detail: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        params: Mapping[str, object] | None = None,
    ):
        """`detail` is the English message (the catalogue's id, core/i18n.py), with `{name}`
        placeholders filled from `params` in the language of the answer."""
        if detail is not None:
            self.detail = detail
        if headers is not None:
            self.headers = headers
        self.params = dict(params or {})
        super().__init__(self.detail.format(**self.params) if self.params else self.detail)


class BadRequest(AppError):
    status_code = 400
    detail = "Bad request"


class Unauthorized(AppError):
    status_code = 401
    detail = "Authentication required"
    headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(AppError):
    status_code = 403
    detail = "Forbidden"


class NotFound(AppError):
    status_code = 404
    detail = "Not found"


class Conflict(AppError):
    status_code = 409
    detail = CONFLICT_DETAIL


class Gone(AppError):
    status_code = 410
    detail = "This endpoint has been removed"


class PayloadTooLarge(AppError):
    status_code = 413
    detail = "Payload too large"


class RateLimited(AppError):
    status_code = 429
    detail = "Rate limit exceeded"


class ServiceUnavailable(AppError):
    status_code = 503
    detail = UNAVAILABLE_DETAIL


# Errors that mean "the database could not be reached", as opposed to a bad statement.
DATABASE_UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    ConnectionError,
    TimeoutError,
    socket.gaierror,
)


def error_response(
    status_code: int,
    detail: Any,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, object] | None = None,
) -> JSONResponse:
    """`{"detail": ...}`; a message is given in the request's language (API.md M1)."""
    if isinstance(detail, str):
        detail = gettext(detail, **(params or {}))
    return JSONResponse({"detail": detail}, status_code=status_code, headers=headers)


async def _app_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return error_response(exc.status_code, exc.detail, exc.headers, exc.params)


def _is_oversized_integer(error: BaseException | None) -> bool:
    """Python's cap on the digits of an integer read from text (`sys.get_int_max_str_digits()`,
    a guard against quadratic-time parsing): json.loads raises a bare ValueError for it, where
    its other failures are a JSONDecodeError, a UnicodeDecodeError (both subclasses) or a
    RecursionError."""
    return type(error) is ValueError


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    # FastAPI answers 400 to a JSON body json.loads cannot read, other than a JSONDecodeError.
    # A 5,000-digit integer is well-formed JSON with a number no field takes: a 422 like 10**100.
    if exc.status_code == 400 and _is_oversized_integer(exc.__cause__):
        return error_response(422, [OVERSIZED_INTEGER_ERROR])
    return error_response(exc.status_code, exc.detail, exc.headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # The offending input is not echoed back: it may be a password or a whole request body.
    errors = [
        {key: value for key, value in error.items() if key not in {"input", "url"}}
        for error in exc.errors()
    ]
    return error_response(422, jsonable_encoder(errors))


async def _database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    logger.opt(exception=exc).warning("database.unavailable")
    return error_response(503, UNAVAILABLE_DETAIL)


async def _integrity_error(_request: Request, exc: Exception) -> JSONResponse:
    # Services translate the violations they expect; this is the database backing them up.
    logger.opt(exception=exc).warning("database.integrity_error")
    return error_response(409, CONFLICT_DETAIL)


async def _dbapi_error(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return await _database_unavailable(request, exc)
    if getattr(getattr(exc, "orig", None), "sqlstate", None) == NUL_IN_TEXT_SQLSTATE:
        # Bodies refuse NUL characters as they are validated (RequestSchema); this is the
        # database backing that up for text that reaches it another way (a query parameter
        # used as a filter, a header stored with a session), so that it is never a 500.
        logger.opt(exception=exc).warning("database.nul_in_text")
        return error_response(422, [NUL_IN_TEXT_ERROR])
    raise exc


def register_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(sa_exc.IntegrityError, _integrity_error)
    app.add_exception_handler(sa_exc.DBAPIError, _dbapi_error)
    for error_class in DATABASE_UNAVAILABLE_ERRORS:
        app.add_exception_handler(error_class, _database_unavailable)


class UnhandledErrorMiddleware:
    """Turns an unexpected exception into `500 {"detail": "Internal server error"}`.

    Pure ASGI and placed inside the request-id and CORS middleware, so that a 500 still carries
    the request id and the CORS headers (Starlette's outermost ServerErrorMiddleware would answer
    outside them). The exception is logged with its traceback; its text never reaches the client.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_tracking)
        except Exception as exc:
            logger.opt(exception=exc).error("request.unhandled_error")
            if started:
                raise
            await error_response(500, INTERNAL_ERROR_DETAIL)(scope, receive, send)
