"""Outbox fixtures: a database with a composer, recording backends, a real SMTP server (aiosmtpd)
and a fake Resend API (a plain HTTP server in a thread), each on a free local port."""

import asyncio
import json
import socket
import ssl
import subprocess
import threading
from collections import Counter, deque
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from sqlalchemy import select

from intowork.core.config import Environment, Settings
from intowork.core.db import Database, create_database
from intowork.email.backends import OutgoingEmail
from intowork.email.send_time import SendTimeComposer
from intowork.email.service import enqueue_request
from intowork.email.templates import install_composer
from intowork.email.worker import OutboxWorker, send_time_composers
from intowork.models import EmailOutbox, PasswordResetToken
from intowork.models.enums import EmailTemplate
from tests.fixtures.factories import make_user
from tests.fixtures.mail import RESET_LINK, sha256_hex
from tests.fixtures.settings import TEST_JWT_SECRET, SettingsFactory

FROM_EMAIL = "IntoWork <no-reply@intowork.test>"
SMTP_USER = "mailer"
SMTP_PASSWORD = "s3cret:pass@word"


def soon() -> datetime:
    """A moment just after the rows a test adds now: the clock passed to the worker."""
    return datetime.now(UTC) + timedelta(seconds=1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def database(make_settings: SettingsFactory) -> AsyncIterator[Database]:
    """The test's database, whose sessions can write e-mails (as the app's can)."""
    settings = make_settings()
    db = create_database(settings)
    install_composer(db.sessionmaker, settings)
    yield db
    await db.dispose()


async def add_emails(
    database: Database, count: int = 1, *, to_email: str = "ada@example.com"
) -> list[int]:
    async with database.sessionmaker() as session, session.begin():
        rows = [
            EmailOutbox(
                to_email=to_email,
                template=EmailTemplate.WELCOME,
                subject=f"Message {n}",
                body_text=f"Body {n}\n",
                body_html=f"<p>Body {n}</p>",
            )
            for n in range(count)
        ]
        session.add_all(rows)
        await session.flush()
        return [row.id for row in rows]


async def add_reset_email(
    database: Database, *, to_email: str = "ada@example.com", first_name: str = "Ada"
) -> int:
    """An account, and a reset request for it as forgot-password writes it (composed at send)."""
    async with database.sessionmaker() as session:
        await make_user(session, email=to_email, first_name=first_name)
    async with database.sessionmaker() as session, session.begin():
        row = enqueue_request(session, to_email=to_email, template=EmailTemplate.PASSWORD_RESET)
        await session.flush()
        return row.id


def reset_token_in(text: str) -> str:
    match = RESET_LINK.search(text)
    assert match, "no reset link"
    return match.group(2)


async def stored_reset_hashes(database: Database) -> list[str]:
    async with database.sessionmaker() as session:
        return list(await session.scalars(select(PasswordResetToken.token_hash)))


async def token_works(database: Database, token: str) -> bool:
    """The token's hash is stored, unused (what reset-password looks up)."""
    async with database.sessionmaker() as session:
        row = await session.scalar(
            select(PasswordResetToken).where(PasswordResetToken.token_hash == sha256_hex(token))
        )
        return row is not None and row.used_at is None


async def outbox_row(database: Database, email_id: int) -> EmailOutbox:
    async with database.sessionmaker() as session:
        row = await session.scalar(
            select(EmailOutbox)
            .where(EmailOutbox.id == email_id)
            .execution_options(populate_existing=True)
        )
        assert row is not None
        return row


def sample_outgoing(to_email: str = "ada@example.com") -> OutgoingEmail:
    return OutgoingEmail(
        message_id="<outbox.1.20260302090000000000@intowork.test>",
        from_email=FROM_EMAIL,
        to_email=to_email,
        subject="Hello",
        text="Hello\n",
        html="<p>Hello</p>",
    )


class RecordingBackend:
    """Counts deliveries per Message-ID; `errors` are raised, in turn, before recording.
    `attempted` keeps every message handed over, delivered or not."""

    def __init__(self, *errors: Exception) -> None:
        self.sent: list[OutgoingEmail] = []
        self.attempted: list[OutgoingEmail] = []
        self.errors: deque[Exception] = deque(errors)
        self.attempts = 0

    async def send(self, email: OutgoingEmail) -> None:
        self.attempts += 1
        self.attempted.append(email)
        await asyncio.sleep(0)  # let other workers run between claim and record
        if self.errors:
            raise self.errors.popleft()
        self.sent.append(email)

    async def aclose(self) -> None:
        return None

    def deliveries(self) -> Counter[str]:
        return Counter(email.message_id for email in self.sent)


def composers() -> dict[EmailTemplate, SendTimeComposer]:
    """The app's send-time composers, on the default settings (links to localhost:3000)."""
    settings = Settings(_env_file=None, environment=Environment.TEST, jwt_secret=TEST_JWT_SECRET)
    return send_time_composers(settings)


def make_worker(database: Database, backend: Any, **options: Any) -> OutboxWorker:
    options.setdefault("composers", composers())
    return OutboxWorker(database.sessionmaker, backend, from_email=FROM_EMAIL, **options)


# A real SMTP server ---------------------------------------------------------------------------


class SmtpRecorder:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Envelope] = []
        self.refused: set[str] = set()

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.original_content, bytes)
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    valid = isinstance(auth_data, LoginPassword) and (
        auth_data.login.decode(),
        auth_data.password.decode(),
    ) == (SMTP_USER, SMTP_PASSWORD)
    return AuthResult(success=valid, handled=False)


@dataclass
class SmtpServer:
    port: int
    recorder: SmtpRecorder


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    recorder = SmtpRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpServer(port=controller.port, recorder=recorder)
    finally:
        controller.stop()


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A self-signed certificate for 127.0.0.1, trusted by the clients of the TLS tests."""
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(  # noqa: S603
        [  # noqa: S607
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return Certificate(cert=cert, key=key)


@pytest.fixture
def starttls_server(certificate: Certificate) -> Iterator[SmtpServer]:
    """STARTTLS required, then AUTH required (as a submission server on port 587)."""
    recorder = SmtpRecorder()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=certificate.server_context(),
        require_starttls=True,
        authenticator=authenticate,
        auth_required=True,
    )
    controller.start()
    try:
        yield SmtpServer(port=controller.port, recorder=recorder)
    finally:
        controller.stop()


# A fake Resend API ----------------------------------------------------------------------------


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeResend:
    url: str
    requests: list[RecordedRequest] = field(default_factory=list)
    # (status, JSON body) answered in turn; then 200 with an id.
    responses: deque[tuple[int, Any]] = field(default_factory=deque)


@pytest.fixture
def fake_resend() -> Iterator[FakeResend]:
    fake = FakeResend(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"null")
            fake.requests.append(
                RecordedRequest(
                    method="POST",
                    path=self.path,
                    headers={key.lower(): value for key, value in self.headers.items()},
                    body=body,
                )
            )
            status, answer = (
                fake.responses.popleft()
                if fake.responses
                else (200, {"id": f"re_{len(fake.requests)}"})
            )
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def smtps_server(certificate: Certificate) -> Iterator[SmtpServer]:
    """Implicit TLS from the first byte (port 465 style)."""
    recorder = SmtpRecorder()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=free_port(),
        ssl_context=certificate.server_context(),
    )
    controller.start()
    try:
        yield SmtpServer(port=controller.port, recorder=recorder)
    finally:
        controller.stop()
