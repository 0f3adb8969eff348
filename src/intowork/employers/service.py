"""Employer profiles: the row linking an employer user to its company."""

from loguru import logger
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.cache import Scope, invalidate_after_commit
from intowork.employers import repository
from intowork.employers.exceptions import CannotJoinCompany
from intowork.employers.schemas import EmployerUpdate
from intowork.models import Company, Employer, User


async def get_or_create_employer(session: AsyncSession, user: User) -> Employer:
    """The caller's employer row: made at sign-up, or here on first use (API.md 7)."""
    employer = await repository.get_by_user_id(session, user.id)
    if employer is None:
        employer = Employer(user_id=user.id)
        session.add(employer)
        await session.flush()
    return employer


async def employers_of(session: AsyncSession, company_id: int) -> list[str]:
    """The cache scopes of the dashboards of this company's employers (one statement)."""
    return [
        Scope.user(user_id) for user_id in await repository.user_ids_of_company(session, company_id)
    ]


async def employers_of_job(session: AsyncSession, job_id: int) -> list[str]:
    """The same for the company of this job (one statement)."""
    user_ids = await repository.user_ids_of_job_company(session, job_id)
    return [Scope.user(user_id) for user_id in user_ids]


async def link_company_if_none(session: AsyncSession, user: User, *, company_id: int) -> bool:
    """Join `company_id` unless already in a company; True when the link was made."""
    employer = await get_or_create_employer(session, user)
    linked = await repository.set_company_if_none(session, employer.id, company_id=company_id)
    if linked:
        logger.bind(employer_id=employer.id, company_id=company_id).info("employers.joined")
    return linked


async def update_profile(
    session: AsyncSession,
    user: User,
    employer: Employer,
    *,
    changes: EmployerUpdate,
    company: Company | None,
) -> Employer:
    """API.md E1: partial; `company` (the one `changes.company_id` names) is joined if allowed.

    Only a company the caller created or already belongs to: any other would let an employer
    attach itself to a stranger's company and read its applicants.
    """
    if company is not None and company.id != employer.company_id:
        if company.created_by_user_id != user.id:
            raise CannotJoinCompany()
        employer.company_id = company.id
        invalidate_after_commit(session, Scope.user(user.id))  # its dashboard's figures
        logger.bind(employer_id=employer.id, company_id=company.id).info("employers.joined")
    for field, value in changes.model_dump(exclude_unset=True, exclude={"company_id"}).items():
        setattr(employer, field, value)
    await session.flush()
    return employer
