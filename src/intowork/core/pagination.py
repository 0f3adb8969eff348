"""Page-style pagination (API.md 1.5): `page` >= 1, `limit` 1..100, totals and page counts."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from math import ceil
from typing import Annotated

from fastapi import Query

MAX_LIMIT = 100
# Any page a client can ask for answers (past the end: an empty list and the true total);
# bigger numbers are a 422, never an overflow in the database's OFFSET.
MAX_PAGE = 10**15


@dataclass(frozen=True, slots=True)
class PageParams:
    page: int
    limit: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


def page_params(default_limit: int) -> Callable[[int, int], Awaitable[PageParams]]:
    # `async def`: a plain `def` dependency runs in the thread pool, a hand-off per request.
    async def dependency(
        page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = default_limit,
    ) -> PageParams:
        return PageParams(page=page, limit=limit)

    return dependency


def total_pages(total: int, limit: int) -> int:
    return ceil(total / limit) if total else 0
