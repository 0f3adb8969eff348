"""The request body cap (413), and the CV upload that keeps its own, larger one."""

from collections.abc import AsyncIterator

from intowork.models.enums import UserRole
from tests.cvs.conftest import PDF
from tests.fixtures.tokens import bearer_header
from tests.security.conftest import SQLITE_ONLY, add_user, client_for, running

pytestmark = SQLITE_ONLY

MIB = 1024 * 1024
TOO_LARGE = {"detail": "Request body too large (max 1024 bytes)"}
SIGNIN = "/api/auth/signin"
JSON = {"Content-Type": "application/json"}
CV_UPLOAD = "/api/candidates/cv"


def signin_body(size: int) -> bytes:
    """A valid sign-in body of exactly `size` bytes (padded with JSON whitespace)."""
    body = b'{"email": "someone@example.com", "password": "Wrong-password-1!"}'
    return body + b" " * (size - len(body))


async def chunks(body: bytes, size: int = 300) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def pdf_of(size: int) -> bytes:
    return PDF + b"%" + b"0" * (size - len(PDF) - 2) + b"\n"


class TestBodyLimit:
    async def test_declared_length_over_the_limit(self, make_settings) -> None:
        async with running(make_settings(max_body_bytes=1024)) as app, client_for(app) as http:
            response = await http.post(SIGNIN, content=signin_body(1025), headers=JSON)
            assert response.status_code == 413
            assert response.json() == TOO_LARGE
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert "X-Request-ID" in response.headers

    async def test_streamed_without_length_over_the_limit(self, make_settings) -> None:
        async with running(make_settings(max_body_bytes=1024)) as app, client_for(app) as http:
            request = http.build_request(
                "POST", SIGNIN, content=chunks(signin_body(1025)), headers=JSON
            )
            assert "content-length" not in request.headers
            assert request.headers["transfer-encoding"] == "chunked"
            response = await http.send(request)
            assert response.status_code == 413
            assert response.json() == TOO_LARGE

    async def test_up_to_the_limit_is_accepted(self, make_settings) -> None:
        async with running(make_settings(max_body_bytes=1024)) as app, client_for(app) as http:
            declared = await http.post(SIGNIN, content=signin_body(1024), headers=JSON)
            assert declared.status_code == 401, declared.text
            streamed = await http.post(SIGNIN, content=chunks(signin_body(1024)), headers=JSON)
            assert streamed.status_code == 401, streamed.text


class TestCvUpload:
    async def test_keeps_its_own_cap_above_the_body_limit(self, make_settings) -> None:
        settings = make_settings(max_body_bytes=MIB, cv_max_bytes=5 * MIB)
        async with running(settings) as app, client_for(app) as http:
            headers = bearer_header(await add_user(app, UserRole.CANDIDATE), settings)
            for path in (CV_UPLOAD, CV_UPLOAD + "/"):
                files = {"cv": ("resume.pdf", pdf_of(2 * MIB), "application/pdf")}
                response = await http.post(path, files=files, headers=headers)
                assert response.status_code == 200, response.text
                assert response.json()["size"] == 2 * MIB
            # The cap on everything else is unchanged.
            big = await http.put("/api/candidates/profile", content=b"x" * (MIB + 1))
            assert big.status_code == 413

    async def test_its_own_cap_applies(self, make_settings) -> None:
        settings = make_settings(max_body_bytes=MIB, cv_max_bytes=MIB + MIB // 2)
        async with running(settings) as app, client_for(app) as http:
            headers = bearer_header(await add_user(app, UserRole.CANDIDATE), settings)
            files = {"cv": ("resume.pdf", pdf_of(2 * MIB), "application/pdf")}
            response = await http.post(CV_UPLOAD, files=files, headers=headers)
            assert response.status_code == 413
            assert response.json() == {"detail": f"File too large (max {MIB + MIB // 2} bytes)"}
