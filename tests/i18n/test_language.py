"""API.md M1: French by default, English on request, the user's stored choice first."""

from datetime import UTC, datetime, timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.config import Settings
from intowork.core.i18n import Language, language_of, negotiate
from intowork.dashboard.service import time_ago
from intowork.models import Notification, User
from intowork.models.enums import ApplicationStatus, UserRole
from tests.auth.conftest import signin_ok
from tests.fixtures.actors import bearer
from tests.fixtures.factories import (
    make_application,
    make_candidate,
    make_company,
    make_employer,
    make_job,
    make_user,
)
from tests.fixtures.reads import fetch_one
from tests.fixtures.settings import SettingsFactory

FRENCH_BROWSER = {"Accept-Language": "fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7"}
ENGLISH_BROWSER = {"Accept-Language": "en-US,en;q=0.9"}


@pytest.fixture
def settings(make_settings: SettingsFactory) -> Settings:
    """The shipped default: French."""
    return make_settings(default_language="fr")


class TestNegotiation:
    async def test_french_by_default(self, client: AsyncClient) -> None:
        response = await client.get("/api/jobs/999999")
        assert response.status_code == 404
        assert response.json() == {"detail": "Offre introuvable"}
        assert response.headers["content-language"] == "fr"

    async def test_accept_language(self, client: AsyncClient) -> None:
        response = await client.get("/api/jobs/999999", headers=ENGLISH_BROWSER)
        assert response.json() == {"detail": "Job not found"}
        assert response.headers["content-language"] == "en"
        assert "Accept-Language" in response.headers["vary"]

    async def test_unknown_language_falls_back(self, client: AsyncClient) -> None:
        response = await client.get("/api/jobs/999999", headers={"Accept-Language": "de-DE"})
        assert response.json() == {"detail": "Offre introuvable"}

    @pytest.mark.parametrize(
        ("header", "chosen"),
        [
            ("en;q=0.5, fr;q=0.7", Language.FR),
            ("fr;q=0, en", Language.EN),
            ("de, en;q=0.1", Language.EN),
            ("*", Language.FR),
            ("fr-CA", Language.FR),
            ("q=q;;,", Language.FR),
        ],
    )
    def test_weights(self, header: str, chosen: Language) -> None:
        assert negotiate(header, Language.FR) is chosen

    async def test_errors_from_every_layer(self, client: AsyncClient) -> None:
        assert (await client.get("/api/auth/me")).json() == {"detail": "Authentification requise"}
        response = await client.get("/api/auth/me", headers=bearer("not-a-token"))
        assert response.json() == {"detail": "Jeton invalide ou expiré"}
        assert (await client.get("/api/nowhere")).json() == {"detail": "Introuvable"}


class TestStoredPreference:
    async def test_signup_keeps_the_negotiated_language(self, client: AsyncClient) -> None:
        data = await signup_ok_with(client, ENGLISH_BROWSER)
        me = await client.get("/api/auth/me", headers=bearer(data["access_token"]))
        assert me.json()["language"] == "en"
        # No header any more: the stored preference wins over DEFAULT_LANGUAGE.
        response = await client.get("/api/jobs/999999", headers=bearer(data["access_token"]))
        assert response.json() == {"detail": "Job not found"}
        assert response.headers["content-language"] == "en"

    async def test_preference_wins_over_accept_language(self, client: AsyncClient) -> None:
        data = await signup_ok_with(client, FRENCH_BROWSER)
        headers = {**bearer(data["access_token"]), **ENGLISH_BROWSER}
        response = await client.get("/api/jobs/999999", headers=headers)
        assert response.json() == {"detail": "Offre introuvable"}

    async def test_change_it(self, client: AsyncClient, session: AsyncSession) -> None:
        data = await signup_ok_with(client, FRENCH_BROWSER)
        headers = bearer(data["access_token"])
        response = await client.put("/api/auth/me", json={"language": "en"}, headers=headers)
        assert response.status_code == 200
        assert response.json()["language"] == "en"
        assert response.headers["content-language"] == "en"
        stored = await fetch_one(
            session, select(User.language).where(User.email == data["user"]["email"])
        )
        assert stored is Language.EN
        response = await client.get("/api/jobs/999999", headers=headers)
        assert response.json() == {"detail": "Job not found"}

    async def test_unknown_language_refused(self, client: AsyncClient) -> None:
        data = await signup_ok_with(client, FRENCH_BROWSER)
        response = await client.put(
            "/api/auth/me", json={"language": "de"}, headers=bearer(data["access_token"])
        )
        assert response.status_code == 422

    async def test_anonymous_cannot_change_it(self, client: AsyncClient) -> None:
        response = await client.put("/api/auth/me", json={"language": "en"})
        assert response.status_code == 401


async def signup_ok_with(client: AsyncClient, headers: dict[str, str]) -> dict:
    response = await client.post(
        "/api/auth/signup",
        headers=headers,
        json={
            "email": f"lang-{datetime.now(UTC).timestamp()}@example.com",
            "password": "Str0ng&Secret-pass",
            "first_name": "Marie",
            "last_name": "Curie",
            "role": "candidate",
        },
    )
    assert response.status_code == 201, response.text
    data: dict = response.json()
    return data


