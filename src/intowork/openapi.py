"""The OpenAPI document declares every response an operation can give (API.md 1.3).

FastAPI documents the success response and 422. The errors come from the route itself: those of
the transport are derived from its dependency tree, the same way for every route (a body: 400
unparseable, 413, 422; a path id: 404; its rate limit: 429; a database session: 503; an ETag:
304); the others are declared next to the code that raises them (core/error_docs.py): by the
dependencies (a token: 401, 403 inactive or wrong role) and, for its service, by the route.
Schemathesis holds every response to this document (tests/reliability/test_schemathesis.py).
"""

from collections.abc import Callable, Iterator
from copy import deepcopy
from enum import StrEnum
from typing import Any, get_args

from fastapi import FastAPI, params, routing
from fastapi.dependencies.models import Dependant

from intowork.auth.dependencies import (
    AdminUser,
    CandidateFileViewer,
    CurrentCandidate,
    CurrentEmployer,
    EmployerFileViewer,
    get_optional_user,
    get_signed_in,
)
from intowork.core.db import get_session
from intowork.core.error_docs import ErrorResponse, declared_errors, describe
from intowork.core.ratelimit import route_limit


class Access(StrEnum):
    """Who may call an operation (API.md 1.2, "Who")."""

    PUBLIC = "public"
    OPTIONAL = "optional"
    ANY = "any"
    CANDIDATE = "candidate"
    EMPLOYER = "employer"
    ADMIN = "admin"


def _dependency_of(alias: Any) -> Callable[..., Any]:
    depends = next(meta for meta in get_args(alias)[1:] if isinstance(meta, params.Depends))
    assert depends.dependency is not None
    return depends.dependency


ROLE_DEPENDENCIES: dict[Callable[..., Any], Access] = {
    _dependency_of(CurrentCandidate): Access.CANDIDATE,
    _dependency_of(CurrentEmployer): Access.EMPLOYER,
    _dependency_of(AdminUser): Access.ADMIN,
    _dependency_of(CandidateFileViewer): Access.CANDIDATE,
    _dependency_of(EmployerFileViewer): Access.EMPLOYER,
}
ROLES = frozenset(ROLE_DEPENDENCIES.values())

