"""Issue 12: the authorization matrix (authorization_matrix.py), cell by cell, on both engines.

The table must name exactly the operations the app serves. Each cell is one case: the actor calls
the operation on a "world" (the six actors and what they own) and gets the status API.md gives; a
refusal carries its `{"detail": ...}` and leaves the tables the operation writes as they were.

For the default run to stay cheap, the module keeps one app and one database per engine; a
success that changes what the next cases rely on (a deletion, a dead token, a new status)
retires its world, and the next case builds a fresh one beside it.
"""

from collections.abc import AsyncGenerator, AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from intowork.auth import service as auth_service
from intowork.auth.service import ClientInfo
from intowork.core.config import Settings
from intowork.core.security import new_opaque_token, token_digest
from intowork.main import create_app
from intowork.models import (
    Base,
    CandidateCV,
    Education,
    Experience,
    PasswordResetToken,
    Skill,
    User,
)
from intowork.models.enums import JobStatus, NotificationType, SkillCategory, UserRole
from intowork.notifications.service import notify
from tests.fixtures.databases import BACKENDS, empty_database
from tests.fixtures.factories import (
    DEFAULT_PASSWORD,
    make_application,
    make_candidate,
    make_company,
    make_employer,
    make_job,
    make_user,
)
from tests.fixtures.settings import app_settings
from tests.fixtures.timing import app_lifespan
from tests.fixtures.tokens import access_token
from tests.security.authorization_matrix import (
    OPERATIONS,
    PDF,
    Actor,
    Operation,
    Secret,
    World,
)

Served = set[tuple[str, str]]


def matrix_settings(database_url: str, data_dir: Path) -> Settings:
    """tests/conftest.py's settings, for an app that lives as long as the module."""
    return app_settings(database_url=database_url, data_dir=data_dir)


def served_operations(app: FastAPI) -> Served:
    """(method, path template) of every route, included routers resolved as FastAPI's own
    OpenAPI generation does; the HEAD that Starlette adds beside a GET is not an operation."""
    served: Served = set()
    for route in iter_route_contexts(app.routes):
        methods = route.methods or {"ANY"}
        if "GET" in methods:
            methods = methods - {"HEAD"}
        served.update((method, route.path or repr(route)) for method in methods)
    return served


def listed(operations: Served) -> str:
    return ", ".join(f"{method} {path}" for method, path in sorted(operations, key=lambda o: o[1]))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Served:
    data_dir = tmp_path_factory.mktemp("matrix-routes")
    return served_operations(create_app(matrix_settings("sqlite+aiosqlite://", data_dir)))


class TestCoverage:
    """A new route without an entry fails; so does an entry for a route that is gone."""

    def test_every_served_operation_has_an_entry(self, served: Served) -> None:
        missing = served - {operation.key for operation in OPERATIONS}
        assert not missing, f"no entry in tests/security/authorization_matrix.py: {listed(missing)}"

    def test_every_entry_is_served(self, served: Served) -> None:
        stale = {operation.key for operation in OPERATIONS} - served
        assert not stale, f"entries for operations the app does not serve: {listed(stale)}"

    def test_entries_are_unique_and_complete(self) -> None:
        keys = [operation.key for operation in OPERATIONS]
        assert len(keys) == len(set(keys)), "an operation has two entries"
        for operation in OPERATIONS:
            assert set(operation.expect) == set(Actor), f"{operation}: an actor has no status"
            refused_writes = operation.method != "GET" and any(
                expect.refused for expect in operation.expect.values()
            )
            if refused_writes:
                assert operation.writes, f"{operation}: name the tables a refusal must not touch"
            for actor, expect in operation.expect.items():
                assert expect.refused == (expect.detail is not None), f"{operation} as {actor}"


@pytest.fixture(scope="module", params=BACKENDS)
async def database_url(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
    postgresql_engine: AsyncEngine | str,
) -> AsyncIterator[str]:
    """tests/fixtures/databases.py's fixture, module-scoped: one database per engine here."""
    directory = tmp_path_factory.mktemp("matrix")
    async with empty_database(request.param, directory, sqlite_template, postgresql_engine) as url:
        yield url


async def _one_pdf() -> AsyncGenerator[bytes]:
    yield PDF


