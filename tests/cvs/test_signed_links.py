"""Signed CV links (API.md M2): every `cv_url` opens in a new tab, without Authorization.

The IntoWork frontend opens `<API origin>/` + `cv_url`, so the browser asks for
`//api/applications/...`, with no token: the link itself names the viewer and expires.
"""

import time
from collections.abc import Iterator
from typing import Any

import pytest
from httpx import AsyncClient, Response
from loguru import logger
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.config import Settings
from intowork.core.signed_urls import UrlSigner
from intowork.models import Company, Employer, Job, User
from tests.applications.conftest import AUTH_REQUIRED, EMPLOYER, NO_ACCESS, add_job, apply_ok
from tests.cvs.conftest import PDF, assert_pdf_download, pdf, upload_cv_ok
from tests.fixtures.actors import Actor, employer_actor
from tests.fixtures.factories import make_company
from tests.fixtures.signed_urls import LINK_REFUSED, assert_signed, link_parts, with_query

ORIGIN = "http://testserver"
PROFILE = "/api/candidates/profile"
INACTIVE = {"detail": "Account is inactive"}


def as_the_frontend_opens(cv_url: str) -> str:
    """The API origin, a slash, then the `cv_url` (which starts with one): `//api/...`."""
    return f"{ORIGIN}/{cv_url}"


def employer_cv_path(application_id: int) -> str:
    return f"{EMPLOYER}/{application_id}/cv"


def user_id(actor: Actor) -> int:
    assert actor.user is not None
    return actor.user.id


def assert_refused(response: Response, detail: dict[str, str] = LINK_REFUSED) -> None:
    assert response.status_code == 403, response.text
    assert response.json() == detail
    assert b"%PDF" not in response.content


async def listed_cv_url(client: AsyncClient, employer: Actor) -> str:
    response = await client.get(EMPLOYER, headers=employer.headers)
    assert response.status_code == 200, response.text
    [item] = response.json()["applications"]
    url: str = item["cv_url"]
    return url


async def applied_with_cv(client: AsyncClient, candidate: Actor, job: Job) -> dict[str, Any]:
    cv = await upload_cv_ok(client, candidate, pdf("attached"), filename="resume.pdf")
    return await apply_ok(client, candidate, job.id, cv_id=cv["cv_id"])


@pytest.fixture
async def application(client: AsyncClient, candidate: Actor, job: Job) -> dict[str, Any]:
    return await applied_with_cv(client, candidate, job)


@pytest.fixture
def signer(settings: Settings) -> UrlSigner:
    return UrlSigner.from_settings(settings)


class TestEmployerLink:
    async def test_listed_url_is_signed_for_the_caller(
        self,
        client: AsyncClient,
        employer: Actor,
        application: dict[str, Any],
        settings: Settings,
    ) -> None:
        url = await listed_cv_url(client, employer)
        assert_signed(url, employer_cv_path(application["id"]), user_id(employer), settings)

    async def test_opens_as_the_frontend_builds_it(
        self, client: AsyncClient, employer: Actor, application: dict[str, Any]
    ) -> None:
        url = await listed_cv_url(client, employer)
        assert url.startswith("/")
        assert_pdf_download(await client.get(as_the_frontend_opens(url)), pdf("attached"))

    async def test_opens_with_one_slash(
        self, client: AsyncClient, employer: Actor, application: dict[str, Any]
    ) -> None:
        url = await listed_cv_url(client, employer)
        assert_pdf_download(await client.get(url), pdf("attached"))

    async def test_bearer_still_works(
        self, client: AsyncClient, employer: Actor, application: dict[str, Any]
    ) -> None:
        path = employer_cv_path(application["id"])
        assert_pdf_download(await client.get(path, headers=employer.headers), pdf("attached"))

    async def test_a_valid_bearer_wins_over_a_bad_link(
        self, client: AsyncClient, employer: Actor, application: dict[str, Any]
    ) -> None:
        url = with_query(employer_cv_path(application["id"]), exp="1", sig="garbage")
        assert_pdf_download(await client.get(url, headers=employer.headers), pdf("attached"))

    async def test_neither_header_nor_link(
        self, client: AsyncClient, application: dict[str, Any]
    ) -> None:
        response = await client.get(employer_cv_path(application["id"]))
        assert response.status_code == 401
        assert response.json() == AUTH_REQUIRED

    async def test_an_empty_link_is_no_link(
        self, client: AsyncClient, application: dict[str, Any]
    ) -> None:
        # Found by schemathesis (missing Authorization must be a 401): `exp=&sig=` carries
        # no credential, unlike a link with a wrong or empty part.
        response = await client.get(with_query(employer_cv_path(application["id"]), exp="", sig=""))
        assert response.status_code == 401
        assert response.json() == AUTH_REQUIRED

    async def test_a_colleagues_link_serves_as_the_colleague(
        self,
        client: AsyncClient,
        session: AsyncSession,
        company: Company,
        application: dict[str, Any],
        signer: UrlSigner,
    ) -> None:
        colleague = await employer_actor(client, session, company)
        url = signer.sign(employer_cv_path(application["id"]), user_id(colleague))
        assert_pdf_download(await client.get(url), pdf("attached"))


