"""The SQL of applications. "Applications this employer may see" is written once, here.

Reads return typed rows (frozen dataclasses) that the response schemas validate from attributes.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Label, RowMapping, delete, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.db import AnySelect
from intowork.core.i18n import Language
from intowork.models import Candidate, Company, Employer, Job, JobApplication, User
from intowork.models.enums import ApplicationStatus, JobLocation, JobStatus, JobType


@dataclass(frozen=True, slots=True)
class JobView:
    """What a candidate sees of the job they applied to."""

    id: int
    title: str
    company_name: str
    location: str | None
    location_type: JobLocation
    job_type: JobType
    salary_min: int | None
    salary_max: int | None
    currency: str


@dataclass(frozen=True, slots=True)
class CandidateApplicationRow:
    id: int
    job_id: int
    candidate_id: int
    status: ApplicationStatus
    applied_at: datetime
    cover_letter: str | None
    cv_id: int | None
    job: JobView


@dataclass(frozen=True, slots=True)
class EmployerApplicationRow:
    id: int
    job_id: int
    job_title: str
    candidate_id: int
    first_name: str
    last_name: str
    candidate_email: str
    candidate_phone: str | None
    status: ApplicationStatus
    applied_at: datetime
    cover_letter: str | None
    notes: str | None
    cv_id: int | None


@dataclass(frozen=True, slots=True)
class Recipient:
    """Whom an event concerns: told in the app and by e-mail, in their language."""

    user_id: int
    email: str
    first_name: str
    language: Language | None


@dataclass(frozen=True, slots=True)
class JobToApply:
    """The job with what applying needs; `candidate_id` is None when the caller has no row."""

    view: JobView
    status: JobStatus
    company_id: int
    employer: Recipient
    candidate_id: int | None


@dataclass(frozen=True, slots=True)
class EmployerContext:
    """An application with what employer actions need; `viewer_company_id` is the caller's."""

    id: int
    status: ApplicationStatus
    job_id: int
    job_title: str
    cv_id: int | None
    company_id: int
    candidate: Recipient
    viewer_company_id: int | None


@dataclass(frozen=True, slots=True)
class Inserted:
    id: int
    applied_at: datetime


JOB_VIEW = (
    Job.title.label("job_title"),
    Company.name.label("company_name"),
    Job.location,
    Job.location_type,
    Job.job_type,
    Job.salary_min,
    Job.salary_max,
    Job.currency,
)
CANDIDATE_VIEW = (
    JobApplication.id,
    JobApplication.job_id,
    JobApplication.candidate_id,
    JobApplication.status,
    JobApplication.applied_at,
    JobApplication.cover_letter,
    JobApplication.cv_id,
    *JOB_VIEW,
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


async def _first(session: AsyncSession, statement: AnySelect) -> RowMapping | None:
    return (await session.execute(statement)).mappings().first()


def _job_view(values: RowMapping) -> JobView:
    return JobView(
        id=values["job_id"],
        title=values["job_title"],
        company_name=values["company_name"],
        location=values["location"],
        location_type=values["location_type"],
        job_type=values["job_type"],
        salary_min=values["salary_min"],
        salary_max=values["salary_max"],
        currency=values["currency"],
    )


def _candidate_row(values: RowMapping) -> CandidateApplicationRow:
    return CandidateApplicationRow(
        id=values["id"],
        job_id=values["job_id"],
        candidate_id=values["candidate_id"],
        status=values["status"],
        applied_at=values["applied_at"],
        cover_letter=values["cover_letter"],
        cv_id=values["cv_id"],
        job=_job_view(values),
    )


def _recipient(values: RowMapping, prefix: str) -> Recipient:
    return Recipient(
        user_id=values[f"{prefix}_user_id"],
        email=values[f"{prefix}_email"],
        first_name=values[f"{prefix}_first_name"],
        language=values[f"{prefix}_language"],
    )


def _recipient_columns(
    prefix: str,
) -> tuple[Label[int], Label[str], Label[str], Label[Language | None]]:
    return (
        User.id.label(f"{prefix}_user_id"),
        User.email.label(f"{prefix}_email"),
        User.first_name.label(f"{prefix}_first_name"),
        User.language.label(f"{prefix}_language"),
    )


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


async def list_for_candidate_user(
    session: AsyncSession,
    user_id: int,
    *,
    status: ApplicationStatus | None,
    offset: int,
    limit: int,
) -> tuple[list[CandidateApplicationRow], int]:
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
    ).mappings()
    page = rows.all()
    if page:
        return [_candidate_row(values) for values in page], int(page[0]["total"])
    if offset == 0:
        return [], 0
    total = await session.scalar(
        select(func.count()).select_from(JobApplication).where(*conditions)
    )
    return [], total or 0


