"""Companies: the caller's company, its profile and figures, and the public view."""

from loguru import logger
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.companies import repository
from intowork.companies.exceptions import CompanyNotFound
from intowork.companies.schemas import (
    CompanyCreate,
    CompanyResponse,
    CompanyStats,
    CompanyUpdate,
    PublicCompanyResponse,
)
from intowork.core.cache import Scope, Ttl, cache_of, invalidate_after_commit
from intowork.core.http_cache import JsonBody
from intowork.employers import service as employers_service
from intowork.jobs import service as jobs_service
from intowork.models import Company, User


async def create_company(session: AsyncSession, user: User, *, data: CompanyCreate) -> Company:
    """A new company, recorded as created by `user`, who joins it unless already in one.

    The creator may join it later too (API.md E1).
    """
    company = Company(**data.model_dump(), created_by_user_id=user.id)
    session.add(company)
    await session.flush()
    logger.bind(company_id=company.id, user_id=user.id).info("companies.created")
    await employers_service.link_company_if_none(session, user, company_id=company.id)
    # The creator's dashboard (its company), the site-wide figures.
    invalidate_after_commit(session, Scope.user(user.id), Scope.STATS)
    return company


async def get_company(session: AsyncSession, *, company_id: int) -> Company:
    company = await repository.get_by_id(session, company_id)
    if company is None:
        raise CompanyNotFound()
    return company


async def get_my_company(session: AsyncSession, user: User) -> Company:
    """The company the employer belongs to; none is a 404."""
    company = await repository.get_for_user(session, user.id)
    if company is None:
        raise CompanyNotFound()
    return company


async def update_my_company(
    session: AsyncSession, user: User, *, changes: CompanyUpdate
) -> Company:
    """Only the keys sent change. A new name is pushed into the search index of its jobs."""
    company = await get_my_company(session, user)
    old_name = company.name
    for field, value in changes.model_dump(exclude_unset=True).items():
        setattr(company, field, value)
    await session.flush()
    if company.name != old_name:
        await jobs_service.refresh_company_search(session, company_id=company.id, name=company.name)
    # Its public page, and the company fields shown with its jobs.
    await jobs_service.company_changed(session, company.id, renamed=company.name != old_name)
    logger.bind(company_id=company.id, user_id=user.id).info("companies.updated")
    return company


async def get_my_company_stats(session: AsyncSession, user: User) -> CompanyStats:
    stats = await repository.stats_for_user(session, user.id)
    if stats is None:
        raise CompanyNotFound()
    return CompanyStats.model_validate(stats)


async def get_public_company_json(session: AsyncSession, *, company_id: int) -> JsonBody:
    """The public page through the cache (600 s; a write to the company or its jobs renews it)."""
    cache = cache_of(session)

    async def render() -> bytes:
        page = await get_public_company(session, company_id=company_id)
        return page.model_dump_json().encode()

    if cache is None:
        return JsonBody(await render(), personalised=False)
    key = await cache.company_key(company_id)
    return JsonBody(
        await cache.get_or_compute("company", key, Ttl.COMPANY, render), personalised=False
    )


async def get_public_company(session: AsyncSession, *, company_id: int) -> PublicCompanyResponse:
    found = await repository.get_with_published_jobs_count(session, company_id)
    if found is None:
        raise CompanyNotFound()
    company, published_jobs_count = found
    return PublicCompanyResponse(
        **CompanyResponse.model_validate(company).model_dump(),
        published_jobs_count=published_jobs_count,
    )
