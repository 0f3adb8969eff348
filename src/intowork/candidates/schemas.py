"""Profile, experience, education and skill bodies and responses (API.md 6).

String limits per API.md 1.1, capped at the column width where it is narrower (`phone` is 50):
a longer value must be a 422, never a database error.
"""

import re
from datetime import date, datetime
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, model_validator

from intowork.candidates.exceptions import SALARY_RANGE_MESSAGE
from intowork.core.schemas import (
    MAX_INT32,
    Integer,
    OptionalLongText,
    OptionalShortText,
    OptionalUrl,
    RequestSchema,
    ResponseSchema,
    empty_is_none,
)
from intowork.models.enums import SkillCategory

INT_MAX = MAX_INT32
# ASCII digits only: `\d` would let other scripts' digits into the stored string.
DATE_PATTERN = re.compile(r"([0-9]{4})-([0-9]{2})(?:-([0-9]{2}))?")


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _year_month(value: str) -> str:
    """C2: "YYYY-MM" as stored; "YYYY-MM-DD" is accepted (a real date) and truncated."""
    match = DATE_PATTERN.fullmatch(value)
    if match is None:
        raise ValueError("must be a date as YYYY-MM or YYYY-MM-DD")
    year, month, day = match.groups()
    try:
        date(int(year), int(month), int(day or "1"))
    except ValueError:
        raise ValueError("is not a valid date") from None
    return f"{year}-{month}"


ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
SkillName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
OptionalPhone = Annotated[
    str | None, StringConstraints(max_length=50), AfterValidator(empty_is_none)
]
Count = Annotated[Integer, Field(ge=0, le=INT_MAX)]
YearMonth = Annotated[str, StringConstraints(max_length=10), AfterValidator(_year_month)]
# "" in an optional date means "no date" (C2).
OptionalYearMonth = Annotated[YearMonth | None, BeforeValidator(_blank_is_none)]
Level = Annotated[Integer, Field(ge=1, le=5)]


class ProfileUpdate(RequestSchema):
    """Partial: only the keys sent change; a sent null (or "") clears the field."""

    phone: OptionalPhone = None
    location: OptionalShortText = None
    linkedin_url: OptionalUrl = None
    website_url: OptionalUrl = None
    title: OptionalShortText = None
    summary: OptionalLongText = None
    years_experience: Count | None = None
    salary_expectation_min: Count | None = None
    salary_expectation_max: Count | None = None

    @model_validator(mode="after")
    def _check_salaries(self) -> Self:
        low, high = self.salary_expectation_min, self.salary_expectation_max
        if low is not None and high is not None and low > high:
            raise ValueError(SALARY_RANGE_MESSAGE)
        return self


class ExperienceCreate(RequestSchema):
    title: ShortText
    company: ShortText
    location: OptionalShortText = None
    start_date: YearMonth
    end_date: OptionalYearMonth = None
    is_current: bool = False
    description: OptionalLongText = None

    @model_validator(mode="after")
    def _check_dates(self) -> Self:
        if self.is_current:
            # A current position has no end, whatever was sent (C2).
            self.end_date = None
        elif self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("end_date must not be before start_date")
        return self


class ExperienceUpdate(ExperienceCreate):
    """Full replacement: the body of creation, omitted optionals become null."""


class EducationCreate(RequestSchema):
    degree: ShortText
    school: ShortText
    location: OptionalShortText = None
    start_date: YearMonth
    end_date: YearMonth
    description: OptionalLongText = None

    @model_validator(mode="after")
    def _check_dates(self) -> Self:
        if self.end_date < self.start_date:
            raise ValueError("end_date must not be before start_date")
        return self


class EducationUpdate(EducationCreate):
    """Full replacement: the body of creation, omitted optionals become null."""


class SkillCreate(RequestSchema):
    name: SkillName
    level: Level
    category: SkillCategory


class SkillUpdate(SkillCreate):
    """Full replacement: the body of creation."""


class ExperienceResponse(ResponseSchema):
    id: int
    title: str
    company: str
    location: str | None
    start_date: str
    end_date: str | None
    is_current: bool
    description: str | None


class EducationResponse(ResponseSchema):
    id: int
    degree: str
    school: str
    location: str | None
    start_date: str
    end_date: str
    description: str | None


class SkillResponse(ResponseSchema):
    id: int
    name: str
    level: int
    category: SkillCategory


class CandidateProfile(ResponseSchema):
    id: int
    user_id: int
    phone: str | None
    location: str | None
    linkedin_url: str | None
    website_url: str | None
    title: str | None
    summary: str | None
    years_experience: int | None
    salary_expectation_min: int | None
    salary_expectation_max: int | None
    cv_url: str | None
    cv_filename: str | None
    cv_uploaded_at: datetime | None
    experiences: list[ExperienceResponse]
    educations: list[EducationResponse]
    skills: list[SkillResponse]
