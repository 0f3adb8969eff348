"""Jobs: creation, the lifecycle, visibility, the public list and search."""

import re
from datetime import UTC, datetime, timedelta
from functools import partial

from loguru import logger
from pydantic import BaseModel
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.cache import Scope, Ttl, cache_of, invalidate_after_commit
from intowork.core.db import after_commit
from intowork.core.http_cache import JsonBody
from intowork.core.observability import metrics
from intowork.core.pagination import total_pages
from intowork.employers import service as employers_service
from intowork.jobs import repository
from intowork.jobs.exceptions import (
    InvalidJobTransition,
    JobHasApplications,
    JobNotFound,
    NoCompany,
    NotJobOwner,
)
from intowork.jobs.repository import JobListQuery
from intowork.jobs.schemas import (
    JobCreate,
    JobDetailResponse,
    JobItem,
    JobListResponse,
    JobResponse,
    JobUpdate,
    NewJobStatus,
)
from intowork.jobs.search import search_document
from intowork.jobs.views import JobViews
from intowork.models import Job, User
from intowork.models.enums import JobStatus, UserRole

# J6: the lifecycle. Anything else (same status aside) is a 409.
ALLOWED_TRANSITIONS = frozenset(
    {
        (JobStatus.DRAFT, JobStatus.PUBLISHED),
        (JobStatus.PUBLISHED, JobStatus.CLOSED),
        (JobStatus.CLOSED, JobStatus.PUBLISHED),
        (JobStatus.CLOSED, JobStatus.ARCHIVED),
    }
)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _candidate_id(user: User | None) -> int | None:
    """has_applied is only ever true for a candidate caller."""
    return user.id if user is not None and user.role is UserRole.CANDIDATE else None


async def list_jobs(session: AsyncSession, query: JobListQuery, *, viewer: User | None) -> JsonBody:
    """The public list. Its page is the same for everyone: built once, its bytes shared through
    the cache (when there is one); a candidate's `has_applied` is laid over those bytes per
    request, on a hit as on a miss, never stored in the shared entry."""
    cache = cache_of(session)
    candidate_id = _candidate_id(viewer)
    applied: set[int] | None = None  # the viewer's, when this request built the page

    async def shared_page() -> bytes:
        nonlocal applied
        page = await repository.list_published(session, query, viewer_id=candidate_id)
        applied = page.applied
        limit = query.paging.limit
        response = JobListResponse(
            jobs=[JobItem.model_validate(job) for job in page.jobs],
            total=page.total.count,
            page=query.paging.page,
            limit=limit,
            total_pages=total_pages(page.total.count, limit),
            total_is_estimate=page.total.is_estimate,
        )
        return _json(response)

    if cache is None:
        body = await shared_page()
    else:
        key = await cache.job_list_key(query)
        body = await cache.get_or_compute("job_list", key, Ttl.JOB_LIST, shared_page)
    if applied is None:  # bytes another request built: the viewer's applications, apart
        applied = set()
        if candidate_id is not None:
            applied = await repository.applied_job_ids(session, candidate_id, _page_job_ids(body))
    return JsonBody(_mark_applied(body, applied), personalised=viewer is not None)


def _json(model: BaseModel) -> bytes:
    return model.model_dump_json(by_alias=True).encode()


# A job of the shared page's compact JSON: its object opens with its id. Inside a JSON string a
# quote is escaped, so neither pattern can match a title's or a description's text.
_JOB_START = re.compile(rb'\{"id":(\d+),')
# The shared entries' bytes as `_json` writes them. Inside a JSON string every quote is escaped,
# so this can only be the key itself: replacing it gives what encoding `has_applied=True` would.
_NOT_APPLIED = b'"has_applied":false'
_APPLIED = b'"has_applied":true'


def _page_job_ids(body: bytes) -> list[int]:
    return [int(match[1]) for match in _JOB_START.finditer(body)]


def _mark_applied(body: bytes, applied: set[int]) -> bytes:
    """The shared page's bytes with `has_applied` true on these jobs: a candidate's page is
    neither parsed nor encoded again."""
    if not applied:
        return body
    parts: list[bytes] = []
    position = 0
    for match in _JOB_START.finditer(body):
        if int(match[1]) in applied:
            flag = body.index(_NOT_APPLIED, match.end())
            parts += (body[position:flag], _APPLIED)
            position = flag + len(_NOT_APPLIED)
    parts.append(body[position:])
    return b"".join(parts)


