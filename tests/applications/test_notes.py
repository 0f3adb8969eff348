"""PUT /api/applications/employer/applications/{id}/notes: private employer notes (API.md 5)."""

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Company, Job
from tests.applications.conftest import (
    ANONYMOUS,
    APPLICATION_NOT_FOUND,
    AUTH_REQUIRED,
    EMPLOYER_REQUIRED,
    MY,
    NO_ACCESS,
    Actor,
    application_row,
    apply_ok,
    employer_actor,
    history_of,
    notifications_of,
    set_notes,
)


def noted(application_id: int, notes: str | None) -> dict[str, object]:
    return {"message": "Notes updated", "application_id": application_id, "notes": notes}


async def stored_notes(session: AsyncSession, application_id: int) -> str | None:
    row = await application_row(session, application_id)
    assert row is not None
    return row.notes


class TestNotes:
    async def test_set(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        job: Job,
    ) -> None:
        created = await apply_ok(client, candidate, job.id)
        response = await set_notes(client, employer, created["id"], "Strong SQL")
        assert response.status_code == 200
        assert response.json() == noted(created["id"], "Strong SQL")
        assert await stored_notes(session, created["id"]) == "Strong SQL"

    async def test_replaces(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        job: Job,
    ) -> None:
        created = await apply_ok(client, candidate, job.id)
        await set_notes(client, employer, created["id"], "First thoughts")
        response = await set_notes(client, employer, created["id"], "Second thoughts")
        assert response.json() == noted(created["id"], "Second thoughts")
        assert await stored_notes(session, created["id"]) == "Second thoughts"

    async def test_null_clears(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        job: Job,
    ) -> None:
        created = await apply_ok(client, candidate, job.id)
        await set_notes(client, employer, created["id"], "Strong SQL")
        response = await set_notes(client, employer, created["id"], None)
        assert response.status_code == 200
        assert response.json() == noted(created["id"], None)
        assert await stored_notes(session, created["id"]) is None

    async def test_changes_nothing_else(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        job: Job,
    ) -> None:
        created = await apply_ok(client, candidate, job.id, cover_letter="Hello")
        await set_notes(client, employer, created["id"], "Strong SQL")
        row = await application_row(session, created["id"])
        assert row is not None
        assert (row.status.value, row.cover_letter) == ("applied", "Hello")
        assert len(await history_of(session, created["id"])) == 1
        assert await notifications_of(session, candidate.user) == []

    async def test_hidden_from_candidate(
        self, client: AsyncClient, candidate: Actor, employer: Actor, job: Job
    ) -> None:
        created = await apply_ok(client, candidate, job.id)
        await set_notes(client, employer, created["id"], "Weak on SQL")
        detail = await client.get(f"{MY}/{created['id']}", headers=candidate.headers)
        assert detail.json()["notes"] is None
        listing = await client.get(MY, headers=candidate.headers)
        assert [item["notes"] for item in listing.json()["applications"]] == [None]

    async def test_longest(
        self, client: AsyncClient, candidate: Actor, employer: Actor, job: Job
    ) -> None:
        created = await apply_ok(client, candidate, job.id)
        assert (await set_notes(client, employer, created["id"], "n" * 20_000)).status_code == 200
        response = await set_notes(client, employer, created["id"], "n" * 20_001)
        assert response.status_code == 422

    @pytest.mark.parametrize("body", [{}, {"notes": 12}], ids=["missing", "number"])
    async def test_invalid(
        self, client: AsyncClient, candidate: Actor, employer: Actor, job: Job, body: dict[str, Any]
    ) -> None:
        created = await apply_ok(client, candidate, job.id)
        response = await client.put(
            f"/api/applications/employer/applications/{created['id']}/notes",
            json=body,
            headers=employer.headers,
        )
        assert response.status_code == 422


class TestNotesAuthorization:
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
        response = await set_notes(client, colleague, created["id"], "Seen")
        assert response.json() == noted(created["id"], "Seen")

    async def test_other_company(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        outsider: Actor,
        job: Job,
    ) -> None:
        created = await apply_ok(client, candidate, job.id)
        response = await set_notes(client, outsider, created["id"], "Poached")
        assert response.status_code == 403
        assert response.json() == NO_ACCESS
        assert await stored_notes(session, created["id"]) is None

    async def test_missing(self, client: AsyncClient, employer: Actor) -> None:
        response = await set_notes(client, employer, 999_999, "Nobody")
        assert response.status_code == 404
        assert response.json() == APPLICATION_NOT_FOUND

    async def test_candidate(
        self, client: AsyncClient, session: AsyncSession, candidate: Actor, job: Job
    ) -> None:
        created = await apply_ok(client, candidate, job.id)
        response = await set_notes(client, candidate, created["id"], "Hire me")
        assert response.status_code == 403
        assert response.json() == EMPLOYER_REQUIRED
        assert await stored_notes(session, created["id"]) is None

    async def test_anonymous(self, client: AsyncClient, candidate: Actor, job: Job) -> None:
        created = await apply_ok(client, candidate, job.id)
        response = await set_notes(client, ANONYMOUS, created["id"], "Hi")
        assert response.status_code == 401
        assert response.json() == AUTH_REQUIRED
