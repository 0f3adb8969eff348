"""The EMAIL_* settings."""

from pathlib import Path

import pytest

from intowork.core.config import EmailBackend, Environment, Settings
from intowork.core.i18n import Language
from intowork.email.backends import (
    ConsoleBackend,
    FileBackend,
    ResendBackend,
    SmtpBackend,
    create_backend,
)
from tests.fixtures.settings import TEST_JWT_SECRET


def settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path,
        jwt_secret=TEST_JWT_SECRET,
        **values,
    )


class TestDefaults:
    def test_french_console(self, tmp_path: Path) -> None:
        defaults = settings(tmp_path)
        assert defaults.email_language is Language.FR
        assert defaults.email_backend is EmailBackend.CONSOLE
        assert defaults.resend_api_url == "https://api.resend.com"

    @pytest.mark.parametrize(
        ("environment", "in_process"),
        [
            (Environment.DEVELOPMENT, True),
            (Environment.TEST, True),
            (Environment.PRODUCTION, False),
        ],
    )
    def test_in_process_outside_production(
        self, tmp_path: Path, environment: Environment, in_process: bool
    ) -> None:
        assert settings(tmp_path, environment=environment).email_worker_in_process is in_process

    def test_in_process_can_be_forced(self, tmp_path: Path) -> None:
        production = settings(
            tmp_path, environment=Environment.PRODUCTION, email_worker_in_process=True
        )
        assert production.email_worker_in_process is True

    def test_lease_at_least_a_minute(self, tmp_path: Path) -> None:
        with pytest.raises(ValueError, match="email_lease_seconds"):
            settings(tmp_path, email_lease_seconds=10)


class TestBackendSettings:
    def test_smtp_needs_a_url(self, tmp_path: Path) -> None:
        with pytest.raises(ValueError, match="SMTP_URL must be set"):
            settings(tmp_path, email_backend="smtp")

    def test_smtp_url_scheme(self, tmp_path: Path) -> None:
        with pytest.raises(ValueError, match="SMTP_URL must be smtp://"):
            settings(tmp_path, email_backend="smtp", smtp_url="http://mail.local")

    @pytest.mark.parametrize(
        ("values", "expected"),
        [
            ({}, ConsoleBackend),
            ({"email_backend": "file"}, FileBackend),
            ({"email_backend": "smtp", "smtp_url": "smtp://mail.local:25"}, SmtpBackend),
            ({"email_backend": "resend", "resend_api_key": "re_x"}, ResendBackend),
        ],
    )
    def test_created(self, tmp_path: Path, values: dict[str, str], expected: type) -> None:
        assert isinstance(create_backend(settings(tmp_path, **values)), expected)

    def test_file_backend_writes_in_data_dir(self, tmp_path: Path) -> None:
        backend = create_backend(settings(tmp_path, email_backend="file"))
        assert isinstance(backend, FileBackend)
        assert backend.directory == tmp_path / "emails"
