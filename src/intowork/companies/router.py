"""/api/companies: the employer's company and the public company page (API.md 7)."""

from fastapi import APIRouter, Response, status

from intowork.auth.dependencies import CurrentEmployer
from intowork.companies import service
from intowork.companies.exceptions import CompanyNotFound
from intowork.companies.schemas import (
    CompanyCreate,
    CompanyResponse,
    CompanyStats,
    CompanyUpdate,
    PublicCompanyResponse,
)
from intowork.core.db import SessionDep
from intowork.core.error_docs import error_responses
from intowork.core.http_cache import IfNoneMatch, json_response
from intowork.core.ratelimit import RateLimit, Tier
from intowork.core.schemas import PathId
from intowork.models import Company

router = APIRouter(prefix="/api/companies", tags=["companies"])


@router.post(
    "",
    response_model=CompanyResponse,
    status_code=status.HTTP_201_CREATED,
    dependencies=[RateLimit(Tier.MUTATION)],
)
async def create_company(
    body: CompanyCreate, user: CurrentEmployer, session: SessionDep
) -> Company:
    """Create a company; a caller without one joins it."""
    return await service.create_company(session, user, data=body)


# The literal `my-company` routes are declared before `/{company_id}`, which would swallow them.
@router.get(
    "/my-company",
    response_model=CompanyResponse,
    dependencies=[RateLimit(Tier.DEFAULT)],
    responses=error_responses(CompanyNotFound),
)
async def read_my_company(user: CurrentEmployer, session: SessionDep) -> Company:
    """The caller's company."""
    return await service.get_my_company(session, user)


@router.put(
    "/my-company",
    response_model=CompanyResponse,
    dependencies=[RateLimit(Tier.MUTATION)],
    responses=error_responses(CompanyNotFound),
)
async def update_my_company(
    body: CompanyUpdate, user: CurrentEmployer, session: SessionDep
) -> Company:
    """Change the caller's company; only the fields sent change."""
    return await service.update_my_company(session, user, changes=body)


@router.get(
    "/my-company/stats",
    response_model=CompanyStats,
    dependencies=[RateLimit(Tier.DEFAULT)],
    responses=error_responses(CompanyNotFound),
)
async def read_my_company_stats(user: CurrentEmployer, session: SessionDep) -> CompanyStats:
    """Job, application and team figures of the caller's company."""
    return await service.get_my_company_stats(session, user)


@router.get(
    "/{company_id}", response_model=PublicCompanyResponse, dependencies=[RateLimit(Tier.DEFAULT)]
)
async def read_company(
    company_id: PathId, session: SessionDep, if_none_match: IfNoneMatch = None
) -> Response:
    """A company's public page, with its number of published jobs."""
    page = await service.get_public_company_json(session, company_id=company_id)
    return json_response(page.body, if_none_match=if_none_match, personalised=False)