ERROR_SCHEMA = "ErrorResponse"
ERROR_CONTENT = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}}}
VALIDATION_CONTENT = {
    "application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}
}
IF_NONE_MATCH = "if-none-match"
UNAUTHORIZED_HEADERS = {
    "WWW-Authenticate": {"required": True, "schema": {"type": "string", "const": "Bearer"}}
}
RATE_LIMIT_HEADERS = {
    name: {"required": True, "schema": {"type": "string", "pattern": "^[0-9]+$"}}
    for name in ("Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
}


def operation_access(dependant: Dependant) -> Access:
    calls = set(_calls(dependant))
    for dependency, access in ROLE_DEPENDENCIES.items():
        if dependency in calls:
            return access
    if get_signed_in in calls:
        return Access.ANY
    if get_optional_user in calls:
        return Access.OPTIONAL
    return Access.PUBLIC


def _calls(dependant: Dependant) -> Iterator[Any]:
    if dependant.call is not None:
        yield dependant.call
    for sub_dependant in dependant.dependencies:
        yield from _calls(sub_dependant)


def _header_names(dependant: Dependant) -> Iterator[str]:
    for field in dependant.header_params:
        yield field.alias.lower()
    for sub_dependant in dependant.dependencies:
        yield from _header_names(sub_dependant)


def _calls_deepest_first(dependant: Dependant) -> Iterator[Any]:
    for sub_dependant in dependant.dependencies:
        yield from _calls_deepest_first(sub_dependant)
    if dependant.call is not None:
        yield dependant.call


def transport_errors(route: routing.RouteContext, operation: dict[str, Any]) -> dict[int, str]:
    """The statuses the transport of this operation can answer with, and when."""
    errors: dict[int, str] = {}
    has_body = "requestBody" in operation
    if IF_NONE_MATCH in set(_header_names(route.dependant)):
        errors[304] = "Not modified: If-None-Match holds the current ETag (no body)"
    if has_body:
        errors[400] = "The body could not be parsed"
    if any(parameter["in"] == "path" for parameter in operation.get("parameters", [])):
        errors[404] = "Not found, or not visible to the caller"
    if has_body:
        errors[413] = "Request body too large"
    if has_body or operation.get("parameters"):
        errors[422] = "Validation error"
    original = route.original_route
    if isinstance(original, routing.APIRoute) and route_limit(original) is not None:
        errors[429] = "Rate limit exceeded"
    if get_session in set(_calls(route.dependant)):
        errors[503] = "Service temporarily unavailable (database unreachable)"
    return errors


def derived_errors(route: routing.RouteContext, operation: dict[str, Any]) -> dict[int, str]:
    """The statuses this operation's transport and dependencies can answer with, and when."""
    errors = transport_errors(route, operation)
    raised = describe(
        error for call in _calls_deepest_first(route.dependant) for error in declared_errors(call)
    )
    if 404 in raised:
        # What the loader says it does not find is more precise than "a path id".
        errors.pop(404, None)
    return _merged(errors, raised)


def _merged(first: dict[int, str], then: dict[int, str]) -> dict[int, str]:
    merged = dict(first)
    for status, description in then.items():
        merged[status] = f"{merged[status]}; {description}" if status in merged else description
    return merged


def document_errors(schema: dict[str, Any], app: FastAPI) -> None:
    """Adds the error responses of every operation to `schema` (idempotent)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components[ERROR_SCHEMA] = ErrorResponse.model_json_schema()
    if "HTTPValidationError" in components:
        components["HTTPValidationError"]["required"] = ["detail"]
    for context in routing.iter_route_contexts(app.routes):
        if not isinstance(context.original_route, routing.APIRoute):
            continue
        path = context.path_format
        if not context.include_in_schema or path is None:
            continue
        for method in sorted(context.methods or ()):
            operation = schema["paths"][path][method.lower()]
            _document_operation(context, operation)


def _document_operation(route: routing.RouteContext, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation["responses"]
    if not operation.get("parameters") and "requestBody" not in operation:
        # FastAPI declares a 422 for a hidden header alone (If-None-Match), which can't fail.
        responses.pop("422", None)
    errors = derived_errors(route, operation)
    for code, response in responses.items():
        status = int(code)
        if status < 400 or status == 422:  # FastAPI's own 422 is the derived one
            continue
        # An error the route declares itself (its service's) adds to the derived description.
        if status in errors:
            response["description"] = f"{errors[status]}; {response['description']}"
        errors[status] = response["description"]
    for status, description in errors.items():
        response = responses.setdefault(str(status), {"description": description})
        if status == 304:
            continue
        # Copies: a tool that edits the document in place must not edit every operation at once.
        response.setdefault(
            "content", deepcopy(VALIDATION_CONTENT if status == 422 else ERROR_CONTENT)
        )
        if status == 401:
            response.setdefault("headers", deepcopy(UNAUTHORIZED_HEADERS))
        if status == 429:
            response.setdefault("headers", deepcopy(RATE_LIMIT_HEADERS))
    security = operation.get("security")
    if security and {} not in security and operation_access(route.dependant) is Access.OPTIONAL:
        # Anonymous callers are served too: the token only personalises the answer.
        security.append({})
    operation["responses"] = dict(sorted(responses.items()))


def install(app: FastAPI) -> None:
    """`app.openapi()` (and /openapi.json) returns the document with its error responses."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()  # cached by FastAPI until the routes change
        if ERROR_SCHEMA not in schema.get("components", {}).get("schemas", {}):
            document_errors(schema, app)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
