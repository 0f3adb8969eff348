"""Operations routes and the public ping/status."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asgi_lifespan import LifespanManager
from httpx import ASGITransport, AsyncClient

from intowork import __version__
from intowork.core.config import Environment, Settings
from intowork.main import create_app
from tests.conftest import TEST_JWT_SECRET, SettingsFactory
from tests.fixtures.redis import RedisTarget


def recent(timestamp: str) -> bool:
    assert timestamp.endswith("Z"), "timestamps are UTC with a designator"
    moment = datetime.fromisoformat(timestamp)
    return abs(datetime.now(UTC) - moment) < timedelta(minutes=1)


async def get_json(settings: Settings, path: str) -> tuple[int, dict[str, object]]:
    app = create_app(settings)
    async with LifespanManager(app):
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


class TestDocs:
    async def test_openapi_describes_the_service(self, client: AsyncClient) -> None:
        response = await client.get("/openapi.json")
        assert response.status_code == 200
        info = response.json()["info"]
        assert info["title"] == "IntoWork API"
        assert info["version"] == __version__
        assert "recruitment platform" in info["description"]

    async def test_swagger_ui(self, client: AsyncClient) -> None:
        response = await client.get("/docs")
        assert response.status_code == 200
        assert "swagger-ui" in response.text

    @pytest.mark.parametrize("path", ["/", "/health", "/api/ping", "/api/status"])
    async def test_every_operation_declares_a_response_schema(
        self, client: AsyncClient, path: str
    ) -> None:
        spec = (await client.get("/openapi.json")).json()
        content = spec["paths"][path]["get"]["responses"]["200"]["content"]
        assert "$ref" in content["application/json"]["schema"]
