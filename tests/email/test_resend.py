"""The Resend backend against a local fake of its HTTP API."""

from datetime import timedelta

import pytest

from intowork.core.db import Database
from intowork.email.backends import (
    PermanentDeliveryError,
    ResendBackend,
    TransientDeliveryError,
    create_backend,
)
from intowork.models.enums import EmailStatus
from tests.email.conftest import (
    FROM_EMAIL,
    FakeResend,
    add_emails,
    add_reset_email,
    free_port,
    make_worker,
    outbox_row,
    reset_token_in,
    sample_outgoing,
    soon,
    token_works,
)
from tests.fixtures.settings import SettingsFactory

API_KEY = "re_test_key_123"


def resend(fake: FakeResend) -> ResendBackend:
    return ResendBackend(API_KEY, base_url=fake.url, timeout=5)


class TestRequest:
    async def test_body_and_headers(self, database: Database, fake_resend: FakeResend) -> None:
        email_id = await add_reset_email(database, to_email="ada@example.com")
        worker = make_worker(database, resend(fake_resend))
        assert (await worker.drain()).sent == 1

        [request] = fake_resend.requests
        assert (request.method, request.path) == ("POST", "/emails")
        assert request.headers["authorization"] == f"Bearer {API_KEY}"
        assert request.headers["content-type"] == "application/json"
        message_id = request.headers["idempotency-key"]
        assert message_id.startswith(f"<outbox.{email_id}.")
        body = request.body
        assert body["from"] == FROM_EMAIL
        assert body["to"] == ["ada@example.com"]
        assert body["subject"] == "Réinitialisez votre mot de passe IntoWork"
        token = reset_token_in(body["text"])
        assert f"http://localhost:3000/auth/reset-password?token={token}" in body["text"]
        assert f'href="http://localhost:3000/auth/reset-password?token={token}"' in body["html"]
        assert await token_works(database, token)
        assert "<!DOCTYPE html>" in body["html"]
        assert body["headers"] == {"X-Entity-Ref-ID": message_id}
        assert (await outbox_row(database, email_id)).status is EmailStatus.SENT

    async def test_same_idempotency_key_on_retry(
        self, database: Database, fake_resend: FakeResend
    ) -> None:
        fake_resend.responses.append((500, {"message": "internal"}))
        await add_emails(database)
        worker = make_worker(database, resend(fake_resend))
        t0 = soon()
        assert (await worker.run_once(now=t0)).retried == 1
        assert (await worker.run_once(now=t0 + timedelta(hours=1))).sent == 1
        first, second = fake_resend.requests
        assert first.headers["idempotency-key"] == second.headers["idempotency-key"]
        assert first.body == second.body

    def test_created_from_settings(self, make_settings: SettingsFactory) -> None:
        settings = make_settings(
            email_backend="resend", resend_api_key=API_KEY, resend_api_url="http://127.0.0.1:9"
        )
        backend = create_backend(settings)
        assert isinstance(backend, ResendBackend)
        assert str(backend.client.base_url) == "http://127.0.0.1:9"

    def test_key_required(self, make_settings: SettingsFactory) -> None:
        with pytest.raises(ValueError, match="RESEND_API_KEY"):
            make_settings(email_backend="resend")


class TestOutcomes:
    @pytest.mark.parametrize("status", [429, 500, 502, 503])
    async def test_retried(self, database: Database, fake_resend: FakeResend, status: int) -> None:
        fake_resend.responses.append((status, {"name": "busy", "message": "try later"}))
        [email_id] = await add_emails(database)
        worker = make_worker(database, resend(fake_resend))
        t0 = soon()
        assert (await worker.run_once(now=t0)).retried == 1
        row = await outbox_row(database, email_id)
        assert (row.status, row.attempts) == (EmailStatus.PENDING, 1)
        assert row.last_error == f"Resend {status}: try later"
        assert row.next_attempt_at > t0

        assert (await worker.run_once(now=row.next_attempt_at)).sent == 1
        row = await outbox_row(database, email_id)
        assert (row.status, row.attempts) == (EmailStatus.SENT, 2)
        assert len(fake_resend.requests) == 2

    @pytest.mark.parametrize("status", [400, 401, 403, 422])
    async def test_not_retried(
        self, database: Database, fake_resend: FakeResend, status: int
    ) -> None:
        fake_resend.responses.append(
            (status, {"name": "validation_error", "message": "Invalid `to` field."})
        )
        [email_id] = await add_emails(database)
        worker = make_worker(database, resend(fake_resend))
        t0 = soon()
        assert (await worker.run_once(now=t0)).failed == 1
        row = await outbox_row(database, email_id)
        assert (row.status, row.attempts) == (EmailStatus.FAILED, 1)
        assert row.last_error == f"Resend {status}: Invalid `to` field."
        assert (await worker.drain(now=t0 + timedelta(days=1))).claimed == 0
        assert len(fake_resend.requests) == 1

    async def test_network_error_is_transient(self) -> None:
        backend = ResendBackend(API_KEY, base_url=f"http://127.0.0.1:{free_port()}", timeout=2)
        with pytest.raises(TransientDeliveryError, match="Resend unreachable"):
            await backend.send(sample_outgoing())
        await backend.aclose()

    async def test_conflict_is_transient(self, fake_resend: FakeResend) -> None:
        """409: a request with the same idempotency key is still being processed."""
        fake_resend.responses.append((409, {"name": "concurrent_idempotent_requests"}))
        with pytest.raises(TransientDeliveryError, match="409"):
            await resend(fake_resend).send(sample_outgoing())

    async def test_error_without_json(self, fake_resend: FakeResend) -> None:
        fake_resend.responses.append((404, "not json at all"))
        with pytest.raises(PermanentDeliveryError, match="Resend 404"):
            await resend(fake_resend).send(sample_outgoing())
