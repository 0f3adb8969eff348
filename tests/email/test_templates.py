"""Templates: every e-mail in French and English, text and HTML; what the services enqueue."""

from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.config import Settings
from intowork.core.db import Database, create_database
from intowork.core.i18n import Language
from intowork.email.service import enqueue_email, enqueue_request
from intowork.email.templates import EmailRenderer, get_renderer
from intowork.email.worker import OutboxWorker
from intowork.models import EmailOutbox
from intowork.models.enums import EmailTemplate
from tests.email.conftest import RecordingBackend, reset_token_in
from tests.fixtures.settings import SettingsFactory

CONTEXTS: dict[EmailTemplate, dict[str, Any]] = {
    EmailTemplate.PASSWORD_RESET: {
        "first_name": "Ada",
        "reset_url": "https://jobs.example.org/auth/reset-password?token=abc",
        "expires_minutes": 60,
    },
    EmailTemplate.WELCOME: {"first_name": "Ada", "role": "candidate"},
    EmailTemplate.NEW_APPLICATION: {
        "first_name": "Ada",
        "applicant_name": "Alan Turing",
        "job_title": "Backend engineer",
        "company_name": "Acme",
    },
    EmailTemplate.STATUS_CHANGE: {
        "first_name": "Ada",
        "job_title": "Backend engineer",
        "status": "interview",
    },
    EmailTemplate.JOB_REMOVED: {"first_name": "Ada", "job_title": "Backend engineer"},
}
SUBJECTS = {
    (EmailTemplate.PASSWORD_RESET, Language.FR): "Réinitialisez votre mot de passe IntoWork",
    (EmailTemplate.PASSWORD_RESET, Language.EN): "Reset your IntoWork password",
    (EmailTemplate.WELCOME, Language.FR): "Bienvenue sur IntoWork",
    (EmailTemplate.WELCOME, Language.EN): "Welcome to IntoWork",
    (EmailTemplate.NEW_APPLICATION, Language.FR): "Nouvelle candidature : Backend engineer",
    (EmailTemplate.NEW_APPLICATION, Language.EN): "New application: Backend engineer",
    (EmailTemplate.STATUS_CHANGE, Language.FR): "Votre candidature : Backend engineer",
    (EmailTemplate.STATUS_CHANGE, Language.EN): "Your application: Backend engineer",
    (EmailTemplate.JOB_REMOVED, Language.FR): "Offre retirée : Backend engineer",
    (EmailTemplate.JOB_REMOVED, Language.EN): "Job removed: Backend engineer",
}
FRONTEND = "https://jobs.example.org"


def render(template: EmailTemplate, language: Language, **context: Any) -> Any:
    return get_renderer().render(
        template, language, {"frontend_url": FRONTEND, **CONTEXTS[template], **context}
    )


class TestRenderer:
    @pytest.mark.parametrize("language", list(Language))
    @pytest.mark.parametrize("template", list(EmailTemplate))
    def test_every_template(self, template: EmailTemplate, language: Language) -> None:
        email = render(template, language)
        assert email.subject == SUBJECTS[template, language]
        greeting = "Bonjour Ada," if language is Language.FR else "Hello Ada,"
        assert email.text.startswith(greeting)
        assert email.text.endswith(f"{FRONTEND}\n")
        assert f"<p>{greeting}</p>" in email.html
        assert f'<html lang="{language.value}">' in email.html
        assert f"<title>{email.subject}</title>" in email.html

    def test_reset_link_in_both_parts(self) -> None:
        email = render(EmailTemplate.PASSWORD_RESET, Language.FR)
        link = CONTEXTS[EmailTemplate.PASSWORD_RESET]["reset_url"]
        assert f"\n{link}\n" in email.text
        assert f'href="{link}"' in email.html
        assert "60 minutes" in email.text

    @pytest.mark.parametrize(
        ("status", "label"), [("interview", "en entretien"), ("rejected", "non retenue")]
    )
    def test_status_in_words(self, status: str, label: str) -> None:
        email = render(EmailTemplate.STATUS_CHANGE, Language.FR, status=status)
        assert f"a changé de statut : {label}." in email.text

    @pytest.mark.parametrize(("role", "words"), [("employer", "publiez"), ("candidate", "CV")])
    def test_welcome_by_role(self, role: str, words: str) -> None:
        assert words in render(EmailTemplate.WELCOME, Language.FR, role=role).text

    def test_html_is_escaped_text_is_not(self) -> None:
        email = render(
            EmailTemplate.NEW_APPLICATION,
            Language.EN,
            applicant_name="<script>alert(1)</script>",
            job_title="R&D <lead>",
        )
        assert "<script>" not in email.html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in email.html
        assert "R&amp;D &lt;lead&gt;" in email.html
        assert "<script>alert(1)</script> applied" in email.text
        assert email.subject == "New application: R&D <lead>"

    def test_subject_is_one_line_and_fits_the_column(self) -> None:
        email = render(EmailTemplate.JOB_REMOVED, Language.EN, job_title="A\r\nBcc: x " * 60)
        assert "\n" not in email.subject
        assert "\r" not in email.subject
        assert len(email.subject) == 300

    def test_missing_context_is_an_error(self) -> None:
        with pytest.raises(Exception, match="reset_url"):
            get_renderer().render(
                EmailTemplate.PASSWORD_RESET,
                Language.FR,
                {"frontend_url": FRONTEND, "first_name": "Ada", "expires_minutes": 60},
            )

    def test_built_once(self) -> None:
        assert get_renderer() is get_renderer()
        assert isinstance(get_renderer(), EmailRenderer)


