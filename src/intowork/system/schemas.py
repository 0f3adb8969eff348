from datetime import datetime
from enum import StrEnum

from pydantic import Field

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


class SchemaStatus(StrEnum):
    UP = "up"
    BEHIND = "behind"
    AHEAD = "ahead"
    UNKNOWN = "unknown"  # the database did not answer


class SchemaHealth(ResponseSchema):
    """The database's Alembic revision against the one this code expects (API.md M7)."""

    status: SchemaStatus
    current: str | None
    expected: str


class ReadinessComponents(ResponseSchema):
    database: ComponentHealth
    redis: ComponentHealth
    schema_: SchemaHealth = Field(alias="schema", serialization_alias="schema")


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
