"""Operations routes (no /api prefix) and the public /api ping and status."""

from datetime import UTC, datetime
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Header, Response, status
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from intowork import __version__
from intowork.core.config import SettingsDep
from intowork.core.db import DatabaseDep
from intowork.core.errors import Unauthorized
from intowork.core.observability.metrics import render_metrics, valid_metrics_token
from intowork.core.ratelimit import RateLimit, Tier
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
async def read_health() -> Response:
    """Liveness: answers without touching any dependency."""
    return Response(service.health_body(datetime.now(UTC)), media_type="application/json")


@operations_router.get(
    "/health/ready",
    response_model=ReadinessResponse,
    responses={
        503: {
            "model": ReadinessResponse,
            "description": "The database is unreachable, or its schema is not this code's",
        }
    },
)
async def read_readiness(
    database: DatabaseDep, redis: RedisDep, response: Response
) -> ReadinessResponse:
    """Readiness: the database (at this code's schema revision) and Redis (when configured)
    answer within 2 s each."""
    readiness = await service.check_readiness(database, redis)
    if readiness.status is ReadinessStatus.NOT_READY:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return readiness


class InvalidMetricsToken(Unauthorized):
    detail = "Invalid metrics token"


async def require_metrics_token(
    settings: SettingsDep, authorization: Annotated[str | None, Header()] = None
) -> None:
    """With METRICS_TOKEN set, /metrics wants `Authorization: Bearer <METRICS_TOKEN>`."""
    if settings.metrics_token is None:
        return
    if not valid_metrics_token(settings.metrics_token.get_secret_value(), authorization):
        raise InvalidMetricsToken()


MetricsAccess = Annotated[None, Depends(require_metrics_token)]


@operations_router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {"content": {CONTENT_TYPE_PLAIN_0_0_4: {}}, "description": "Prometheus text format"},
        401: {"description": "METRICS_TOKEN is set and the bearer token does not match it"},
    },
)
async def read_metrics(_access: MetricsAccess, database: DatabaseDep) -> Response:
    """Prometheus metrics (every worker's, in multiprocess mode)."""
    # Rendering walks every series: off the event loop.
    body = await anyio.to_thread.run_sync(render_metrics, database.engine)
    return Response(content=body, media_type=CONTENT_TYPE_PLAIN_0_0_4)


@api_router.get("/ping", response_model=PingResponse, dependencies=[RateLimit(Tier.DEFAULT)])
async def ping() -> PingResponse:
    """Public ping."""
    return PingResponse(ping="pong", timestamp=datetime.now(UTC), service=service.SERVICE_NAME)


@api_router.get("/status", response_model=StatusResponse, dependencies=[RateLimit(Tier.DEFAULT)])
async def read_status() -> StatusResponse:
    """Static description of what the API offers."""
    return StatusResponse(
        status="operational", phase="v1", features=service.FEATURES, next=service.NEXT
    )
