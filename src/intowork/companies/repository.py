"""SQL of companies: the caller's company, the public view and the stats."""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, ColumnExpressionArgument, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from intowork.models import Company, Employer, Job, JobApplication
from intowork.models.enums import JobStatus


@dataclass(frozen=True, slots=True)
class CompanyStatsRow:
    active_jobs: int
    total_jobs: int
    total_applications: int
    total_employers: int


def _is_published() -> ColumnElement[bool]:
    """What makes a job count as active, in the stats and on the public page: published."""
    return Job.status == JobStatus.PUBLISHED


def _published_jobs_count(
    company_id: ColumnExpressionArgument[int | None],
) -> ColumnElement[int]:
    return (
        select(func.count())
        .select_from(Job)
        .where(Job.company_id == company_id, _is_published())
        .scalar_subquery()
    )


async def get_by_id(session: AsyncSession, company_id: int) -> Company | None:
    return await session.get(Company, company_id)


async def get_for_user(session: AsyncSession, user_id: int) -> Company | None:
    """The company the employer user belongs to, in one statement."""
    return await session.scalar(
        select(Company)
        .join(Employer, Employer.company_id == Company.id)
        .where(Employer.user_id == user_id)
    )


async def get_with_published_jobs_count(
    session: AsyncSession, company_id: int
) -> tuple[Company, int] | None:
    row = (
        await session.execute(
            select(Company, _published_jobs_count(Company.id)).where(Company.id == company_id)
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def stats_for_user(session: AsyncSession, user_id: int) -> CompanyStatsRow | None:
    """The figures of the employer user's company, in one statement (scalar subqueries).

    None when the user has no company. The subqueries are correlated to the outer `employers`
    row, so the company is looked up and counted in the same round trip.
    """
    company_id = Employer.company_id
    colleague = aliased(Employer)
    total_jobs = (
        select(func.count()).select_from(Job).where(Job.company_id == company_id).scalar_subquery()
    )
    total_applications = (
        select(func.count())
        .select_from(JobApplication)
        .join(Job, Job.id == JobApplication.job_id)
        .where(Job.company_id == company_id)
        .scalar_subquery()
    )
    total_employers = (
        select(func.count())
        .select_from(colleague)
        .where(colleague.company_id == company_id)
        .scalar_subquery()
    )
    row = (
        await session.execute(
            select(
                _published_jobs_count(company_id),
                total_jobs,
                total_applications,
                total_employers,
            )
            .select_from(Employer)
            .where(Employer.user_id == user_id, Employer.company_id.is_not(None))
        )
    ).first()
    if row is None:
        return None
    return CompanyStatsRow(
        active_jobs=row[0], total_jobs=row[1], total_applications=row[2], total_employers=row[3]
    )
