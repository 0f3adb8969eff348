"""Jobs: creation, the lifecycle, visibility, the public list and search."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from loguru import logger
from pydantic import BaseModel
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.cache import Scope, Ttl, cache_of, invalidate_after_commit
from intowork.core.db import after_commit
from intowork.core.http_cache import JsonBody
from intowork.core.i18n import Language
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
from intowork.jobs.repository import JobFilters
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

LIST_DESCRIPTION_LENGTH = 300

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


def _item(row: Any, *, full_description: bool = False) -> dict[str, Any]:
    values = dict(row._mapping)
    description: str = values["description"]
    if not full_description and len(description) > LIST_DESCRIPTION_LENGTH:
        values["description"] = description[:LIST_DESCRIPTION_LENGTH] + "..."
    return values


async def list_jobs(
    session: AsyncSession,
    *,
    viewer: User | None,
    filters: JobFilters,
    by_relevance: bool,
    page: int,
    limit: int,
    offset: int,
    count_cap: int,
) -> JobListResponse:
    rows, total = await repository.list_published(
        session,
        filters,
        viewer_id=_candidate_id(viewer),
        by_relevance=by_relevance and bool(filters.search.indexed_terms),
        offset=offset,
        limit=limit,
        count_cap=count_cap,
    )
    items = [JobItem.model_validate(_item(row)) for row in rows]
    response = _page(items, total.count, page, limit)
    response.total_is_estimate = total.is_estimate
    return response


def _list_params(filters: JobFilters, by_relevance: bool, page: int, limit: int) -> str:
    """Everything that shapes an anonymous page, in a stable order: the cache key's source."""
    return repr(
        (
            filters.search.indexed_terms,
            filters.search.short_terms,
            (filters.location or "").lower(),
            filters.job_type,
            filters.location_type,
            filters.salary_min,
            filters.company_id,
            by_relevance and bool(filters.search.indexed_terms),
            page,
            limit,
        )
    )


async def list_jobs_json(
    session: AsyncSession,
    *,
    viewer: User | None,
    filters: JobFilters,
    by_relevance: bool,
    page: int,
    limit: int,
    offset: int,
    count_cap: int,
) -> JsonBody:
    """The public list through the cache: the anonymous page is shared, and a candidate's
    `has_applied` is laid over it per request (never stored in the shared entry)."""
    cache = cache_of(session)
    candidate_id = _candidate_id(viewer)
    personalised = viewer is not None

    async def compute(for_viewer: User | None) -> JobListResponse:
        return await list_jobs(
            session,
            viewer=for_viewer,
            filters=filters,
            by_relevance=by_relevance,
            page=page,
            limit=limit,
            offset=offset,
            count_cap=count_cap,
        )

    if cache is None:
        return JsonBody(_json(await compute(viewer)), personalised)
    key = await cache.job_list_key(_list_params(filters, by_relevance, page, limit))
    if candidate_id is None:

        async def anonymous_page() -> bytes:
            return _json(await compute(None))

        body = await cache.get_or_compute("job_list", key, Ttl.JOB_LIST, anonymous_page)
        return JsonBody(body, personalised)
    cached = await cache.get("job_list", key)
    if cached is None:
        # One query gives both: the candidate's page, and the anonymous one to share.
        result = await compute(viewer)
        anonymous = [job.model_copy(update={"has_applied": False}) for job in result.jobs]
        await cache.set(key, _json(result.model_copy(update={"jobs": anonymous})), Ttl.JOB_LIST)
        return JsonBody(_json(result), personalised)
    applied = await repository.applied_job_ids(session, candidate_id, _page_job_ids(cached))
    return JsonBody(_mark_applied(cached, applied), personalised)


def _json(model: BaseModel) -> bytes:
    return model.model_dump_json(by_alias=True).encode()


# A job of the cached page's compact JSON: its object opens with its id. Inside a JSON string a
# quote is escaped, so neither pattern can match a title's or a description's text.
_JOB_START = re.compile(rb'\{"id":(\d+),')
# The shared entries' bytes as `_json` writes them. Inside a JSON string every quote is escaped,
# so this can only be the key itself: replacing it gives what encoding `has_applied=True` would.
_NOT_APPLIED = b'"has_applied":false'
_APPLIED = b'"has_applied":true'


