"""The errors an operation can answer with, declared next to the code that raises them.

A dependency lists the AppErrors it raises (`@raises(InvalidToken, InactiveAccount)`), so every
route that depends on it documents them; a route lists its service's errors in its decorator
(`responses=error_responses(NoCompany)`). The app's OpenAPI builder (intowork/openapi.py) reads
both; the errors of the transport itself (a body, a path id, a rate limit, the database) it
derives from the route's dependency tree.
"""

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pydantic import BaseModel

from intowork.core.errors import AppError

# A class, or an instance where the message is given when raised (`WrongRole("...")`).
Raisable = type[AppError] | AppError
RAISES_ATTRIBUTE = "__raises__"
CallT = TypeVar("CallT", bound=Callable[..., Any])


class ErrorResponse(BaseModel):
    """Every error but 422: `{"detail": "<message>"}`."""

    detail: str


def raises(*errors: Raisable) -> Callable[[CallT], CallT]:
    """Declares the errors a dependency callable raises (added to those already declared)."""

    def declare(call: CallT) -> CallT:
        setattr(call, RAISES_ATTRIBUTE, (*declared_errors(call), *errors))
        return call

    return declare


def declared_errors(call: object) -> tuple[Raisable, ...]:
    errors: tuple[Raisable, ...] = getattr(call, RAISES_ATTRIBUTE, ())
    return errors


def describe(errors: Iterable[Raisable]) -> dict[int, str]:
    """Status -> the messages of the errors with that status, in order, each once."""
    messages: dict[int, list[str]] = {}
    for error in errors:
        listed = messages.setdefault(error.status_code, [])
        if error.detail not in listed:
            listed.append(error.detail)
    return {status: "; ".join(listed) for status, listed in messages.items()}


def error_responses(*errors: Raisable) -> dict[int | str, dict[str, Any]]:
    """A route's `responses=`: the errors its service raises, by status."""
    return {status: {"description": text} for status, text in describe(errors).items()}