class TestWhatTheFrontendReads:
    async def test_duplicate_apply(self, client: AsyncClient, session: AsyncSession) -> None:
        """The frontend looks for `déjà postulé` in the 400's detail."""
        employer = await make_employer(session, company=await make_company(session))
        job = await make_job(session, employer=employer)
        user = await make_user(session)
        tokens = await signin_ok(client, user.email)
        body = {"job_id": job.id}
        headers = bearer(tokens["access_token"])
        first = await client.post("/api/applications/my/applications", json=body, headers=headers)
        assert first.status_code == 201, first.text
        again = await client.post("/api/applications/my/applications", json=body, headers=headers)
        assert again.status_code == 400
        assert again.json() == {"detail": "Vous avez déjà postulé à cette offre"}

    @pytest.mark.parametrize(
        ("role", "titles"),
        [
            (
                UserRole.CANDIDATE,
                [
                    "Candidatures envoyées",
                    "Offres disponibles",
                    "Entretiens prévus",
                    "Profil complété",
                ],
            ),
            (
                UserRole.EMPLOYER,
                ["Offres actives", "Candidatures reçues", "Entretiens prévus", "Taux de réponse"],
            ),
            (UserRole.ADMIN, ["Utilisateurs", "Entreprises", "Offres", "Candidatures"]),
        ],
    )
    async def test_dashboard_titles(
        self, client: AsyncClient, session: AsyncSession, role: UserRole, titles: list[str]
    ) -> None:
        user = await make_user(session, role=role)
        tokens = await signin_ok(client, user.email)
        response = await client.get("/api/dashboard", headers=bearer(tokens["access_token"]))
        assert response.status_code == 200
        assert [stat["title"] for stat in response.json()["stats"]] == titles

    async def test_dashboard_follows_the_language(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        """One cached dashboard per language: an English read never gets the French copy."""
        user = await make_user(session, role=UserRole.ADMIN)
        tokens = await signin_ok(client, user.email)
        headers = bearer(tokens["access_token"])
        french = await client.get("/api/dashboard", headers=headers)
        english = await client.get("/api/dashboard", headers={**headers, **ENGLISH_BROWSER})
        assert french.json()["stats"][0]["title"] == "Utilisateurs"
        assert english.json()["stats"][0]["title"] == "Users"

    async def test_activities(self, client: AsyncClient, session: AsyncSession) -> None:
        employer = await make_employer(session, company=await make_company(session))
        job = await make_job(session, employer=employer, title="Développeuse")
        candidate = await make_candidate(session)
        await make_application(session, job=job, candidate=candidate)
        employer_user = await session.get(User, employer.user_id)
        assert employer_user is not None
        tokens = await signin_ok(client, employer_user.email)
        response = await client.get(
            "/api/dashboard/activities", headers=bearer(tokens["access_token"])
        )
        actions = {(item["action"], item["time"]) for item in response.json()}
        assert ("Nouvelle candidature", "À l'instant") in actions
        assert ("Offre publiée", "À l'instant") in actions

    @pytest.mark.parametrize(
        ("ago", "french", "english"),
        [
            (timedelta(seconds=30), "À l'instant", "just now"),
            (timedelta(minutes=1), "Il y a 1 minute", "1 minute ago"),
            (timedelta(minutes=5), "Il y a 5 minutes", "5 minutes ago"),
            (timedelta(hours=2), "Il y a 2 heures", "2 hours ago"),
            (timedelta(days=1, hours=3), "Il y a 1 jour", "1 day ago"),
        ],
    )
    def test_time_ago(self, ago: timedelta, french: str, english: str) -> None:
        now = datetime.now(UTC)
        with language_of(Language.FR):
            assert time_ago(now - ago, now) == french
        with language_of(Language.EN):
            assert time_ago(now - ago, now) == english


class TestNotificationsInTheRecipientsLanguage:
    async def test_new_application(self, client: AsyncClient, session: AsyncSession) -> None:
        """An English-speaking candidate applies; the employer, who chose French, reads French."""
        employer = await make_employer(session, company=await make_company(session))
        employer_user = await session.get(User, employer.user_id)
        assert employer_user is not None
        employer_user.language = Language.FR
        await session.commit()
        job = await make_job(session, employer=employer, title="Data engineer")
        data = await signup_ok_with(client, ENGLISH_BROWSER)
        response = await client.post(
            "/api/applications/my/applications",
            json={"job_id": job.id},
            headers=bearer(data["access_token"]),
        )
        assert response.status_code == 201
        notification = await fetch_one(
            session, select(Notification).where(Notification.user_id == employer.user_id)
        )
        assert notification is not None
        assert notification.title == "Nouvelle candidature"
        assert notification.message == "Marie Curie a postulé à « Data engineer »."

    async def test_status_change(self, client: AsyncClient, session: AsyncSession) -> None:
        employer = await make_employer(session, company=await make_company(session))
        job = await make_job(session, employer=employer, title="Data engineer")
        candidate = await make_candidate(session)
        application = await make_application(session, job=job, candidate=candidate)
        employer_user = await session.get(User, employer.user_id)
        assert employer_user is not None
        tokens = await signin_ok(client, employer_user.email)
        response = await client.put(
            f"/api/applications/employer/applications/{application.id}/status",
            json={"status": ApplicationStatus.SHORTLISTED.value},
            headers={**bearer(tokens["access_token"]), **ENGLISH_BROWSER},
        )
        assert response.status_code == 200, response.text
        notification = await fetch_one(
            session, select(Notification).where(Notification.user_id == candidate.user_id)
        )
        assert notification is not None
        # The candidate has no stored preference: DEFAULT_LANGUAGE, not the employer's English.
        assert notification.title == "Statut de candidature mis à jour"
        assert notification.message == (
            "Votre candidature pour « Data engineer » est passée à l'étape : présélectionnée."
        )
