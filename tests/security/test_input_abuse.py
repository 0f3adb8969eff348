"""Input abuse: oversized and malformed bodies, hostile text, operators in searches, absurd
numbers and headers. Every answer is a 4xx `{"detail": ...}` (or a sane 200), never a 500, and a
refused write leaves the database as it was."""

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.config import Settings
from intowork.core.pagination import MAX_PAGE
from intowork.core.tokens import create_access_token
from intowork.jobs.search import parse_search, search_document
from intowork.models import (
    AuthSession,
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
    DEFAULT_PASSWORD,
    make_application,
    make_candidate,
    make_company,
    make_employer,
    make_job,
    make_user,
)

JSON = {"Content-Type": "application/json"}
MAX_ID = 2**31 - 1
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
NUL_ERROR = {"type": "string_nul", "msg": "String should not contain NUL characters"}
# Text no engine may mangle: right-to-left override, zero-width space and joiner, combining
# accents, emoji (astral plane), a ligature.
ODD_TEXT = "Ingénieur \u202edlrow\u202c ze\u200bro e\u0301\u0300 👩\u200d💻 ﬁn"


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
    return {"Authorization": f"Bearer {create_access_token(user, settings, now=datetime.now(UTC))}"}


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


@pytest.fixture
async def world(session: AsyncSession, settings: Settings) -> World:
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


def writes(world: World) -> list[tuple[str, str, dict[str, str], dict[str, Any]]]:
    """One write of each kind: method, path, caller, a valid body."""
    application = f"/api/applications/employer/applications/{world.application}"
    return [
        ("POST", "/api/jobs/create", world.employer, job_body()),
        ("PUT", f"/api/jobs/{world.python_job}", world.employer, job_body()),
        ("PUT", "/api/candidates/profile", world.candidate, {"title": "Engineer"}),
        (
            "POST",
            "/api/auth/signup",
            {},
            {
                "email": "new@example.com",
                "password": DEFAULT_PASSWORD,
                "first_name": "New",
                "last_name": "Person",
                "role": "candidate",
            },
        ),
        ("PUT", f"{application}/notes", world.employer, {"notes": "Strong"}),
        ("PUT", f"{application}/status", world.employer, {"status": "viewed"}),
        (
            "POST",
            "/api/candidates/profile/skills",
            world.candidate,
            {"name": "SQL", "level": 3, "category": "technical"},
        ),
    ]


