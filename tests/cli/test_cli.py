"""The `intowork` command, run as a user runs it: a real process reading the environment."""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.security import password_hash
from intowork.models import User
from intowork.models.enums import UserRole
from tests.fixtures.settings import TEST_JWT_SECRET
from tests.fixtures.timing import patient, wait_for_http

STRONG_PASSWORD = "Admin-Password-2026!"
INTOWORK = [sys.executable, "-m", "intowork"]


def cli_environment(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "ENVIRONMENT", "PORT", "JWT_SECRET"}
    }
    env.update({"DATA_DIR": str(data_dir), "JWT_SECRET": TEST_JWT_SECRET, "LOG_LEVEL": "WARNING"})
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    return env


def run_cli(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [*INTOWORK, *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=patient(60),
        check=False,
    )


class TestCreateAdmin:
    async def test_with_flags(
        self, database_url: str, tmp_path: Path, session: AsyncSession
    ) -> None:
        result = run_cli(
            "create-admin",
            "--email",
            "Boss@Example.com",
            "--password",
            STRONG_PASSWORD,
            "--first-name",
            "Grace",
            "--last-name",
            "Hopper",
            env=cli_environment(tmp_path, database_url),
        )
        assert result.returncode == 0, result.stderr
        admin = await session.scalar(select(User).where(User.email == "boss@example.com"))
        assert admin is not None
        assert (admin.role, admin.first_name, admin.is_active) == (UserRole.ADMIN, "Grace", True)
        assert admin.password_hash is not None
        assert admin.password_hash.startswith("$argon2id$")
        assert password_hash.verify(STRONG_PASSWORD, admin.password_hash)

    async def test_prompts_for_what_is_missing(
        self, database_url: str, tmp_path: Path, session: AsyncSession
    ) -> None:
        answers = f"ops@example.com\n{STRONG_PASSWORD}\n{STRONG_PASSWORD}\nAlan\nTuring\n"
        result = run_cli("create-admin", env=cli_environment(tmp_path, database_url), stdin=answers)
        assert result.returncode == 0, result.stderr
        admin = await session.scalar(select(User).where(User.email == "ops@example.com"))
        assert admin is not None
        assert (admin.first_name, admin.last_name) == ("Alan", "Turing")

    async def test_weak_password_refused(
        self, database_url: str, tmp_path: Path, session: AsyncSession
    ) -> None:
        result = run_cli(
            "create-admin",
            "--email",
            "weak@example.com",
            "--password",
            "password",
            "--first-name",
            "W",
            "--last-name",
            "K",
            env=cli_environment(tmp_path, database_url),
        )
        assert result.returncode == 1
        assert "Password must be at least 12 characters long" in result.stderr
        assert await session.scalar(select(User).where(User.email == "weak@example.com")) is None

    async def test_duplicate_email_refused(self, database_url: str, tmp_path: Path) -> None:
        env = cli_environment(tmp_path, database_url)
        args = [
            "create-admin",
            "--email",
            "twice@example.com",
            "--password",
            STRONG_PASSWORD,
            "--first-name",
            "T",
            "--last-name",
            "W",
        ]
        assert run_cli(*args, env=env).returncode == 0
        second = run_cli(*args, env=env)
        assert second.returncode == 1
        assert "Email already registered" in second.stderr


class TestMigrate:
    def test_builds_an_empty_database(self, tmp_path: Path) -> None:
        result = run_cli("migrate", env=cli_environment(tmp_path))
        assert result.returncode == 0, result.stderr
        assert (tmp_path / "intowork.db").is_file()
        again = run_cli("migrate", env=cli_environment(tmp_path))
        assert again.returncode == 0, again.stderr

    def test_production_without_secret_refuses_with_a_clear_message(self, tmp_path: Path) -> None:
        env = cli_environment(tmp_path)
        env.pop("JWT_SECRET")
        env.pop("NEXTAUTH_SECRET", None)
        env["ENVIRONMENT"] = "production"
        result = run_cli("migrate", env=env)
        assert result.returncode == 2
        assert "JWT_SECRET (or NEXTAUTH_SECRET) must be set" in result.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class TestServe:
    @pytest.mark.parametrize("port_from", ["flag", "PORT"])
    def test_migrates_and_serves_on_embedded_defaults(self, tmp_path: Path, port_from: str) -> None:
        port = free_port()
        env = cli_environment(tmp_path)
        args = ["serve"]
        if port_from == "flag":
            args += ["--port", str(port)]
        else:
            env["PORT"] = str(port)
        server = subprocess.Popen(  # noqa: S603
            [*INTOWORK, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            health = wait_for_http(f"http://127.0.0.1:{port}/health", process=server)
            assert health.json()["status"] == "healthy"
            ready = httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=patient(10))
            assert ready.json()["components"]["database"]["status"] == "up"
            docs = httpx.get(f"http://127.0.0.1:{port}/docs", timeout=patient(10))
            assert docs.status_code == 200
            assert (tmp_path / "intowork.db").is_file()
        finally:
            server.terminate()
            _, errors = server.communicate(timeout=patient(60))
        # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status reports it.
        assert server.returncode in {0, -signal.SIGTERM}
        assert b"Traceback" not in errors
