"""Schemathesis against a real `intowork serve`, over every operation, as every kind of caller.

Every generated case is sent by each caller the operation serves (anonymous for public ones; the
candidate, the employer with a company, the admin) and, for its first examples, by the others
(anonymous, an inactive account, the wrong roles), on SQLite and PostgreSQL. Every response must
pass schemathesis's response checks: no 5xx, a declared status, content type and headers, a body
matching the declared model, invalid input refused, a token required where one is declared.

The server holds a small world (schemathesis_world.py): two companies with their employers,
published, draft and closed jobs, candidates with applications, CVs, experiences, notifications, a
refresh and a reset token. Half of the ids, e-mails, passwords, tokens and dates of a valid case
are swapped for real ones, so that requests reach rows and not only 404s; an operation whose
requests changed something leaves a fresh world to the next one. The server, its database and
the figures printed at the end (`pytest -s`) are in live_server.py.

test_every_operation_as_every_caller (slow) runs every schemathesis phase but the stateful one;
test_smoke (the default run) sends one example of each operation, on SQLite, to every caller.
"""

import random
import re
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI, routing
from hypothesis import HealthCheck, settings
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CoveragePhaseData
from schemathesis.specs.openapi.checks import allow_header_conformance, unsupported_method

from intowork.main import create_app
from intowork.openapi import ROLES, Access, operation_access
from tests.fixtures.databases import BACKENDS
from tests.reliability.live_server import SETTINGS, LiveServer, scratch_database, serve
from tests.reliability.schemathesis_world import INACTIVE

SEED = 20261128
ANONYMOUS = "anonymous"
CALLERS: dict[Access, list[str]] = {
    Access.PUBLIC: [ANONYMOUS],
    Access.OPTIONAL: [ANONYMOUS, *sorted(ROLES)],
    Access.ANY: sorted(ROLES),
    **{role: [role.value] for role in ROLES},
}


def other_callers(access: Access) -> list[str]:
    """Who is refused (or, on public operations, whose token must be ignored)."""
    if access in (Access.PUBLIC, Access.OPTIONAL):
        return [INACTIVE]
    everyone = [ANONYMOUS, INACTIVE, *sorted(ROLES)]
    return [caller for caller in everyone if caller not in CALLERS[access]]


def load_schema(app: FastAPI, *, coverage: bool) -> schemathesis.BaseSchema:
    """The app's own OpenAPI document, the one it serves."""
    ACCESS.update(
        {
            (method, context.path_format): operation_access(context.dependant)
            for context in routing.iter_route_contexts(app.routes)
            if isinstance(context.original_route, routing.APIRoute)
            for method in context.methods
        }
    )
    return schemathesis.openapi.from_dict(
        deepcopy(app.openapi()),
        config=schemathesis.Config.from_dict(
            {
                "seed": SEED,
                "phases": {"stateful": {"enabled": False}, "coverage": {"enabled": coverage}},
                # It expects 2xx for any schema-valid input; the contract answers business rules
                # (weak password, already applied) with 400 and cross-field rules with 422.
                "checks": {"positive_data_acceptance": {"enabled": False}},
            }
        ),
    )


ACCESS: dict[tuple[str, str], Access] = {}


@dataclass
class Caller:
    """Who sends the next request: the Authorization it carries, if any."""

    authorization: str | None


PENDING: list[Caller] = []


def before_call(_context: schemathesis.HookContext, case: schemathesis.Case, _kwargs: Any) -> None:
    """Sets the caller's token where schemathesis notices it: a case generated without a token (a
    negative "missing Authorization") that is sent with one is then judged as what it is."""
    if not PENDING:
        return
    headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    if PENDING[-1].authorization is not None:
        headers["Authorization"] = PENDING[-1].authorization
    case.headers = headers


@pytest.fixture(scope="module", autouse=True)
def _caller_token_hook() -> Iterator[None]:
    # Schemathesis dispatches `before_call` to global hooks only; this one acts on PENDING.
    schemathesis.hook(before_call)
    yield
    schemathesis.hooks.GLOBAL_HOOK_DISPATCHER.unregister(before_call)


UNDECLARED_METHOD_CHECKS = [unsupported_method, allow_header_conformance]


def shadowed(case: schemathesis.Case) -> bool:
    """An undeclared method sent to a path that another operation's template matches too.

    `DELETE /api/notifications/unread-count` is `DELETE /api/notifications/{notification_id}`
    with a malformed id, a 422 (API.md 1.1), not a 405; and the path's `Allow` lists DELETE.
    """
    if case.method.upper() == case.operation.method.upper():
        return False
    path = case.formatted_path
    return any(
        template != case.operation.path and template_regex(template).fullmatch(path)
        for _, template in ACCESS
    )


def template_regex(template: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template)))


