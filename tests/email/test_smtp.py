"""The SMTP backend against a real local SMTP server (aiosmtpd): plain, STARTTLS with AUTH."""

import re

import pytest

from intowork.core.db import Database
from intowork.email.backends import (
    PermanentDeliveryError,
    SmtpBackend,
    SmtpTarget,
    TransientDeliveryError,
    parse_smtp_url,
)
from intowork.models.enums import EmailStatus
from tests.email.conftest import (
    FROM_EMAIL,
    SMTP_PASSWORD,
    SMTP_USER,
    Certificate,
    SmtpServer,
    add_emails,
    add_reset_email,
    free_port,
    make_worker,
    outbox_row,
    reset_token_in,
    sample_outgoing,
    token_works,
)

MESSAGE_ID = re.compile(r"<outbox\.(\d+)\.\d{20}@intowork\.test>")
# A reset e-mail is composed anew on each attempt: its id names the composition (token) too.
RESET_MESSAGE_ID = re.compile(r"<outbox\.(\d+)\.\d{20}\.\d+@intowork\.test>")


class TestSmtpUrl:
    @pytest.mark.parametrize(
        ("url", "expected"),
        [
            ("smtp://mail.local:2525", SmtpTarget("mail.local", 2525, None, None, False, False)),
            ("smtp://mail.local", SmtpTarget("mail.local", 25, None, None, False, False)),
            (
                "smtp://u%40x:p%3Aw@mail.local:587?starttls=true",
                SmtpTarget("mail.local", 587, "u@x", "p:w", False, True),
            ),
            (
                "smtp://mail.local?starttls=true",
                SmtpTarget("mail.local", 587, None, None, False, True),
            ),
            ("smtps://u:p@mail.local", SmtpTarget("mail.local", 465, "u", "p", True, False)),
        ],
    )
    def test_parsed(self, url: str, expected: SmtpTarget) -> None:
        assert parse_smtp_url(url) == expected

    @pytest.mark.parametrize("url", ["http://mail.local", "smtp://", "mail.local:25"])
    def test_refused(self, url: str) -> None:
        with pytest.raises(ValueError, match="SMTP_URL"):
            parse_smtp_url(url)


class TestDelivery:
    async def test_reset_email_received(self, database: Database, smtp_server: SmtpServer) -> None:
        email_id = await add_reset_email(database, to_email="ada@example.com")
        worker = make_worker(database, SmtpBackend(f"smtp://127.0.0.1:{smtp_server.port}"))
        result = await worker.drain()
        assert (result.claimed, result.sent) == (1, 1)

        [message] = smtp_server.recorder.messages
        [envelope] = smtp_server.recorder.envelopes
        assert envelope.rcpt_tos == ["ada@example.com"]
        assert envelope.mail_from == "no-reply@intowork.test"
        assert message["To"] == "ada@example.com"
        assert message["From"] == FROM_EMAIL
        # French by default.
        assert message["Subject"] == "Réinitialisez votre mot de passe IntoWork"
        match = RESET_MESSAGE_ID.fullmatch(message["Message-ID"])
        assert match
        assert int(match.group(1)) == email_id
        text = message.get_body(("plain",))
        html = message.get_body(("html",))
        assert text is not None
        assert html is not None
        token = reset_token_in(text.get_content())
        assert f"http://localhost:3000/auth/reset-password?token={token}" in text.get_content()
        assert "Bonjour Ada" in text.get_content()
        assert f'href="http://localhost:3000/auth/reset-password?token={token}"' in (
            html.get_content()
        )
        assert await token_works(database, token)

        row = await outbox_row(database, email_id)
        assert row.status is EmailStatus.SENT
        assert row.attempts == 1
        assert row.sent_at is not None
        assert row.last_error is None

    async def test_message_id_is_the_same_on_every_attempt(
        self, database: Database, smtp_server: SmtpServer
    ) -> None:
        """A redelivery (after a lost acknowledgement) carries the id a receiver deduplicates on."""
        [email_id] = await add_emails(database)
        worker = make_worker(database, SmtpBackend(f"smtp://127.0.0.1:{smtp_server.port}"))
        [claimed] = await worker.claim()
        await worker.backend.send(worker.outgoing(claimed))
        await worker.deliver([claimed])
        first, second = smtp_server.recorder.messages
        assert first["Message-ID"] == second["Message-ID"]
        assert (await outbox_row(database, email_id)).status is EmailStatus.SENT

    async def test_refused_recipient_fails_at_once(
        self, database: Database, smtp_server: SmtpServer
    ) -> None:
        smtp_server.recorder.refused.add("gone@example.com")
        [email_id] = await add_emails(database, to_email="gone@example.com")
        worker = make_worker(database, SmtpBackend(f"smtp://127.0.0.1:{smtp_server.port}"))
        result = await worker.drain()
        assert (result.sent, result.failed) == (0, 1)
        row = await outbox_row(database, email_id)
        assert row.status is EmailStatus.FAILED
        assert row.attempts == 1
        assert row.last_error is not None
        assert "550" in row.last_error

    async def test_server_down_is_retried(self, database: Database) -> None:
        [email_id] = await add_emails(database)
        worker = make_worker(database, SmtpBackend(f"smtp://127.0.0.1:{free_port()}", timeout=2))
        result = await worker.drain()
        assert result.retried == 1
        row = await outbox_row(database, email_id)
        assert row.status is EmailStatus.PENDING
        assert row.last_error is not None
        assert row.last_error.startswith("SMTP")

    async def test_backend_errors(self, smtp_server: SmtpServer) -> None:
        smtp_server.recorder.refused.add("gone@example.com")
        backend = SmtpBackend(f"smtp://127.0.0.1:{smtp_server.port}")
        with pytest.raises(PermanentDeliveryError, match="550"):
            await backend.send(sample_outgoing("gone@example.com"))
        closed = SmtpBackend(f"smtp://127.0.0.1:{free_port()}", timeout=2)
        with pytest.raises(TransientDeliveryError):
            await closed.send(sample_outgoing())


