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


# Primary keys are 32-bit integers (PostgreSQL `integer`): a larger id can only be "not found".
MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _lower(value: str) -> str:
    return value.lower()


# Validated, then lowercased: e-mails are stored and compared lowercased (API.md 1.1).
Email = Annotated[EmailStr, Field(max_length=254), AfterValidator(_lower)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
