"""The SQL of the admin tools: every read is one statement, whatever the page size."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Company, Employer, Job, JobApplication, Notification, User
from intowork.models.base import Base
from intowork.models.enums import JobStatus, UserRole


@dataclass(frozen=True, slots=True)
class UserFilters:
    role: UserRole | None = None
    is_active: bool | None = None
    search: str | None = None


@dataclass(frozen=True, slots=True)
class JobCounts:
    draft: int
    published: int
    closed: int
    archived: int


@dataclass(frozen=True, slots=True)
class PlatformStats:
    total_users: int
    total_candidates: int
    total_employers: int
    total_companies: int
    total_jobs: int
    total_applications: int
    total_notifications: int
    active_users: int
    inactive_users: int
    jobs_by_status: JobCounts
    recent_signups: int


@dataclass(frozen=True, slots=True)
class EmployerListing:
    id: int
    user_id: int
    email: str
    first_name: str
    last_name: str
    company_name: str | None
    position: str | None
    phone: str | None
    is_active: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class JobListing:
    id: int
    title: str
    company_name: str
    employer_email: str
    status: JobStatus
    location: str | None
    applications_count: int
    created_at: datetime


def _count(model: type[Base], *conditions: ColumnElement[bool]) -> ColumnElement[int]:
    return select(func.count()).select_from(model).where(*conditions).scalar_subquery()


async def stats(session: AsyncSession, *, signed_up_since: datetime) -> PlatformStats:
    """Every platform figure in one statement: a row of scalar subqueries, no FROM of its own."""
    statement = select(
        _count(User).label("total_users"),
        _count(User, User.role == UserRole.CANDIDATE).label("total_candidates"),
        _count(User, User.role == UserRole.EMPLOYER).label("total_employers"),
        _count(Company).label("total_companies"),
        _count(Job).label("total_jobs"),
        _count(JobApplication).label("total_applications"),
        _count(Notification).label("total_notifications"),
        _count(User, User.is_active.is_(True)).label("active_users"),
        _count(User, User.is_active.is_(False)).label("inactive_users"),
        _count(Job, Job.status == JobStatus.DRAFT).label("draft"),
        _count(Job, Job.status == JobStatus.PUBLISHED).label("published"),
        _count(Job, Job.status == JobStatus.CLOSED).label("closed"),
        _count(Job, Job.status == JobStatus.ARCHIVED).label("archived"),
        _count(User, User.created_at >= signed_up_since).label("recent_signups"),
    )
    values = (await session.execute(statement)).one()._asdict()
    jobs_by_status = JobCounts(
        values.pop("draft"), values.pop("published"), values.pop("closed"), values.pop("archived")
    )
    return PlatformStats(**values, jobs_by_status=jobs_by_status)


async def list_users(
    session: AsyncSession, filters: UserFilters, *, offset: int, limit: int
) -> list[User]:
    statement = select(User)
    if filters.role is not None:
        statement = statement.where(User.role == filters.role)
    if filters.is_active is not None:
        statement = statement.where(User.is_active.is_(filters.is_active))
    if filters.search:
        # autoescape: "%" and "_" typed by the admin are literal characters, not wildcards.
        statement = statement.where(
            User.email.icontains(filters.search, autoescape=True)
            | User.first_name.icontains(filters.search, autoescape=True)
            | User.last_name.icontains(filters.search, autoescape=True)
        )
    rows = await session.scalars(
        statement.order_by(User.created_at.desc(), User.id.desc()).offset(offset).limit(limit)
    )
    return list(rows)


async def list_employers(
    session: AsyncSession, *, offset: int, limit: int
) -> list[EmployerListing]:
    """Employer rows with their user and, when they have one, their company's name."""
    rows = await session.execute(
        select(
            Employer.id,
            Employer.user_id,
            User.email,
            User.first_name,
            User.last_name,
            Company.name.label("company_name"),
            Employer.position,
            Employer.phone,
            User.is_active,
            Employer.created_at,
        )
        .join(User, User.id == Employer.user_id)
        .outerjoin(Company, Company.id == Employer.company_id)
        .order_by(Employer.created_at.desc(), Employer.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return [EmployerListing(**row._asdict()) for row in rows]


async def list_jobs(
    session: AsyncSession, *, status: JobStatus | None, offset: int, limit: int
) -> list[JobListing]:
    """Jobs in every status with company, poster and the true application count."""
    applications_count = (
        select(func.count())
        .select_from(JobApplication)
        .where(JobApplication.job_id == Job.id)
        .correlate(Job)
        .scalar_subquery()
    )
    statement = (
        select(
            Job.id,
            Job.title,
            Company.name.label("company_name"),
            User.email.label("employer_email"),
            Job.status,
            Job.location,
            applications_count.label("applications_count"),
            Job.created_at,
        )
        .join(Company, Company.id == Job.company_id)
        .join(Employer, Employer.id == Job.employer_id)
        .join(User, User.id == Employer.user_id)
    )
    if status is not None:
        statement = statement.where(Job.status == status)
    rows = await session.execute(
        statement.order_by(Job.created_at.desc(), Job.id.desc()).offset(offset).limit(limit)
    )
    return [JobListing(*row) for row in rows]
