"""The error model and the one-transaction-per-request rule, through the full app."""

from collections.abc import AsyncIterator

import pytest
from fastapi import APIRouter, FastAPI, status
from httpx import AsyncClient
from loguru import logger
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.db import SessionDep
from intowork.core.errors import Conflict, NotFound
from intowork.models import User
from intowork.models.enums import UserRole
from tests.fixtures.factories import make_user

SECRET_TEXT = "connection string postgres://admin:hunter2@db"


class Probe(BaseModel):
    email: str
    quantity: int = Field(ge=1)


def probe_router() -> APIRouter:
    """Routes that exist only in these tests, to drive the error paths on purpose."""
    router = APIRouter(prefix="/probe")

    def new_user(email: str) -> User:
        return User(email=email, first_name="P", last_name="R", role=UserRole.CANDIDATE)

    @router.post("/users", status_code=status.HTTP_201_CREATED)
    async def create_probe_user(body: Probe, session: SessionDep) -> dict[str, str]:
        # Not flushed: the INSERT runs at commit, after this handler has returned.
        session.add(new_user(body.email))
        return {"created": body.email}

    @router.post("/users-then-fail")
    async def create_then_fail(body: Probe, session: SessionDep) -> None:
        session.add(new_user(body.email))
        await session.flush()
        raise Conflict("Something changed meanwhile")

    @router.get("/crash")
    async def crash() -> None:
        raise RuntimeError(SECRET_TEXT)

    @router.get("/missing")
    async def missing() -> None:
        raise NotFound("Widget not found")

    return router


@pytest.fixture
async def probe_app(app: FastAPI) -> FastAPI:
    app.include_router(probe_router())
    return app


@pytest.fixture
def captured_logs() -> AsyncIterator[list[str]]:
    lines: list[str] = []
    sink = logger.add(lambda message: lines.append(str(message)), format="{extra} {message}")
    yield lines  # type: ignore[misc]
    logger.remove(sink)


async def user_count(session: AsyncSession) -> int:
    return (await session.scalar(select(func.count()).select_from(User))) or 0


pytestmark = pytest.mark.usefixtures("probe_app")


class TestErrorBodies:
    async def test_unknown_route_is_404_detail(self, client: AsyncClient) -> None:
        response = await client.get("/api/nothing-here")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not Found"}

    async def test_wrong_method_is_405_detail(self, client: AsyncClient) -> None:
        response = await client.delete("/health")
        assert response.status_code == 405
        assert response.json() == {"detail": "Method Not Allowed"}

    async def test_app_error_carries_its_status(self, client: AsyncClient) -> None:
        response = await client.get("/probe/missing")
        assert response.status_code == 404
        assert response.json() == {"detail": "Widget not found"}

    async def test_validation_error_is_422_without_echoing_input(self, client: AsyncClient) -> None:
        response = await client.post(
            "/probe/users", json={"email": "a@b.c", "quantity": 0, "password": "S3cret!pass"}
        )
        assert response.status_code == 422
        [error] = response.json()["detail"]
        assert error["loc"] == ["body", "quantity"]
        assert error["type"] == "greater_than_equal"
        assert "input" not in error
        assert "S3cret!pass" not in response.text

    async def test_malformed_json_is_422(self, client: AsyncClient) -> None:
        response = await client.post(
            "/probe/users", content=b"{not json", headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422
        assert isinstance(response.json()["detail"], list)


class TestUnexpectedErrors:
    async def test_500_shows_no_exception_text(
        self, client: AsyncClient, captured_logs: list[str]
    ) -> None:
        response = await client.get("/probe/crash", headers={"X-Request-ID": "crash-42"})
        assert response.status_code == 500
        assert response.json() == {"detail": "Internal server error"}
        assert "hunter2" not in response.text
        assert "RuntimeError" not in response.text
        assert response.headers["X-Request-ID"] == "crash-42"

    async def test_500_is_logged_with_traceback_and_request_id(
        self, client: AsyncClient, captured_logs: list[str]
    ) -> None:
        await client.get("/probe/crash", headers={"X-Request-ID": "crash-43"})
        [entry] = [line for line in captured_logs if "request.unhandled_error" in line]
        assert "'request_id': 'crash-43'" in entry
        assert "Traceback" in entry
        assert "RuntimeError" in entry

    async def test_500_carries_cors_headers_for_allowed_origin(self, client: AsyncClient) -> None:
        response = await client.get("/probe/crash", headers={"Origin": "http://localhost:3000"})
        assert response.status_code == 500
        assert response.headers["access-control-allow-origin"] == "http://localhost:3000"


class TestOneTransactionPerRequest:
    async def test_committed_before_the_response(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        response = await client.post(
            "/probe/users", json={"email": "new@example.com", "quantity": 1}
        )
        assert response.status_code == 201
        stored = await session.scalar(select(User.email).where(User.email == "new@example.com"))
        assert stored == "new@example.com"

    async def test_failing_commit_never_yields_2xx(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        await make_user(session, email="taken@example.com")
        before = await user_count(session)
        response = await client.post(
            "/probe/users", json={"email": "taken@example.com", "quantity": 1}
        )
        assert response.status_code == 409
        assert response.json() == {"detail": "The request conflicts with existing data"}
        assert await user_count(session) == before

    async def test_database_lost_at_commit_is_503(
        self, client: AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        async def lost_connection(self: AsyncSession) -> None:
            raise OperationalError("COMMIT", {}, ConnectionResetError("server closed"))

        monkeypatch.setattr(AsyncSession, "commit", lost_connection)
        response = await client.post(
            "/probe/users", json={"email": "lost@example.com", "quantity": 1}
        )
        monkeypatch.undo()
        assert response.status_code == 503
        assert response.json() == {"detail": "Service temporarily unavailable"}
        assert await user_count(session) == 0

    async def test_error_in_handler_rolls_back_flushed_writes(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        response = await client.post(
            "/probe/users-then-fail", json={"email": "flushed@example.com", "quantity": 1}
        )
        assert response.status_code == 409
        assert response.json() == {"detail": "Something changed meanwhile"}
        assert await user_count(session) == 0
