import secrets
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import ValidationError

from intowork.core.config import (
    DEV_ALLOWED_ORIGINS,
    JWT_SECRET_FILE,
    Environment,
    Settings,
    normalise_database_url,
)

# ARCHITECTURE.md "Configuration", as an existing IntoWork deployment sets them.
ARCHITECTURE_VARIABLES = [
    "DATABASE_URL",
    "REDIS_URL",
    "ENVIRONMENT",
    "LOG_LEVEL",
    "LOG_DIR",
    "ALLOWED_ORIGINS",
    "ALLOWED_ORIGIN_REGEX",
    "JWT_SECRET",
    "NEXTAUTH_SECRET",
    "ACCESS_TOKEN_EXPIRE_MINUTES",
    "REFRESH_TOKEN_IDLE_DAYS",
    "REFRESH_TOKEN_MAX_DAYS",
    "PASSWORD_RESET_EXPIRE_MINUTES",
    "EMAIL_BACKEND",
    "SMTP_URL",
    "RESEND_API_KEY",
    "FROM_EMAIL",
    "FRONTEND_URL",
    "METRICS_TOKEN",
    "RATE_LIMIT_ENABLED",
    "TRUSTED_PROXIES",
    "CV_MAX_BYTES",
    "MAX_BODY_BYTES",
    "DATA_DIR",
    "HOST",
    "PORT",
    "WEB_CONCURRENCY",
]
STRONG_SECRET = "k7Qm2vX9pL4sR8tW1yZ3bN6cF0hJ5dG2aE9uI4oP"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("JWT_SECRET", "NEXTAUTH_SECRET", "ENVIRONMENT", "DATABASE_URL", "ALLOWED_ORIGINS"):
        monkeypatch.delenv(name, raising=False)


def make(tmp_path: Path, **values: object) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, **values)  # type: ignore[arg-type]


