"""Schemathesis against a real `intowork serve`, over every operation, as every kind of caller.

Every generated case is sent by each caller the operation serves (anonymous for public ones; the
candidate, the employer with a company, the admin) and, for its first examples, by the others
(anonymous, an inactive account, the wrong roles), on SQLite and PostgreSQL. Every response must
pass schemathesis's response checks: no 5xx, a declared status, content type and headers, a body
matching the declared model, invalid input refused, a token required where one is declared.

The server holds a small world: two companies with their employers, published, draft and closed
jobs, candidates with applications, CVs, experiences, notifications, a refresh and a reset token.
Half of the ids, e-mails, passwords, tokens and dates of a valid case are swapped for real ones,
so that requests reach rows and not only 404s; an operation whose requests changed something
leaves a fresh world to the next one. Figures are printed at the end (`pytest -s`).

test_every_operation_as_every_caller (slow) runs every schemathesis phase but the stateful one;
test_smoke (the default run) sends one example of each operation, on SQLite, to every caller.
"""

import asyncio
import random
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import requests
import schemathesis
from fastapi import FastAPI, routing
from hypothesis import HealthCheck, settings
from prometheus_client.parser import text_string_to_metric_families
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CoveragePhaseData
from schemathesis.specs.openapi.checks import allow_header_conformance, unsupported_method
from sqlalchemy import delete, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from intowork.core.config import Environment, Settings
from intowork.core.openapi import BUSINESS_ERRORS, ROLES, Access, operation_access
from intowork.core.security import token_digest
from intowork.core.tokens import create_access_token
from intowork.jobs.search import search_document
from intowork.main import create_app
from intowork.models import (
    ApplicationStatusHistory,
    AuthSession,
    Base,
    Candidate,
    CandidateCV,
    Company,
    Education,
    Employer,
    Experience,
    Job,
    JobApplication,
    Notification,
    PasswordResetToken,
    Skill,
    User,
)
from intowork.models.enums import (
    ApplicationStatus,
    JobStatus,
    NotificationType,
    SkillCategory,
    UserRole,
)
from tests.cli.test_cli import INTOWORK, cli_environment, free_port, wait_for
from tests.conftest import TEST_JWT_SECRET
from tests.fixtures.databases import BACKENDS, create_database, drop_database
from tests.fixtures.factories import DEFAULT_PASSWORD, default_password_hash
from tests.fixtures.services import TEST_DATABASE_URL, service_missing

T = TypeVar("T")
SEED = 20261128
SETTINGS = Settings(
    _env_file=None,  # type: ignore[call-arg]
    environment=Environment.TEST,
    jwt_secret=TEST_JWT_SECRET,
    database_url="sqlite+aiosqlite://",
    rate_limit_enabled=False,
    log_level="WARNING",
)
ANONYMOUS, INACTIVE = "anonymous", "inactive"
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


ERROR_LINE = re.compile(r"^\S+ +(ERROR|CRITICAL) ")
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


