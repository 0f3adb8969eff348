"""Operations routes (no /api prefix) and the public /api ping and status."""

from datetime import UTC, datetime

from fastapi import APIRouter, Response, status

from intowork import __version__
from intowork.core.db import DatabaseDep
from intowork.core.redis import RedisDep
from intowork.system import service
from intowork.system.schemas import (
    HealthResponse,
    PingResponse,
    ReadinessResponse,
    ReadinessStatus,
    RootResponse,
    StatusResponse,
)

operations_router = APIRouter(tags=["operations"])
api_router = APIRouter(prefix="/api", tags=["system"])


@operations_router.get("/", response_model=RootResponse)
async def read_root() -> RootResponse:
    """Service name, version and where the documentation is."""
    return RootResponse(service=service.SERVICE_NAME, version=__version__, docs="/docs")


@operations_router.get("/health", response_model=HealthResponse)
async def read_health() -> HealthResponse:
    """Liveness: answers without touching any dependency."""
    return HealthResponse(
        status="healthy",
        service=service.SERVICE_NAME,
        version=__version__,
        timestamp=datetime.now(UTC),
    )


@operations_router.get(
    "/health/ready",
    response_model=ReadinessResponse,
    responses={503: {"model": ReadinessResponse, "description": "The database is unreachable"}},
)
async def read_readiness(
    database: DatabaseDep, redis: RedisDep, response: Response
) -> ReadinessResponse:
    """Readiness: the database and Redis (when configured) answer within 2 s each."""
    readiness = await service.check_readiness(database, redis)
    if readiness.status is ReadinessStatus.NOT_READY:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return readiness


@api_router.get("/ping", response_model=PingResponse)
async def ping() -> PingResponse:
    """Public ping."""
    return PingResponse(ping="pong", timestamp=datetime.now(UTC), service=service.SERVICE_NAME)


@api_router.get("/status", response_model=StatusResponse)
async def read_status() -> StatusResponse:
    """Static description of what the API offers."""
    return StatusResponse(
        status="operational", phase="v1", features=service.FEATURES, next=service.NEXT
    )
