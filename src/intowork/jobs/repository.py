"""The SQL of jobs. Visibility rules and the list's shape are written once, here.

Reads return typed rows (dataclasses whose fields are their SELECT's columns, in order), which the
response schemas validate from attributes: no dictionary is built per row, nothing is `Any`.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    cast,
    column,
    delete,
    exists,
    false,
    func,
    literal_column,
    select,
    table,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.util.typing import TupleAny

from intowork.core.pagination import PageParams
from intowork.jobs.search import SearchQuery
from intowork.models import Candidate, Company, Employer, Job, JobApplication
from intowork.models.enums import JobLocation, JobStatus, JobType

# SQLite's FTS5 index of migration 0002 (rowid = jobs.id).
jobs_fts = table("jobs_fts", column("rowid"))
# PostgreSQL: the stored tsvector of migration 0002, GIN-indexed (`ix_jobs_search`).
PG_DOCUMENT: ColumnElement[str] = literal_column("jobs.search_vector")

_Columns = TypeVarTuple("_Columns")
# A statement of many columns, read into one of the rows below by position (their dataclasses
# give the columns their types: SQLAlchemy cannot type a SELECT of this many).
RowSelect = Select[*TupleAny]


@dataclass(frozen=True, slots=True)
class JobFilters:
    """The public list's filters, normalised: equal filters are equal objects (one cache key)."""

    search: SearchQuery
    location: str | None = None
    job_type: JobType | None = None
    location_type: JobLocation | None = None
    salary_min: int | None = None
    company_id: int | None = None

    def __post_init__(self) -> None:
        # The match is case-insensitive, and a blank location is no filter.
        object.__setattr__(self, "location", (self.location or "").strip().lower() or None)


@dataclass(frozen=True, slots=True)
class JobListQuery:
    """Everything that shapes a page of the public list: the source of its cache key
    (`core.cache.query_source`), so whatever is added here is in the key too."""

    filters: JobFilters
    paging: PageParams
    by_relevance: bool
    # The total's exact-count window (JOB_LIST_COUNT_CAP): it decides `total_is_estimate`.
    count_cap: int

    def __post_init__(self) -> None:
        # Relevance only orders a full-text search; otherwise it is the recency order.
        relevant = self.by_relevance and bool(self.filters.search.indexed_terms)
        object.__setattr__(self, "by_relevance", relevant)


@dataclass(frozen=True, slots=True)
class JobItemRow:
    """A job as the lists show it; `has_applied` is false (anyone's view of it)."""

    id: int
    title: str
    description: str
    company_name: str
    company_logo_url: str | None
    location: str | None
    location_type: JobLocation
    job_type: JobType
    salary_min: int | None
    salary_max: int | None
    currency: str
    posted_at: datetime | None
    is_featured: bool
    views_count: int
    status: JobStatus
    applications_count: int
    has_applied: bool


@dataclass(frozen=True, slots=True)
class JobDetailRow(JobItemRow):
    """A job's details, and the viewer's relation to it (`viewer_applied`, `is_owner`)."""

    requirements: str | None
    responsibilities: str | None
    benefits: str | None
    created_at: datetime
    company_description: str | None
    company_industry: str | None
    company_size: str | None
    viewer_applied: bool
    is_owner: bool


def applications_count() -> ColumnElement[int]:
    return (
        select(func.count(JobApplication.id))
        .where(JobApplication.job_id == Job.id)
        .correlate(Job)
        .scalar_subquery()
    )


def has_applied(user_id: int | None) -> ColumnElement[bool]:
    """Whether this user, as a candidate, applied to the row's job (false for anyone else)."""
    if user_id is None:
        return false()
    candidate_id = select(Candidate.id).where(Candidate.user_id == user_id).scalar_subquery()
    return exists().where(
        JobApplication.job_id == Job.id, JobApplication.candidate_id == candidate_id
    )


def owned_by(user_id: int | None) -> ColumnElement[bool]:
    """Whether the row's job was created by this user (as an employer)."""
    if user_id is None:
        return false()
    employer_id = select(Employer.id).where(Employer.user_id == user_id).scalar_subquery()
    return Job.employer_id == employer_id


