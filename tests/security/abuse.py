"""Shared ground of the input-abuse tests (`test_input_abuse_*.py`): a small world of jobs and
callers, the database snapshot a refused write must not change, and the `{"detail": ...}` check."""

from dataclasses import dataclass
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.config import Settings
from intowork.jobs.search import search_document
from intowork.models import (
    Candidate,
    Company,
    Employer,
    Experience,
    Job,
    JobApplication,
    Notification,
    Skill,
    User,
)
from intowork.models.enums import JobStatus, NotificationType, UserRole
from tests.fixtures.factories import (
    make_application,
    make_candidate,
    make_company,
    make_employer,
    make_job,
    make_user,
)
from tests.fixtures.tokens import bearer_header

JSON = {"Content-Type": "application/json"}
MAX_ID = 2**31 - 1
DESCRIPTION = "Build the IntoWork API."


@dataclass(frozen=True)
class World:
    employer: dict[str, str]
    candidate: dict[str, str]
    admin: dict[str, str]
    python_job: int
    rust_job: int
    draft_job: int
    application: int
    candidate_user: int


def bearer(user: User, settings: Settings) -> dict[str, str]:
    return bearer_header(user, settings)


async def indexed_job(
    session: AsyncSession,
    employer: Employer,
    title: str,
    status: JobStatus = JobStatus.PUBLISHED,
    location: str | None = None,
) -> Job:
    """A factory job with its full-text columns filled, as the service writes them."""
    description = DESCRIPTION
    return await make_job(
        session,
        employer=employer,
        title=title,
        status=status,
        location=location,
        description=description,
        search_text=search_document(title, description),
        search_company=search_document("Acme"),
    )


async def build_world(session: AsyncSession, settings: Settings) -> World:
    """Two published jobs and a draft of one employer, an application, a notification, an admin
    (the `world` fixture of conftest.py)."""
    company = await make_company(session, name="Acme")
    employer = await make_employer(session, company=company)
    python = await indexed_job(session, employer, "Python developer", location="Paris")
    rust = await indexed_job(session, employer, "Rust engineer")
    draft = await indexed_job(session, employer, "Python secret draft", JobStatus.DRAFT)
    candidate = await make_candidate(session)
    application = await make_application(session, job=python, candidate=candidate)
    session.add(
        Notification(
            user_id=employer.user_id,
            type=NotificationType.NEW_APPLICATION,
            title="New application",
            message="Someone applied.",
        )
    )
    await session.commit()
    users = {user.id: user for user in (await session.scalars(select(User))).all()}
    admin = await make_user(session, role=UserRole.ADMIN)
    return World(
        employer=bearer(users[employer.user_id], settings),
        candidate=bearer(users[candidate.user_id], settings),
        admin=bearer(admin, settings),
        python_job=python.id,
        rust_job=rust.id,
        draft_job=draft.id,
        application=application.id,
        candidate_user=candidate.user_id,
    )


async def snapshot(session: AsyncSession) -> list[Any]:
    """What a refused write must not change: row counts and the columns the writes target."""
    state: list[Any] = []
    for model in (User, Company, Job, JobApplication, Skill, Experience, Notification):
        state.append(await session.scalar(select(func.count()).select_from(model)))
    for columns in (
        (Job.id, Job.title, Job.description, Job.salary_min, Job.status),
        (JobApplication.id, JobApplication.status, JobApplication.notes),
        (Candidate.id, Candidate.title, Candidate.years_experience),
        (Employer.id, Employer.company_id, Employer.position),
        (User.id, User.first_name, User.is_active),
    ):
        state.append((await session.execute(select(*columns).order_by(columns[0]))).all())
    await session.commit()  # ends the read transaction: SQLite writers must not wait for it
    return state


def detail_of(response: Response, *statuses: int) -> Any:
    """The status is one of `statuses` and the body is exactly `{"detail": ...}` JSON."""
    assert response.status_code in statuses, (response.request.url, response.text[:300])
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert isinstance(body, dict), body
    assert list(body) == ["detail"], body
    return body["detail"]


def job_body(**values: Any) -> dict[str, Any]:
    return {"title": "Data engineer", "description": "Pipelines.", **values}


def caller(world: World, who: str) -> dict[str, str]:
    return getattr(world, who) if who else {}


async def job_ids(
    client: AsyncClient,
    *,
    path: str = "/api/jobs",
    raw: str | None = None,
    headers: dict[str, str] | None = None,
    **params: Any,
) -> list[int]:
    url = f"{path}?{raw}" if raw is not None else path
    response = await client.get(url, params=params or None, headers=headers)
    assert response.status_code == 200, (url, params, response.text)
    return [job["id"] for job in response.json()["jobs"]]
