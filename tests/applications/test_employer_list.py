"""GET /api/applications/employer/applications: company scope, shape, filters (API.md 5, P3)."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.config import Settings
from intowork.models import Company, Job
from intowork.models.enums import ApplicationStatus, JobStatus
from tests.applications.conftest import (
    AUTH_REQUIRED,
    EMPLOYER,
    EMPLOYER_APPLICATION_KEYS,
    EMPLOYER_REQUIRED,
    PAGE_KEYS,
    Actor,
    add_job,
    apply_ok,
    candidate_actor,
    employer_actor,
    page_of,
    set_notes,
    set_row,
)
from tests.cvs.conftest import upload_cv_ok
from tests.fixtures.factories import make_application, make_candidate
from tests.fixtures.signed_urls import assert_signed

T0 = datetime(2026, 1, 12, 9, 30, tzinfo=UTC)


async def employer_list(client: AsyncClient, actor: Actor, **params: Any) -> dict[str, Any]:
    response = await client.get(EMPLOYER, params=params, headers=actor.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == PAGE_KEYS
    return body


def ids_of(body: dict[str, Any]) -> list[int]:
    return [item["id"] for item in body["applications"]]


class TestEmployerListAuthorization:
    async def test_anonymous(self, client: AsyncClient) -> None:
        response = await client.get(EMPLOYER)
        assert response.status_code == 401
        assert response.json() == AUTH_REQUIRED

    async def test_candidate(self, client: AsyncClient, candidate: Actor) -> None:
        response = await client.get(EMPLOYER, headers=candidate.headers)
        assert response.status_code == 403
        assert response.json() == EMPLOYER_REQUIRED


class TestEmployerListShape:
    async def test_exact_item(
        self,
        client: AsyncClient,
        candidate: Actor,
        employer: Actor,
        job: Job,
        settings: Settings,
    ) -> None:
        await upload_cv_ok(client, candidate)
        created = await apply_ok(client, candidate, job.id, cover_letter="I build pipelines.")
        body = await employer_list(client, employer)
        assert {k: body[k] for k in ("total", "page", "limit", "total_pages")} == page_of(1, 1, 20)
        [item] = body["applications"]
        assert set(item) == EMPLOYER_APPLICATION_KEYS
        assert candidate.user is not None
        assert employer.user is not None
        cv_path = f"/api/applications/employer/applications/{created['id']}/cv"
        assert_signed(item.pop("cv_url"), cv_path, employer.user.id, settings)  # API.md M2
        assert item == {
            "id": created["id"],
            "job_id": job.id,
            "job_title": "Data engineer",
            "candidate_id": created["candidate_id"],
            "candidate_name": "Ada Lovelace",
            "candidate_email": candidate.user.email,
            "candidate_phone": "+33 6 12 34 56 78",
            "status": "applied",
            "applied_at": created["applied_at"],
            "cover_letter": "I build pipelines.",
            "notes": None,
        }

    async def test_nulls(
        self, client: AsyncClient, session: AsyncSession, employer: Actor, job: Job
    ) -> None:
        bare = await candidate_actor(client, session, first_name="Grace", last_name="Hopper")
        await apply_ok(client, bare, job.id)
        [item] = (await employer_list(client, employer))["applications"]
        assert item["candidate_name"] == "Grace Hopper"
        assert (item["candidate_phone"], item["cover_letter"], item["cv_url"]) == (None, None, None)

    async def test_notes_visible_to_employer(
        self, client: AsyncClient, candidate: Actor, employer: Actor, job: Job
    ) -> None:
        created = await apply_ok(client, candidate, job.id)
        assert (await set_notes(client, employer, created["id"], "Strong SQL")).status_code == 200
        [item] = (await employer_list(client, employer))["applications"]
        assert item["notes"] == "Strong SQL"


class TestEmployerListScope:
    async def test_colleague_in_same_company(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        company: Company,
        job: Job,
    ) -> None:
        created = await apply_ok(client, candidate, job.id)
        colleague = await employer_actor(client, session, company)
        assert ids_of(await employer_list(client, colleague)) == [created["id"]]

    async def test_other_company_sees_none(
        self, client: AsyncClient, candidate: Actor, outsider: Actor, job: Job
    ) -> None:
        await apply_ok(client, candidate, job.id)
        assert await employer_list(client, outsider) == {"applications": [], **page_of(0, 1, 20)}

    async def test_each_company_its_own(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        outsider: Actor,
        job: Job,
    ) -> None:
        theirs = await add_job(session, outsider, title="Their job")
        mine = await apply_ok(client, candidate, job.id)
        other = await apply_ok(client, candidate, theirs.id)
        assert ids_of(await employer_list(client, employer)) == [mine["id"]]
        assert ids_of(await employer_list(client, outsider)) == [other["id"]]

    async def test_no_company(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, job: Job
    ) -> None:
        await apply_ok(client, candidate, job.id)
        loner = await employer_actor(client, session, None)
        assert await employer_list(client, loner) == {"applications": [], **page_of(0, 1, 20)}

    async def test_jobs_in_every_status(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        job: Job,
    ) -> None:
        created = await apply_ok(client, candidate, job.id)
        job.status = JobStatus.CLOSED
        await session.commit()
        assert ids_of(await employer_list(client, employer)) == [created["id"]]


class TestEmployerListFilters:
    async def _setup(
        self, session: AsyncSession, employer: Actor, candidate: Actor, job: Job
    ) -> tuple[Job, dict[str, int]]:
        assert candidate.candidate is not None
        second = await add_job(session, employer, title="Second")
        rows = {}
        for key, target, status in [
            ("a", job, ApplicationStatus.APPLIED),
            ("b", second, ApplicationStatus.INTERVIEW),
        ]:
            rows[key] = (
                await make_application(
                    session, job=target, candidate=candidate.candidate, status=status
                )
            ).id
        other = await make_candidate(session)
        rows["c"] = (
            await make_application(
                session, job=second, candidate=other, status=ApplicationStatus.APPLIED
            )
        ).id
        return second, rows

    async def test_status(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        job: Job,
    ) -> None:
        _, rows = await self._setup(session, employer, candidate, job)
        body = await employer_list(client, employer, status="applied")
        assert sorted(ids_of(body)) == sorted([rows["a"], rows["c"]])
        assert body["total"] == 2
        assert (await employer_list(client, employer, status="interview"))["total"] == 1
        assert (await employer_list(client, employer, status="accepted"))["total"] == 0

    async def test_job_id(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        job: Job,
    ) -> None:
        second, rows = await self._setup(session, employer, candidate, job)
        body = await employer_list(client, employer, job_id=second.id)
        assert sorted(ids_of(body)) == sorted([rows["b"], rows["c"]])
        assert body["total"] == 2

    async def test_both(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        job: Job,
    ) -> None:
        second, rows = await self._setup(session, employer, candidate, job)
        body = await employer_list(client, employer, job_id=second.id, status="applied")
        assert ids_of(body) == [rows["c"]]
        assert body["total"] == 1
        assert body["total_pages"] == 1

    async def test_total_counts_every_page(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        job: Job,
    ) -> None:
        await self._setup(session, employer, candidate, job)
        body = await employer_list(client, employer, status="applied", limit=1)
        assert len(body["applications"]) == 1
        assert {k: body[k] for k in ("total", "page", "limit", "total_pages")} == page_of(2, 1, 1)

    async def test_foreign_job_id(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        outsider: Actor,
    ) -> None:
        theirs = await add_job(session, outsider, title="Their job")
        await apply_ok(client, candidate, theirs.id)
        body = await employer_list(client, employer, job_id=theirs.id)
        assert (body["applications"], body["total"]) == ([], 0)

    @pytest.mark.parametrize(
        "params",
        [
            {"status": "hired"},
            {"job_id": "abc"},
            {"page": 0},
            {"limit": 0},
            {"limit": 101},
        ],
    )
    async def test_invalid(
        self, client: AsyncClient, employer: Actor, params: dict[str, Any]
    ) -> None:
        response = await client.get(EMPLOYER, params=params, headers=employer.headers)
        assert response.status_code == 422


class TestEmployerListOrder:
    async def test_newest_first_then_id(
        self, client: AsyncClient, session: AsyncSession, employer: Actor, job: Job
    ) -> None:
        ids = []
        for _ in range(4):
            ids.append(
                (
                    await make_application(
                        session, job=job, candidate=await make_candidate(session)
                    )
                ).id
            )
        first, second, third, fourth = ids
        await set_row(session, first, applied_at=T0 + timedelta(hours=2))
        await set_row(session, second, applied_at=T0)
        await set_row(session, third, applied_at=T0)
        await set_row(session, fourth, applied_at=T0 - timedelta(days=1))
        assert ids_of(await employer_list(client, employer)) == [first, third, second, fourth]

    async def test_default_limit_and_pages(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, employer: Actor
    ) -> None:
        assert candidate.candidate is not None
        ids = []
        for number in range(21):
            target = await add_job(session, employer, title=f"Job {number}")
            application = await make_application(session, job=target, candidate=candidate.candidate)
            await set_row(session, application.id, applied_at=T0)
            ids.append(application.id)
        first = await employer_list(client, employer)
        assert len(first["applications"]) == 20
        assert {k: first[k] for k in ("total", "page", "limit", "total_pages")} == page_of(
            21, 1, 20
        )
        second = await employer_list(client, employer, page=2)
        assert ids_of(first) + ids_of(second) == sorted(ids, reverse=True)
        past = await employer_list(client, employer, page=3)
        assert (past["applications"], past["total"]) == ([], 21)
