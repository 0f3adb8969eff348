"""Profile, experience, education and skill bodies and responses (API.md 6).

String limits per API.md 1.1, capped at the column width where it is narrower (`phone` is 50):
a longer value must be a 422, never a database error.

M5: the IntoWork frontend's own shapes are read too (skill levels and categories as words,
`institution` for `school`, `bio` for `summary`); responses give the stored wire values, with the
frontend's names beside the API's.
"""

import re
from datetime import date, datetime
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    AliasChoices,
    BeforeValidator,
    Field,
    StringConstraints,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
    computed_field,
    model_validator,
)
from pydantic_core import PydanticCustomError

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

# M5: the IntoWork frontend's words, read as the wire values. Exact words, as enum values are.
LEVEL_WORDS = {"beginner": 1, "intermediate": 2, "advanced": 3, "expert": 4}
CATEGORY_WORDS = {
    "technique": SkillCategory.TECHNICAL,
    "soft-skill": SkillCategory.SOFT,
    "langue": SkillCategory.LANGUAGE,
    "autre": SkillCategory.OTHER,
}
CATEGORY_NAMES = [*(category.value for category in SkillCategory), *CATEGORY_WORDS]


def _one_of(names: list[str]) -> str:
    quoted = [f"'{name}'" for name in names]
    return ", ".join(quoted[:-1]) + f" or {quoted[-1]}"


LEVEL_MESSAGE = f"Input should be an integer from 1 to 5, {_one_of(list(LEVEL_WORDS))}"
CATEGORY_MESSAGE = f"Input should be {_one_of(CATEGORY_NAMES)}"


def _skill_level(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    if isinstance(value, str) and value in LEVEL_WORDS:
        return LEVEL_WORDS[value]
    try:
        return handler(value)
    except ValidationError as error:
        # A word we do not know: the message names the words we do. Numbers keep their errors.
        if isinstance(value, str) and error.errors()[0]["type"] == "int_parsing":
            raise PydanticCustomError("skill_level", LEVEL_MESSAGE) from None
        raise


def _skill_category(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    if isinstance(value, str) and value in CATEGORY_WORDS:
        return CATEGORY_WORDS[value]
    try:
        return handler(value)
    except ValidationError:
        raise PydanticCustomError("enum", CATEGORY_MESSAGE) from None


Level = Annotated[
    Integer,
    Field(ge=1, le=5),
    WrapValidator(_skill_level),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": 5},
                {"type": "string", "enum": list(LEVEL_WORDS)},
            ]
        }
    ),
]
Category = Annotated[
    SkillCategory,
    WrapValidator(_skill_category),
    WithJsonSchema({"type": "string", "enum": CATEGORY_NAMES}),
]


def _checked_end(start_date: str, end_date: str | None, *, is_current: bool) -> str | None:
    """C2: a current entry has no end, whatever was sent; an end is never before the start."""
    if is_current:
        return None
    if end_date is not None and end_date < start_date:
        raise ValueError("end_date must not be before start_date")
    return end_date


class ProfileUpdate(RequestSchema):
    """Partial: only the keys sent change; a sent null (or "") clears the field."""

    phone: OptionalPhone = None
    location: OptionalShortText = None
    linkedin_url: OptionalUrl = None
    website_url: OptionalUrl = None
    title: OptionalShortText = None
    summary: OptionalLongText = Field(
        default=None,
        validation_alias=AliasChoices("summary", "bio"),
        description="Also read from `bio` (the IntoWork frontend's name); `summary` wins.",
    )
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
        self.end_date = _checked_end(self.start_date, self.end_date, is_current=self.is_current)
        return self


class ExperienceUpdate(ExperienceCreate):
    """Full replacement: the body of creation, omitted optionals become null."""


class EducationCreate(RequestSchema):
    degree: ShortText
    school: ShortText = Field(
        validation_alias=AliasChoices("school", "institution"),
        description="Also read from `institution` (the IntoWork frontend's name); `school` wins.",
    )
    field_of_study: OptionalShortText = None
    location: OptionalShortText = None
    start_date: YearMonth
    end_date: OptionalYearMonth = None
    is_current: bool = False
    description: OptionalLongText = None

    @model_validator(mode="after")
    def _check_dates(self) -> Self:
        self.end_date = _checked_end(self.start_date, self.end_date, is_current=self.is_current)
        return self


class EducationUpdate(EducationCreate):
    """Full replacement: the body of creation, omitted optionals become null."""


class SkillCreate(RequestSchema):
    name: SkillName
    level: Level
    category: Category


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
    field_of_study: str | None
    location: str | None
    start_date: str
    end_date: str | None
    is_current: bool
    description: str | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def institution(self) -> str:
        """`school`, under the IntoWork frontend's name (M5)."""
        return self.school


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

    @computed_field  # type: ignore[prop-decorator]
    @property
    def bio(self) -> str | None:
        """`summary`, under the IntoWork frontend's name (M5)."""
        return self.summary
