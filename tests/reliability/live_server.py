"""A real `intowork serve` for the schemathesis tests (tests/reliability/test_schemathesis.py): its
scratch database, the process on a free port, the world it holds and the figures of a run."""

import asyncio
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url

from intowork.core.config import Environment, Settings
from tests.cli.test_cli import INTOWORK, cli_environment, free_port
from tests.fixtures.databases import create_database, drop_database
from tests.fixtures.services import TEST_DATABASE_URL, service_missing
from tests.fixtures.settings import TEST_JWT_SECRET
from tests.fixtures.timing import wait_for_http
from tests.fixtures.tokens import access_token
from tests.reliability.schemathesis_world import PDF, reset_world

T = TypeVar("T")
SETTINGS = Settings(
    _env_file=None,  # type: ignore[call-arg]
    environment=Environment.TEST,
    jwt_secret=TEST_JWT_SECRET,
    database_url="sqlite+aiosqlite://",
    rate_limit_enabled=False,
    log_level="WARNING",
    default_language="en",
)
ERROR_LINE = re.compile(r"^\S+ +(ERROR|CRITICAL) ")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Runs database work from the synchronous tests, on an event loop of its own."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def served_by_status(metrics: str) -> dict[str, float]:
    """Requests the server answered, by status class, from its own /metrics."""
    served: dict[str, float] = {}
    for family in text_string_to_metric_families(metrics):
        for sample in family.samples:
            if sample.name == "intowork_http_request_duration_seconds_count":
                status = sample.labels["status"]
                served[status] = served.get(status, 0) + sample.value
    return served


@dataclass
class LiveServer:
    engine_name: str
    base_url: str
    database_url: str
    data_dir: Path
    log: Path
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
    started: float = field(default_factory=time.monotonic)
    # Read from its /metrics just before it stops.
    served: dict[str, float] = field(default_factory=dict)

    def reset_world(self) -> None:
        started = time.monotonic()
        cv_dir = self.data_dir / "cvs"
        cv_keys = [f"{uuid.uuid4().hex}.pdf" for _ in range(2)]
        for key in cv_keys:
            (cv_dir / key).write_bytes(PDF)
        values, principals = run_async(reset_world(self.database_url, cv_keys))
        now = datetime.now(UTC)
        self.tokens = {
            caller: access_token(user, SETTINGS, now=now) for caller, user in principals.items()
        }
        self.realistic = values
        self.dirty = False
        self.resets += 1
        self.reset_seconds += time.monotonic() - started

    def figures(self) -> str:
        examples = sorted(self.examples_by_operation.values()) or [0]
        served = self.served
        return (
            f"\nschemathesis[{self.engine_name}]: {len(self.examples_by_operation)} operations, "
            f"{examples[0]}-{examples[len(examples) // 2]}-{examples[-1]} examples "
            f"(min-median-max), {len(self.answered_2xx)} with a 2xx, {self.requests} requests "
            f"sent ({sum(served.values()):.0f} served: {dict(sorted(served.items()))}), "
            f"{self.resets} worlds ({self.reset_seconds:.1f} s), "
            f"{time.monotonic() - self.started:.1f} s; never 2xx: "
            f"{', '.join(sorted(set(self.examples_by_operation) - self.answered_2xx)) or '-'}"
        )

    def logged_errors(self) -> list[str]:
        return [
            line
            for line in self.log.read_text(errors="replace").splitlines()
            if ERROR_LINE.match(line)
        ]


@contextmanager
def scratch_database(
    kind: str, tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[str]:
    """An empty database: a SQLite file, or a PostgreSQL database created beside
    TEST_DATABASE_URL's and dropped afterwards."""
    if kind == "sqlite":
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


@contextmanager
def serve(database_url: str, directory: Path) -> Iterator[LiveServer]:
    """`intowork serve` (which migrates the database first) on a free port, logging to
    `directory`; stopped on exit, once its /metrics are read into `served`."""
    env = cli_environment(directory / "data", database_url)
    env.update(
        {
            "ENVIRONMENT": "test",
            "RATE_LIMIT_ENABLED": "false",
            "EMAIL_WORKER_IN_PROCESS": "false",
            "DEFAULT_LANGUAGE": "en",
        }
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
        engine_name=make_url(database_url).get_backend_name(),
        base_url=f"http://127.0.0.1:{port}",
        database_url=database_url,
        data_dir=directory / "data",
        log=log,
    )
    try:
        wait_for_http(f"{server.base_url}/health", process=process)
        yield server
        metrics = server.http.get(f"{server.base_url}/metrics", timeout=10).text
        server.served = served_by_status(metrics)
    finally:
        process.terminate()
        process.wait(timeout=30)
        server.http.close()