def served_by_status(metrics: str) -> dict[str, float]:
    """Requests the server answered, by status class, from its own /metrics."""
    served: dict[str, float] = {}
    for family in text_string_to_metric_families(metrics):
        for sample in family.samples:
            if sample.name == "intowork_http_request_duration_seconds_count":
                status = sample.labels["status"]
                served[status] = served.get(status, 0) + sample.value
    return served


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Runs database work from the synchronous tests, on an event loop of its own."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@dataclass
class LiveServer:
    engine_name: str
    base_url: str
    database_url: str
    data_dir: Path
    http: requests.Session = field(default_factory=requests.Session)
    tokens: dict[str, str] = field(default_factory=dict)
    # Real values by field name (path, query and body alike), from the current world.
    realistic: dict[str, list[Any]] = field(default_factory=dict)
    dirty: bool = True
    operation: str = ""
    examples: int = 0
    examples_by_operation: dict[str, int] = field(default_factory=dict)
    answered_2xx: set[str] = field(default_factory=set)
    requests: int = 0
    resets: int = 0
    reset_seconds: float = 0.0

    def check(self, case: schemathesis.Case, *, refused_examples: int) -> None:
        """Sends the case as each caller allowed to call its operation and validates every
        response; its first `refused_examples` examples go to the other callers too."""
        if case.operation.label != self.operation:
            self.operation, self.examples = case.operation.label, 0
            if self.dirty:
                self.reset_world()
        self.examples += 1
        self.examples_by_operation[self.operation] = self.examples
        if about_authorization(case):
            # A coverage case about the Authorization header itself (missing, malformed) is
            # sent as generated: any caller's token would undo what it tests.
            self.send(case, None)
            return
        access = ACCESS[(case.operation.method.upper(), case.operation.path)]
        callers = CALLERS[access]
        if self.examples <= refused_examples:
            # First, so that what the authorised callers change cannot hide a refusal.
            callers = other_callers(access) + callers
        self.swap_in_real_values(case)
        for caller in callers:
            token = self.tokens.get(caller)
            self.send(case, Caller(f"Bearer {token}" if token else None))

    def send(self, case: schemathesis.Case, caller: Caller | None) -> None:
        headers = None
        if caller is not None:
            PENDING.append(caller)
            # The token in `headers` too: schemathesis then knows it is the caller's, not a
            # generated one, and checks that the operation refuses requests without it.
            if caller.authorization is not None:
                headers = {"Authorization": caller.authorization}
        try:
            response = case.call_and_validate(
                base_url=self.base_url,
                session=self.http,
                headers=headers,
                excluded_checks=UNDECLARED_METHOD_CHECKS if shadowed(case) else None,
            )
        finally:
            if caller is not None:
                PENDING.pop()
        self.requests += 1
        if response.status_code < 300:
            self.answered_2xx.add(case.operation.label)
        # A refused refresh may still have revoked a token family (reuse detection).
        if case.method != "GET" and (response.status_code < 400 or "refresh" in case.path):
            self.dirty = True

    def swap_in_real_values(self, case: schemathesis.Case) -> None:
        """Half of the ids, e-mails, passwords, tokens, dates and files of a valid case become
        real ones, so that requests reach the world's rows; invalid cases stay as they are.

        Done before the first call, so schemathesis keeps judging the case as valid: it is, and
        a file it could not validate again would make it "invalid" (then wrongly accepted)."""
        if case.meta is not None and case.meta.generation.mode.is_negative:
            return
        chance = random.Random(f"{self.operation}:{self.examples}")
        for location in ("path_parameters", "query", "body"):
            container = getattr(case, location)
            if isinstance(container, dict):
                for name in list(container):
                    if name in self.realistic and chance.random() < 0.5:
                        container[name] = chance.choice(self.realistic[name])

    def reset_world(self) -> None:
        started = time.monotonic()
        cv_dir = self.data_dir / "cvs"
        cv_keys = [f"{uuid.uuid4().hex}.pdf" for _ in range(2)]
        for key in cv_keys:
            (cv_dir / key).write_bytes(PDF)
        values, principals = run_async(reset_world(self.database_url, cv_keys))
        now = datetime.now(UTC)
        self.tokens = {
            caller: create_access_token(user, SETTINGS, now=now)
            for caller, user in principals.items()
        }
        self.realistic = values
        self.dirty = False
        self.resets += 1
        self.reset_seconds += time.monotonic() - started


