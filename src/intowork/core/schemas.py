"""Base classes every request and response schema derives from."""

from pydantic import BaseModel, ConfigDict


class ResponseSchema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class RequestSchema(BaseModel):
    """Strings trimmed; unknown keys ignored (API.md 1.1)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")


class MessageResponse(ResponseSchema):
    message: str
