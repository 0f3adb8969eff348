"""The OpenAPI document declares every response an operation can give (API.md 1.3).

FastAPI documents the success response and 422. The errors come from what a route depends on,
the same way in every router, so they are derived here, once, from each route's dependency tree:
a token (401, 403 inactive or wrong role), a path id (404), a body (400 unparseable, 413, 422), a
rate-limit tier (429), a database session (503), an ETag (304). The few business errors that no
dependency reveals (a lifecycle conflict, "no company yet") are listed in BUSINESS_ERRORS.
Schemathesis holds every response to this document (tests/reliability/test_schemathesis.py).
"""

from collections.abc import Callable, Iterator
from copy import deepcopy
from enum import StrEnum
from typing import Any, get_args

from fastapi import FastAPI, params, routing
from fastapi.dependencies.models import Dependant
from pydantic import BaseModel

# The auth dependencies are the one place that says who may call a route; core reads them here
# rather than asking every router to repeat its 401/403.
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
from intowork.core.ratelimit import tier_for


class ErrorResponse(BaseModel):
    """Every error but 422: `{"detail": "<message>"}`."""

    detail: str


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

SIGNED_LINK_REFUSED = "The signed link (`exp`, `sig`) expired or is invalid"
# Errors no dependency shows, by operation: status -> when. Statuses derived from the
# dependencies are declared anyway; an entry here then only adds to their description.
BUSINESS_ERRORS: dict[tuple[str, str], dict[int, str]] = {
    ("POST", "/api/auth/signup"): {400: "E-mail already registered, or password too weak"},
    ("POST", "/api/auth/signin"): {401: "Invalid email or password", 403: "Account is inactive"},
    ("POST", "/api/auth/refresh"): {401: "Invalid, expired, revoked or reused refresh token"},
    ("POST", "/api/auth/change-password"): {
        400: "Current password is incorrect, or the new one is too weak"
    },
    ("POST", "/api/auth/change-email"): {400: "Password is incorrect, or e-mail already in use"},
    ("POST", "/api/auth/reset-password"): {
        400: "Invalid, used or expired reset token, or password too weak"
    },
    ("GET", "/api/companies/my-company"): {404: "The caller has no company"},
    ("PUT", "/api/companies/my-company"): {404: "The caller has no company"},
    ("GET", "/api/companies/my-company/stats"): {404: "The caller has no company"},
    ("PUT", "/api/employers/me"): {
        404: "No company with this `company_id`",
        403: "The caller may not join this company",
    },
    ("POST", "/api/jobs/create"): {400: "The caller has no company"},
    ("PATCH", "/api/jobs/{job_id}/status"): {409: "Transition not allowed from the current status"},
    ("DELETE", "/api/jobs/{job_id}"): {409: "The job has applications"},
    ("POST", "/api/candidates/cv"): {400: "Not a PDF, empty, or not a multipart upload"},
    ("GET", "/api/candidates/cv/download"): {404: "No CV uploaded"},
    ("GET", "/api/candidates/{candidate_id}/cv"): {403: SIGNED_LINK_REFUSED},
    ("POST", "/api/applications/my/applications"): {
        400: "Already applied, or the job does not accept applications",
        404: "No such published job, or no such CV of the caller",
        409: "A concurrent change to the job or the CV",
    },
    ("DELETE", "/api/applications/my/applications/{application_id}"): {
        400: "The application is accepted or rejected"
    },
    ("GET", "/api/applications/employer/applications/{application_id}/cv"): {
        403: SIGNED_LINK_REFUSED
    },
    ("PUT", "/api/applications/employer/applications/{application_id}/status"): {
        409: "Transition not allowed from the current status"
    },
    ("GET", "/api/dashboard/employer-funnel"): {
        404: "The caller has no company, or `job_id` is not one of its jobs"
    },
    ("PUT", "/api/admin/users/{user_id}/activate"): {400: "Deactivating one's own account"},
    ("DELETE", "/api/admin/users/{user_id}"): {400: "Deleting one's own account"},
}

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


def derived_errors(
    method: str, path: str, dependant: Dependant, operation: dict[str, Any]
) -> dict[int, str]:
    """The statuses this operation's dependencies can answer with, and when."""
    errors: dict[int, str] = {}
    access = operation_access(dependant)
    has_body = "requestBody" in operation
    if IF_NONE_MATCH in set(_header_names(dependant)):
        errors[304] = "Not modified: If-None-Match holds the current ETag (no body)"
    if has_body:
        errors[400] = "The body could not be parsed"
    if access is Access.ANY or access in ROLES:
        errors[401] = "No access token, or an invalid, expired or revoked one"
        errors[403] = "Account is inactive"
        if access in ROLES:
            article = "an" if access.value[0] in "aeiou" else "a"
            errors[403] += f", or the caller is not {article} {access.value}"
    if any(parameter["in"] == "path" for parameter in operation.get("parameters", [])):
        errors[404] = "Not found, or not visible to the caller"
    if has_body:
        errors[413] = "Request body too large"
    if has_body or operation.get("parameters"):
        errors[422] = "Validation error"
    if tier_for(method, path) is not None:
        errors[429] = "Rate limit exceeded"
    if get_session in set(_calls(dependant)):
        errors[503] = "Service temporarily unavailable (database unreachable)"
    return errors


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
            _document_operation(method, path, context.dependant, operation)


def _document_operation(
    method: str, path: str, dependant: Dependant, operation: dict[str, Any]
) -> None:
    responses: dict[str, Any] = operation["responses"]
    if not operation.get("parameters") and "requestBody" not in operation:
        # FastAPI declares a 422 for a hidden header alone (If-None-Match), which can't fail.
        responses.pop("422", None)
    errors = derived_errors(method, path, dependant, operation)
    for status, description in BUSINESS_ERRORS.get((method, path), {}).items():
        errors[status] = f"{errors[status]}; {description}" if status in errors else description
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
    for code, response in responses.items():
        # Errors declared by a router without a body schema (410, the /metrics 401) have ours.
        if int(code) >= 400 and "content" not in response:
            response["content"] = deepcopy(ERROR_CONTENT)
    security = operation.get("security")
    if security and {} not in security and operation_access(dependant) is Access.OPTIONAL:
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
