"""Liveness, readiness and the static service description."""

import asyncio
import time
from collections.abc import Awaitable, Callable

from loguru import logger
from redis.asyncio import Redis
from sqlalchemy import text

from intowork.core.db import Database
from intowork.system.schemas import (
    ComponentHealth,
    ComponentStatus,
    ReadinessComponents,
    ReadinessResponse,
    ReadinessStatus,
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


async def check_readiness(database: Database, redis: Redis | None) -> ReadinessResponse:
    async def ping_database() -> None:
        async with database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    db_health, redis_health = await asyncio.gather(
        _timed_check("database", ping_database),
        _timed_check("redis", redis.ping) if redis is not None else _disabled(),
    )
    if db_health.status is not ComponentStatus.UP:
        status = ReadinessStatus.NOT_READY
    elif redis_health.status is ComponentStatus.DOWN:
        status = ReadinessStatus.DEGRADED
    else:
        status = ReadinessStatus.READY
    return ReadinessResponse(
        status=status,
        components=ReadinessComponents(database=db_health, redis=redis_health),
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