def about_authorization(case: schemathesis.Case) -> bool:
    data = case.meta.phase.data if case.meta is not None else None
    return (
        isinstance(data, CoveragePhaseData)
        and data.parameter_location is ParameterLocation.HEADER
        and (data.parameter or "").lower() == "authorization"
    )


def check(server: LiveServer, case: schemathesis.Case, *, refused_examples: int) -> None:
    """Sends the case as each caller allowed to call its operation and validates every
    response; its first `refused_examples` examples go to the other callers too."""
    if case.operation.label != server.operation:
        server.operation, server.examples = case.operation.label, 0
        if server.dirty:
            server.reset_world()
    server.examples += 1
    server.examples_by_operation[server.operation] = server.examples
    if about_authorization(case):
        # A coverage case about the Authorization header itself (missing, malformed) is
        # sent as generated: any caller's token would undo what it tests.
        send(server, case, None)
        return
    access = ACCESS[(case.operation.method.upper(), case.operation.path)]
    callers = CALLERS[access]
    if server.examples <= refused_examples:
        # First, so that what the authorised callers change cannot hide a refusal.
        callers = other_callers(access) + callers
    swap_in_real_values(server, case)
    for caller in callers:
        token = server.tokens.get(caller)
        send(server, case, Caller(f"Bearer {token}" if token else None))


def send(server: LiveServer, case: schemathesis.Case, caller: Caller | None) -> None:
    headers = None
    if caller is not None:
        PENDING.append(caller)
        # The token in `headers` too: schemathesis then knows it is the caller's, not a
        # generated one, and checks that the operation refuses requests without it.
        if caller.authorization is not None:
            headers = {"Authorization": caller.authorization}
    try:
        response = case.call_and_validate(
            base_url=server.base_url,
            session=server.http,
            headers=headers,
            excluded_checks=UNDECLARED_METHOD_CHECKS if shadowed(case) else None,
        )
    finally:
        if caller is not None:
            PENDING.pop()
    server.requests += 1
    if response.status_code < 300:
        server.answered_2xx.add(case.operation.label)
    # A refused refresh may still have revoked a token family (reuse detection).
    if case.method != "GET" and (response.status_code < 400 or "refresh" in case.path):
        server.dirty = True


def swap_in_real_values(server: LiveServer, case: schemathesis.Case) -> None:
    """Half of the ids, e-mails, passwords, tokens, dates and files of a valid case become
    real ones, so that requests reach the world's rows; invalid cases stay as they are.

    Done before the first call, so schemathesis keeps judging the case as valid: it is, and
    a file it could not validate again would make it "invalid" (then wrongly accepted)."""
    if case.meta is not None and case.meta.generation.mode.is_negative:
        return
    chance = random.Random(f"{server.operation}:{server.examples}")
    for location in ("path_parameters", "query", "body"):
        container = getattr(case, location)
        if isinstance(container, dict):
            for name in list(container):
                if name in server.realistic and chance.random() < 0.5:
                    container[name] = chance.choice(server.realistic[name])


@pytest.fixture(scope="module")
def scratch_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[str]:
    """An empty database of this module's own."""
    with scratch_database(request.param, tmp_path_factory, sqlite_template) as url:
        yield url


@pytest.fixture(scope="module")
def live_server(
    scratch_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """`intowork serve` on that database; it must answer no 5xx and log no error."""
    with serve(scratch_database_url, tmp_path_factory.mktemp("schemathesis-server")) as server:
        yield server
    print(server.figures())
    assert "5xx" not in server.served, server.served
    # Handled conditions log warnings (some with their traceback); an error is a bug even when
    # the client got an answer (a failed after-commit hook, an exception after the response began).
    errors = server.logged_errors()
    assert not errors, "\n".join(errors[:20])


@pytest.fixture(autouse=True)
def _lazy_schema_node_id(request: pytest.FixtureRequest) -> None:
    """Schemathesis 4.32's lazy schemas rename the test node through `_nodeid`, which pytest 9.2
    renamed `_id`: the attribute it reads is provided (its renaming only affects its reports)."""
    request.node._nodeid = request.node.nodeid


def conformance(examples: int) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )


@pytest.fixture(scope="module")
def documented_app() -> FastAPI:
    """The app, not started: for its OpenAPI document and its routing."""
    return create_app(SETTINGS)


@pytest.fixture(scope="module")
def smoke_schema(documented_app: FastAPI) -> schemathesis.BaseSchema:
    return load_schema(documented_app, coverage=False)


@pytest.fixture(scope="module")
def full_schema(documented_app: FastAPI) -> schemathesis.BaseSchema:
    return load_schema(documented_app, coverage=True)


@pytest.mark.parametrize("scratch_database_url", ["sqlite"], indirect=True)
@pytest.mark.usefixtures("live_server")  # the lazy schema hides the test's own arguments
@schemathesis.pytest.from_fixture("smoke_schema").parametrize()
@conformance(1)
def test_smoke(case: schemathesis.Case, live_server: LiveServer) -> None:
    check(live_server, case, refused_examples=1)


