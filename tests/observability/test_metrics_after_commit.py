"""Business metrics count committed work only (core/db.py `after_commit`): a request whose
transaction fails to commit, or is rolled back after the service counted, counts nothing; the same
request committed counts once. A failed sign-in is an attempt, counted at once."""

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from functools import partial

import pytest
from fastapi import APIRouter, FastAPI, status
from httpx import AsyncClient, Response
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.auth.dependencies import CurrentEmployer
from intowork.core.db import SessionDep
from intowork.core.errors import Conflict
from intowork.jobs import service as jobs_service
from intowork.jobs.schemas import JobCreate
from intowork.models import Job
from tests.fixtures.actors import bearer
from tests.observability.conftest import Reading, scrape
from tests.observability.test_metrics import PASSWORD, PDF, sign_up

BUSINESS = frozenset(
    {
        "intowork_users_registered_total",
        "intowork_signins_total",
        "intowork_jobs_created_total",
        "intowork_jobs_published_total",
        "intowork_jobs_closed_total",
        "intowork_applications_submitted_total",
        "intowork_application_status_changes_total",
        "intowork_cv_uploads_total",
        "intowork_cv_upload_size_bytes_count",
        "intowork_cv_upload_size_bytes_sum",
    }
)
JOB = {
    "title": "Backend engineer",
    "description": "Build the API.",
    "location_type": "remote",
    "job_type": "full_time",
}
Send = Callable[[], Awaitable[Response]]
BOSS = "boss@example.com"
ADA = "ada@example.com"


def changes(before: Reading, after: Reading) -> dict[str, float]:
    """The business series that moved, as `name{label="value"}`: how much."""
    moved: dict[str, float] = {}
    for (name, labels), value in after.samples.items():
        delta = value - before.samples.get((name, labels), 0.0)
        if name in BUSINESS and delta:
            shown = ",".join(f'{label}="{label_value}"' for label, label_value in sorted(labels))
            moved[f"{name}{{{shown}}}" if shown else name] = delta
    return moved


async def lost_connection(_session: AsyncSession) -> None:
    raise OperationalError("COMMIT", {}, ConnectionResetError("server closed"))


@contextmanager
def commits_failing() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AsyncSession, "commit", lost_connection)
        yield


async def counted(
    client: AsyncClient, send: Send, expected_status: int
) -> tuple[Response, dict[str, float]]:
    """Sends the request with the commit failing (it must count nothing), then again with the
    commit working: that response, and what it counted."""
    before = await scrape(client)
    with commits_failing():
        failed = await send()
    assert failed.status_code == 503, failed.text
    after_failure = await scrape(client)
    assert changes(before, after_failure) == {}
    response = await send()
    assert response.status_code == expected_status, response.text
    return response, changes(after_failure, await scrape(client))


def signup_body(role: str, email: str) -> dict[str, str]:
    return {
        "email": email,
        "password": PASSWORD,
        "first_name": "Ada",
        "last_name": "Lovelace",
        "role": role,
    }


class TestFailedCommit:
    async def test_counts_nothing_then_once_committed(self, client: AsyncClient) -> None:
        employer = partial(client.post, "/api/auth/signup", json=signup_body("employer", BOSS))
        signed_up, moved = await counted(client, employer, 201)
        assert moved == {'intowork_users_registered_total{role="employer"}': 1}
        boss = bearer(signed_up.json()["access_token"])
        candidate = partial(client.post, "/api/auth/signup", json=signup_body("candidate", ADA))
        signed_up, moved = await counted(client, candidate, 201)
        assert moved == {'intowork_users_registered_total{role="candidate"}': 1}
        signin = partial(client.post, "/api/auth/signin", json={"email": ADA, "password": PASSWORD})
        signed_in, moved = await counted(client, signin, 200)
        assert moved == {'intowork_signins_total{result="success"}': 1}
        ada = bearer(signed_in.json()["access_token"])

        company = await client.post("/api/companies", json={"name": "Acme"}, headers=boss)
        assert company.status_code == 201, company.text
        create = partial(client.post, "/api/jobs/create", json=JOB, headers=boss)
        job, moved = await counted(client, create, 201)
        assert moved == {"intowork_jobs_created_total": 1, "intowork_jobs_published_total": 1}

        cv = {"cv": ("cv.pdf", PDF, "application/pdf")}
        upload = partial(client.post, "/api/candidates/cv", files=cv, headers=ada)
        _, moved = await counted(client, upload, 200)
        assert moved == {
            "intowork_cv_uploads_total": 1,
            "intowork_cv_upload_size_bytes_count": 1,
            "intowork_cv_upload_size_bytes_sum": len(PDF),
        }
        apply = partial(
            client.post,
            "/api/applications/my/applications",
            json={"job_id": job.json()["id"]},
            headers=ada,
        )
        applied, moved = await counted(client, apply, 201)
        assert moved == {"intowork_applications_submitted_total": 1}

        view = partial(
            client.put,
            f"/api/applications/employer/applications/{applied.json()['id']}/status",
            json={"status": "viewed"},
            headers=boss,
        )
        _, moved = await counted(client, view, 200)
        assert moved == {
            'intowork_application_status_changes_total{from_status="applied",to_status="viewed"}': 1
        }
        close = partial(
            client.patch,
            f"/api/jobs/{job.json()['id']}/status",
            json={"status": "closed"},
            headers=boss,
        )
        _, moved = await counted(client, close, 200)
        assert moved == {"intowork_jobs_closed_total": 1}

    async def test_a_failed_signin_counts_at_once(self, client: AsyncClient) -> None:
        await sign_up(client, "candidate", ADA)
        before = await scrape(client)
        wrong = {"email": ADA, "password": PASSWORD + "x"}
        assert (await client.post("/api/auth/signin", json=wrong)).status_code == 401
        assert changes(before, await scrape(client)) == {
            'intowork_signins_total{result="failure"}': 1
        }


def probe_router() -> APIRouter:
    """A route that exists only in these tests: the real service, then an error."""
    router = APIRouter(prefix="/probe")

    @router.post("/jobs-then-conflict", status_code=status.HTTP_201_CREATED)
    async def create_job_then_conflict(
        body: JobCreate, session: SessionDep, user: CurrentEmployer
    ) -> None:
        await jobs_service.create_job(session, user, body)
        raise Conflict("Something changed meanwhile")

    return router


class TestRolledBack:
    async def test_counts_nothing(
        self, app: FastAPI, client: AsyncClient, session: AsyncSession
    ) -> None:
        app.include_router(probe_router())
        boss = bearer((await sign_up(client, "employer", BOSS))["access_token"])
        company = await client.post("/api/companies", json={"name": "Acme"}, headers=boss)
        assert company.status_code == 201, company.text
        before = await scrape(client)

        refused = await client.post("/probe/jobs-then-conflict", json=JOB, headers=boss)
        assert refused.status_code == 409, refused.text
        after_refusal = await scrape(client)
        assert changes(before, after_refusal) == {}
        assert await session.scalar(select(func.count()).select_from(Job)) == 0

        created = await client.post("/api/jobs/create", json=JOB, headers=boss)
        assert created.status_code == 201, created.text
        assert changes(after_refusal, await scrape(client)) == {
            "intowork_jobs_created_total": 1,
            "intowork_jobs_published_total": 1,
        }
