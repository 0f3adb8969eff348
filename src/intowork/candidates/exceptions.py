from fastapi.exceptions import RequestValidationError

from intowork.core.errors import NotFound

SALARY_RANGE_MESSAGE = "salary_expectation_min must not be greater than salary_expectation_max"


class ExperienceNotFound(NotFound):
    detail = "Experience not found"


class EducationNotFound(NotFound):
    detail = "Education not found"


class SkillNotFound(NotFound):
    detail = "Skill not found"


class SalaryRangeInvalid(RequestValidationError):
    """A 422 in FastAPI's own shape (API.md 1.3), raised by the service rather than a schema.

    A body sending one bound is valid alone; only the service sees the stored other bound.
    """

    def __init__(self) -> None:
        super().__init__(
            [
                {
                    "type": "value_error",
                    "loc": ("body",),
                    "msg": f"Value error, {SALARY_RANGE_MESSAGE}",
                }
            ]
        )
