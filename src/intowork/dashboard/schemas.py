from datetime import datetime
from typing import Literal

from pydantic import Field

from intowork.core.schemas import ResponseSchema
from intowork.models.enums import JobStatus


class Stat(ResponseSchema):
    title: str
    value: str
    change: str
    change_type: Literal["increase", "neutral"] = Field(serialization_alias="changeType")
    color: Literal["blue", "green", "purple", "orange"]


class Activity(ResponseSchema):
    id: str
    action: str
    target: str
    time: str
    type: Literal["application", "status_change", "job"]
    timestamp: datetime


class DashboardResponse(ResponseSchema):
    stats: list[Stat]
    recent_activities: list[Activity] = Field(serialization_alias="recentActivities")
    profile_completion: int = Field(serialization_alias="profileCompletion")


class FunnelStages(ResponseSchema):
    applied: int
    viewed: int
    shortlisted: int
    interview: int
    accepted: int
    rejected: int


class ConversionRates(ResponseSchema):
    viewed: float
    shortlisted: float
    interview: float
    accepted: float


class FunnelJob(ResponseSchema):
    job_id: int
    job_title: str
    status: JobStatus
    total_applications: int
    stages: FunnelStages


class FunnelResponse(ResponseSchema):
    total_applications: int
    stages: FunnelStages
    reached: FunnelStages
    conversion_rates: ConversionRates
    median_days_to_interview: float | None
    jobs: list[FunnelJob]