async def list_employer_jobs(
    session: AsyncSession,
    user: User,
    *,
    search: str | None,
    status: JobStatus | None,
    page: int,
    limit: int,
    offset: int,
) -> JobListResponse:
    employer = await employers_service.get_or_create_employer(session, user)
    rows, total = await repository.list_by_employer(
        session, employer.id, search=search, status=status, offset=offset, limit=limit
    )
    return JobListResponse(
        jobs=[JobItem.model_validate(row) for row in rows],
        total=total,
        page=page,
        limit=limit,
        total_pages=total_pages(total, limit),
    )


async def get_job_detail(
    session: AsyncSession, job_id: int, *, viewer: User | None, views: JobViews
) -> JsonBody:
    """J4: published jobs for everyone, others for their owner only; non-owners add a view.

    The detail's bytes are the same for every reader (`has_applied` false): built once, and for
    a published job stored in the cache for readers who cannot own it (anonymous callers and
    candidates). A candidate who applied gets `has_applied` set in those bytes, on a hit as on a
    miss. The view goes to the buffer (jobs/views.py), not the database: `views_count` is the
    stored count, which lags the reads by up to VIEW_FLUSH_SECONDS.
    """
    candidate_id = _candidate_id(viewer)
    # Only readers who cannot own a job share its cached bytes.
    cache = cache_of(session) if viewer is None or candidate_id is not None else None
    key = await cache.job_detail_key(job_id) if cache is not None else None
    body = await cache.get("job_detail", key) if cache is not None and key is not None else None
    if body is not None:
        await views.add(job_id)
        applied = candidate_id is not None and bool(
            await repository.applied_job_ids(session, candidate_id, [job_id])
        )
    else:
        row = await repository.get_detail(
            session, job_id, viewer_id=viewer.id if viewer is not None else None
        )
        if row is None:
            raise JobNotFound()
        if not row.is_owner:
            if row.status is not JobStatus.PUBLISHED:
                raise JobNotFound()
            await views.add(job_id)
        body = _json(JobDetailResponse.model_validate(row))
        if cache is not None and key is not None and row.status is JobStatus.PUBLISHED:
            await cache.set(key, body, Ttl.JOB_DETAIL)
        applied = candidate_id is not None and row.viewer_applied
    return JsonBody(mark_applied(body) if applied else body, personalised=viewer is not None)


def mark_applied(body: bytes) -> bytes:
    """A job detail's shared bytes with `has_applied` true (see `_NOT_APPLIED`)."""
    return body.replace(_NOT_APPLIED, _APPLIED, 1)


async def create_job(session: AsyncSession, user: User, data: JobCreate) -> JobResponse:
    employer = await employers_service.get_or_create_employer(session, user)
    if employer.company_id is None:
        raise NoCompany()
    company = await repository.get_company(session, employer.company_id)
    assert company is not None  # employers.company_id is a foreign key
    published = data.status is NewJobStatus.PUBLISHED
    job = Job(
        employer_id=employer.id,
        company_id=company.id,
        status=JobStatus(data.status),
        posted_at=utcnow() if published else None,
        search_company=search_document(company.name),
        **_content(data),
    )
    session.add(job)
    await session.flush()
    after_commit(session, partial(metrics.job_created, job.status))
    shown = (Scope.JOB_LISTS, Scope.OPEN_JOBS, Scope.company(company.id)) if published else ()
    await _invalidate(session, job.company_id, *shown)
    logger.bind(job_id=job.id, status=job.status.value).info("jobs.created")
    return await _response(session, job.id)


async def update_job(session: AsyncSession, job: Job, data: JobUpdate) -> JobResponse:
    """J5: full replacement of the content; the status only changes through the lifecycle."""
    if not await repository.replace_content(session, job.id, _content(data)):
        raise JobNotFound()  # deleted meanwhile
    # Its applicants see its title and terms in their applications and activities.
    applicants = await repository.applicant_user_ids(session, job_id=job.id)
    await _invalidate(
        session,
        job.company_id,
        Scope.JOB_LISTS,
        Scope.job(job.id),
        *[Scope.applications(user_id) for user_id in applicants],
        *[Scope.user(user_id) for user_id in applicants],
    )
    logger.bind(job_id=job.id).info("jobs.updated")
    return await _response(session, job.id)


