"""Parameters shared by the admin routes and the admin-only /api/users routes."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query

from intowork.core.pagination import MAX_LIMIT
from intowork.core.schemas import MAX_ID, PathId

DEFAULT_LIMIT = 50
# Deeper than any real listing; bounded so an absurd skip is a 422, not a database overflow.
MAX_SKIP = MAX_ID

UserId = PathId


@dataclass(frozen=True, slots=True)
class SkipParams:
    """Skip-style pagination (API.md 1.5): the answer is a plain JSON array."""

    skip: int
    limit: int


async def skip_params(
    skip: Annotated[int, Query(ge=0, le=MAX_SKIP)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> SkipParams:
    return SkipParams(skip=skip, limit=limit)


SkipPage = Annotated[SkipParams, Depends(skip_params)]
