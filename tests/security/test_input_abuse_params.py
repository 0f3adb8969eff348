"""Input abuse in parameters: absurd page numbers, offsets and path ids (422, or an empty page),
absurd Authorization and X-Request-ID headers (401 or ignored). Never a 500."""

import re
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.pagination import MAX_PAGE
from tests.fixtures.abuse import MAX_ID, World, caller, detail_of, job_body, snapshot

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


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


# Path ids (API.md 1.1: positive integers, 422 otherwise; a valid absent one is a 404). Only the
# canonical spelling is an id: "01", "1.0", "+1", " 1" or "1_0" were read as 1 (or 10).
BAD_IDS = ["0", "-1", str(2**31), str(2**63), str(10**100), "1.5", "abc", "true", "1e3", "%00"]
BAD_IDS += ["01", "1.0", "+1", "%201", "1%20", "1_0", "0x1", "%D9%A1"]


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


class TestPathIds:
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