# In the order of JobItemRow's fields (a test checks it).
ITEM_COLUMNS = (
    Job.id,
    Job.title,
    Job.description,
    Company.name.label("company_name"),
    Company.logo_url.label("company_logo_url"),
    Job.location,
    Job.location_type,
    Job.job_type,
    Job.salary_min,
    Job.salary_max,
    Job.currency,
    Job.posted_at,
    Job.is_featured,
    Job.views_count,
    Job.status,
    applications_count().label("applications_count"),
    false().label("has_applied"),
)
# In the order of JobDetailRow's fields, after the item's.
DETAIL_COLUMNS = (
    Job.requirements,
    Job.responsibilities,
    Job.benefits,
    Job.created_at,
    Company.description.label("company_description"),
    Company.industry.label("company_industry"),
    Company.size.label("company_size"),
)


def _item_select() -> RowSelect:
    statement: RowSelect = (
        select(*ITEM_COLUMNS).select_from(Job).join(Company, Company.id == Job.company_id)
    )
    return statement


def _fts_match(search: SearchQuery) -> TextClause:
    return text("jobs_fts MATCH :fts_match").bindparams(fts_match=search.sqlite_match())


def _apply_filters(
    statement: Select[*_Columns],
    filters: JobFilters,
    dialect: str,
    *,
    rank: bool = False,
    from_matches: bool = False,
) -> tuple[Select[*_Columns], ColumnElement[float] | None]:
    """The public list's WHERE: published jobs, every filter, and the full-text match.

    Returns the statement and, when `rank` is asked for a search, the relevance to order by
    (higher first on both engines). On SQLite, `from_matches` (implied by `rank`) drives the
    statement from the full-text matches rather than from the jobs by recency: what a count
    wants, and a sort by relevance.
    """
    statement = statement.where(Job.status == JobStatus.PUBLISHED)
    if filters.location:
        statement = statement.where(
            func.lower(Job.location).contains(filters.location.lower(), autoescape=True)
        )
    if filters.job_type is not None:
        statement = statement.where(Job.job_type == filters.job_type)
    if filters.location_type is not None:
        statement = statement.where(Job.location_type == filters.location_type)
    if filters.salary_min is not None:
        statement = statement.where(Job.salary_min >= filters.salary_min)
    if filters.company_id is not None:
        statement = statement.where(Job.company_id == filters.company_id)
    words: ColumnElement[str] = (
        literal_column("' '") + Job.search_text + literal_column("' '") + Job.search_company
    )
    for term in filters.search.short_terms:
        statement = statement.where(words.like(f"% {term}%"))
    relevance: ColumnElement[float] | None = None
    if filters.search.indexed_terms:
        if dialect == "postgresql":
            query = cast(filters.search.postgresql_tsquery(), TSQUERY)
            statement = statement.where(PG_DOCUMENT.op("@@")(query))
            if rank:
                relevance = func.ts_rank(PG_DOCUMENT, query)
        elif rank or from_matches:
            # The full-text query runs once, materialised, and is then joined by primary key.
            # Joined directly, SQLite would evaluate MATCH once per candidate job (100,000 jobs:
            # tens of seconds).
            match_columns: list[ColumnElement[float]] = [literal_column("rowid").label("job_id")]
            if rank:
                # bm25() is lower for better matches.
                match_columns.append((-func.bm25(literal_column("jobs_fts"))).label("relevance"))
            matches = (
                select(*match_columns)
                .select_from(jobs_fts)
                .where(_fts_match(filters.search))
                .cte("fts_matches")
                .prefix_with("MATERIALIZED")
            )
            statement = statement.join(matches, matches.c.job_id == Job.id)
            if rank:
                relevance = matches.c.relevance
        else:
            # By recency: the matching ids become one in-memory list (built once), and the walk
            # down the published-by-recency index stops at the page's last job, instead of
            # scoring and sorting every match (100,000 jobs: 200 ms, now a few).
            matching_ids: Select[int] = (
                select(literal_column("rowid"))
                .select_from(jobs_fts)
                .where(_fts_match(filters.search))
            )
            statement = statement.where(Job.id.in_(matching_ids))
    return statement, relevance