class TestDatabaseUrl:
    @pytest.mark.parametrize(
        ("given", "expected"),
        [
            ("postgres://u:p@db:5432/app", "postgresql+asyncpg://u:p@db:5432/app"),
            ("postgresql://u:p@db/app", "postgresql+asyncpg://u:p@db/app"),
            ("postgresql+asyncpg://u@db/app", "postgresql+asyncpg://u@db/app"),
            ("postgresql+psycopg2://u@db/app", "postgresql+asyncpg://u@db/app"),
            ("postgres://u@db/app?sslmode=require", "postgresql+asyncpg://u@db/app?ssl=require"),
            ("sqlite:////srv/intowork.db", "sqlite+aiosqlite:////srv/intowork.db"),
        ],
    )
    def test_normalised_to_async_drivers(self, given: str, expected: str) -> None:
        assert normalise_database_url(given) == expected

    def test_other_schemes_refused(self, tmp_path: Path) -> None:
        with pytest.raises(ValidationError, match="postgresql:// or sqlite://"):
            make(tmp_path, database_url="mysql://u@db/app")

    def test_default_is_sqlite_in_data_dir(self, tmp_path: Path) -> None:
        settings = make(tmp_path)
        assert settings.sqlalchemy_url == f"sqlite+aiosqlite:///{tmp_path.resolve()}/intowork.db"

    def test_read_from_environment(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("DATABASE_URL", "postgres://u@db/app")
        assert make(tmp_path).sqlalchemy_url == "postgresql+asyncpg://u@db/app"


class TestJwtSecret:
    def test_production_refuses_missing_secret(self, tmp_path: Path) -> None:
        with pytest.raises(ValidationError, match=r"JWT_SECRET .* must be set"):
            make(tmp_path, environment=Environment.PRODUCTION)

    @pytest.mark.parametrize("placeholder", ["changeme", "your-secret-key", "  secret  ", "short"])
    def test_production_refuses_placeholders(self, tmp_path: Path, placeholder: str) -> None:
        with pytest.raises(ValidationError, match=r"placeholder|too weak"):
            make(tmp_path, environment=Environment.PRODUCTION, jwt_secret=placeholder)

    @pytest.mark.parametrize(
        "weak",
        [
            "a" * 64,
            "ab" * 40,
            "0123456789" * 4,
            "your-super-secret-jwt-key-change-in-production",
            f"{STRONG_SECRET}-change-me",
            "1ec812f2c24ed74e" * 4,
        ],
    )
    def test_production_refuses_long_weak_secrets(self, tmp_path: Path, weak: str) -> None:
        """Issue 16 item 7: long is not enough."""
        with pytest.raises(ValidationError, match=r"placeholder|too weak") as caught:
            make(tmp_path, environment=Environment.PRODUCTION, jwt_secret=weak)
        assert "secrets.token_urlsafe(48)" in str(caught.value)
        assert weak not in str(caught.value)

    @pytest.mark.parametrize(
        "generate",
        [
            lambda: secrets.token_urlsafe(48),
            lambda: secrets.token_urlsafe(32),
            lambda: secrets.token_hex(32),
        ],
        ids=["token_urlsafe(48)", "token_urlsafe(32)", "token_hex(32)"],
    )
    def test_production_accepts_generated_secrets(
        self, tmp_path: Path, generate: Callable[[], str]
    ) -> None:
        strong = generate()
        settings = make(tmp_path, environment=Environment.PRODUCTION, jwt_secret=strong)
        assert settings.jwt_secret_value == strong

    def test_production_accepts_real_secret(self, tmp_path: Path) -> None:
        settings = make(tmp_path, environment=Environment.PRODUCTION, jwt_secret=STRONG_SECRET)
        assert settings.jwt_secret_value == STRONG_SECRET
        assert not (tmp_path / JWT_SECRET_FILE).exists()

    def test_nextauth_secret_is_the_fallback(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("ENVIRONMENT", "production")
        monkeypatch.setenv("NEXTAUTH_SECRET", STRONG_SECRET)
        assert make(tmp_path).jwt_secret_value == STRONG_SECRET

    def test_jwt_secret_preferred_over_nextauth(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("NEXTAUTH_SECRET", "n" * 40)
        monkeypatch.setenv("JWT_SECRET", STRONG_SECRET)
        assert make(tmp_path).jwt_secret_value == STRONG_SECRET

    def test_development_generates_one_secret_and_keeps_it(self, tmp_path: Path) -> None:
        first = make(tmp_path).jwt_secret_value
        second = make(tmp_path).jwt_secret_value
        assert first == second
        assert len(first) >= 48
        stored = tmp_path / JWT_SECRET_FILE
        assert stored.read_text() == first
        assert stat.S_IMODE(stored.stat().st_mode) == 0o600

    def test_development_secret_differs_per_data_dir(self, tmp_path: Path) -> None:
        assert make(tmp_path / "a").jwt_secret_value != make(tmp_path / "b").jwt_secret_value


class TestOrigins:
    def test_comma_separated_trimmed_empties_dropped(self, tmp_path: Path) -> None:
        settings = make(tmp_path, allowed_origins=" https://a.example , ,https://b.example,")
        assert settings.allowed_origins == ["https://a.example", "https://b.example"]

    def test_wildcard_refused(self, tmp_path: Path) -> None:
        with pytest.raises(ValidationError, match='may not contain "\\*"'):
            make(tmp_path, allowed_origins="https://a.example,*")

    def test_development_default_is_the_nextjs_dev_server(self, tmp_path: Path) -> None:
        assert make(tmp_path).allowed_origins == DEV_ALLOWED_ORIGINS

    def test_production_default_is_no_cross_origin_access(self, tmp_path: Path) -> None:
        settings = make(tmp_path, environment=Environment.PRODUCTION, jwt_secret=STRONG_SECRET)
        assert settings.allowed_origins == []

    def test_read_from_environment(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("ALLOWED_ORIGINS", "https://app.example, https://admin.example")
        assert make(tmp_path).allowed_origins == ["https://app.example", "https://admin.example"]


class TestOtherSettings:
    def test_trusted_proxies_parsed_as_networks(self, tmp_path: Path) -> None:
        settings = make(tmp_path, trusted_proxies="10.0.0.0/8, 127.0.0.1")
        assert [str(n) for n in settings.trusted_proxies] == ["10.0.0.0/8", "127.0.0.1/32"]

    def test_defaults_of_the_contract(self, tmp_path: Path) -> None:
        settings = make(tmp_path)
        assert settings.access_token_expire_minutes == 60
        assert settings.refresh_token_idle_days == 7
        assert settings.refresh_token_max_days == 30
        assert settings.password_reset_expire_minutes == 60
        assert settings.cv_max_bytes == 5 * 1024 * 1024
        assert settings.max_body_bytes == 1024 * 1024
        assert (settings.host, settings.port) == ("127.0.0.1", 8000)

    def test_port_read_from_environment(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("PORT", "9123")
        assert make(tmp_path).port == 9123

    def test_env_file_is_read(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        env_file = tmp_path / ".env"
        env_file.write_text("LOG_LEVEL=debug\nRATE_LIMIT_ENABLED=false\n")
        settings = Settings(_env_file=env_file, data_dir=tmp_path)  # type: ignore[call-arg]
        assert settings.log_level == "DEBUG"
        assert settings.rate_limit_enabled is False


class TestEnvExample:
    ROOT = Path(__file__).resolve().parents[2]

    def test_documents_every_setting(self) -> None:
        documented = (self.ROOT / ".env.example").read_text()
        for name in Settings.model_fields:
            assert f"\n{name.upper()}=" in documented, f"{name.upper()} is not in .env.example"
        assert "\nNEXTAUTH_SECRET=" in documented

    def test_documents_every_variable_of_the_architecture(self) -> None:
        documented = (self.ROOT / ".env.example").read_text()
        missing = [name for name in ARCHITECTURE_VARIABLES if f"\n{name}=" not in documented]
        assert missing == []

    def test_copied_as_is_it_gives_the_embedded_defaults(self, tmp_path: Path) -> None:
        settings = Settings(
            _env_file=self.ROOT / ".env.example",  # type: ignore[call-arg]
            data_dir=tmp_path,
        )
        assert settings.database_url is None
        assert settings.redis_url is None
        assert settings.log_dir is None
        assert settings.metrics_token is None
        assert settings.allowed_origins == DEV_ALLOWED_ORIGINS
        assert settings.trusted_proxies == []