@pytest.fixture(scope="module")
def scratch_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[str]:
    """An empty database of this module's own: a SQLite file, or a PostgreSQL database created
    beside TEST_DATABASE_URL's and dropped afterwards."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("schemathesis-sqlite") / "intowork.db"
        shutil.copyfile(sqlite_template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    if TEST_DATABASE_URL is None:
        service_missing("PostgreSQL tests need TEST_DATABASE_URL")
    url = run_async(create_database("intowork_schemathesis"))
    try:
        yield url
    finally:
        run_async(drop_database(url))


@pytest.fixture(scope="module")
def live_server(
    scratch_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """`intowork serve` (which migrates the database first) on a free port."""
    directory = tmp_path_factory.mktemp("schemathesis-server")
    env = cli_environment(directory / "data", scratch_database_url)
    env.update(
        {"ENVIRONMENT": "test", "RATE_LIMIT_ENABLED": "false", "EMAIL_WORKER_IN_PROCESS": "false"}
    )
    port = free_port()
    log = directory / "server.log"
    process = subprocess.Popen(  # noqa: S603 (a fixed command line)
        [*INTOWORK, "serve", "--port", str(port)],
        env=env,
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    server = LiveServer(
        engine_name=make_url(scratch_database_url).get_backend_name(),
        base_url=f"http://127.0.0.1:{port}",
        database_url=scratch_database_url,
        data_dir=directory / "data",
    )
    started = time.monotonic()
    try:
        wait_for(f"{server.base_url}/health", 60)
        yield server
        served = served_by_status(server.http.get(f"{server.base_url}/metrics", timeout=10).text)
    finally:
        process.terminate()
        process.wait(timeout=30)
        server.http.close()
    examples = sorted(server.examples_by_operation.values()) or [0]
    print(
        f"\nschemathesis[{server.engine_name}]: {len(server.examples_by_operation)} operations, "
        f"{examples[0]}-{examples[len(examples) // 2]}-{examples[-1]} examples (min-median-max), "
        f"{len(server.answered_2xx)} with a 2xx, {server.requests} requests sent "
        f"({sum(served.values()):.0f} served: {dict(sorted(served.items()))}), "
        f"{server.resets} worlds ({server.reset_seconds:.1f} s), "
        f"{time.monotonic() - started:.1f} s; never 2xx: "
        f"{', '.join(sorted(set(server.examples_by_operation) - server.answered_2xx)) or '-'}"
    )
    assert "5xx" not in served, served
    # Handled conditions log warnings (some with their traceback); an error is a bug even when
    # the client got an answer (a failed after-commit hook, an exception after the response began).
    errors = [
        line for line in log.read_text(errors="replace").splitlines() if ERROR_LINE.match(line)
    ]
    assert not errors, "\n".join(errors[:20])


async def reset_world(
    database_url: str, cv_keys: list[str]
) -> tuple[dict[str, list[Any]], dict[str, User]]:
    """Empties every table, then seeds the world; ids start at 1 again, so they repeat."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
                await connection.execute(text(f"TRUNCATE TABLE {tables} RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(Base.metadata.sorted_tables):
                    await connection.execute(delete(table))
        async with AsyncSession(engine, expire_on_commit=False) as session:
            return await seed(session, cv_keys)
    finally:
        await engine.dispose()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
STRONG_PASSWORD = "Another-Horse-43!"


async def seed(
    session: AsyncSession, cv_keys: list[str]
) -> tuple[dict[str, list[Any]], dict[str, User]]:
    """Two companies with their employers and jobs, candidates who applied, an admin, an
    inactive account and a spare one for the admin to delete."""

    def user(role: UserRole, name: str, *, is_active: bool = True) -> User:
        return User(
            email=f"{name}@example.com",
            password_hash=default_password_hash(),
            first_name=name.capitalize(),
            last_name="Tester",
            role=role,
            is_active=is_active,
        )

    admin = user(UserRole.ADMIN, "admin")
    candidate_users = [user(UserRole.CANDIDATE, name) for name in ("candidate", "rival", "spare")]
    inactive = user(UserRole.CANDIDATE, "inactive", is_active=False)
    employer_users = [user(UserRole.EMPLOYER, name) for name in ("employer", "stranger")]
    session.add_all([admin, *candidate_users, inactive, *employer_users])
    await session.flush()
    companies = [
        Company(name=name, city="Lyon", created_by_user_id=owner.id)
        for name, owner in zip(("Acme", "Globex"), employer_users, strict=True)
    ]
    session.add_all(companies)
    await session.flush()
    employers = [
        Employer(user_id=owner.id, company_id=company.id, position="Recruiter")
        for owner, company in zip(employer_users, companies, strict=True)
    ]
    candidates = [
        Candidate(user_id=person.id, title="Engineer", summary="Builds things", phone="0600000000")
        for person in [*candidate_users, inactive]
    ]
    session.add_all([*employers, *candidates])
    await session.flush()

    def job(employer: Employer, title: str, status: JobStatus) -> Job:
        company = companies[employers.index(employer)]
        return Job(
            employer_id=employer.id,
            company_id=company.id,
            title=title,
            description="Build and run the platform. " * 20,
            status=status,
            location="Lyon",
            salary_min=40000,
            salary_max=60000,
            posted_at=datetime.now(UTC) if status is not JobStatus.DRAFT else None,
            search_text=search_document(title, "Build and run the platform."),
            search_company=search_document(company.name),
        )

    jobs = [
        job(employers[0], "Backend engineer", JobStatus.PUBLISHED),
        job(employers[0], "Data engineer", JobStatus.DRAFT),
        job(employers[0], "Site reliability engineer", JobStatus.CLOSED),
        job(employers[1], "Frontend engineer", JobStatus.PUBLISHED),
        job(employers[0], "Product designer", JobStatus.PUBLISHED),
    ]
    session.add_all(jobs)
    cvs = [
        CandidateCV(
            candidate_id=candidate.id,
            filename="cv.pdf",
            storage_key=key,
            file_size=len(PDF),
            content_type="application/pdf",
        )
        for candidate, key in zip(candidates[:2], cv_keys, strict=True)
    ]
    experiences = [
        Experience(candidate_id=c.id, title="Developer", company="Initech", start_date="2019-09")
        for c in candidates[:2]
    ]
    educations = [
        Education(
            candidate_id=c.id, degree="MSc", school="INSA", start_date="2014-09", end_date="2019-06"
        )
        for c in candidates[:2]
    ]
    skills = [
        Skill(candidate_id=c.id, name="Python", level=4, category=SkillCategory.TECHNICAL)
        for c in candidates[:2]
    ]
    session.add_all([*cvs, *experiences, *educations, *skills])
    await session.flush()
    pairs = [
        (candidates[0], jobs[0], ApplicationStatus.APPLIED, cvs[0].id),
        (candidates[1], jobs[0], ApplicationStatus.INTERVIEW, cvs[1].id),
        (candidates[0], jobs[3], ApplicationStatus.SHORTLISTED, None),
        (candidates[1], jobs[3], ApplicationStatus.REJECTED, None),
    ]
    applications = [
        JobApplication(job_id=j.id, candidate_id=c.id, status=status, cv_id=cv_id)
        for c, j, status, cv_id in pairs
    ]
    session.add_all(applications)
    await session.flush()
    session.add_all(
        ApplicationStatusHistory(application_id=a.id, from_status=None, to_status=a.status)
        for a in applications
    )
    notifications = [
        Notification(
            user_id=owner.id,
            type=kind,
            title="News",
            message="Something happened",
            related_job_id=jobs[0].id,
            related_application_id=applications[0].id,
        )
        for owner, kind in (
            (candidate_users[0], NotificationType.STATUS_CHANGE),
            (employer_users[0], NotificationType.NEW_APPLICATION),
            (candidate_users[1], NotificationType.STATUS_CHANGE),
        )
    ]
    now = datetime.now(UTC)
    refresh_token, reset_token = f"refresh-{uuid.uuid4().hex}", f"reset-{uuid.uuid4().hex}"
    session.add_all(
        [
            *notifications,
            AuthSession(
                user_id=candidate_users[0].id,
                family_id=uuid.uuid4(),
                token_hash=token_digest(refresh_token),
                last_used_at=now,
                idle_expires_at=now + timedelta(days=7),
                absolute_expires_at=now + timedelta(days=30),
            ),
            PasswordResetToken(
                user_id=candidate_users[0].id,
                token_hash=token_digest(reset_token),
                expires_at=now + timedelta(hours=1),
            ),
        ]
    )
    await session.commit()

    def ids(rows: list[Any]) -> list[int]:
        return [row.id for row in rows]

    values: dict[str, list[Any]] = {
        "job_id": ids(jobs),
        "company_id": ids(companies),
        "application_id": ids(applications),
        "cv_id": ids(cvs),
        "candidate_id": ids(candidates[:2]),
        "experience_id": ids(experiences),
        "education_id": ids(educations),
        "skill_id": ids(skills),
        "notification_id": ids(notifications),
        "user_id": ids([*candidate_users, inactive, *employer_users, admin]),
        "email": [candidate_users[0].email, employer_users[0].email, inactive.email],
        "password": [DEFAULT_PASSWORD],
        "current_password": [DEFAULT_PASSWORD],
        "new_password": [STRONG_PASSWORD],
        "refresh_token": [refresh_token],
        "token": [reset_token],
        "start_date": ["2019-09", "2020-01-15"],
        "end_date": ["2023-06", ""],
        "cv": [PDF],
    }
    principals = {
        UserRole.CANDIDATE.value: candidate_users[0],
        UserRole.EMPLOYER.value: employer_users[0],
        UserRole.ADMIN.value: admin,
        INACTIVE: inactive,
    }
    return values, principals


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
    live_server.check(case, refused_examples=1)


@pytest.mark.slow
@pytest.mark.parametrize("scratch_database_url", BACKENDS, indirect=True)
@pytest.mark.usefixtures("live_server")
@schemathesis.pytest.from_fixture("full_schema").parametrize()
@conformance(60)
def test_every_operation_as_every_caller(case: schemathesis.Case, live_server: LiveServer) -> None:
    live_server.check(case, refused_examples=5)


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
    """What core/openapi.py derives from the dependencies, on a few operations of each kind."""

    def test_every_business_error_names_an_operation(
        self, declared: dict[tuple[str, str], dict[str, Any]]
    ) -> None:
        assert set(BUSINESS_ERRORS) <= set(declared)

    def test_authenticated_operation(self, declared: dict[tuple[str, str], dict[str, Any]]) -> None:
        responses = declared[("PUT", "/api/jobs/{job_id}")]["responses"]
        assert set(responses) == {"200", "400", "401", "403", "404", "413", "422", "429", "503"}
        assert "WWW-Authenticate" in responses["401"]["headers"]
        assert "not an employer" in responses["403"]["description"]
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