async def get_for_candidate(
    session: AsyncSession, application_id: int, candidate_id: int
) -> CandidateApplicationRow | None:
    values = await _first(
        session,
        _candidate_select().where(
            JobApplication.id == application_id,
            JobApplication.candidate_id == candidate_id,
        ),
    )
    return _candidate_row(values) if values is not None else None


async def list_for_company(
    session: AsyncSession,
    company_id: int,
    *,
    status: ApplicationStatus | None,
    job_id: int | None,
    offset: int,
    limit: int,
) -> tuple[list[EmployerApplicationRow], int]:
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
    return [EmployerApplicationRow(**values) for values in rows.mappings()], total or 0


async def get_for_employer(
    session: AsyncSession, application_id: int, *, viewer_user_id: int
) -> EmployerContext | None:
    """The application with its job, its candidate and the caller's company, in one statement."""
    viewer_company = (
        select(Employer.company_id).where(Employer.user_id == viewer_user_id).scalar_subquery()
    )
    values = await _first(
        session,
        select(
            JobApplication.id,
            JobApplication.status,
            JobApplication.job_id,
            JobApplication.cv_id,
            Job.company_id,
            Job.title.label("job_title"),
            *_recipient_columns("candidate"),
            viewer_company.label("viewer_company_id"),
        )
        .select_from(JobApplication)
        .join(Job, Job.id == JobApplication.job_id)
        .join(Candidate, Candidate.id == JobApplication.candidate_id)
        .join(User, User.id == Candidate.user_id)
        .where(JobApplication.id == application_id),
    )
    if values is None:
        return None
    return EmployerContext(
        id=values["id"],
        status=values["status"],
        job_id=values["job_id"],
        job_title=values["job_title"],
        cv_id=values["cv_id"],
        company_id=values["company_id"],
        candidate=_recipient(values, "candidate"),
        viewer_company_id=values["viewer_company_id"],
    )


async def get_job_to_apply(
    session: AsyncSession, job_id: int, *, candidate_user_id: int
) -> JobToApply | None:
    """The job, its company, the employer who posted it and the caller's candidate id.

    The job row is share-locked until the application commits (PostgreSQL): a concurrent close
    or delete waits for it, or it waits for them and reads their outcome.
    """
    candidate = select(Candidate.id).where(Candidate.user_id == candidate_user_id)
    values = await _first(
        session,
        select(
            Job.id.label("job_id"),
            Job.status,
            Job.company_id,
            *JOB_VIEW,
            *_recipient_columns("employer"),
            candidate.scalar_subquery().label("candidate_id"),
        )
        .join(Company, Company.id == Job.company_id)
        .join(Employer, Employer.id == Job.employer_id)
        .join(User, User.id == Employer.user_id)
        .where(Job.id == job_id)
        .with_for_update(read=True, of=Job),
    )
    if values is None:
        return None
    return JobToApply(
        view=_job_view(values),
        status=values["status"],
        company_id=values["company_id"],
        employer=_recipient(values, "employer"),
        candidate_id=values["candidate_id"],
    )


async def insert_unless_applied(
    session: AsyncSession,
    *,
    job_id: int,
    candidate_id: int,
    cv_id: int | None,
    cover_letter: str | None,
) -> Inserted | None:
    """The new application, or None when this candidate already applied to the job, or the
    job is no longer published: one statement, whatever the other requests do meanwhile.

    ON CONFLICT on the unique (candidate_id, job_id) absorbs a concurrent twin; inserting from a
    SELECT of the published job decides its status inside the write (on SQLite the job's read
    ran before this transaction took the write lock; on PostgreSQL the job is share-locked).
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    source = select(
        Job.id,
        literal(candidate_id, JobApplication.candidate_id.type),
        literal(cv_id, JobApplication.cv_id.type),
        literal(cover_letter, JobApplication.cover_letter.type),
    ).where(Job.id == job_id, Job.status == JobStatus.PUBLISHED)
    statement = (
        dialect.insert(JobApplication)
        .from_select(["job_id", "candidate_id", "cv_id", "cover_letter"], source)
        .on_conflict_do_nothing(index_elements=["candidate_id", "job_id"])
        .returning(JobApplication.id, JobApplication.applied_at)
    )
    values = (await session.execute(statement)).mappings().first()
    return Inserted(id=values["id"], applied_at=values["applied_at"]) if values else None


async def move_status(
    session: AsyncSession,
    application_id: int,
    *,
    from_status: ApplicationStatus,
    to_status: ApplicationStatus,
) -> bool:
    """Compare-and-set: False when the application no longer has `from_status` (or is gone).

    PostgreSQL waits for a concurrent writer of the row and checks its outcome; the row stays
    locked until commit, as with `lock_status`.
    """
    moved = await session.scalar(
        update(JobApplication)
        .where(JobApplication.id == application_id, JobApplication.status == from_status)
        .values(status=to_status)
        .returning(JobApplication.id)
        .execution_options(synchronize_session=False)
    )
    return moved is not None


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
