"""Input validation (issue 16): links are absolute http(s) URLs (M6), e-mails are one account
whatever their Unicode compatibility form, a 5,000-digit integer is a 422 like any number no
field takes, and a path id is written one way only (API.md 1.1)."""

from typing import Any

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import Company, User
from tests.fixtures.abuse import JSON, World, detail_of, job_body, snapshot
from tests.fixtures.actors import bearer
from tests.fixtures.factories import DEFAULT_PASSWORD

GOOD_URL = "https://example.com/a?b=c"
BAD_URLS = [
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "ftp://example.com/file",
    "mailto:someone@example.com",
    "/x",
    "//example.com/x",
    "example.com",
    "http://",
    "https://",
    "http://:80",
    "http:example.com",
    "http:///example.com",
    "https:\\\\example.com",
    "https://exa mple.com",
    "https://example.com/a\tb",
]
COMPANY_LINKS = ["website_url", "linkedin_url", "logo_url"]
PROFILE_LINKS = ["linkedin_url", "website_url"]


async def signed_up(client: AsyncClient, email: str, role: str = "candidate") -> dict[str, Any]:
    body = {
        "email": email,
        "password": DEFAULT_PASSWORD,
        "first_name": "Ada",
        "last_name": "Lovelace",
        "role": role,
    }
    response = await client.post("/api/auth/signup", json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def assert_refused(response: Any, field: str, value: str) -> None:
    [error] = detail_of(response, 422)
    assert error["loc"] == ["body", field], (field, value, error)


class TestLinks:
    async def test_company_links(self, client: AsyncClient, session: AsyncSession) -> None:
        headers = bearer((await signed_up(client, "owner@example.com", "employer"))["access_token"])
        for field in COMPANY_LINKS:
            for value in BAD_URLS:
                response = await client.post(
                    "/api/companies", json={"name": "Acme", field: value}, headers=headers
                )
                assert_refused(response, field, value)
        assert await session.scalar(select(func.count()).select_from(Company)) == 0
        links = dict.fromkeys(COMPANY_LINKS, GOOD_URL)
        created = await client.post(
            "/api/companies", json={"name": "Acme", **links}, headers=headers
        )
        assert created.status_code == 201, created.text
        assert {field: created.json()[field] for field in COMPANY_LINKS} == links
        public = await client.get(f"/api/companies/{created.json()['id']}")
        assert {field: public.json()[field] for field in COMPANY_LINKS} == links
        for field in COMPANY_LINKS:
            for value in BAD_URLS:
                response = await client.put(
                    "/api/companies/my-company", json={field: value}, headers=headers
                )
                assert_refused(response, field, value)
        mine = await client.get("/api/companies/my-company", headers=headers)
        assert {field: mine.json()[field] for field in COMPANY_LINKS} == links

    async def test_company_links_kept_as_sent(self, client: AsyncClient) -> None:
        headers = bearer((await signed_up(client, "owner@example.com", "employer"))["access_token"])
        created = await client.post("/api/companies", json={"name": "Acme"}, headers=headers)
        assert created.status_code == 201, created.text
        path = "/api/companies/my-company"
        # Trimmed, otherwise unchanged: no trailing slash added, case and IDN kept.
        for sent, stored in (
            ("  https://Example.com  ", "https://Example.com"),
            ("HTTP://example.com/A?b=C#d", "HTTP://example.com/A?b=C#d"),
            ("https://exämple.com/café", "https://exämple.com/café"),
            ("https://example.com:8443", "https://example.com:8443"),
            ("", ""),  # as before: an empty company link is stored as sent
            (None, None),
        ):
            response = await client.put(path, json={"website_url": sent}, headers=headers)
            assert response.status_code == 200, response.text
            assert response.json()["website_url"] == stored, sent
        longest = "https://example.com/" + "x" * 480
        response = await client.put(path, json={"logo_url": longest}, headers=headers)
        assert response.json()["logo_url"] == longest
        response = await client.put(path, json={"logo_url": longest + "x"}, headers=headers)
        assert_refused(response, "logo_url", "501 characters")

    async def test_profile_links(self, client: AsyncClient) -> None:
        headers = bearer((await signed_up(client, "candidate@example.com"))["access_token"])
        path = "/api/candidates/profile"
        for field in PROFILE_LINKS:
            for value in BAD_URLS:
                response = await client.put(path, json={field: value}, headers=headers)
                assert_refused(response, field, value)
            saved = await client.put(path, json={field: f" {GOOD_URL} "}, headers=headers)
            assert saved.status_code == 200, saved.text
            assert saved.json()[field] == GOOD_URL
            assert (await client.get(path, headers=headers)).json()[field] == GOOD_URL
            # As before: "" clears a profile link, stored as null.
            cleared = await client.put(path, json={field: ""}, headers=headers)
            assert cleared.json()[field] is None


FULL_WIDTH_ADMIN = "\uff41dmin@example.com"  # a full-width "a"


class TestEmailCompatibilityForms:
    async def test_duplicate_sign_up(self, client: AsyncClient, session: AsyncSession) -> None:
        await signed_up(client, "admin@example.com")
        for email in (FULL_WIDTH_ADMIN, "\uff21\uff24\uff2d\uff29\uff2e@\uff45xample.com"):
            body = {
                "email": email,
                "password": DEFAULT_PASSWORD,
                "first_name": "Eve",
                "last_name": "Mallory",
                "role": "candidate",
            }
            response = await client.post("/api/auth/signup", json=body)
            assert detail_of(response, 400) == "Email already registered"
        emails = (await session.scalars(select(User.email))).all()
        assert emails == ["admin@example.com"]

    async def test_stored_and_signed_in_normalised(self, client: AsyncClient) -> None:
        first = await signed_up(client, FULL_WIDTH_ADMIN)
        assert first["user"]["email"] == "admin@example.com"
        for email in ("admin@example.com", FULL_WIDTH_ADMIN, "ADMIN@EXAMPLE.COM"):
            response = await client.post(
                "/api/auth/signin", json={"email": email, "password": DEFAULT_PASSWORD}
            )
            assert response.status_code == 200, (email, response.text)
            assert response.json()["user"]["id"] == first["user"]["id"]

    async def test_change_email_to_another_form(self, client: AsyncClient) -> None:
        await signed_up(client, "admin@example.com")
        other = await signed_up(client, "other@example.com")
        response = await client.post(
            "/api/auth/change-email",
            json={"new_email": FULL_WIDTH_ADMIN, "password": DEFAULT_PASSWORD},
            headers=bearer(other["access_token"]),
        )
        assert detail_of(response, 400) == "Email already in use"


HUGE = b"1" + b"0" * 4999  # 5,000 digits: past Python's 4,300-digit conversion limit


class TestHugeIntegers:
    async def test_5000_digits(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        before = await snapshot(session)
        for method, path, headers, data in (
            ("POST", "/api/applications/my/applications", world.candidate, b'{"job_id": %s}'),
            ("POST", "/api/applications/my/applications", world.candidate, b'{"job_id": -%s}'),
            ("POST", "/api/jobs/create", world.employer, b'{"title": "T", "salary_min": %s}'),
            ("PUT", "/api/candidates/profile", world.candidate, b'{"unknown": [%s]}'),
            ("POST", "/api/auth/signin", {}, b'{"email": "a@example.com", "password": %s}'),
        ):
            response = await client.request(
                method, path, content=data % HUGE, headers=JSON | headers
            )
            detail = detail_of(response, 422)
            assert isinstance(detail, list), (path, detail)
            [error] = detail
            assert error["loc"] == ["body"], (path, error)
            assert error["type"] == "int_parsing_size"
        assert await snapshot(session) == before
        # Just under the limit, the number reaches its field and is refused there.
        response = await client.post(
            "/api/jobs/create",
            content=b'{"salary_min": %s, "title": "T", "description": "D"}' % HUGE[:4300],
            headers=JSON | world.employer,
        )
        assert detail_of(response, 422)[0]["loc"] == ["body", "salary_min"]
        assert await snapshot(session) == before


class TestCanonicalPathIds:
    async def test_one_spelling_per_id(self, client: AsyncClient, world: World) -> None:
        job = world.python_job
        ok = await client.get(f"/api/jobs/{job}")
        assert ok.status_code == 200, ok.text
        assert ok.json()["id"] == job
        for spelling in (f"0{job}", f"00{job}", f"{job}.0", f"+{job}", f"%20{job}", f"{job}%20"):
            response = await client.get(f"/api/jobs/{spelling}")
            [error] = detail_of(response, 422)
            assert error["loc"] == ["path", "job_id"], (spelling, error)
        # The same on a write, through the owner's loader: nothing changes.
        response = await client.put(f"/api/jobs/0{job}", json=job_body(), headers=world.employer)
        assert detail_of(response, 422)[0]["loc"] == ["path", "job_id"]
