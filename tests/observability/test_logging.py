"""Production logs: one flat JSON object per line, each line of a request tagged with its id."""

import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter
from httpx import ASGITransport, AsyncClient
from loguru import logger

from intowork.core.config import Environment
from intowork.core.observability.logging import configure_logging
from intowork.main import create_app
from tests.fixtures.actors import bearer
from tests.fixtures.settings import SettingsFactory
from tests.fixtures.timing import app_lifespan

PASSWORD = "Js0n!Logs-password"
CRASH_TEXT = "probe crash: nothing personal here"
# At start: production without METRICS_TOKEN warns that /metrics is open.
LIFESPAN_EVENTS = {"app.started", "app.stopped", "metrics.open"}
ACCESS_FIELDS = {
    "timestamp",
    "level",
    "message",
    "request_id",
    "method",
    "route",
    "status",
    "duration_ms",
    "bytes",
    "module",
}

Line = dict[str, Any]


def crash_router() -> APIRouter:
    router = APIRouter(prefix="/probe")

    @router.get("/crash")
    async def crash() -> None:
        raise RuntimeError(CRASH_TEXT)

    return router


@pytest.fixture
def restore_logging(make_settings: SettingsFactory) -> Iterator[None]:
    yield
    # The production sink writes to this test's captured stdout: detach it.
    configure_logging(make_settings())


def by_request(lines: list[Line], request_id: str) -> list[Line]:
    return [line for line in lines if line.get("request_id") == request_id]


def access_line(lines: list[Line], request_id: str) -> Line:
    [line] = [x for x in by_request(lines, request_id) if x["message"] == "request.completed"]
    return line


