"""Operations routes and the public ping/status."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from httpx import ASGITransport, AsyncClient
from loguru import logger
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from intowork import __version__
from intowork.core.config import Environment, Settings
from intowork.core.migrations import alembic_config, code_head
from intowork.main import create_app
from tests.fixtures.redis import RedisTarget
from tests.fixtures.settings import TEST_JWT_SECRET, SettingsFactory
from tests.fixtures.timing import app_lifespan


def recent(timestamp: str) -> bool:
    assert timestamp.endswith("Z"), "timestamps are UTC with a designator"
    moment = datetime.fromisoformat(timestamp)
    return abs(datetime.now(UTC) - moment) < timedelta(minutes=1)


async def get_json(settings: Settings, path: str) -> tuple[int, dict[str, object]]:
    app = create_app(settings)
    async with app_lifespan(app):
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://testserver") as http:
            response = await http.get(path)
    return response.status_code, response.json()


class TestLiveness:
    async def test_root(self, client: AsyncClient) -> None:
        response = await client.get("/")
        assert response.status_code == 200
        assert response.json() == {
            "service": "intowork-api",
            "version": __version__,
            "docs": "/docs",
        }

    async def test_health(self, client: AsyncClient) -> None:
        response = await client.get("/health")
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"status", "service", "version", "timestamp"}
        assert body["status"] == "healthy"
        assert recent(body["timestamp"])

    async def test_ping(self, client: AsyncClient) -> None:
        response = await client.get("/api/ping")
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"ping", "timestamp", "service"}
        assert (body["ping"], body["service"]) == ("pong", "intowork-api")
        assert recent(body["timestamp"])

    async def test_status(self, client: AsyncClient) -> None:
        response = await client.get("/api/status")
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"status", "phase", "features", "next"}
        assert body["status"] == "operational"
        assert "jobs" in body["features"]

    async def test_token_is_ignored_on_public_routes(self, client: AsyncClient) -> None:
        response = await client.get("/api/ping", headers={"Authorization": "Bearer garbage"})
        assert response.status_code == 200


class TestReadiness:
    async def test_ready_without_redis(self, client: AsyncClient) -> None:
        response = await client.get("/health/ready")
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ready"
        assert body["components"]["database"]["status"] == "up"
        assert body["components"]["database"]["latency_ms"] >= 0
        assert body["components"]["redis"] == {"status": "disabled", "latency_ms": None}

    async def test_ready_with_redis(
        self, make_settings: SettingsFactory, redis_target: RedisTarget
    ) -> None:
        code, body = await get_json(make_settings(redis_url=redis_target.url), "/health/ready")
        assert code == 200
        assert body["status"] == "ready"
        assert body["components"]["redis"]["status"] == "up"  # type: ignore[index]

    async def test_degraded_when_redis_is_down(self, make_settings: SettingsFactory) -> None:
        settings = make_settings(redis_url="redis://127.0.0.1:1/0")
        code, body = await get_json(settings, "/health/ready")
        assert code == 200
        assert body["status"] == "degraded"
        assert body["components"] == {  # type: ignore[comparison-overlap]
            "database": {
                "status": "up",
                "latency_ms": body["components"]["database"]["latency_ms"],
            },  # type: ignore[index]
            "redis": {"status": "down", "latency_ms": None},
            "schema": {"status": "up", "current": code_head(), "expected": code_head()},
        }

    async def test_not_ready_when_database_is_down(self, tmp_path: Path) -> None:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            environment=Environment.TEST,
            data_dir=tmp_path,
            jwt_secret=TEST_JWT_SECRET,
            database_url="postgresql://postgres@127.0.0.1:1/nowhere",
        )
        code, body = await get_json(settings, "/health/ready")
        assert code == 503
        assert body["status"] == "not_ready"
        assert body["components"]["database"] == {"status": "down", "latency_ms": None}  # type: ignore[index]
        assert body["components"]["schema"] == {  # type: ignore[index]
            "status": "unknown",
            "current": None,
            "expected": code_head(),
        }


async def database_at(path: Path, revision: str | None) -> str:
    """A SQLite database migrated up to `revision` (None: empty), or stamped with an unknown one."""
    url = f"sqlite+aiosqlite:///{path}"
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.begin() as connection:
        if revision == "from-the-future":
            await connection.exec_driver_sql("CREATE TABLE alembic_version (version_num TEXT)")
            await connection.exec_driver_sql(
                "INSERT INTO alembic_version VALUES ('from-the-future')"
            )
        elif revision is not None:
            await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))
    await engine.dispose()
    return url


class TestSchemaReadiness:
    """Issue 16 item 6, API.md M7: production does not migrate by itself; readiness says so."""

    @pytest.mark.parametrize(
        ("revision", "position"),
        [(None, "behind"), ("0002", "behind"), ("from-the-future", "ahead")],
    )
    async def test_not_ready(
        self, make_settings: SettingsFactory, tmp_path: Path, revision: str | None, position: str
    ) -> None:
        url = await database_at(tmp_path / "other.db", revision)
        code, body = await get_json(make_settings(database_url=url), "/health/ready")
        assert code == 503
        assert body["status"] == "not_ready"
        assert body["components"]["database"]["status"] == "up"  # type: ignore[index]
        assert body["components"]["schema"] == {  # type: ignore[index]
            "status": position,
            "current": revision,
            "expected": code_head(),
        }

    async def test_ready_once_migrated(self, client: AsyncClient) -> None:
        body = (await client.get("/health/ready")).json()
        assert body["components"]["schema"] == {
            "status": "up",
            "current": code_head(),
            "expected": code_head(),
        }

    async def test_start_logs_the_command(
        self, make_settings: SettingsFactory, tmp_path: Path
    ) -> None:
        url = await database_at(tmp_path / "other.db", None)
        app = create_app(make_settings(database_url=url))  # configures logging: sink after it
        lines: list[str] = []
        sink = logger.add(lambda message: lines.append(str(message)), level="ERROR")
        try:
            async with app_lifespan(app):
                pass
        finally:
            logger.remove(sink)
        assert len(lines) == 1
        assert "intowork migrate" in lines[0]