class TestEmployerLinkAfterAccessChanges:
    async def test_employer_moved_to_another_company(
        self,
        client: AsyncClient,
        session: AsyncSession,
        employer: Actor,
        application: dict[str, Any],
    ) -> None:
        url = await listed_cv_url(client, employer)
        elsewhere = await make_company(session, name="Globex")
        await session.execute(
            update(Employer)
            .where(Employer.user_id == user_id(employer))
            .values(company_id=elsewhere.id)
        )
        await session.commit()
        assert_refused(await client.get(url), NO_ACCESS)

    async def test_signed_for_another_companys_employer(
        self,
        client: AsyncClient,
        session: AsyncSession,
        application: dict[str, Any],
        signer: UrlSigner,
    ) -> None:
        outsider = await employer_actor(client, session, await make_company(session, name="B"))
        url = signer.sign(employer_cv_path(application["id"]), user_id(outsider))
        assert_refused(await client.get(url), NO_ACCESS)

    async def test_deactivated_employer(
        self,
        client: AsyncClient,
        session: AsyncSession,
        employer: Actor,
        application: dict[str, Any],
    ) -> None:
        url = await listed_cv_url(client, employer)
        await session.execute(
            update(User).where(User.id == user_id(employer)).values(is_active=False)
        )
        await session.commit()
        assert_refused(await client.get(url), INACTIVE)

    async def test_deleted_employer(
        self, client: AsyncClient, employer: Actor, application: dict[str, Any]
    ) -> None:
        url = await listed_cv_url(client, employer)
        deleted = await client.delete("/api/auth/delete-account", headers=employer.headers)
        assert deleted.status_code == 200, deleted.text
        assert_refused(await client.get(url))

    async def test_signed_for_a_candidate(
        self,
        client: AsyncClient,
        candidate: Actor,
        application: dict[str, Any],
        signer: UrlSigner,
    ) -> None:
        url = signer.sign(employer_cv_path(application["id"]), user_id(candidate))
        assert_refused(await client.get(url), {"detail": "Employer access required"})


def _tamper_mac(query: dict[str, str]) -> dict[str, str]:
    viewer, mac = query["sig"].split(".")
    flipped = ("A" if mac[0] != "A" else "B") + mac[1:]
    return {**query, "sig": f"{viewer}.{flipped}"}


def _other_viewer(query: dict[str, str]) -> dict[str, str]:
    viewer, mac = query["sig"].split(".")
    return {**query, "sig": f"{int(viewer) + 1}.{mac}"}


TAMPERED: dict[str, Any] = {
    "mac changed": _tamper_mac,
    "viewer id changed": _other_viewer,
    "expiry pushed back": lambda q: {**q, "exp": str(int(q["exp"]) + 3600)},
    "expiry with a leading zero": lambda q: {**q, "exp": "0" + q["exp"]},
    "exp missing": lambda q: {"sig": q["sig"]},
    "sig missing": lambda q: {"exp": q["exp"]},
    "sig without viewer": lambda q: {**q, "sig": q["sig"].split(".")[1]},
    "garbage": lambda _q: {"exp": "soon", "sig": "garbage"},
    "empty exp": lambda q: {**q, "exp": ""},
    "empty sig": lambda q: {**q, "sig": ""},
    "arabic-indic digit": lambda q: {**q, "sig": "\u0661." + q["sig"].split(".")[1]},
    "huge viewer id": lambda q: {**q, "sig": "9" * 40 + "." + q["sig"].split(".")[1]},
}