class TestStartTls:
    async def test_upgrade_and_auth(
        self, database: Database, starttls_server: SmtpServer, certificate: Certificate
    ) -> None:
        url = (
            f"smtp://{SMTP_USER}:{SMTP_PASSWORD.replace(':', '%3A').replace('@', '%40')}"
            f"@127.0.0.1:{starttls_server.port}?starttls=true"
        )
        backend = SmtpBackend(url, tls_context=certificate.client_context())
        [email_id] = await add_emails(database)
        assert (await make_worker(database, backend).drain()).sent == 1
        assert len(starttls_server.recorder.messages) == 1
        assert (await outbox_row(database, email_id)).status is EmailStatus.SENT

    async def test_wrong_password_fails(
        self, starttls_server: SmtpServer, certificate: Certificate
    ) -> None:
        url = f"smtp://{SMTP_USER}:nope@127.0.0.1:{starttls_server.port}?starttls=true"
        backend = SmtpBackend(url, tls_context=certificate.client_context())
        with pytest.raises(PermanentDeliveryError, match="535"):
            await backend.send(sample_outgoing())
        assert starttls_server.recorder.messages == []

    async def test_plain_connection_refused_by_a_starttls_server(
        self, starttls_server: SmtpServer
    ) -> None:
        """Plain `smtp://` never upgrades by itself: the server's 530 is the answer."""
        backend = SmtpBackend(f"smtp://127.0.0.1:{starttls_server.port}")
        with pytest.raises(PermanentDeliveryError, match="530"):
            await backend.send(sample_outgoing())


class TestImplicitTls:
    async def test_smtps(self, smtps_server: SmtpServer, certificate: Certificate) -> None:
        backend = SmtpBackend(
            f"smtps://127.0.0.1:{smtps_server.port}", tls_context=certificate.client_context()
        )
        await backend.send(sample_outgoing())
        [message] = smtps_server.recorder.messages
        assert message["Subject"] == "Hello"

    async def test_untrusted_certificate_is_not_accepted(self, smtps_server: SmtpServer) -> None:
        backend = SmtpBackend(f"smtps://127.0.0.1:{smtps_server.port}", timeout=5)
        with pytest.raises(TransientDeliveryError):
            await backend.send(sample_outgoing())
        assert smtps_server.recorder.messages == []
