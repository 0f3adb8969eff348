"""Base classes every request and response schema derives from."""

from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic_core import PydanticCustomError

NUL_ERROR_TYPE = "string_nul"
NUL_ERROR_MESSAGE = "String should not contain NUL characters"


def contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple | set | frozenset):
        return any(contains_nul(item) for item in value)
    if isinstance(value, dict):
        return any(contains_nul(key) or contains_nul(item) for key, item in value.items())
    return False


class ResponseSchema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class RequestSchema(BaseModel):
    """Strings trimmed; unknown keys ignored (API.md 1.1); no NUL character in any string.

    PostgreSQL text cannot hold a NUL (the insert would fail) while SQLite stores it: refused
    here, a NUL is the same 422 on both engines, whatever field it is sent in.
    """

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        if contains_nul(value):
            raise PydanticCustomError(NUL_ERROR_TYPE, NUL_ERROR_MESSAGE)
        return value


class MessageResponse(ResponseSchema):
    message: str


def _refuse_nul_text(value: str | None) -> str | None:
    if value is not None and "\x00" in value:
        raise PydanticCustomError(NUL_ERROR_TYPE, NUL_ERROR_MESSAGE)
    return value


# A text query parameter (search, filter): a NUL is a 422 there too, on both engines (SQLite's
# LIKE would read its pattern only up to the NUL; PostgreSQL would refuse the parameter).
NulFree = AfterValidator(_refuse_nul_text)


def _refuse_bool(value: Any) -> Any:
    # Lax validation reads JSON `true` as 1: `{"job_id": true}` would apply to job 1.
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


# An integer of a request body: a number (or a numeric string), never a boolean.
Integer = Annotated[int, BeforeValidator(_refuse_bool)]

# Integer columns are 32-bit (PostgreSQL `integer`): a larger number is a 422, never an overflow,
# and a larger id can only be "not found".
MAX_INT32 = 2**31 - 1
MAX_ID = MAX_INT32
Id = Annotated[Integer, Field(ge=1, le=MAX_ID)]


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
