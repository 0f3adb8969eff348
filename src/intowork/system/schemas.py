from datetime import datetime
from enum import StrEnum

from intowork.core.schemas import ResponseSchema


class RootResponse(ResponseSchema):
    service: str
    version: str
    docs: str


class HealthResponse(ResponseSchema):
    status: str
    service: str
    version: str
    timestamp: datetime


class ComponentStatus(StrEnum):
    UP = "up"
    DOWN = "down"
    DISABLED = "disabled"


class ReadinessStatus(StrEnum):
    READY = "ready"
    DEGRADED = "degraded"
    NOT_READY = "not_ready"


class ComponentHealth(ResponseSchema):
    status: ComponentStatus
    latency_ms: float | None


class ReadinessComponents(ResponseSchema):
    database: ComponentHealth
    redis: ComponentHealth


class ReadinessResponse(ResponseSchema):
    status: ReadinessStatus
    components: ReadinessComponents


class PingResponse(ResponseSchema):
    ping: str
    timestamp: datetime
    service: str


class StatusResponse(ResponseSchema):
    status: str
    phase: str
    features: list[str]
    next: list[str]
