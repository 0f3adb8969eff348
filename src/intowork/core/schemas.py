"""Base classes every request and response schema derives from."""

import re
import unicodedata
from typing import Annotated, Any

from fastapi import Path
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    field_validator,
)
from pydantic_core import PydanticCustomError

from intowork.core.i18n import gettext

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


def _translated(message: str) -> str:
    return gettext(message)


# A human-readable answer (`{"message": ...}`), given in the request's language (API.md M1).
Message = Annotated[str, AfterValidator(_translated)]


class MessageResponse(ResponseSchema):
    message: Message


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

# "0" passes to be refused by `ge=1`, with its own message.
CANONICAL_ID = re.compile(r"0|[1-9][0-9]*")


def _canonical_id(value: Any) -> Any:
    # Lax int parsing reads "01", "1.0", "+1" and " 1" as 1: one resource would have many paths.
    if isinstance(value, str) and CANONICAL_ID.fullmatch(value) is None:
        raise PydanticCustomError(
            "int_parsing", "Input should be a positive integer without sign, leading zero or dot"
        )
    return value


# The id of every path (`/api/jobs/{job_id}`): canonical decimal digits only (API.md 1.1). The
# validator comes after `Path`: before it, FastAPI would document `ge`/`le` as unknown keywords
# instead of `minimum`/`maximum`.
PathId = Annotated[int, Path(ge=1, le=MAX_ID), BeforeValidator(_canonical_id)]


def empty_is_none(value: str | None) -> str | None:
    return value or None


# Optional strings at the limits of API.md 1.1; an empty one is stored as null.
OptionalShortText = Annotated[
    str | None, StringConstraints(max_length=200), AfterValidator(empty_is_none)
]
OptionalLongText = Annotated[
    str | None, StringConstraints(max_length=20_000), AfterValidator(empty_is_none)
]

_HTTP_URL: TypeAdapter[HttpUrl] = TypeAdapter(HttpUrl)
# The scheme and `//` as typed, then a host, and no space, control character or backslash:
# WHATWG parsing (pydantic's, browsers') also reads "http:x.com", "http:///x.com",
# "https:\\x.com" or "https://x.com/a\tb" as http URLs; other readers of the stored text may not.
URL_START = re.compile(r"https?://[^/]", re.IGNORECASE)
URL_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f\\]")


def _http_url(value: str) -> str:
    """M6: an absolute http(s) URL with a host, kept exactly as sent (no normalising).

    "" is no link: it passes, for each optional field to read as it always has.
    """
    if not value:
        return value
    valid = URL_START.match(value) is not None and URL_FORBIDDEN.search(value) is None
    if valid:
        try:
            _HTTP_URL.validate_python(value)
        except ValidationError:
            valid = False
    if not valid:
        raise PydanticCustomError("http_url", "Input should be an absolute http or https URL")
    return value


# Every URL of a request body (links, logos): trimmed, at most 500 characters (API.md 1.1).
HttpUrlStr = Annotated[str, StringConstraints(max_length=500), AfterValidator(_http_url)]
# A profile link: "" (or null) clears it, stored as null.
OptionalUrl = Annotated[HttpUrlStr | None, AfterValidator(empty_is_none)]


def nfkc(value: Any) -> Any:
    """Unicode compatibility forms folded (a full-width "a" is an "a"): one text, one spelling."""
    return unicodedata.normalize("NFKC", value) if isinstance(value, str) else value


def _lower(value: str) -> str:
    return value.lower()


# NFKC-normalised, validated, then lowercased: e-mails are stored and compared in that form, so
# uniqueness ignores case and Unicode compatibility forms (API.md 1.1).
Email = Annotated[EmailStr, BeforeValidator(nfkc), Field(max_length=254), AfterValidator(_lower)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