def _page_job_ids(body: bytes) -> list[int]:
    return [int(match[1]) for match in _JOB_START.finditer(body)]


def _mark_applied(body: bytes, applied: set[int]) -> bytes:
    """The anonymous page's bytes with `has_applied` true on these jobs: a candidate's cache
    hit is neither parsed nor encoded again."""
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
    return _page([JobItem.model_validate(_item(row)) for row in rows], total, page, limit)


def _page(items: list[JobItem], total: int, page: int, limit: int) -> JobListResponse:
    return JobListResponse(
        jobs=items, total=total, page=page, limit=limit, total_pages=total_pages(total, limit)
    )


async def get_job_detail(
    session: AsyncSession, job_id: int, *, viewer: User | None, views: JobViews
) -> JobDetailResponse:
    """J4: published jobs for everyone, others for their owner only; non-owners add a view.

    The view goes to the buffer (jobs/views.py), not the database: `views_count` is the stored
    count, which lags the reads by up to VIEW_FLUSH_SECONDS.
    """
    viewer_id = viewer.id if viewer is not None else None
    row = await repository.get_detail(session, job_id, viewer_id=viewer_id)
    if row is None:
        raise JobNotFound()
    values = _item(row, full_description=True)
    if not values.pop("is_owner"):
        if values["status"] is not JobStatus.PUBLISHED:
            raise JobNotFound()
        await views.add(job_id)
    if viewer is None or viewer.role is not UserRole.CANDIDATE:
        values["has_applied"] = False
    values.pop("employer_id")
    minimum, maximum = values["salary_min"], values["salary_max"]
    values["salary_range"] = (
        f"{minimum} - {maximum} {values['currency']}"
        if minimum is not None and maximum is not None
        else None
    )
    values["employment_type"] = values["job_type"]
    return JobDetailResponse.model_validate(values)


async def get_job_detail_json(
    session: AsyncSession, job_id: int, *, viewer: User | None, views: JobViews
) -> JsonBody:
    """A job's details through the cache, for readers who cannot own it (anonymous callers and
    candidates): only published jobs are cached, and the view is still counted every time. A hit
    is the stored bytes as they are (a candidate who applied gets `has_applied` set in them)."""
    cache = cache_of(session)
    personalised = viewer is not None
    if cache is None or (viewer is not None and viewer.role is not UserRole.CANDIDATE):
        detail = await get_job_detail(session, job_id, viewer=viewer, views=views)
        return JsonBody(_json(detail), personalised)
    key = await cache.job_detail_key(job_id)
    cached = await cache.get("job_detail", key)
    if cached is None:
        detail = await get_job_detail(session, job_id, viewer=viewer, views=views)
        if detail.status is JobStatus.PUBLISHED:
            shared = detail.model_copy(update={"has_applied": False})
            await cache.set(key, _json(shared), Ttl.JOB_DETAIL)
        return JsonBody(_json(detail), personalised)
    await views.add(job_id)
    if viewer is not None and await repository.applied_job_ids(session, viewer.id, [job_id]):
        cached = mark_applied(cached)
    return JsonBody(cached, personalised)


def mark_applied(body: bytes) -> bytes:
    """A stored job detail's bytes with `has_applied` true (see `_NOT_APPLIED`)."""
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


@dataclass(frozen=True, slots=True)
class JobSummary:
    id: int
    title: str
    status: JobStatus
    company_id: int
    company_name: str
    employer_user_id: int
    employer_email: str
    employer_first_name: str
    employer_language: Language | None


async def get_job_summary(session: AsyncSession, job_id: int) -> JobSummary:
    """What applying to a job needs to know of it; 404 when it does not exist."""
    row = await repository.get_summary(session, job_id)
    if row is None:
        raise JobNotFound()
    return JobSummary(**row._mapping)


async def get_job_status(session: AsyncSession, job_id: int) -> JobStatus | None:
    return await repository.get_status(session, job_id)


def _content(data: JobUpdate) -> dict[str, Any]:
    content = data.model_dump(exclude={"status"})
    content["search_text"] = search_document(data.title, data.description)
    return content


async def _response(session: AsyncSession, job_id: int) -> JobResponse:
    row = await repository.get_item(session, job_id)
    assert row is not None
    return JobResponse.model_validate(_item(row, full_description=True))