class TestRefusedLinks:
    @pytest.mark.parametrize("change", TAMPERED.values(), ids=TAMPERED.keys())
    async def test_tampered(
        self,
        client: AsyncClient,
        employer: Actor,
        application: dict[str, Any],
        change: Any,
    ) -> None:
        path, query = link_parts(await listed_cv_url(client, employer))
        assert_refused(await client.get(with_query(path, **change(query))))

    async def test_expired(
        self,
        client: AsyncClient,
        employer: Actor,
        application: dict[str, Any],
        signer: UrlSigner,
        settings: Settings,
    ) -> None:
        issued = time.time() - settings.signed_url_ttl_seconds - 61
        url = signer.sign(employer_cv_path(application["id"]), user_id(employer), issued)
        assert_refused(await client.get(as_the_frontend_opens(url)))

    async def test_signed_for_another_path(
        self,
        client: AsyncClient,
        candidate: Actor,
        employer: Actor,
        application: dict[str, Any],
        session: AsyncSession,
    ) -> None:
        _, query = link_parts(await listed_cv_url(client, employer))
        # Both applications are the employer's: only the path in the signature differs.
        second_job = await add_job(session, employer, title="Second job")
        second = await apply_ok(client, candidate, second_job.id)
        assert_refused(await client.get(with_query(employer_cv_path(second["id"]), **query)))

    async def test_the_key_is_not_the_raw_secret(
        self,
        client: AsyncClient,
        employer: Actor,
        application: dict[str, Any],
        settings: Settings,
    ) -> None:
        raw = UrlSigner(key=settings.jwt_secret_value.encode(), ttl_seconds=60)
        url = raw.sign(employer_cv_path(application["id"]), user_id(employer))
        assert_refused(await client.get(url))


class TestCandidateLink:
    async def test_profile_url_is_signed_and_opens(
        self, client: AsyncClient, candidate: Actor, settings: Settings
    ) -> None:
        uploaded = await upload_cv_ok(client, candidate, pdf("mine"), filename="mine.pdf")
        profile = await client.get(PROFILE, headers=candidate.headers)
        url = profile.json()["cv_url"]
        path = f"/api/candidates/{uploaded['candidate_id']}/cv"
        assert_signed(url, path, user_id(candidate), settings)
        assert_pdf_download(await client.get(as_the_frontend_opens(url)), pdf("mine"), "mine.pdf")

    async def test_updated_profile_carries_a_signed_url(
        self, client: AsyncClient, candidate: Actor, settings: Settings
    ) -> None:
        uploaded = await upload_cv_ok(client, candidate)
        response = await client.put(PROFILE, json={"title": "Dev"}, headers=candidate.headers)
        path = f"/api/candidates/{uploaded['candidate_id']}/cv"
        assert_signed(response.json()["cv_url"], path, user_id(candidate), settings)

    async def test_bearer_still_works(self, client: AsyncClient, candidate: Actor) -> None:
        uploaded = await upload_cv_ok(client, candidate)
        response = await client.get(
            f"/api/candidates/{uploaded['candidate_id']}/cv", headers=candidate.headers
        )
        assert_pdf_download(response, PDF)

    async def test_another_candidates_path(
        self, client: AsyncClient, candidate: Actor, other_candidate: Actor
    ) -> None:
        await upload_cv_ok(client, candidate)
        theirs = await upload_cv_ok(client, other_candidate, pdf("theirs"))
        _, query = link_parts(
            (await client.get(PROFILE, headers=candidate.headers)).json()["cv_url"]
        )
        url = with_query(f"/api/candidates/{theirs['candidate_id']}/cv", **query)
        assert_refused(await client.get(url))

    async def test_expired(
        self, client: AsyncClient, candidate: Actor, signer: UrlSigner, settings: Settings
    ) -> None:
        uploaded = await upload_cv_ok(client, candidate)
        issued = time.time() - settings.signed_url_ttl_seconds - 61
        url = signer.sign(
            f"/api/candidates/{uploaded['candidate_id']}/cv", user_id(candidate), issued
        )
        assert_refused(await client.get(url))


Captured = list[str]


@pytest.fixture
def captured_logs() -> Iterator[Captured]:
    lines: Captured = []
    sink = logger.add(
        lambda message: lines.append(str(message)),
        level=0,
        format="{message} {extra}\n{exception}",
    )
    yield lines
    logger.remove(sink)


class TestSignatureNeverLogged:
    async def test_not_in_logs_nor_metrics(
        self,
        client: AsyncClient,
        employer: Actor,
        application: dict[str, Any],
        captured_logs: Captured,
    ) -> None:
        url = await listed_cv_url(client, employer)
        path, query = link_parts(url)
        mac = query["sig"].split(".")[1]
        assert_pdf_download(await client.get(as_the_frontend_opens(url)), pdf("attached"))
        refused = with_query(path, exp=str(int(query["exp"]) + 60), sig=query["sig"])
        assert_refused(await client.get(refused))
        await logger.complete()
        assert any("request.completed" in line for line in captured_logs)
        assert not [line for line in captured_logs if mac in line]
        metrics = await client.get("/metrics")
        assert metrics.status_code == 200
        assert mac not in metrics.text