async def change_status(session: AsyncSession, job: Job, status: JobStatus) -> JobResponse:
    # Decided from the status under lock, not from the ownership read: of concurrent changes,
    # each sees the one before it, and the response shows the state this request left.
    current = await repository.lock_status(session, job.id)
    if current is None:
        raise JobNotFound()  # deleted meanwhile
    if status is not current:
        if (current, status) not in ALLOWED_TRANSITIONS:
            raise InvalidJobTransition(current.value, status.value)
        await repository.set_status(session, job.id, status, now=utcnow())
        after_commit(session, partial(metrics.job_status_changed, status))
        await _invalidate(session, job.company_id, *_public_scopes(job))
        logger.bind(job_id=job.id, from_status=current.value, to_status=status.value).info(
            "jobs.status_changed"
        )
    return await _response(session, job.id)


async def delete_job(session: AsyncSession, job: Job) -> None:
    """J7: only a job nobody applied to; the others are closed or archived instead."""
    if not await repository.lock_for_delete(session, job.id):
        raise JobNotFound()
    if not await repository.delete_unless_applied(session, job.id):
        raise JobHasApplications()
    await _invalidate(session, job.company_id, *_public_scopes(job))
    logger.bind(job_id=job.id).info("jobs.deleted")


async def count_recent_jobs(session: AsyncSession, *, days: int) -> int:
    return await repository.count_recently_published(session, since=utcnow() - timedelta(days=days))


async def get_owned_job(session: AsyncSession, job_id: int, user: User) -> Job:
    """The job, if this employer user created it: 404 when missing, 403 when someone else's."""
    job = await repository.get(session, job_id)
    if job is None:
        raise JobNotFound()
    employer = await employers_service.get_or_create_employer(session, user)
    if job.employer_id != employer.id:
        raise NotJobOwner()
    return job


async def refresh_company_search(session: AsyncSession, *, company_id: int, name: str) -> None:
    """A company was renamed: its jobs are found under the new name (one statement)."""
    await session.execute(
        update(Job)
        .where(Job.company_id == company_id)
        .values(search_company=search_document(name))
        .execution_options(synchronize_session=False)
    )


async def company_changed(session: AsyncSession, company_id: int, *, renamed: bool) -> None:
    """A company's profile changed: the lists and its jobs' details show it, and its
    applicants' applications show its name (two statements at most)."""
    scopes = [Scope.JOB_LISTS, Scope.company(company_id)]
    scopes += [Scope.job(job_id) for job_id in await repository.ids_of_company(session, company_id)]
    if renamed:
        applicants = await repository.applicant_user_ids(session, company_id=company_id)
        scopes += [Scope.applications(user_id) for user_id in applicants]
    invalidate_after_commit(session, *scopes)


def _public_scopes(job: Job) -> tuple[str, ...]:
    """What a job's status change or deletion changes in public: the lists, its detail, its
    company's page (published_jobs_count) and the candidates' "Open jobs"."""
    return (Scope.JOB_LISTS, Scope.job(job.id), Scope.company(job.company_id), Scope.OPEN_JOBS)


async def _invalidate(session: AsyncSession, company_id: int, *scopes: str) -> None:
    """Any job write: the dashboards of its company's employers and the site-wide figures."""
    employers = await employers_service.employers_of(session, company_id)
    invalidate_after_commit(session, Scope.STATS, *employers, *scopes)


async def get_job_status(session: AsyncSession, job_id: int) -> JobStatus | None:
    return await repository.get_status(session, job_id)


def _content(data: JobUpdate) -> dict[str, object]:
    content = data.model_dump(exclude={"status"})
    content["search_text"] = search_document(data.title, data.description)
    return content


async def _response(session: AsyncSession, job_id: int) -> JobResponse:
    row = await repository.get_item(session, job_id)
    assert row is not None
    return JobResponse.model_validate(row)