@pytest.mark.usefixtures("restore_logging")
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
class TestProductionJsonLogs:
    async def run_flow(
        self, make_settings: SettingsFactory, capsys: pytest.CaptureFixture[str]
    ) -> tuple[list[Line], dict[str, Any]]:
        settings = make_settings(
            environment=Environment.PRODUCTION,
            jwt_secret=secrets.token_urlsafe(36),
            log_level="INFO",
        )
        assert len(settings.jwt_secret_value) == 48
        capsys.readouterr()
        app = create_app(settings)
        app.include_router(crash_router())
        async with app_lifespan(app):
            transport = ASGITransport(app=app, raise_app_exceptions=False)
            async with AsyncClient(transport=transport, base_url="http://testserver") as client:

                async def call(request_id: str, method: str, path: str, **kw: Any) -> Any:
                    headers = {"X-Request-ID": request_id, **kw.pop("headers", {})}
                    return await client.request(method, path, headers=headers, **kw)

                body = {
                    "email": "json-logs@example.com",
                    "password": PASSWORD,
                    "first_name": "Jay",
                    "last_name": "Son",
                    "role": "candidate",
                }
                signup = await call("flow-signup", "POST", "/api/auth/signup", json=body)
                assert signup.status_code == 201
                credentials = {"email": body["email"], "password": PASSWORD}
                signin = await call("flow-signin", "POST", "/api/auth/signin", json=credentials)
                token = signin.json()["access_token"]
                auth = bearer(token)
                assert (await call("flow-me", "GET", "/api/auth/me", headers=auth)).is_success
                assert (await call("flow-404", "GET", "/no/such/path")).status_code == 404
                assert (await call("flow-500", "GET", "/probe/crash")).status_code == 500
                invalid = await call("flow-422", "POST", "/api/auth/signup", json={"email": 1})
                assert invalid.status_code == 422
        await logger.complete()
        output = capsys.readouterr().out
        # Every line is one JSON object; a line that is not fails here.
        lines = [json.loads(raw) for raw in output.splitlines()]
        # The test's own HTTP client logs each call it makes, outside any request of the app.
        lines = [line for line in lines if not line["module"].startswith("httpx")]
        secrets_seen = {
            "password": PASSWORD,
            "access token": token,
            "refresh token": signin.json()["refresh_token"],
        }
        assert not [kind for kind, value in secrets_seen.items() if value in output]
        return lines, {"user_id": signup.json()["user"]["id"]}

    async def test_every_request_line_is_json_with_its_request_id(
        self, make_settings: SettingsFactory, capsys: pytest.CaptureFixture[str]
    ) -> None:
        lines, _ = await self.run_flow(make_settings, capsys)
        assert lines, "nothing was logged to stdout"
        for line in lines:
            assert {"timestamp", "level", "message", "module"} <= set(line), line
            assert line["timestamp"].endswith("Z")
        request_lines = [line for line in lines if line["message"] not in LIFESPAN_EVENTS]
        assert [line for line in request_lines if "request_id" not in line] == []
        ids = {line["request_id"] for line in request_lines}
        assert ids == {"flow-signup", "flow-signin", "flow-me", "flow-404", "flow-500", "flow-422"}
        for request_id in ids:
            assert access_line(lines, request_id)
        assert any(line["message"] == "auth.signed_up" for line in by_request(lines, "flow-signup"))

    async def test_access_lines_carry_route_status_duration_and_bytes(
        self, make_settings: SettingsFactory, capsys: pytest.CaptureFixture[str]
    ) -> None:
        lines, _ = await self.run_flow(make_settings, capsys)
        expected = {
            "flow-signup": ("POST", "/api/auth/signup", 201),
            "flow-signin": ("POST", "/api/auth/signin", 200),
            "flow-me": ("GET", "/api/auth/me", 200),
            "flow-404": ("GET", "unmatched", 404),
            "flow-500": ("GET", "/probe/crash", 500),
            "flow-422": ("POST", "/api/auth/signup", 422),
        }
        for request_id, (method, route, status) in expected.items():
            line = access_line(lines, request_id)
            assert set(line) >= ACCESS_FIELDS, line
            assert (line["method"], line["route"], line["status"]) == (method, route, status)
            assert isinstance(line["duration_ms"], float | int)
            assert line["duration_ms"] >= 0
            assert line["bytes"] > 0
            assert line["level"] == "INFO"

    async def test_user_id_once_authenticated(
        self, make_settings: SettingsFactory, capsys: pytest.CaptureFixture[str]
    ) -> None:
        lines, ids = await self.run_flow(make_settings, capsys)
        assert access_line(lines, "flow-me")["user_id"] == ids["user_id"]
        signed_in = [
            x for x in by_request(lines, "flow-signin") if x["message"] == "auth.signed_in"
        ]
        assert [line["user_id"] for line in signed_in] == [ids["user_id"]]
        for anonymous in ("flow-404", "flow-500", "flow-422"):
            assert "user_id" not in access_line(lines, anonymous)

    async def test_the_500_has_its_exception_and_traceback_as_a_field(
        self, make_settings: SettingsFactory, capsys: pytest.CaptureFixture[str]
    ) -> None:
        lines, _ = await self.run_flow(make_settings, capsys)
        [error] = [x for x in by_request(lines, "flow-500") if x["message"] != "request.completed"]
        assert error["message"] == "request.unhandled_error"
        assert error["level"] == "ERROR"
        assert error["route"] == "/probe/crash"
        exception = error["exception"]
        assert (exception["type"], exception["message"]) == ("RuntimeError", CRASH_TEXT)
        assert exception["traceback"].startswith("Traceback (most recent call last):")
        assert "in crash" in exception["traceback"]


@pytest.mark.usefixtures("restore_logging")
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_log_dir_gets_the_json_lines_too(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    settings = make_settings(log_dir=tmp_path / "logs", log_level="INFO")
    app = create_app(settings)
    async with app_lifespan(app):
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://testserver") as client:
            await client.get("/api/ping", headers={"X-Request-ID": "to-the-file"})
    await logger.complete()
    text = (tmp_path / "logs" / "intowork.log").read_text()
    lines = [json.loads(raw) for raw in text.splitlines()]
    assert access_line(lines, "to-the-file")["route"] == "/api/ping"
