"""Liveness, readiness and the static service description."""

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from datetime import datetime

from loguru import logger
from redis.asyncio import Redis
from sqlalchemy import text

from intowork import __version__
from intowork.core.db import Database
from intowork.core.migrations import SchemaPosition, SchemaState, code_head, schema_state
from intowork.system.schemas import (
    ComponentHealth,
    ComponentStatus,
    ReadinessComponents,
    ReadinessResponse,
    ReadinessStatus,
    SchemaHealth,
    SchemaStatus,
)

SERVICE_NAME = "intowork-api"
CHECK_TIMEOUT_SECONDS = 2.0

FEATURES = [
    "accounts",
    "companies",
    "jobs",
    "candidate-profiles",
    "cvs",
    "applications",
    "notifications",
    "dashboards",
    "admin",
]
NEXT = ["messaging", "job-alerts"]

# /health's answer is all constant but its timestamp: encoded once, not validated and encoded
# by pydantic on every probe (HealthResponse still documents it).
_HEALTH_HEAD = (
    json.dumps(
        {"status": "healthy", "service": SERVICE_NAME, "version": __version__},
        separators=(",", ":"),
    )[:-1]
    + ',"timestamp":"'
).encode()


def health_body(now: datetime) -> bytes:
    """HealthResponse's JSON at `now` (UTC), as pydantic writes it: `...T01:02:03.456789Z`."""
    return _HEALTH_HEAD + now.isoformat().replace("+00:00", "Z").encode() + b'"}'


async def check_readiness(database: Database, redis: Redis | None) -> ReadinessResponse:
    schema_states: list[SchemaState] = []

    async def check_database() -> None:
        async with database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            schema_states.append(await schema_state(connection))

    db_health, redis_health = await asyncio.gather(
        _timed_check("database", check_database),
        _timed_check("redis", redis.ping) if redis is not None else _disabled(),
    )
    schema = _schema_health(schema_states[0] if schema_states else None)
    if db_health.status is not ComponentStatus.UP or schema.status is not SchemaStatus.UP:
        status = ReadinessStatus.NOT_READY
    elif redis_health.status is ComponentStatus.DOWN:
        status = ReadinessStatus.DEGRADED
    else:
        status = ReadinessStatus.READY
    return ReadinessResponse(
        status=status,
        components=ReadinessComponents(database=db_health, redis=redis_health, schema=schema),
    )


def _schema_health(state: SchemaState | None) -> SchemaHealth:
    if state is None:
        return SchemaHealth(status=SchemaStatus.UNKNOWN, current=None, expected=code_head())
    return SchemaHealth(
        status=SchemaStatus(state.position.value), current=state.current, expected=state.expected
    )


async def log_schema_state(database: Database) -> None:
    """At start: one clear ERROR line when the schema is not the code's (production does not
    migrate by itself), naming the command to run."""
    try:
        async with database.engine.connect() as connection:
            state = await schema_state(connection)
    except Exception as exc:
        logger.bind(error=type(exc).__name__).warning("db.schema_check_failed")
        return
    if state.position is SchemaPosition.BEHIND:
        logger.bind(current=state.current, expected=state.expected).error(
            "db.schema_behind: run `intowork migrate` before serving this version"
        )
    elif state.position is SchemaPosition.AHEAD:
        logger.bind(current=state.current, expected=state.expected).error(
            "db.schema_ahead: the database was migrated by a newer version of IntoWork"
        )


async def _timed_check(name: str, check: Callable[[], Awaitable[object]]) -> ComponentHealth:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            await check()
    except Exception as exc:
        logger.bind(component=name, error=type(exc).__name__).warning("readiness.check_failed")
        return ComponentHealth(status=ComponentStatus.DOWN, latency_ms=None)
    latency_ms = round((time.perf_counter() - started) * 1000, 2)
    return ComponentHealth(status=ComponentStatus.UP, latency_ms=latency_ms)


async def _disabled() -> ComponentHealth:
    return ComponentHealth(status=ComponentStatus.DISABLED, latency_ms=None)