@pytest.mark.slow
@pytest.mark.parametrize("scratch_database_url", BACKENDS, indirect=True)
@pytest.mark.usefixtures("live_server")
@schemathesis.pytest.from_fixture("full_schema").parametrize()
@conformance(60)
def test_every_operation_as_every_caller(case: schemathesis.Case, live_server: LiveServer) -> None:
    check(live_server, case, refused_examples=5)


@pytest.mark.parametrize("scratch_database_url", ["sqlite"], indirect=True)
def test_served_document_is_the_tested_one(
    live_server: LiveServer, documented_app: FastAPI
) -> None:
    served = live_server.http.get(f"{live_server.base_url}/openapi.json", timeout=10)
    assert served.status_code == 200
    assert served.json() == documented_app.openapi()


def operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): operation
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }


@pytest.fixture(scope="module")
def declared(documented_app: FastAPI) -> dict[tuple[str, str], dict[str, Any]]:
    return operations(documented_app.openapi())


class TestDeclaredErrors:
    """What intowork/openapi.py derives from each route, on a few operations of each kind."""

    def test_authenticated_operation(self, declared: dict[tuple[str, str], dict[str, Any]]) -> None:
        responses = declared[("PUT", "/api/jobs/{job_id}")]["responses"]
        assert set(responses) == {"200", "400", "401", "403", "404", "413", "422", "429", "503"}
        assert "WWW-Authenticate" in responses["401"]["headers"]
        assert "Employer access required" in responses["403"]["description"]
        # Declared by the loader of the path's job (jobs/dependencies.py).
        assert "You do not own this job" in responses["403"]["description"]
        assert responses["404"]["description"] == "Job not found"
        assert responses["404"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorResponse"
        }

    def test_optional_authentication(self, declared: dict[tuple[str, str], dict[str, Any]]) -> None:
        operation = declared[("GET", "/api/jobs/{job_id}")]
        assert {} in operation["security"]
        assert set(operation["responses"]) == {"200", "304", "404", "422", "429", "503"}

    def test_public_operation_without_database(
        self, declared: dict[tuple[str, str], dict[str, Any]]
    ) -> None:
        assert set(declared[("GET", "/health")]["responses"]) == {"200"}
        assert set(declared[("GET", "/api/ping")]["responses"]) == {"200", "429"}

    def test_business_errors(self, declared: dict[tuple[str, str], dict[str, Any]]) -> None:
        assert "409" in declared[("DELETE", "/api/jobs/{job_id}")]["responses"]
        signin = declared[("POST", "/api/auth/signin")]["responses"]
        assert {"400", "401", "403", "413", "422"} <= set(signin)
        assert "Invalid email or password" in signin["401"]["description"]
        apply = declared[("POST", "/api/applications/my/applications")]["responses"]
        assert {"400", "404", "409"} <= set(apply)
        assert "You have already applied to this job" in apply["400"]["description"]

    def test_errors_of_a_dependency(self, declared: dict[tuple[str, str], dict[str, Any]]) -> None:
        # A signed link refused by get_file_viewer, on both routes that take one.
        for key in [
            ("GET", "/api/candidates/{candidate_id}/cv"),
            ("GET", "/api/applications/employer/applications/{application_id}/cv"),
        ]:
            assert "Link expired or invalid" in declared[key]["responses"]["403"]["description"]

    def test_metrics_token_challenge(self, declared: dict[tuple[str, str], dict[str, Any]]) -> None:
        # The 401 of a wrong METRICS_TOKEN carries `WWW-Authenticate: Bearer` like any other.
        assert "WWW-Authenticate" in declared[("GET", "/metrics")]["responses"]["401"]["headers"]

    def test_every_error_has_a_body_schema(
        self, declared: dict[tuple[str, str], dict[str, Any]]
    ) -> None:
        for key, operation in declared.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert "schema" in response["content"]["application/json"], (key, status)


class TestMethodNotAllowed:
    """Found by schemathesis (allow_header_conformance): the Allow of a 405 named the methods of
    one route of the path only."""

    @pytest.mark.parametrize(
        ("method", "path", "allowed"),
        [
            ("OPTIONS", "/api/jobs/1", "DELETE, GET, PUT"),
            ("DELETE", "/api/users/", "GET, POST"),
            ("POST", "/api/candidates/profile", "GET, PUT"),
        ],
    )
    async def test_allow_lists_every_method_of_the_path(
        self, documented_app: FastAPI, method: str, path: str, allowed: str
    ) -> None:
        transport = httpx.ASGITransport(app=documented_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            response = await client.request(method, path)
        assert response.status_code == 405
        assert response.headers["Allow"] == allowed
        assert response.json() == {"detail": "Method Not Allowed"}
