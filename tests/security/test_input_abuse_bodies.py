"""Input abuse in request bodies: oversized, malformed, deeply nested or mistyped JSON, and
integers no field may take. Every answer is a 4xx `{"detail": ...}`, never a 500, and a refused
write leaves the database as it was."""

import json
from collections.abc import AsyncIterator
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.config import Settings
from tests.fixtures.abuse import JSON, MAX_ID, World, detail_of, job_body, snapshot
from tests.fixtures.factories import DEFAULT_PASSWORD


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
    # Past Python's 4,300-digit integer conversion limit: a number no field takes (issue 16).
    "5,000-digit number": (b'{"title": ' + b"9" * 5000 + b"}", 422),
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


# Numbers a body field must refuse, whatever its range: out of 32 bits, fractional, boolean,
# not a number at all.
BAD_INTEGERS: list[Any] = [2**31, 2**63, 10**100, -(2**63), 1.5, 1e308, True, False, "abc", [], {}]


class TestBodyIntegers:
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