@dataclass(frozen=True, slots=True)
class ListTotal:
    """The public list's `total`: exact up to a window, else that window as a lower bound."""

    count: int
    is_estimate: bool


@dataclass(frozen=True, slots=True)
class PublishedPage:
    """A page of the public list: its jobs as anyone sees them, those of them the viewer
    applied to, and the total."""

    jobs: list[JobItemRow]
    applied: set[int]
    total: ListTotal


async def list_published(
    session: AsyncSession, query: JobListQuery, *, viewer_id: int | None
) -> PublishedPage:
    """A page of the public list and its total: two statements.

    The total is counted exactly up to a window of `count_cap` jobs (or to the end of the asked
    page, if further): counting every match of a broad filter at 100,000 jobs cost more than the
    page itself. Past the window, the total is the window and flagged as an estimate.
    """
    dialect = session.get_bind().dialect.name
    filters, paging = query.filters, query.paging
    statement, relevance = _apply_filters(
        _item_select().add_columns(has_applied(viewer_id).label("viewer_applied")),
        filters,
        dialect,
        rank=query.by_relevance,
    )
    if relevance is not None:
        statement = statement.order_by(relevance.desc())
    result = await session.execute(
        statement.order_by(Job.posted_at.desc(), Job.id.desc())
        .offset(paging.offset)
        .limit(paging.limit)
    )
    jobs: list[JobItemRow] = []
    applied: set[int] = set()
    for row in result:
        job = JobItemRow(*row[:-1])
        jobs.append(job)
        if row[-1]:
            applied.add(job.id)
    window = max(query.count_cap, paging.offset + paging.limit)
    each: RowSelect = select(literal_column("1")).select_from(Job)
    matching, _ = _apply_filters(each, filters, dialect, from_matches=True)
    counted = select(func.count()).select_from(matching.limit(window + 1).subquery())
    total = (await session.scalar(counted)) or 0
    if total > window:
        return PublishedPage(jobs, applied, ListTotal(window, is_estimate=True))
    return PublishedPage(jobs, applied, ListTotal(total, is_estimate=False))


async def list_by_employer(
    session: AsyncSession,
    employer_id: int,
    *,
    search: str | None,
    status: JobStatus | None,
    offset: int,
    limit: int,
) -> tuple[list[JobItemRow], int]:
    conditions: list[ColumnElement[bool]] = [Job.employer_id == employer_id]
    if search:
        conditions.append(
            Job.title.icontains(search, autoescape=True)
            | Job.description.icontains(search, autoescape=True)
        )
    if status is not None:
        conditions.append(Job.status == status)
    where = and_(*conditions)
    rows = await session.execute(
        _item_select()
        .where(where)
        .order_by(Job.created_at.desc(), Job.id.desc())
        .offset(offset)
        .limit(limit)
    )
    total = await session.scalar(select(func.count()).select_from(Job).where(where))
    return [JobItemRow(*row) for row in rows], total or 0


async def get_detail(
    session: AsyncSession, job_id: int, *, viewer_id: int | None
) -> JobDetailRow | None:
    """The job with its company, counts and the viewer's relation to it, in one statement."""
    statement = (
        _item_select()
        .add_columns(
            *DETAIL_COLUMNS,
            has_applied(viewer_id).label("viewer_applied"),
            owned_by(viewer_id).label("is_owner"),
        )
        .where(Job.id == job_id)
    )
    row = (await session.execute(statement)).first()
    return None if row is None else JobDetailRow(*row)


async def get_item(session: AsyncSession, job_id: int) -> JobItemRow | None:
    """One job as a list item (after a write), seen by nobody in particular."""
    row = (await session.execute(_item_select().where(Job.id == job_id))).first()
    return None if row is None else JobItemRow(*row)


async def add_views(session: AsyncSession, counts: dict[int, int]) -> None:
    """Adds each job's pending views in one statement; jobs deleted meanwhile match nothing."""
    if not counts:
        return
    await session.execute(
        update(Job)
        .where(Job.id.in_(counts))
        .values(views_count=Job.views_count + case(counts, value=Job.id, else_=0))
        .execution_options(synchronize_session=False)
    )


