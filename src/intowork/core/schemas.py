"""Base classes every request and response schema derives from."""

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StringConstraints


class ResponseSchema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class RequestSchema(BaseModel):
    """Strings trimmed; unknown keys ignored (API.md 1.1)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")


class MessageResponse(ResponseSchema):
    message: str


# Integer columns are 32-bit (PostgreSQL `integer`): a larger number is a 422, never an overflow,
# and a larger id can only be "not found".
MAX_INT32 = 2**31 - 1
MAX_ID = MAX_INT32
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def empty_is_none(value: str | None) -> str | None:
    return value or None


# Optional strings at the limits of API.md 1.1; an empty one is stored as null.
OptionalShortText = Annotated[
    str | None, StringConstraints(max_length=200), AfterValidator(empty_is_none)
]
OptionalUrl = Annotated[
    str | None, StringConstraints(max_length=500), AfterValidator(empty_is_none)
]
OptionalLongText = Annotated[
    str | None, StringConstraints(max_length=20_000), AfterValidator(empty_is_none)
]


def _lower(value: str) -> str:
    return value.lower()


# Validated, then lowercased: e-mails are stored and compared lowercased (API.md 1.1).
Email = Annotated[EmailStr, Field(max_length=254), AfterValidator(_lower)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
