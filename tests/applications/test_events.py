"""What applying and a status change tell, and to whom: the notification and the e-mail, exactly."""

import pytest
from httpx import AsyncClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.i18n import Language
from intowork.models import EmailOutbox, Job, Notification, User
from intowork.models.enums import EmailTemplate, NotificationType
from tests.applications.conftest import Actor, apply_ok, fetch_all, set_status
from tests.fixtures.factories import make_application


async def rename(session: AsyncSession, actor: Actor, first_name: str, language: Language) -> None:
    assert actor.user is not None
    await session.execute(
        update(User)
        .where(User.id == actor.user.id)
        .values(first_name=first_name, language=language)
    )
    await session.commit()


async def assert_told(
    session: AsyncSession,
    recipient: Actor,
    notification: tuple[NotificationType, str, str, int, int],
    email: tuple[EmailTemplate, str, list[str], Language],
) -> None:
    """The one notification (type, title, message, job, application) and the one e-mail
    (template, subject, lines of its text, language of its HTML) written, both to `recipient`."""
    assert recipient.user is not None
    [told] = await fetch_all(session, select(Notification))
    assert (
        told.user_id,
        told.type,
        told.title,
        told.message,
        told.related_job_id,
        told.related_application_id,
        told.is_read,
    ) == (recipient.user.id, *notification, False)
    [sent] = await fetch_all(session, select(EmailOutbox))
    template, subject, lines, language = email
    assert (sent.to_email, sent.template, sent.subject, sent.status.value) == (
        recipient.user.email,
        template,
        subject,
        "pending",
    )
    for line in lines:
        assert line in sent.body_text, sent.body_text
    assert f'<html lang="{language.value}">' in (sent.body_html or "")


APPLIED = {
    Language.EN: (
        "New application",
        'Ada Lovelace applied to "Data engineer".',
        "New application: Data engineer",
        [
            "Hello Grace,",
            'Ada Lovelace applied to your job "Data engineer" at Acme Industries.',
        ],
    ),
    Language.FR: (
        "Nouvelle candidature",
        "Ada Lovelace a postulé à « Data engineer ».",
        "Nouvelle candidature : Data engineer",
        [
            "Bonjour Grace,",
            "Ada Lovelace a postulé à votre offre « Data engineer » chez Acme Industries.",
        ],
    ),
}
MOVED = {
    Language.EN: (
        "Application status updated",
        'Your application for "Data engineer" moved to interview.',
        "Your application: Data engineer",
        ["Hello Ada,", 'Your application for "Data engineer" moved to: interview.'],
    ),
    Language.FR: (
        "Statut de candidature mis à jour",
        "Votre candidature pour « Data engineer » est passée à l'étape : entretien.",
        "Votre candidature : Data engineer",
        [
            "Bonjour Ada,",
            "Votre candidature pour l'offre « Data engineer » a changé de statut : en entretien.",
        ],
    ),
}


class TestApplyTells:
    @pytest.mark.parametrize("language", [Language.EN, Language.FR], ids=["en", "fr"])
    async def test_the_employer_who_posted_the_job(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        job: Job,
        language: Language,
    ) -> None:
        await rename(session, employer, "Grace", language)
        title, message, subject, lines = APPLIED[language]
        created = await apply_ok(client, candidate, job.id)
        await assert_told(
            session,
            employer,
            (NotificationType.NEW_APPLICATION, title, message, job.id, created["id"]),
            (EmailTemplate.NEW_APPLICATION, subject, lines, language),
        )


class TestStatusChangeTells:
    @pytest.mark.parametrize("language", [Language.EN, Language.FR], ids=["en", "fr"])
    async def test_the_candidate(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        job: Job,
        language: Language,
    ) -> None:
        await rename(session, candidate, "Ada", language)
        title, message, subject, lines = MOVED[language]
        assert candidate.candidate is not None
        created = await make_application(session, job=job, candidate=candidate.candidate)
        response = await set_status(client, employer, created.id, "interview")
        assert response.status_code == 200
        await assert_told(
            session,
            candidate,
            (NotificationType.STATUS_CHANGE, title, message, job.id, created.id),
            (EmailTemplate.STATUS_CHANGE, subject, lines, language),
        )

    async def test_a_no_op_tells_nobody(
        self,
        client: AsyncClient,
        session: AsyncSession,
        candidate: Actor,
        employer: Actor,
        job: Job,
    ) -> None:
        created = await apply_ok(client, candidate, job.id)
        response = await set_status(client, employer, created["id"], "applied")
        assert response.status_code == 200
        assert [n.type for n in await fetch_all(session, select(Notification))] == [
            NotificationType.NEW_APPLICATION
        ]
        assert [e.template for e in await fetch_all(session, select(EmailOutbox))] == [
            EmailTemplate.NEW_APPLICATION
        ]
