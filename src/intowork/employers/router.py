"""/api/employers: the caller's employer profile (API.md 7)."""

from fastapi import APIRouter

from intowork.auth.dependencies import CurrentEmployer
from intowork.companies.exceptions import CompanyNotFound
from intowork.core.db import SessionDep
from intowork.core.error_docs import error_responses
from intowork.core.ratelimit import RateLimit, Tier
from intowork.employers import flows, service
from intowork.employers.exceptions import CannotJoinCompany
from intowork.employers.schemas import (
    EmployerResponse,
    EmployerSummary,
    EmployerUpdate,
    EmployerUpdateResponse,
)
from intowork.models import Employer

router = APIRouter(prefix="/api/employers", tags=["employers"])


@router.get("/me", response_model=EmployerResponse, dependencies=[RateLimit(Tier.DEFAULT)])
async def read_my_employer_profile(user: CurrentEmployer, session: SessionDep) -> Employer:
    """The caller's employer profile (created on first use)."""
    return await service.get_or_create_employer(session, user)


@router.put(
    "/me",
    response_model=EmployerUpdateResponse,
    dependencies=[RateLimit(Tier.MUTATION)],
    responses=error_responses(CompanyNotFound, CannotJoinCompany),
)
async def update_my_employer_profile(
    body: EmployerUpdate, user: CurrentEmployer, session: SessionDep
) -> EmployerUpdateResponse:
    """Change the caller's profile; joins only a company they created or belong to."""
    employer = await flows.update_my_profile(session, user, changes=body)
    return EmployerUpdateResponse(
        message="Employer profile updated", employer=EmployerSummary.model_validate(employer)
    )
