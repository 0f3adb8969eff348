"""Validators on every signed-in JSON read (API.md M4, ConditionalGetMiddleware): ETag,
`Cache-Control: private, no-cache`, `Vary: Authorization`, and 304 on a matching If-None-Match.
Answers with validators of their own, anonymous answers, errors and files pass untouched.
One database (no query differs)."""

import pytest
from httpx import AsyncClient, Response

from intowork.models import Job
from tests.cache.conftest import (
    ANONYMOUS,
    DASHBOARD,
    JOBS,
    MY_APPLICATIONS,
    PRIVATE,
    PUBLIC,
    SQLITE_ONLY,
    Actor,
    apply_ok,
    call_ok,
)

pytestmark = SQLITE_ONLY

PROFILE = "/api/candidates/profile"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CANDIDATE_READS = (
    "/api/auth/me",
    PROFILE,
    "/api/candidates/cvs",
    MY_APPLICATIONS,
    "/api/notifications",
    "/api/notifications/unread-count",
    f"{DASHBOARD}/activities",
)


async def fetch(client: AsyncClient, path: str, actor: Actor, etag: str | None = None) -> Response:
    headers = dict(actor.headers)
    if etag is not None:
        headers["If-None-Match"] = etag
    return await client.get(path, headers=headers)


def assert_validators(response: Response, cache_control: str = PRIVATE) -> str:
    etag = response.headers["ETag"]
    assert len(etag) > 2
    assert etag[0] == etag[-1] == '"', "a strong validator"
    assert response.headers["Cache-Control"] == cache_control
    assert response.headers.get_list("ETag") == [etag], "one ETag, never two"
    vary = {name.strip().lower() for name in response.headers["Vary"].split(",")}
    assert "authorization" in vary
    return etag


def assert_not_modified(response: Response, etag: str) -> None:
    assert response.status_code == 304, response.text
    assert response.content == b""
    assert "Content-Type" not in response.headers
    assert response.headers.get("Content-Length", "0") == "0"
    assert assert_validators(response) == etag


class TestSignedInReads:
    @pytest.mark.parametrize("path", CANDIDATE_READS)
    async def test_revalidation(self, client: AsyncClient, candidate: Actor, path: str) -> None:
        first = await fetch(client, path, candidate)
        assert first.status_code == 200, first.text
        etag = assert_validators(first)
        for sent in (etag, f"W/{etag}", f'"something-else", {etag}', "*"):
            assert_not_modified(await fetch(client, path, candidate, sent), etag)
        other = await fetch(client, path, candidate, '"something-else"')
        assert (other.status_code, other.content) == (200, first.content)
        assert assert_validators(other) == etag

    async def test_a_write_changes_the_tag(self, client: AsyncClient, candidate: Actor) -> None:
        etag = assert_validators(await fetch(client, PROFILE, candidate))
        await call_ok(client, "PUT", PROFILE, candidate, {"title": "Backend engineer"})
        changed = await fetch(client, PROFILE, candidate, etag)
        assert changed.status_code == 200
        assert changed.json()["title"] == "Backend engineer"
        assert assert_validators(changed) != etag

    async def test_an_application_changes_the_list(
        self, client: AsyncClient, candidate: Actor, job: Job
    ) -> None:
        etag = assert_validators(await fetch(client, MY_APPLICATIONS, candidate))
        await apply_ok(client, candidate, job.id)
        changed = await fetch(client, MY_APPLICATIONS, candidate, etag)
        assert changed.status_code == 200
        assert changed.json()["total"] == 1

    async def test_two_users_never_share_a_tag(
        self, client: AsyncClient, candidate: Actor, other_candidate: Actor
    ) -> None:
        etag = assert_validators(await fetch(client, "/api/auth/me", candidate))
        theirs = await fetch(client, "/api/auth/me", other_candidate, etag)
        assert theirs.status_code == 200
        assert theirs.headers["ETag"] != etag


class TestLeftAlone:
    async def test_routes_with_their_own_validators(
        self, client: AsyncClient, candidate: Actor, job: Job
    ) -> None:
        """The job list chose its own validators (json_response): they are not replaced."""
        first = await fetch(client, JOBS, candidate)
        assert first.headers["Cache-Control"] in {PUBLIC, PRIVATE}
        etag = assert_validators(first, first.headers["Cache-Control"])
        assert (await fetch(client, JOBS, candidate, etag)).status_code == 304

    async def test_anonymous_answers(self, client: AsyncClient) -> None:
        response = await fetch(client, "/api/ping", ANONYMOUS)
        assert response.status_code == 200
        assert "ETag" not in response.headers
        assert "Cache-Control" not in response.headers
        again = await fetch(client, "/api/ping", ANONYMOUS, "*")
        assert again.status_code == 200

    async def test_errors(self, client: AsyncClient, employer: Actor) -> None:
        for path, status in (("/api/candidates/cvs", 403), ("/api/jobs/999999", 404)):
            response = await fetch(client, path, employer, "*")
            assert response.status_code == status, response.text
            assert "ETag" not in response.headers

    async def test_files(self, client: AsyncClient, candidate: Actor) -> None:
        upload = await client.post(
            "/api/candidates/cv",
            files={"cv": ("cv.pdf", PDF, "application/pdf")},
            headers=candidate.headers,
        )
        assert upload.status_code == 200, upload.text
        download = await fetch(client, "/api/candidates/cv/download", candidate, "*")
        assert download.status_code == 200
        assert download.content == PDF
        assert "ETag" not in download.headers
        assert download.headers["Cache-Control"] == "private, no-store"

    async def test_writes(self, client: AsyncClient, candidate: Actor) -> None:
        response = await client.put(
            PROFILE, json={"title": "Engineer"}, headers={**candidate.headers, "If-None-Match": "*"}
        )
        assert response.status_code == 200
        assert "ETag" not in response.headers
