"""The candidate's own applications: list, detail and withdrawal (API.md 5, P2)."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Job
from intowork.models.enums import ApplicationStatus
from tests.applications.conftest import (
    ANONYMOUS,
    APPLICATION_NOT_FOUND,
    AUTH_REQUIRED,
    CANDIDATE_APPLICATION_KEYS,
    CANDIDATE_REQUIRED,
    CANNOT_WITHDRAW,
    MY,
    PAGE_KEYS,
    WITHDRAWN,
    Actor,
    add_job,
    application_row,
    apply,
    apply_ok,
    candidate_actor,
    history_of,
    page_of,
    set_row,
    set_status,
)
from tests.fixtures.factories import make_application

T0 = datetime(2026, 1, 12, 9, 30, tzinfo=UTC)


async def my_list(client: AsyncClient, actor: Actor, **params: Any) -> dict[str, Any]:
    response = await client.get(MY, params=params, headers=actor.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == PAGE_KEYS
    return body


async def applications_to_new_jobs(
    session: AsyncSession, employer: Actor, candidate: Actor, count: int, **values: Any
) -> list[int]:
    """`count` applications by `candidate`, each to a new job, in creation order."""
    assert candidate.candidate is not None
    ids = []
    for number in range(count):
        job = await add_job(session, employer, title=f"Job {number}")
        application = await make_application(
            session, job=job, candidate=candidate.candidate, **values
        )
        ids.append(application.id)
    return ids


class TestCandidateListAuthorization:
    async def test_anonymous(self, client: AsyncClient) -> None:
        response = await client.get(MY)
        assert response.status_code == 401
        assert response.json() == AUTH_REQUIRED

    async def test_employer(self, client: AsyncClient, employer: Actor) -> None:
        response = await client.get(MY, headers=employer.headers)
        assert response.status_code == 403
        assert response.json() == CANDIDATE_REQUIRED


class TestCandidateList:
    async def test_empty(self, client: AsyncClient, candidate: Actor) -> None:
        assert await my_list(client, candidate) == {"applications": [], **page_of(0, 1, 10)}

    async def test_items_match_apply(self, client: AsyncClient, candidate: Actor, job: Job) -> None:
        created = await apply_ok(client, candidate, job.id, cover_letter="Hello")
        body = await my_list(client, candidate)
        assert body["applications"] == [created]
        assert set(body["applications"][0]) == CANDIDATE_APPLICATION_KEYS

    async def test_only_own(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, job: Job
    ) -> None:
        other = await candidate_actor(client, session)
        theirs = await apply_ok(client, other, job.id)
        mine = await apply_ok(client, candidate, job.id)
        assert [a["id"] for a in (await my_list(client, candidate))["applications"]] == [mine["id"]]
        assert [a["id"] for a in (await my_list(client, other))["applications"]] == [theirs["id"]]

    async def test_newest_first_then_id(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, employer: Actor
    ) -> None:
        first, second, third, fourth = await applications_to_new_jobs(
            session, employer, candidate, 4
        )
        await set_row(session, first, applied_at=T0 + timedelta(hours=2))
        await set_row(session, second, applied_at=T0)
        await set_row(session, third, applied_at=T0)
        await set_row(session, fourth, applied_at=T0 - timedelta(days=1))
        ids = [a["id"] for a in (await my_list(client, candidate))["applications"]]
        assert ids == [first, third, second, fourth]

    async def test_status_filter(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, employer: Actor
    ) -> None:
        interviews = await applications_to_new_jobs(
            session, employer, candidate, 2, status=ApplicationStatus.INTERVIEW
        )
        await applications_to_new_jobs(session, employer, candidate, 3)
        body = await my_list(client, candidate, status="interview")
        assert sorted(a["id"] for a in body["applications"]) == sorted(interviews)
        assert {a["status"] for a in body["applications"]} == {"interview"}
        assert body["total"] == 2
        assert (await my_list(client, candidate, status="accepted"))["total"] == 0
        assert (await my_list(client, candidate))["total"] == 5

    async def test_unknown_status(self, client: AsyncClient, candidate: Actor) -> None:
        response = await client.get(MY, params={"status": "hired"}, headers=candidate.headers)
        assert response.status_code == 422

    async def test_notes_hidden(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, job: Job
    ) -> None:
        created = await apply_ok(client, candidate, job.id)
        await set_row(session, created["id"], notes="Weak on SQL")
        assert (await my_list(client, candidate))["applications"][0]["notes"] is None


class TestCandidateListPagination:
    async def test_default_limit(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, employer: Actor
    ) -> None:
        await applications_to_new_jobs(session, employer, candidate, 11)
        body = await my_list(client, candidate)
        assert len(body["applications"]) == 10
        assert {k: body[k] for k in ("total", "page", "limit", "total_pages")} == page_of(11, 1, 10)

    async def test_pages(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, employer: Actor
    ) -> None:
        ids = await applications_to_new_jobs(session, employer, candidate, 7)
        for application_id in ids:
            await set_row(session, application_id, applied_at=T0)
        newest_first = sorted(ids, reverse=True)
        seen = []
        for page in (1, 2, 3):
            body = await my_list(client, candidate, page=page, limit=3)
            assert {k: body[k] for k in ("total", "page", "limit", "total_pages")} == page_of(
                7, page, 3
            )
            seen += [a["id"] for a in body["applications"]]
        assert seen == newest_first

    async def test_past_the_end(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, employer: Actor
    ) -> None:
        await applications_to_new_jobs(session, employer, candidate, 2)
        body = await my_list(client, candidate, page=5, limit=2)
        assert body == {"applications": [], **page_of(2, 5, 2)}

    @pytest.mark.parametrize(
        "params", [{"page": 0}, {"page": -1}, {"limit": 0}, {"limit": 101}, {"page": "x"}]
    )
    async def test_out_of_range(
        self, client: AsyncClient, candidate: Actor, params: dict[str, Any]
    ) -> None:
        response = await client.get(MY, params=params, headers=candidate.headers)
        assert response.status_code == 422

    async def test_limit_100(self, client: AsyncClient, candidate: Actor) -> None:
        assert (await my_list(client, candidate, limit=100))["limit"] == 100


class TestCandidateDetail:
    async def test_own(self, client: AsyncClient, candidate: Actor, job: Job) -> None:
        created = await apply_ok(client, candidate, job.id, cover_letter="Hi")
        response = await client.get(f"{MY}/{created['id']}", headers=candidate.headers)
        assert response.status_code == 200
        assert response.json() == created

    async def test_notes_hidden(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, job: Job
    ) -> None:
        created = await apply_ok(client, candidate, job.id)
        await set_row(session, created["id"], notes="Weak on SQL")
        response = await client.get(f"{MY}/{created['id']}", headers=candidate.headers)
        assert response.json()["notes"] is None

    async def test_other_candidates(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, job: Job
    ) -> None:
        theirs = await apply_ok(client, await candidate_actor(client, session), job.id)
        response = await client.get(f"{MY}/{theirs['id']}", headers=candidate.headers)
        assert response.status_code == 404
        assert response.json() == APPLICATION_NOT_FOUND

    async def test_missing(self, client: AsyncClient, candidate: Actor) -> None:
        response = await client.get(f"{MY}/999999", headers=candidate.headers)
        assert response.status_code == 404
        assert response.json() == APPLICATION_NOT_FOUND

    async def test_employer(
        self, client: AsyncClient, candidate: Actor, employer: Actor, job: Job
    ) -> None:
        created = await apply_ok(client, candidate, job.id)
        response = await client.get(f"{MY}/{created['id']}", headers=employer.headers)
        assert response.status_code == 403
        assert response.json() == CANDIDATE_REQUIRED

    async def test_anonymous(self, client: AsyncClient, candidate: Actor, job: Job) -> None:
        created = await apply_ok(client, candidate, job.id)
        response = await client.get(f"{MY}/{created['id']}", headers=ANONYMOUS.headers)
        assert response.status_code == 401


class TestWithdraw:
    async def test_ok(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, job: Job
    ) -> None:
        created = await apply_ok(client, candidate, job.id)
        response = await client.delete(f"{MY}/{created['id']}", headers=candidate.headers)
        assert response.status_code == 200
        assert response.json() == WITHDRAWN
        assert await application_row(session, created["id"]) is None
        assert await history_of(session, created["id"]) == []
        assert (await my_list(client, candidate))["total"] == 0

    async def test_history_gone_after_changes(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        job: Job,
    ) -> None:
        created = await apply_ok(client, candidate, job.id)
        assert (await set_status(client, employer, created["id"], "viewed")).status_code == 200
        assert (await set_status(client, employer, created["id"], "interview")).status_code == 200
        assert len(await history_of(session, created["id"])) == 3
        response = await client.delete(f"{MY}/{created['id']}", headers=candidate.headers)
        assert response.status_code == 200
        assert await history_of(session, created["id"]) == []

    async def test_apply_again(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, job: Job
    ) -> None:
        created = await apply_ok(client, candidate, job.id)
        await client.delete(f"{MY}/{created['id']}", headers=candidate.headers)
        again = await apply_ok(client, candidate, job.id)
        assert again["status"] == "applied"
        assert len(await history_of(session, again["id"])) == 1

    @pytest.mark.parametrize("status", ["applied", "viewed", "shortlisted", "interview"])
    async def test_open_statuses(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, job: Job, status: str
    ) -> None:
        created = await apply_ok(client, candidate, job.id)
        await set_row(session, created["id"], status=ApplicationStatus(status))
        response = await client.delete(f"{MY}/{created['id']}", headers=candidate.headers)
        assert response.status_code == 200
        assert response.json() == WITHDRAWN
        assert await application_row(session, created["id"]) is None

    @pytest.mark.parametrize("status", ["accepted", "rejected"])
    async def test_final_statuses(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, job: Job, status: str
    ) -> None:
        created = await apply_ok(client, candidate, job.id)
        await set_row(session, created["id"], status=ApplicationStatus(status))
        response = await client.delete(f"{MY}/{created['id']}", headers=candidate.headers)
        assert response.status_code == 400
        assert response.json() == CANNOT_WITHDRAW
        row = await application_row(session, created["id"])
        assert row is not None
        assert row.status.value == status
        assert len(await history_of(session, created["id"])) == 1

    async def test_other_candidates(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, job: Job
    ) -> None:
        theirs = await apply_ok(client, await candidate_actor(client, session), job.id)
        response = await client.delete(f"{MY}/{theirs['id']}", headers=candidate.headers)
        assert response.status_code == 404
        assert response.json() == APPLICATION_NOT_FOUND
        assert await application_row(session, theirs["id"]) is not None

    async def test_missing(self, client: AsyncClient, candidate: Actor) -> None:
        response = await client.delete(f"{MY}/999999", headers=candidate.headers)
        assert response.status_code == 404
        assert response.json() == APPLICATION_NOT_FOUND

    async def test_employer(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        job: Job,
    ) -> None:
        created = await apply_ok(client, candidate, job.id)
        response = await client.delete(f"{MY}/{created['id']}", headers=employer.headers)
        assert response.status_code == 403
        assert response.json() == CANDIDATE_REQUIRED
        assert await application_row(session, created["id"]) is not None

    async def test_anonymous(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, job: Job
    ) -> None:
        created = await apply_ok(client, candidate, job.id)
        response = await client.delete(f"{MY}/{created['id']}")
        assert response.status_code == 401
        assert response.json() == AUTH_REQUIRED
        assert await application_row(session, created["id"]) is not None

    async def test_twice(self, client: AsyncClient, candidate: Actor, job: Job) -> None:
        created = await apply_ok(client, candidate, job.id)
        await client.delete(f"{MY}/{created['id']}", headers=candidate.headers)
        response = await client.delete(f"{MY}/{created['id']}", headers=candidate.headers)
        assert response.status_code == 404
        assert response.json() == APPLICATION_NOT_FOUND
        assert (await apply(client, candidate, job.id)).status_code == 201
