"""The SQL of applications. "Applications this employer may see" is written once, here."""

from typing import Any

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.db import AnySelect
from intowork.models import Candidate, Company, Job, JobApplication, User
from intowork.models.enums import ApplicationStatus

CANDIDATE_VIEW = (
    JobApplication.id,
    JobApplication.job_id,
    JobApplication.candidate_id,
    JobApplication.status,
    JobApplication.applied_at,
    JobApplication.cover_letter,
    JobApplication.cv_id,
    Job.title.label("job_title"),
    Company.name.label("company_name"),
    Job.location,
    Job.location_type,
    Job.job_type,
    Job.salary_min,
    Job.salary_max,
    Job.currency,
)
EMPLOYER_VIEW = (
    JobApplication.id,
    JobApplication.job_id,
    Job.title.label("job_title"),
    JobApplication.candidate_id,
    User.first_name,
    User.last_name,
    User.email.label("candidate_email"),
    Candidate.phone.label("candidate_phone"),
    JobApplication.status,
    JobApplication.applied_at,
    JobApplication.cover_letter,
    JobApplication.notes,
    JobApplication.cv_id,
)
NEWEST_FIRST = (JobApplication.applied_at.desc(), JobApplication.id.desc())


def _candidate_select() -> AnySelect:
    statement: AnySelect = (
        select(*CANDIDATE_VIEW)
        .select_from(JobApplication)
        .join(Job, Job.id == JobApplication.job_id)
        .join(Company, Company.id == Job.company_id)
    )
    return statement


def _company_scope(company_id: int) -> ColumnElement[bool]:
    """Employers see the applications to their company's jobs."""
    return Job.company_id == company_id


async def list_for_candidate(
    session: AsyncSession,
    candidate_id: int,
    *,
    status: ApplicationStatus | None,
    offset: int,
    limit: int,
) -> tuple[list[Any], int]:
    conditions = [JobApplication.candidate_id == candidate_id]
    if status is not None:
        conditions.append(JobApplication.status == status)
    rows = await session.execute(
        _candidate_select().where(*conditions).order_by(*NEWEST_FIRST).offset(offset).limit(limit)
    )
    total = await session.scalar(
        select(func.count()).select_from(JobApplication).where(*conditions)
    )
    return list(rows.all()), total or 0


async def list_for_candidate_user(
    session: AsyncSession,
    user_id: int,
    *,
    status: ApplicationStatus | None,
    offset: int,
    limit: int,
) -> tuple[list[Any], int]:
    """The page and the total in one statement (a window count); a page past the end counts
    apart. The candidate is reached from its user: no statement to find its row first."""
    conditions = [
        JobApplication.candidate_id
        == select(Candidate.id).where(Candidate.user_id == user_id).scalar_subquery()
    ]
    if status is not None:
        conditions.append(JobApplication.status == status)
    rows = (
        await session.execute(
            _candidate_select()
            .add_columns(func.count().over().label("total"))
            .where(*conditions)
            .order_by(*NEWEST_FIRST)
            .offset(offset)
            .limit(limit)
        )
    ).all()
    if rows:
        return list(rows), int(rows[0].total)
    if offset == 0:
        return [], 0
    total = await session.scalar(
        select(func.count()).select_from(JobApplication).where(*conditions)
    )
    return [], total or 0


async def get_for_candidate(
    session: AsyncSession, application_id: int, candidate_id: int
) -> Any | None:
    return (
        await session.execute(
            _candidate_select().where(
                JobApplication.id == application_id, JobApplication.candidate_id == candidate_id
            )
        )
    ).first()


async def list_for_company(
    session: AsyncSession,
    company_id: int,
    *,
    status: ApplicationStatus | None,
    job_id: int | None,
    offset: int,
    limit: int,
) -> tuple[list[Any], int]:
    conditions = [_company_scope(company_id)]
    if status is not None:
        conditions.append(JobApplication.status == status)
    if job_id is not None:
        conditions.append(JobApplication.job_id == job_id)
    rows = await session.execute(
        select(*EMPLOYER_VIEW)
        .select_from(JobApplication)
        .join(Job, Job.id == JobApplication.job_id)
        .join(Candidate, Candidate.id == JobApplication.candidate_id)
        .join(User, User.id == Candidate.user_id)
        .where(*conditions)
        .order_by(*NEWEST_FIRST)
        .offset(offset)
        .limit(limit)
    )
    total = await session.scalar(
        select(func.count())
        .select_from(JobApplication)
        .join(Job, Job.id == JobApplication.job_id)
        .where(*conditions)
    )
    return list(rows.all()), total or 0


async def get_with_context(session: AsyncSession, application_id: int) -> Any | None:
    """An application with what employer actions need: company, job title, candidate user."""
    return (
        await session.execute(
            select(
                JobApplication.id,
                JobApplication.status,
                JobApplication.job_id,
                JobApplication.cv_id,
                Job.company_id,
                Job.title.label("job_title"),
                User.id.label("candidate_user_id"),
                User.email.label("candidate_email"),
                User.first_name.label("candidate_first_name"),
                User.language.label("candidate_language"),
            )
            .select_from(JobApplication)
            .join(Job, Job.id == JobApplication.job_id)
            .join(Candidate, Candidate.id == JobApplication.candidate_id)
            .join(User, User.id == Candidate.user_id)
            .where(JobApplication.id == application_id)
        )
    ).first()


async def exists_for(session: AsyncSession, *, candidate_id: int, job_id: int) -> bool:
    found = await session.scalar(
        select(JobApplication.id).where(
            JobApplication.candidate_id == candidate_id, JobApplication.job_id == job_id
        )
    )
    return found is not None


async def lock_status(session: AsyncSession, application_id: int) -> ApplicationStatus | None:
    """The status once this transaction holds the row's write lock; None if the row is gone.

    An UPDATE that changes nothing (`updated_at` included): PostgreSQL locks the row, waiting
    for a concurrent writer to finish, and returns it as that writer left it; SQLite, which has
    no SELECT ... FOR UPDATE, takes its single write lock. What is decided from this status
    holds until commit, so concurrent changes behave as if they ran one after the other.
    """
    return await session.scalar(
        update(JobApplication)
        .where(JobApplication.id == application_id)
        .values(status=JobApplication.status, updated_at=JobApplication.updated_at)
        .returning(JobApplication.status)
        .execution_options(synchronize_session=False)
    )


async def set_status(session: AsyncSession, application_id: int, status: ApplicationStatus) -> None:
    """Under the lock of `lock_status`."""
    await session.execute(
        update(JobApplication)
        .where(JobApplication.id == application_id)
        .values(status=status)
        .execution_options(synchronize_session=False)
    )


async def exists(session: AsyncSession, application_id: int) -> bool:
    found = await session.scalar(
        select(JobApplication.id).where(JobApplication.id == application_id)
    )
    return found is not None


async def set_notes(session: AsyncSession, application_id: int, notes: str | None) -> bool:
    """False when the application is gone (withdrawn since it was read)."""
    updated = await session.scalar(
        update(JobApplication)
        .where(JobApplication.id == application_id)
        .values(notes=notes)
        .returning(JobApplication.id)
        .execution_options(synchronize_session=False)
    )
    return updated is not None


async def delete_unless_final(
    session: AsyncSession, application_id: int, *, final: frozenset[ApplicationStatus]
) -> bool:
    """Deletes the application (its history goes with it, ON DELETE CASCADE) unless it reached a
    final status meanwhile: conditional, so a concurrent acceptance is never undone."""
    result = await session.execute(
        delete(JobApplication)
        .where(JobApplication.id == application_id, JobApplication.status.not_in(final))
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)
