from datetime import datetime
from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, StringConstraints, computed_field, field_validator, model_validator
from pydantic.config import JsonDict

from intowork.core.schemas import (
    MAX_INT32,
    Integer,
    OptionalLongText,
    OptionalShortText,
    RequestSchema,
    ResponseSchema,
)
from intowork.models.enums import JobLocation, JobStatus, JobType

SALARY_MAX = MAX_INT32
# A list shows this much of a description, then "...".
LIST_DESCRIPTION_LENGTH = 300
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]

Salary = Annotated[Integer, Field(ge=0, le=SALARY_MAX)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class NewJobStatus(StrEnum):
    """A job is created as a draft or published; other statuses come with the lifecycle."""

    DRAFT = JobStatus.DRAFT.value
    PUBLISHED = JobStatus.PUBLISHED.value


class JobSort(StrEnum):
    RECENT = "recent"
    RELEVANCE = "relevance"


class JobUpdate(RequestSchema):
    """Full replacement (J5): omitted optionals become null, the currency "EUR"."""

    title: Title
    description: LongText
    location: OptionalShortText = None
    location_type: JobLocation = JobLocation.ON_SITE
    job_type: JobType = JobType.FULL_TIME
    salary_min: Salary | None = None
    salary_max: Salary | None = None
    currency: Currency | None = "EUR"
    requirements: OptionalLongText = None
    responsibilities: OptionalLongText = None
    benefits: OptionalLongText = None

    @model_validator(mode="after")
    def _check_salaries(self) -> Self:
        if (
            self.salary_min is not None
            and self.salary_max is not None
            and self.salary_min > self.salary_max
        ):
            raise ValueError("salary_min must not be greater than salary_max")
        if self.currency is None:
            self.currency = "EUR"
        return self


class JobCreate(JobUpdate):
    status: NewJobStatus = NewJobStatus.PUBLISHED


class JobStatusUpdate(RequestSchema):
    status: JobStatus


class JobFields(ResponseSchema):
    """A job as every response shows it, validated from a row's attributes."""

    id: int
    title: str
    description: str
    company_name: str
    company_logo_url: str | None
    location: str | None
    location_type: JobLocation
    job_type: JobType
    salary_min: int | None
    salary_max: int | None
    currency: str
    posted_at: datetime | None
    is_featured: bool
    views_count: int
    applications_count: int
    has_applied: bool
    status: JobStatus


# A job in a list (no docstring: it would show in the OpenAPI schema).
class JobItem(JobFields):
    @field_validator("description")
    @classmethod
    def _shortened(cls, description: str) -> str:
        if len(description) > LIST_DESCRIPTION_LENGTH:
            return description[:LIST_DESCRIPTION_LENGTH] + "..."
        return description


class JobResponse(JobFields):
    """Create, update and status change: the full description, `has_applied` false."""


def _plain_property(schema: JsonDict) -> None:
    """A computed field's JSON schema as a stored field's: the OpenAPI document stays as it was
    (pydantic marks computed fields `readOnly`)."""
    schema.pop("readOnly", None)


class JobDetailResponse(JobFields):
    requirements: str | None
    responsibilities: str | None
    benefits: str | None
    company_description: str | None
    company_industry: str | None
    company_size: str | None
    created_at: datetime

    @computed_field(json_schema_extra=_plain_property)  # type: ignore[prop-decorator]
    @property
    def employment_type(self) -> JobType:
        return self.job_type

    @computed_field(json_schema_extra=_plain_property)  # type: ignore[prop-decorator]
    @property
    def salary_range(self) -> str | None:
        if self.salary_min is None or self.salary_max is None:
            return None
        return f"{self.salary_min} - {self.salary_max} {self.currency}"


class JobListResponse(ResponseSchema):
    jobs: list[JobItem]
    total: int
    page: int
    limit: int
    total_pages: int
    # The public list counts exactly up to JOB_LIST_COUNT_CAP matches (or the asked page's end);
    # past it, `total` is that bound, a lower bound of the true count, and this is true.
    total_is_estimate: bool = False


class RecentJobsResponse(ResponseSchema):
    count: int
    days: int