async def build_world(app: FastAPI, settings: Settings) -> World:
    """Company A with its employer and three jobs (posted, draft, open); company B with its
    employer; the candidate with an experience, an education, a skill, a CV, an application to
    the posted job and a notification; the other candidate with nothing; an admin; a bystander."""
    storage = app.state.storage
    async with app.state.db.sessionmaker() as session:
        company = await make_company(session, name="Company A")
        employer = await make_employer(session, company=company)
        other_employer = await make_employer(
            session, company=await make_company(session, name="Company B")
        )
        candidate = await make_candidate(session)
        other_candidate = await make_candidate(session)
        admin = await make_user(session, role=UserRole.ADMIN)
        bystander = await make_user(session)
        posted = await make_job(session, employer=employer, title="Posted")
        draft = await make_job(session, employer=employer, title="Draft", status=JobStatus.DRAFT)
        open_job = await make_job(session, employer=employer, title="Open")
        key = storage.new_key("pdf")
        cv = CandidateCV(
            candidate_id=candidate.id,
            filename="resume.pdf",
            storage_key=key,
            file_size=await storage.write(key, _one_pdf()),
            content_type="application/pdf",
        )
        experience = Experience(
            candidate_id=candidate.id, title="Engineer", company="Initech", start_date="2019-01"
        )
        education = Education(
            candidate_id=candidate.id,
            degree="BSc",
            school="Lyon 1",
            start_date="2012-09",
            end_date="2015-06",
        )
        skill = Skill(
            candidate_id=candidate.id, name="SQL", level=3, category=SkillCategory.TECHNICAL
        )
        session.add_all([cv, experience, education, skill])
        await session.commit()
        application = await make_application(session, job=posted, candidate=candidate)
        application.cv_id = cv.id
        notification = notify(
            session,
            user_id=candidate.user_id,
            type=NotificationType.SYSTEM,
            title="Welcome",
            message="Hello",
        )
        await session.commit()
        users: dict[Actor, User] = {
            Actor.CANDIDATE: await _user(session, candidate.user_id),
            Actor.OTHER_CANDIDATE: await _user(session, other_candidate.user_id),
            Actor.EMPLOYER: await _user(session, employer.user_id),
            Actor.OTHER_EMPLOYER: await _user(session, other_employer.user_id),
            Actor.ADMIN: admin,
        }
    now = datetime.now(UTC)
    headers = {
        actor: {"Authorization": f"Bearer {access_token(user, settings, now=now)}"}
        for actor, user in users.items()
    }
    return World(
        headers={Actor.ANONYMOUS: {}, **headers},
        user_ids={actor: user.id for actor, user in users.items()},
        company_id=company.id,
        posted_job_id=posted.id,
        draft_job_id=draft.id,
        open_job_id=open_job.id,
        candidate_id=candidate.id,
        experience_id=experience.id,
        education_id=education.id,
        skill_id=skill.id,
        cv_id=cv.id,
        application_id=application.id,
        notification_id=notification.id,
        bystander_id=bystander.id,
        bystander_email=bystander.email,
    )


async def _user(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    assert user is not None
    return user


class Matrix:
    """The module's app and client, and the world the next case runs on."""

    def __init__(self, app: FastAPI, http: AsyncClient, settings: Settings) -> None:
        self.app = app
        self.http = http
        self.settings = settings
        self._world: World | None = None

    async def world(self) -> World:
        if self._world is None:
            self._world = await build_world(self.app, self.settings)
        return self._world

    def retire_world(self) -> None:
        self._world = None

    async def snapshot(self, tables: tuple[type[Base], ...]) -> list[list[Any]]:
        """Every row of these tables, in primary-key order."""
        rows: list[list[Any]] = []
        async with self.app.state.db.sessionmaker() as session:
            for model in tables:
                table = Base.metadata.tables[model.__tablename__]
                statement = select(table).order_by(*table.primary_key.columns)
                rows.append([tuple(row) for row in (await session.execute(statement)).all()])
        return rows

    async def mint(self, secret: Secret, world: World) -> str:
        """A fresh refresh token (a sign-in of the bystander) or password reset token."""
        async with self.app.state.db.sessionmaker() as session:
            if secret is Secret.REFRESH_TOKEN:
                signed_in = await auth_service.signin(
                    session,
                    self.settings,
                    email=world.bystander_email,
                    password=DEFAULT_PASSWORD,
                    client=ClientInfo(user_agent=None, ip=None),
                )
                await session.commit()
                return signed_in.refresh_token
            token = new_opaque_token()
            session.add(
                PasswordResetToken(
                    user_id=world.bystander_id,
                    token_hash=token_digest(token),
                    expires_at=datetime.now(UTC) + timedelta(hours=1),
                )
            )
            await session.commit()
            return token

    async def call(self, operation: Operation, actor: Actor, world: World) -> Response:
        secret = await self.mint(operation.secret, world) if operation.secret else ""
        kwargs: dict[str, Any] = {"headers": world.headers[actor]}
        if operation.body is not None:
            kwargs["json"] = operation.body(world, secret)
        if operation.query is not None:
            kwargs["params"] = operation.query(world)
        if operation.upload:
            kwargs["files"] = {"cv": ("resume.pdf", PDF, "application/pdf")}
        path = operation.path.format(**world.path_params())
        return await self.http.request(operation.method, path, **kwargs)


@pytest.fixture(scope="module")
async def matrix(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Matrix]:
    settings = matrix_settings(database_url, tmp_path_factory.mktemp("matrix-data"))
    app = create_app(settings)
    async with app_lifespan(app):
        transport = ASGITransport(app=app, raise_app_exceptions=False)
        async with AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield Matrix(app, http, settings)


CASES = [(operation, actor) for operation in OPERATIONS for actor in Actor]


@pytest.mark.parametrize(
    ("operation", "actor"), CASES, ids=[f"{operation} as {actor}" for operation, actor in CASES]
)
async def test_cell(matrix: Matrix, operation: Operation, actor: Actor) -> None:
    expected = operation.expect[actor]
    world = await matrix.world()
    check_tables = expected.refused and bool(operation.writes)
    try:
        before = await matrix.snapshot(operation.writes) if check_tables else None
        response = await matrix.call(operation, actor, world)
        case = f"{operation} as {actor}"
        assert response.status_code == expected.status, f"{case}: {response.text[:300]}"
        if expected.refused:
            assert response.json() == {"detail": expected.detail}, case
            if expected.status == 401:
                assert response.headers["www-authenticate"] == "Bearer", case
        if before is not None:
            assert await matrix.snapshot(operation.writes) == before, f"{case} changed the data"
    except BaseException:
        matrix.retire_world()  # in an unknown state now: the next case must not inherit it
        raise
    if operation.method != "GET" and response.is_success and not operation.keeps_world:
        matrix.retire_world()