async def chunks(body: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def padded(body: dict[str, Any], size: int) -> bytes:
    """`body` as JSON of exactly `size` bytes (trailing JSON whitespace)."""
    data = json.dumps(body).encode()
    return data + b" " * (size - len(data))


class TestBodySize:
    async def test_just_over_the_limit_is_413(
        self, client: AsyncClient, session: AsyncSession, world: World, settings: Settings
    ) -> None:
        limit = settings.max_body_bytes
        too_large = f"Request body too large (max {limit} bytes)"
        before = await snapshot(session)
        for method, path, caller, body in writes(world):
            data = padded(body, limit + 1)
            declared = await client.request(method, path, content=data, headers=JSON | caller)
            assert detail_of(declared, 413) == too_large
            streamed = client.build_request(method, path, content=chunks(data), headers=JSON)
            streamed.headers.update(caller)
            assert "content-length" not in streamed.headers
            assert detail_of(await client.send(streamed), 413) == too_large
            # A Content-Length that lies (or is not a number) does not lift the cap either.
            for length in ("10", "abc"):
                lying = client.build_request(method, path, content=chunks(data), headers=JSON)
                lying.headers.update(caller | {"Content-Length": length})
                assert detail_of(await client.send(lying), 413) == too_large
        assert await snapshot(session) == before

    async def test_exactly_the_limit_is_accepted(
        self, client: AsyncClient, world: World, settings: Settings
    ) -> None:
        path = f"/api/applications/employer/applications/{world.application}/notes"
        data = padded({"notes": "At the limit"}, settings.max_body_bytes)
        response = await client.put(path, content=data, headers=JSON | world.employer)
        assert response.status_code == 200, response.text
        assert response.json()["notes"] == "At the limit"


UNPARSEABLE = {
    # Python's json raises RecursionError (not a JSONDecodeError) on these; FastAPI: 400.
    "nested arrays": (b"[" * 100_000, 400),
    "nested objects": (b'{"a":' * 100_000, 400),
    "invalid UTF-8": (b'{"title": "\xff\xfe"}', 400),
    "5,000-digit number": (b'{"title": ' + b"9" * 5000 + b"}", 400),
    "truncated": (b'{"title": "x"', 422),
    "not JSON": (b"title=x", 422),
    "trailing garbage": (b'{"title": "x"} }', 422),
    "empty": (b"", 422),
    "null": (b"null", 422),
    "list": (b'[{"title": "x"}]', 422),
    "number": (b"1", 422),
    "string": (b'"x"', 422),
    "boolean": (b"true", 422),
    "NaN": (b"NaN", 422),
}


class TestMalformedJson:
    async def test_unparseable_and_non_object_bodies(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        before = await snapshot(session)
        for method, path, caller, _body in writes(world):
            for name, (data, status) in UNPARSEABLE.items():
                response = await client.request(method, path, content=data, headers=JSON | caller)
                detail = detail_of(response, status)
                if status == 400:
                    assert detail == "There was an error parsing the body", (name, path)
        assert await snapshot(session) == before

    async def test_deep_nesting_inside_a_field(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        before = await snapshot(session)
        for method, path, caller, body in writes(world):
            for key in body:
                for depth in (500, 100_000):
                    data = (
                        json.dumps(body)
                        .encode()
                        .replace(f'"{key}": '.encode(), f'"{key}": '.encode() + b"[" * depth, 1)
                    )
                    response = await client.request(
                        method, path, content=data, headers=JSON | caller
                    )
                    detail_of(response, 422 if depth == 500 else 400)
        assert await snapshot(session) == before

    async def test_wrong_content_type(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        before = await snapshot(session)
        for method, path, caller, body in writes(world):
            for content_type in (
                "text/plain",
                "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x",
                "application/xml",
                "application/json-patch",
            ):
                response = await client.request(
                    method,
                    path,
                    content=json.dumps(body),
                    headers=caller | {"Content-Type": content_type},
                )
                detail_of(response, 422)
        assert await snapshot(session) == before

    async def test_duplicate_keys_the_last_one_wins(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        data = b'{"title": "First", "description": "D", "title": "Second"}'
        created = await client.post("/api/jobs/create", content=data, headers=JSON | world.employer)
        assert created.status_code == 201, created.text
        assert created.json()["title"] == "Second"
        # The last key decides: a trailing "admin" cannot be smuggled past an allowed role.
        before = await snapshot(session)
        signup = (
            b'{"email": "dup@example.com", "password": "%s", "first_name": "D", '
            b'"last_name": "K", "role": "candidate", "role": "admin"}' % DEFAULT_PASSWORD.encode()
        )
        response = await client.post("/api/auth/signup", content=signup, headers=JSON)
        assert detail_of(response, 422)[0]["loc"] == ["body", "role"]
        assert await snapshot(session) == before


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


def caller(world: World, who: str) -> dict[str, str]:
    return getattr(world, who) if who else {}


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


# SQL, LIKE, tsquery and FTS5 syntax: none of it may reach the engines as syntax.
OPERATORS = [
    "' OR 1=1 --",
    "' OR '1'='1",
    "python' OR 1=1 --",
    "1; DROP TABLE jobs; --",
    "%",
    "_",
    "\\",
    "%%",
    "&",
    "|",
    "!",
    ":*",
    "<->",
    "(",
    ")",
    '"',
    "'",
    "python | rust",
    "python OR rust",
    "python & !rust",
    "python <-> rust",
    "python:* | rust:*",
    "NEAR(python rust)",
    "NEAR(",
    "python AND",
    "AND OR NOT",
    "*",
    "python*",
    "^python",
    "title:python",
    "{title}: rust",
    '"python" OR "rust"',
    "-python",
    "python NOT rust",
]


class TestSearchOperators:
    async def test_operators_never_widen_the_public_search(
        self, client: AsyncClient, world: World
    ) -> None:
        everything = await job_ids(client)
        assert sorted(everything) == sorted([world.python_job, world.rust_job])
        assert await job_ids(client, search="python") == [world.python_job]
        # J1 as an oracle: every search term is a prefix of some word of the job.
        documents = {
            world.python_job: search_document("Python developer", DESCRIPTION, "Acme").split(),
            world.rust_job: search_document("Rust engineer", DESCRIPTION, "Acme").split(),
        }
        for operator in OPERATORS:
            query = parse_search(operator)
            terms = query.indexed_terms + query.short_terms
            expected = {
                job
                for job, words in documents.items()
                if all(any(word.startswith(term) for word in words) for term in terms)
            }
            for sort in ("recent", "relevance"):
                found = await job_ids(client, search=operator, sort=sort)
                assert len(found) == len(set(found))
                assert set(found) == expected, (operator, sort, found)
                # Glued to a word, an operator still narrows to that word's matches at most.
                glued = await job_ids(client, search=f"python{operator}", sort=sort)
                assert set(glued) <= {world.python_job}, operator
        # Punctuation only searches nothing: the unfiltered list, no more; "|" and "OR" are
        # never a union.
        assert set(await job_ids(client, search="%")) == set(everything)
        for union in ("python | rust", "python OR rust", "python:* | rust:*", "' OR 1=1 --"):
            assert await job_ids(client, search=union) == [], union

    async def test_empty_and_blank_searches_are_no_filter(
        self, client: AsyncClient, world: World
    ) -> None:
        everything = await job_ids(client)
        for search in ("", " ", "   ", "\t", "\u3000", "\n"):
            assert await job_ids(client, search=search) == everything, repr(search)

    async def test_like_wildcards_are_literal(self, client: AsyncClient, world: World) -> None:
        """Substring filters (my jobs, admin users, location) take `%`, `_` and `\\` literally."""
        mine = await job_ids(client, path="/api/jobs/my-jobs", headers=world.employer)
        assert len(mine) == 3
        for search in ("%", "_", "\\", "%%", "pyth%n", "pyth_n", "' OR 1=1 --", "%' OR '1'='1"):
            assert (
                await job_ids(
                    client, path="/api/jobs/my-jobs", headers=world.employer, search=search
                )
                == []
            ), search
            assert await job_ids(client, location=search) == [], search
            users = await client.get(
                "/api/admin/users", params={"search": search}, headers=world.admin
            )
            assert users.status_code == 200, users.text
            assert users.json() == [], search
        # The controls: the same filters do find what they should.
        python = await job_ids(
            client, path="/api/jobs/my-jobs", headers=world.employer, search="python"
        )
        assert sorted(python) == sorted([world.python_job, world.draft_job])
        assert await job_ids(client, location="ari") == [world.python_job]
        users = await client.get(
            "/api/admin/users", params={"search": "example.com"}, headers=world.admin
        )
        assert len(users.json()) == 3


# Page-style lists (API.md 1.5): path, caller.
PAGED = [
    ("/api/jobs", ""),
    ("/api/jobs/my-jobs", "employer"),
    ("/api/applications/my/applications", "candidate"),
    ("/api/applications/employer/applications", "employer"),
]
BAD_NUMBERS = ["0", "-1", str(10**18), str(2**63), str(10**100), "abc", "1.5", "", "1e3", "true"]
BAD_LIMITS = ["0", "-1", "101", str(2**63), str(10**100), "ten", "2.5"]


def listed(body: Any) -> list[Any]:
    if isinstance(body, list):
        return body
    return body["jobs"] if "jobs" in body else body.get("applications", body.get("notifications"))


class TestPagination:
    async def test_page_numbers(self, client: AsyncClient, world: World) -> None:
        for path, who in PAGED:
            headers = caller(world, who)
            first = await client.get(path, headers=headers)
            assert first.status_code == 200, first.text
            total = first.json()["total"]
            assert total >= 1
            for page in BAD_NUMBERS:
                response = await client.get(f"{path}?page={page}", headers=headers)
                [error] = detail_of(response, 422)
                assert error["loc"] == ["query", "page"], (path, page)
            for limit in BAD_LIMITS:
                response = await client.get(f"{path}?limit={limit}", headers=headers)
                [error] = detail_of(response, 422)
                assert error["loc"] == ["query", "limit"], (path, limit)
            # Past the end, up to the largest page (an OFFSET of 10**17, within bigint):
            # an empty list and the true total.
            for page, limit in ((10**6, 10), (MAX_PAGE, 100)):
                response = await client.get(
                    path, params={"page": page, "limit": limit}, headers=headers
                )
                assert response.status_code == 200, response.text
                body = response.json()
                assert listed(body) == []
                assert (body["total"], body["page"], body["limit"]) == (total, page, limit)

    async def test_offsets_and_skips(self, client: AsyncClient, world: World) -> None:
        skipped = [
            ("/api/admin/users", world.admin),
            ("/api/admin/jobs", world.admin),
            ("/api/admin/employers", world.admin),
            ("/api/users", world.admin),
        ]
        for path, headers in skipped:
            for skip in ("-1", str(2**31), str(2**63), str(10**100), "x", "1.5"):
                response = await client.get(f"{path}?skip={skip}", headers=headers)
                assert detail_of(response, 422)[0]["loc"] == ["query", "skip"], (path, skip)
            for limit in BAD_LIMITS:
                response = await client.get(f"{path}?limit={limit}", headers=headers)
                assert detail_of(response, 422)[0]["loc"] == ["query", "limit"], (path, limit)
            response = await client.get(path, params={"skip": MAX_ID}, headers=headers)
            assert response.status_code == 200, response.text
            assert response.json() == []
        path = "/api/notifications"
        for offset in ("-1", str(2**31), str(2**63), str(10**100), "x"):
            response = await client.get(f"{path}?offset={offset}", headers=world.employer)
            assert detail_of(response, 422)[0]["loc"] == ["query", "offset"], offset
        response = await client.get(path, params={"offset": MAX_ID}, headers=world.employer)
        assert response.status_code == 200, response.text
        assert response.json()["notifications"] == []
        assert response.json()["total"] == 1


# Path ids (API.md 1.1: positive integers, 422 otherwise; a valid absent one is a 404).
BAD_IDS = ["0", "-1", str(2**31), str(2**63), str(10**100), "1.5", "abc", "true", "1e3", "%00"]


def id_routes(world: World) -> list[tuple[str, str, dict[str, str], dict[str, Any] | None]]:
    skill = {"name": "SQL", "level": 3, "category": "technical"}
    return [
        ("GET", "/api/jobs/{}", {}, None),
        ("PUT", "/api/jobs/{}", world.employer, job_body()),
        ("PATCH", "/api/jobs/{}/status", world.employer, {"status": "closed"}),
        ("DELETE", "/api/jobs/{}", world.employer, None),
        ("GET", "/api/companies/{}", {}, None),
        ("GET", "/api/users/{}", world.admin, None),
        ("PUT", "/api/admin/users/{}/activate", world.admin, {"is_active": False}),
        ("DELETE", "/api/admin/users/{}", world.admin, None),
        (
            "PUT",
            "/api/applications/employer/applications/{}/status",
            world.employer,
            {"status": "viewed"},
        ),
        ("PUT", "/api/applications/employer/applications/{}/notes", world.employer, {"notes": "x"}),
        ("GET", "/api/applications/my/applications/{}", world.candidate, None),
        ("DELETE", "/api/applications/my/applications/{}", world.candidate, None),
        ("PUT", "/api/notifications/{}/read", world.employer, None),
        ("PUT", "/api/candidates/profile/skills/{}", world.candidate, skill),
        ("GET", "/api/candidates/cvs/{}/download", world.candidate, None),
    ]


# Numbers a body field must refuse, whatever its range: out of 32 bits, fractional, boolean,
# not a number at all.
BAD_INTEGERS: list[Any] = [2**31, 2**63, 10**100, -(2**63), 1.5, 1e308, True, False, "abc", [], {}]


class TestIntegers:
    async def test_path_ids(self, client: AsyncClient, session: AsyncSession, world: World) -> None:
        before = await snapshot(session)
        for method, template, headers, body in id_routes(world):
            for value in BAD_IDS:
                response = await client.request(
                    method, template.format(value), json=body, headers=headers
                )
                [error] = detail_of(response, 422)
                assert error["loc"][0] == "path", (template, value, error)
            absent = await client.request(
                method, template.format(MAX_ID), json=body, headers=headers
            )
            assert isinstance(detail_of(absent, 404), str), template
        assert await snapshot(session) == before

    async def test_body_integers(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        fields = [
            ("POST", "/api/jobs/create", world.employer, job_body(), "salary_min", [-1]),
            (
                "PUT",
                f"/api/jobs/{world.python_job}",
                world.employer,
                job_body(),
                "salary_max",
                [-1],
            ),
            ("POST", "/api/applications/my/applications", world.candidate, {}, "job_id", [0, -1]),
            (
                "POST",
                "/api/applications/my/applications",
                world.candidate,
                {"job_id": world.rust_job},
                "cv_id",
                [0, -1],
            ),
            ("PUT", "/api/candidates/profile", world.candidate, {}, "years_experience", [-1]),
            ("PUT", "/api/candidates/profile", world.candidate, {}, "salary_expectation_min", [-1]),
            (
                "POST",
                "/api/candidates/profile/skills",
                world.candidate,
                {"name": "SQL", "category": "technical"},
                "level",
                [0, 6, -1],
            ),
            ("PUT", "/api/employers/me", world.employer, {}, "company_id", [0, -1]),
        ]
        before = await snapshot(session)
        for method, path, headers, body, field, out_of_range in fields:
            for value in [*out_of_range, *BAD_INTEGERS]:
                response = await client.request(
                    method, path, json=body | {field: value}, headers=headers
                )
                [error] = detail_of(response, 422)
                assert error["loc"] == ["body", field], (path, field, value, error)
        for value in (2, "yes please", None, [], 10**100):
            response = await client.put(
                f"/api/admin/users/{world.candidate_user}/activate",
                json={"is_active": value},
                headers=world.admin,
            )
            assert detail_of(response, 422)[0]["loc"] == ["body", "is_active"], value
        # A valid id of nothing is a 404, not a 422.
        missing = await client.post(
            "/api/applications/my/applications", json={"job_id": MAX_ID}, headers=world.candidate
        )
        assert detail_of(missing, 404) == "Job not found"
        assert await snapshot(session) == before


class TestHeaders:
    async def test_absurd_authorization(self, client: AsyncClient, world: World) -> None:
        token = world.candidate["Authorization"].removeprefix("Bearer ")
        for value in (
            b"Bearer",
            b"Bearer ",
            b"Bearer   ",
            b"Bearer " + b"a" * 100_000,
            b"Bearer " + b"a.b.c",
            b"Bearer " + token.encode() + b"x",
            b"Bearer " + "é😀".encode(),
            b"Bearer \xff\xfe",
            b"Bearer \x00",
            b"Basic dXNlcjpwYXNz",
            token.encode(),
            b"x" * 100_000,
            b"Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.",
        ):
            headers = [(b"Authorization", value)]
            me = await client.get("/api/auth/me", headers=headers)
            assert detail_of(me, 401) in ("Authentication required", "Invalid or expired token")
            assert me.headers["WWW-Authenticate"] == "Bearer"
            # Optional routes treat an unusable token as anonymous.
            public = await client.get("/api/jobs", headers=headers)
            assert public.status_code == 200, (value[:20], public.text)

    async def test_absurd_request_ids(self, client: AsyncClient) -> None:
        for value in (b"r" * 100_000, b"r" * 129, "é".encode(), b"a b", b"../etc", b"\x00", b""):
            response = await client.get("/api/jobs", headers=[(b"X-Request-ID", value)])
            assert response.status_code == 200, response.text
            assert UUID4.match(response.headers["X-Request-ID"]), value[:20]
        echoed = await client.get("/api/jobs", headers={"X-Request-ID": "r" * 128})
        assert echoed.headers["X-Request-ID"] == "r" * 128
