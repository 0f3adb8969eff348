"""What applying and a status change tell, and to whom: the notification and the e-mail, exactly."""

import pytest
from httpx import AsyncClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from intowork.core.i18n import Language
from intowork.models import EmailOutbox, Job, Notification, User
from intowork.models.enums import EmailTemplate, NotificationType
from tests.applications.conftest import Actor, apply_ok, fetch_all, set_status


async def rename(session: AsyncSession, actor: Actor, first_name: str, language: Language) -> None:
    assert actor.user is not None
    await session.execute(
        update(User)
        .where(User.id == actor.user.id)
        .values(first_name=first_name, language=language)
    )
    await session.commit()


async def only_notification(session: AsyncSession) -> Notification:
    [notification] = await fetch_all(session, select(Notification))
    return notification


async def only_email(session: AsyncSession) -> EmailOutbox:
    [email] = await fetch_all(session, select(EmailOutbox))
    return email


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
        assert employer.user is not None
        title, message, subject, lines = APPLIED[language]
        created = await apply_ok(client, candidate, job.id)
        notification = await only_notification(session)
        assert (
            notification.user_id,
            notification.type,
            notification.title,
            notification.message,
            notification.related_job_id,
            notification.related_application_id,
            notification.is_read,
        ) == (
            employer.user.id,
            NotificationType.NEW_APPLICATION,
            title,
            message,
            job.id,
            created["id"],
            False,
        )
        email = await only_email(session)
        assert (email.to_email, email.template, email.subject, email.status.value) == (
            employer.user.email,
            EmailTemplate.NEW_APPLICATION,
            subject,
            "pending",
        )
        for line in lines:
            assert line in email.body_text, email.body_text
        assert f'<html lang="{language.value}">' in (email.body_html or "")


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
        assert candidate.user is not None
        title, message, subject, lines = MOVED[language]
        created = await apply_ok(client, candidate, job.id)
        await session.execute(Notification.__table__.delete())
        await session.execute(EmailOutbox.__table__.delete())
        await session.commit()
        response = await set_status(client, employer, created["id"], "interview")
        assert response.status_code == 200
        notification = await only_notification(session)
        assert (
            notification.user_id,
            notification.type,
            notification.title,
            notification.message,
            notification.related_job_id,
            notification.related_application_id,
            notification.is_read,
        ) == (
            candidate.user.id,
            NotificationType.STATUS_CHANGE,
            title,
            message,
            job.id,
            created["id"],
            False,
        )
        email = await only_email(session)
        assert (email.to_email, email.template, email.subject, email.status.value) == (
            candidate.user.email,
            EmailTemplate.STATUS_CHANGE,
            subject,
            "pending",
        )
        for line in lines:
            assert line in email.body_text, email.body_text

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
