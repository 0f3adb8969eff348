"""Input abuse in text: NUL characters and lone surrogates (422 on both engines), unusual
Unicode that must round-trip and stay searchable, odd bytes in query strings and stored headers."""

import json

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.models import AuthSession
from tests.fixtures.abuse import JSON, World, caller, detail_of, job_body, job_ids, snapshot
from tests.fixtures.factories import DEFAULT_PASSWORD, make_user

NUL_ERROR = {"type": "string_nul", "msg": "String should not contain NUL characters"}
# Text no engine may mangle: right-to-left override, zero-width space and joiner, combining
# accents, emoji (astral plane), a ligature.
ODD_TEXT = "Ingénieur \u202edlrow\u202c ze\u200bro e\u0301\u0300 👩\u200d💻 ﬁn"


NUL_FIELDS = [
    ("POST", "/api/jobs/create", "employer", job_body(), "title"),
    ("POST", "/api/jobs/create", "employer", job_body(), "description"),
    ("PUT", "/api/jobs/{python_job}", "employer", job_body(), "requirements"),
    ("PUT", "/api/candidates/profile", "candidate", {}, "title"),
    ("PUT", "/api/candidates/profile", "candidate", {}, "summary"),
    (
        "POST",
        "/api/candidates/profile/skills",
        "candidate",
        {"level": 3, "category": "soft"},
        "name",
    ),
    ("POST", "/api/companies", "employer", {}, "name"),
    ("PUT", "/api/employers/me", "employer", {}, "position"),
    ("PUT", "/api/applications/employer/applications/{application}/notes", "employer", {}, "notes"),
    (
        "POST",
        "/api/auth/signup",
        "",
        {
            "email": "nul@example.com",
            "password": DEFAULT_PASSWORD,
            "last_name": "N",
            "role": "candidate",
        },
        "first_name",
    ),
]


class TestUnicode:
    async def test_nul_in_a_body_is_422_on_both_engines(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        """PostgreSQL text cannot hold a NUL (it failed there as a 500); SQLite stored it."""
        before = await snapshot(session)
        for method, template, who, body, field in NUL_FIELDS:
            path = template.format(**world.__dict__)
            for value in ("a\x00b", "\x00", "x" * 90 + "\x00"):
                response = await client.request(
                    method, path, json=body | {field: value}, headers=caller(world, who)
                )
                [error] = detail_of(response, 422)
                assert error == NUL_ERROR | {"loc": ["body", field]}, (path, error)
        assert await snapshot(session) == before

    async def test_lone_surrogates_in_a_body_are_422(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        before = await snapshot(session)
        for method, template, who, body, field in NUL_FIELDS:
            path = template.format(**world.__dict__)
            for escaped in ("\\ud800", "a\\udfffb", "\\udc00\\ud800"):
                data = json.dumps(body | {field: "PLACEHOLDER"}).replace("PLACEHOLDER", escaped)
                response = await client.request(
                    method, path, content=data, headers=JSON | caller(world, who)
                )
                [error] = detail_of(response, 422)
                assert (error["type"], error["loc"]) == ("string_unicode", ["body", field])
        assert await snapshot(session) == before

    async def test_unusual_text_round_trips(self, client: AsyncClient, world: World) -> None:
        long_word = "x" * 19_000
        created = await client.post(
            "/api/jobs/create",
            json=job_body(title=ODD_TEXT, description=f"{ODD_TEXT} {long_word}"),
            headers=world.employer,
        )
        assert created.status_code == 201, created.text
        job = created.json()
        assert (job["title"], job["description"]) == (ODD_TEXT, f"{ODD_TEXT} {long_word}")
        profile = await client.put(
            "/api/candidates/profile", json={"title": ODD_TEXT}, headers=world.candidate
        )
        assert profile.status_code == 200, profile.text
        assert profile.json()["title"] == ODD_TEXT
        signup = await client.post(
            "/api/auth/signup",
            json={
                "email": "zoe@example.com",
                "password": DEFAULT_PASSWORD,
                "first_name": "Zoë\u200d👩\u200d💻",
                "last_name": "\u202eNakamura\u202c",
                "role": "employer",
            },
        )
        assert signup.status_code == 201, signup.text
        user = signup.json()["user"]
        assert (user["first_name"], user["last_name"]) == (
            "Zoë\u200d👩\u200d💻",
            "\u202eNakamura\u202c",
        )
        # Found by its words however they are typed; the long word by a prefix of it.
        for search in ("ingenieur", "INGÉNIEUR", "Inge\u0301nieur", "fin", "x" * 300):
            assert await job_ids(client, search=search) == [job["id"]], search
        # Text with no letters or digits searches nothing: the unfiltered list.
        everything = await job_ids(client)
        for search in ("👩\u200d💻", "\u202e\u202c", "\u200b", "\u0301\u0300"):
            assert await job_ids(client, search=search) == everything

    async def test_odd_bytes_in_query_strings(self, client: AsyncClient, world: World) -> None:
        everything = await job_ids(client)
        assert len(everything) == 2
        # Invalid UTF-8 (decoded as U+FFFD) is not a letter: no search terms at all.
        for raw in ("%ff", "%ff%fe", "%ED%A0%80", "%C0%80"):
            assert await job_ids(client, raw=f"search={raw}") == everything, raw
        assert await job_ids(client, raw="search=python%ff") == [world.python_job]
        for path, raw, who in (
            ("/api/jobs", "location=%ff", ""),
            ("/api/jobs/my-jobs", "search=%ff", "employer"),
            ("/api/admin/users", "search=%ff%ED%A0%80", "admin"),
        ):
            response = await client.get(f"{path}?{raw}", headers=caller(world, who))
            assert response.status_code == 200, response.text
            body = response.json()
            assert (body if isinstance(body, list) else body["jobs"]) == [], (path, raw)

    @pytest.mark.parametrize(
        ("path", "raw", "who"),
        [
            ("/api/jobs", "search=%00", ""),
            ("/api/jobs", "search=python%00", ""),
            ("/api/jobs", "location=%00", ""),
            ("/api/jobs", "location=ris%00zzz", ""),
            ("/api/jobs/my-jobs", "search=%00", "employer"),
            ("/api/jobs/my-jobs", "search=python%00zzz", "employer"),
            ("/api/admin/users", "search=%00", "admin"),
            ("/api/admin/users", "search=example%00zzz", "admin"),
        ],
    )
    async def test_nul_in_a_text_filter_is_422(
        self, client: AsyncClient, world: World, path: str, raw: str, who: str
    ) -> None:
        """As in bodies, on both engines: SQLite's LIKE would read the pattern only up to the
        NUL (`%00` matching everything), PostgreSQL would refuse the parameter."""
        response = await client.get(f"{path}?{raw}", headers=caller(world, who))
        [error] = detail_of(response, 422)
        assert error["type"] == NUL_ERROR["type"]
        assert error["loc"][0] == "query"

    async def test_nul_in_a_stored_header(self, client: AsyncClient, session: AsyncSession) -> None:
        """The User-Agent is stored with the session: its control characters are dropped (a NUL
        was a PostgreSQL 500), and the sign-in works on both engines."""
        await make_user(session, email="agent@example.com")
        response = await client.post(
            "/api/auth/signin",
            json={"email": "agent@example.com", "password": DEFAULT_PASSWORD},
            headers=[(b"User-Agent", b"Mozilla\x00/5.0\x07")],
        )
        assert response.status_code == 200, response.text
        agents = await session.scalars(
            select(AuthSession.user_agent).execution_options(populate_existing=True)
        )
        assert list(agents) == ["Mozilla/5.0"]