class TestEnqueue:
    async def test_rendered_into_the_row(self, database: Database) -> None:
        async with database.sessionmaker() as session, session.begin():
            row = enqueue_email(
                session,
                to_email="ada@example.com",
                template=EmailTemplate.JOB_REMOVED,
                context=CONTEXTS[EmailTemplate.JOB_REMOVED],
            )
        assert row.subject == "Offre retirée : Backend engineer"
        assert row.body_text.startswith("Bonjour Ada,")
        assert row.body_html is not None
        assert row.body_html.startswith("<!DOCTYPE html>")

    async def test_a_reset_email_is_not_rendered_now(self, database: Database) -> None:
        """Its link holds a live token: only the worker composes it, when it sends it."""
        async with database.sessionmaker() as session:
            with pytest.raises(ValueError, match="composed at send time"):
                enqueue_email(
                    session,
                    to_email="ada@example.com",
                    template=EmailTemplate.PASSWORD_RESET,
                    context=CONTEXTS[EmailTemplate.PASSWORD_RESET],
                )
            with pytest.raises(ValueError, match="rendered now"):
                enqueue_request(session, to_email="ada@example.com", template=EmailTemplate.WELCOME)

    async def test_a_request_holds_no_content(self, database: Database) -> None:
        async with database.sessionmaker() as session, session.begin():
            row = enqueue_request(
                session, to_email="ada@example.com", template=EmailTemplate.PASSWORD_RESET
            )
        assert (row.to_email, row.subject, row.body_text, row.body_html) == (
            "ada@example.com",
            "",
            "",
            None,
        )

    async def test_a_session_without_composer_refuses(self, make_settings: SettingsFactory) -> None:
        database = create_database(make_settings())
        try:
            async with database.sessionmaker() as session:
                with pytest.raises(RuntimeError, match="install_composer"):
                    enqueue_email(
                        session,
                        to_email="ada@example.com",
                        template=EmailTemplate.WELCOME,
                        context=CONTEXTS[EmailTemplate.WELCOME],
                    )
        finally:
            await database.dispose()


async def outbox(session: AsyncSession, template: EmailTemplate) -> list[EmailOutbox]:
    return list(
        await session.scalars(
            select(EmailOutbox)
            .where(EmailOutbox.template == template)
            .execution_options(populate_existing=True)
        )
    )


SIGNUP_PASSWORD = "Welcome-Password-2026!"


async def signup(
    client: AsyncClient, email: str, role: str = "candidate", language: str = "fr"
) -> None:
    """A sign-up from a French browser (the welcome e-mail speaks the sign-up's language)."""
    response = await client.post(
        "/api/auth/signup",
        headers={"Accept-Language": language},
        json={
            "email": email,
            "password": SIGNUP_PASSWORD,
            "first_name": "Grace",
            "last_name": "Hopper",
            "role": role,
        },
    )
    assert response.status_code == 201, response.text


class TestWelcome:
    @pytest.mark.parametrize("role", ["candidate", "employer"])
    async def test_in_the_signup_language(
        self, client: AsyncClient, session: AsyncSession, role: str
    ) -> None:
        await signup(client, "Grace@Example.com", role)
        [email] = await outbox(session, EmailTemplate.WELCOME)
        assert email.to_email == "grace@example.com"
        assert email.subject == "Bienvenue sur IntoWork"
        assert email.body_text.startswith("Bonjour Grace,")
        # Never a password in an e-mail.
        for part in (email.subject, email.body_text, email.body_html or ""):
            assert SIGNUP_PASSWORD not in part

    async def test_in_english_from_an_english_browser(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        await signup(client, "grace@example.com", language="en-GB,en;q=0.9")
        [email] = await outbox(session, EmailTemplate.WELCOME)
        assert email.subject == "Welcome to IntoWork"
        assert email.body_text.startswith("Hello Grace,")

    async def test_refused_signup_sends_nothing(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        await signup(client, "grace@example.com")
        response = await client.post(
            "/api/auth/signup",
            json={
                "email": "grace@example.com",
                "password": SIGNUP_PASSWORD,
                "first_name": "G",
                "last_name": "H",
                "role": "candidate",
            },
        )
        assert response.status_code == 400
        assert len(await outbox(session, EmailTemplate.WELCOME)) == 1


class TestEnglish:
    @pytest.fixture
    def settings(self, make_settings: SettingsFactory) -> Settings:
        return make_settings(email_language="en", frontend_url="https://jobs.example.org/")

    async def test_welcome_and_reset(
        self, app: FastAPI, settings: Settings, client: AsyncClient, session: AsyncSession
    ) -> None:
        await signup(client, "grace@example.com", language="en")
        [welcome] = await outbox(session, EmailTemplate.WELCOME)
        assert welcome.subject == "Welcome to IntoWork"
        assert "Get started: https://jobs.example.org\n" in welcome.body_text

        response = await client.post(
            "/api/auth/forgot-password", json={"email": "grace@example.com"}
        )
        assert response.status_code == 200
        backend = RecordingBackend()
        worker = OutboxWorker.from_settings(app.state.db.sessionmaker, settings, backend=backend)
        assert (await worker.drain()).sent == 2
        [reset] = [email for email in backend.sent if email.subject != "Welcome to IntoWork"]
        assert reset.subject == "Reset your IntoWork password"
        token = reset_token_in(reset.text)
        assert "Hello Grace,\n" in reset.text
        assert f"https://jobs.example.org/auth/reset-password?token={token}" in reset.text
        [row] = await outbox(session, EmailTemplate.PASSWORD_RESET)
        assert row.subject == "Reset your IntoWork password"
        assert "https://jobs.example.org/auth/reset-password?token=[redacted]" in row.body_text
