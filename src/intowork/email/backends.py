"""Delivery backends behind one small interface: `await backend.send(email)`.

A backend either returns (the provider accepted the message) or raises a `DeliveryError`:
`PermanentDeliveryError` when sending the same message again can never work (a provider's 4xx,
an SMTP 5xx, an invalid address), `TransientDeliveryError` when a later attempt may (429, 5xx,
the network). Bodies are never logged: a password reset e-mail holds a live token.
"""

import os
import re
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

import aiosmtplib
import anyio
import httpx
from loguru import logger

from intowork.core.config import EmailBackend, Settings
from intowork.core.files import private_directory

SEND_TIMEOUT_SECONDS = 30.0
REASON_MAX_LENGTH = 500


class DeliveryError(Exception):
    permanent = False

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:REASON_MAX_LENGTH]


class PermanentDeliveryError(DeliveryError):
    """Sending this message again would fail again: it is marked failed at once."""

    permanent = True


class TransientDeliveryError(DeliveryError):
    """A later attempt may succeed: retried with backoff."""


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    """One outbox row, ready to send. `message_id` is stable across attempts (outbox.py)."""

    message_id: str
    from_email: str
    to_email: str
    subject: str
    text: str
    html: str | None

    def to_mime(self) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.from_email
        message["To"] = self.to_email
        message["Subject"] = self.subject
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = self.message_id
        # RFC 3834: out-of-office responders should not answer.
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(self.text)
        if self.html is not None:
            message.add_alternative(self.html, subtype="html")
        return message


class Backend(Protocol):
    async def send(self, email: OutgoingEmail) -> None: ...

    async def aclose(self) -> None: ...


class ConsoleBackend:
    """Development: says that a message went out, never what it says."""

    async def send(self, email: OutgoingEmail) -> None:
        logger.bind(to=email.to_email, subject=email.subject, message_id=email.message_id).info(
            "email.console"
        )

    async def aclose(self) -> None:
        return None


class FileBackend:
    """One .eml file per message, named after its Message-ID (a redelivery overwrites it)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path_for(self, message_id: str) -> Path:
        return self.directory / (re.sub(r"[^A-Za-z0-9._-]", "_", message_id.strip("<>")) + ".eml")

    async def send(self, email: OutgoingEmail) -> None:
        await anyio.to_thread.run_sync(self._write, email)

    def _write(self, email: OutgoingEmail) -> None:
        private_directory(self.directory)  # the messages hold reset links
        path = self.path_for(email.message_id)
        partial = path.with_suffix(".eml.partial")
        partial.write_bytes(email.to_mime().as_bytes())
        os.replace(partial, path)  # readers never see half a message

    async def aclose(self) -> None:
        return None


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    hostname: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    start_tls: bool


def parse_smtp_url(url: str) -> SmtpTarget:
    """`smtp://[user:pass@]host:port` (plain; `?starttls=true` upgrades) or `smtps://` (TLS)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise ValueError("SMTP_URL must be smtp://[user:pass@]host:port or smtps://...")
    query = {key.lower(): value.lower() for key, value in parse_qsl(parts.query)}
    start_tls = scheme == "smtp" and query.get("starttls", "false") in {"true", "1", "yes"}
    return SmtpTarget(
        hostname=parts.hostname,
        port=parts.port or (465 if scheme == "smtps" else 587 if start_tls else 25),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
        use_tls=scheme == "smtps",
        start_tls=start_tls,
    )


class SmtpBackend:
    """One connection per message (aiosmtplib); TLS certificates are verified."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = SEND_TIMEOUT_SECONDS,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.target = parse_smtp_url(url)
        self.timeout = timeout
        self.tls_context = tls_context

    async def send(self, email: OutgoingEmail) -> None:
        target = self.target
        try:
            await aiosmtplib.send(
                email.to_mime(),
                hostname=target.hostname,
                port=target.port,
                username=target.username,
                password=target.password,
                use_tls=target.use_tls,
                start_tls=target.start_tls,
                timeout=self.timeout,
                tls_context=self.tls_context,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [refused.code for refused in exc.recipients]
            reason = "; ".join(f"SMTP {r.code}: {r.message}" for r in exc.recipients)
            if codes and all(code >= 500 for code in codes):
                raise PermanentDeliveryError(reason) from exc
            raise TransientDeliveryError(reason) from exc
        except aiosmtplib.SMTPResponseException as exc:
            reason = f"SMTP {exc.code}: {exc.message}"
            if exc.code >= 500:
                raise PermanentDeliveryError(reason) from exc
            raise TransientDeliveryError(reason) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise TransientDeliveryError(f"SMTP {type(exc).__name__}: {exc}") from exc

    async def aclose(self) -> None:
        return None


class ResendBackend:
    """Resend's HTTP API: POST {RESEND_API_URL}/emails.

    The Message-ID is the idempotency key, so a retry after a timeout (the first request may
    have gone through) is never sent twice by Resend within its 24-hour window.
    """

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = "https://api.resend.com",
        timeout: float = SEND_TIMEOUT_SECONDS,
    ) -> None:
        self.client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=timeout,
            headers={"Authorization": f"Bearer {api_key}", "User-Agent": "intowork"},
        )

    async def send(self, email: OutgoingEmail) -> None:
        payload: dict[str, object] = {
            "from": email.from_email,
            "to": [email.to_email],
            "subject": email.subject,
            "text": email.text,
            # Resend writes its own Message-ID; ours travels as the reference it documents.
            "headers": {"X-Entity-Ref-ID": email.message_id},
        }
        if email.html is not None:
            payload["html"] = email.html
        try:
            response = await self.client.post(
                "/emails", json=payload, headers={"Idempotency-Key": email.message_id}
            )
        except httpx.HTTPError as exc:
            raise TransientDeliveryError(f"Resend unreachable: {type(exc).__name__}") from exc
        if response.is_success:
            return
        reason = f"Resend {response.status_code}: {_resend_error(response)}"
        # 409: a request with this idempotency key is still in progress; later, it will answer.
        if response.status_code in {409, 429} or response.status_code >= 500:
            raise TransientDeliveryError(reason)
        raise PermanentDeliveryError(reason)

    async def aclose(self) -> None:
        await self.client.aclose()


def _resend_error(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(body, dict):
        return str(body.get("message") or body.get("name") or body)[:200]
    return str(body)[:200]


def create_backend(settings: Settings) -> Backend:
    match settings.email_backend:
        case EmailBackend.CONSOLE:
            return ConsoleBackend()
        case EmailBackend.FILE:
            return FileBackend(settings.data_dir / "emails")
        case EmailBackend.SMTP:
            assert settings.smtp_url is not None  # the settings refuse smtp without SMTP_URL
            return SmtpBackend(settings.smtp_url.get_secret_value())
        case EmailBackend.RESEND:
            assert settings.resend_api_key is not None
            return ResendBackend(
                settings.resend_api_key.get_secret_value(), base_url=settings.resend_api_url
            )