async def get(session: AsyncSession, job_id: int) -> Job | None:
    return await session.get(Job, job_id)


async def replace_content(session: AsyncSession, job_id: int, content: dict[str, object]) -> bool:
    """One statement, so concurrent edits never mix; False when the job is gone."""
    updated = await session.scalar(
        update(Job)
        .where(Job.id == job_id)
        .values(**content)
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    )
    return updated is not None


async def lock_for_delete(session: AsyncSession, job_id: int) -> bool:
    """Locks the job row (PostgreSQL; SQLite has one writer at a time): an apply in flight
    finishes first, a later one waits for the outcome. False when the job is gone."""
    locked = await session.scalar(select(Job.id).where(Job.id == job_id).with_for_update())
    return locked is not None


async def delete_unless_applied(session: AsyncSession, job_id: int) -> bool:
    """Deletes the job if nobody applied to it, in one statement: on SQLite the check and the
    delete then run under the same write lock, so no application is cascaded away with the job."""
    deleted = await session.scalar(
        delete(Job)
        .where(Job.id == job_id, ~exists().where(JobApplication.job_id == job_id))
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    )
    return deleted is not None


async def count_recently_published(session: AsyncSession, *, since: datetime) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(Job)
        .where(Job.status == JobStatus.PUBLISHED, Job.posted_at >= since)
    )
    return count or 0


async def get_company(session: AsyncSession, company_id: int) -> Company | None:
    return await session.get(Company, company_id)


async def get_status(session: AsyncSession, job_id: int) -> JobStatus | None:
    return await session.scalar(select(Job.status).where(Job.id == job_id))


async def lock_status(session: AsyncSession, job_id: int) -> JobStatus | None:
    """The status once this transaction holds the job's write lock; None if the job is gone.

    An UPDATE that changes nothing (`updated_at` included): PostgreSQL locks the row, waiting
    for a concurrent writer (or an apply holding its share lock) to finish, and returns it as
    that writer left it; SQLite, which has no SELECT ... FOR UPDATE, takes its single write lock.
    """
    return await session.scalar(
        update(Job)
        .where(Job.id == job_id)
        .values(status=Job.status, updated_at=Job.updated_at)
        .returning(Job.status)
        .execution_options(synchronize_session=False)
    )


async def set_status(
    session: AsyncSession, job_id: int, status: JobStatus, *, now: datetime
) -> None:
    """Under the lock of `lock_status`. `posted_at` is set on the first publication only."""
    values: dict[str, object] = {"status": status}
    if status is JobStatus.PUBLISHED:
        values["posted_at"] = func.coalesce(Job.posted_at, now)
    await session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


async def applied_job_ids(session: AsyncSession, user_id: int, job_ids: list[int]) -> set[int]:
    """Which of these jobs this user, as a candidate, applied to (the per-caller overlay)."""
    if not job_ids:
        return set()
    rows = await session.scalars(
        select(JobApplication.job_id)
        .join(Candidate, Candidate.id == JobApplication.candidate_id)
        .where(Candidate.user_id == user_id, JobApplication.job_id.in_(job_ids))
    )
    return set(rows)


async def applicant_user_ids(
    session: AsyncSession, *, job_id: int | None = None, company_id: int | None = None
) -> list[int]:
    """The users who applied to this job, or to any job of this company (one statement)."""
    statement = (
        select(Candidate.user_id)
        .distinct()
        .join(JobApplication, JobApplication.candidate_id == Candidate.id)
    )
    if job_id is not None:
        statement = statement.where(JobApplication.job_id == job_id)
    if company_id is not None:
        statement = statement.join(Job, Job.id == JobApplication.job_id).where(
            Job.company_id == company_id
        )
    return list(await session.scalars(statement))


async def ids_of_company(session: AsyncSession, company_id: int) -> list[int]:
    """The ids of this company's jobs (one statement)."""
    return list(await session.scalars(select(Job.id).where(Job.company_id == company_id)))
