"""Settings: the only place that reads the environment (and `.env`)."""

import math
import os
import secrets
from collections import Counter
from enum import StrEnum
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Any, Self
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import limits
from fastapi import Depends, Request
from pydantic import (
    AliasChoices,
    Field,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from intowork.core.files import private_directory
from intowork.core.i18n import Language

JWT_SECRET_FILE = "jwt_secret"
MIN_JWT_SECRET_LENGTH = 32
MIN_JWT_SECRET_BITS = 128
GENERATE_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'

# Values copied from tutorials and .env templates; any of them in production is a leak waiting.
PLACEHOLDER_SECRETS = frozenset(
    {
        "secret",
        "changeme",
        "change-me",
        "change_me",
        "changethis",
        "your-secret-key",
        "your_secret_key",
        "your-secret-key-here",
        "your-super-secret-key",
        "supersecret",
        "super-secret-key",
        "jwt-secret",
        "jwt_secret",
        "nextauth_secret",
        "development",
        "dev-secret",
        "test",
        "password",
        "please-change-me",
    }
)


# Words of template secrets ("your-super-secret-jwt-key-change-in-production"); a random secret
# of 64 URL-safe characters holds one of them by chance about once in ten million.
PLACEHOLDER_WORDS = ("secret", "change", "example", "placeholder", "password", "nextauth")


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"
    TEST = "test"


class EmailBackend(StrEnum):
    CONSOLE = "console"
    FILE = "file"
    SMTP = "smtp"
    RESEND = "resend"


DEV_ALLOWED_ORIGINS = ["http://localhost:3000", "http://127.0.0.1:3000"]

Network = IPv4Network | IPv6Network


def normalise_database_url(url: str) -> str:
    """Accept URLs as hosting platforms give them and point them at the async drivers.

    `postgres://` and `postgresql://` (with or without a sync driver) become
    `postgresql+asyncpg://`; libpq's `sslmode` becomes asyncpg's `ssl`. `sqlite://` becomes
    `sqlite+aiosqlite://`.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme in {"postgres", "postgresql"} or scheme.startswith("postgresql+"):
        query = [("ssl" if k == "sslmode" else k, v) for k, v in parse_qsl(parts.query)]
        return urlunsplit(parts._replace(scheme="postgresql+asyncpg", query=urlencode(query)))
    if scheme == "sqlite" or scheme.startswith("sqlite+"):
        # Not through urlunsplit: it would fold "sqlite:////abs/path" into a relative path.
        return "sqlite+aiosqlite" + url.strip()[len(parts.scheme) :]
    raise ValueError("DATABASE_URL must be a postgresql:// or sqlite:// URL")


def _split_csv(value: Any) -> Any:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    """Every setting of ARCHITECTURE.md "Configuration"; `.env.example` documents them."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,  # `VAR=` (as in .env.example) means unset, not ""
        extra="ignore",
        case_sensitive=False,
    )

    environment: Environment = Environment.DEVELOPMENT
    data_dir: Path = Path("./var")

    database_url: str | None = None
    db_pool_size: PositiveInt = 10
    db_max_overflow: NonNegativeInt = 10
    db_pool_timeout: PositiveInt = 10
    db_pool_recycle: PositiveInt = 1800
    db_echo: bool = False

    redis_url: str | None = None
    redis_key_prefix: str = "intowork:"

    log_level: str = "INFO"
    log_dir: Path | None = None

    allowed_origins: Annotated[list[str] | None, NoDecode] = None
    allowed_origin_regex: str | None = None

    jwt_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("jwt_secret", "nextauth_secret")
    )
    access_token_expire_minutes: PositiveInt = 60
    refresh_token_idle_days: PositiveInt = 7
    refresh_token_max_days: PositiveInt = 30
    password_reset_expire_minutes: PositiveInt = 60
    # How long a signed file link (a `cv_url`, API.md M2) opens without the Authorization header.
    signed_url_ttl_seconds: int = Field(default=15 * 60, ge=1, le=24 * 60 * 60)

    # The language of a request without a signed-in preference nor Accept-Language (API.md M1).
    default_language: Language = Language.FR

    email_backend: EmailBackend = EmailBackend.CONSOLE
    smtp_url: SecretStr | None = None
    resend_api_key: SecretStr | None = None
    from_email: str = "IntoWork <no-reply@intowork.local>"
    frontend_url: str = "http://localhost:3000"
    resend_api_url: str = "https://api.resend.com"
    # The e-mail language of a recipient without a stored preference (API.md M1).
    email_language: Language = Language.FR
    # Unset: the delivery loop runs inside `intowork serve` everywhere but in production.
    email_worker_in_process: bool | None = None
    email_worker_batch_size: PositiveInt = 10
    email_worker_poll_seconds: PositiveFloat = 2.0
    # A claimed message not finished by then (its worker died) is claimed again by another.
    email_lease_seconds: int = Field(default=120, ge=60)
    # Finished outbox rows (sent, skipped, failed) are deleted this many days after they finished.
    email_retention_days: PositiveInt = 30

    # Job views are counted in memory or Redis and written to the database this often.
    view_flush_seconds: PositiveFloat = 5.0

    metrics_token: SecretStr | None = None
    # Unset: /docs, /redoc and /openapi.json are served everywhere but in production.
    docs_enabled: bool | None = None
    rate_limit_enabled: bool = True
    # Tiers (ARCHITECTURE.md), in the `limits` notation: "<amount>/<n><unit>".
    rate_limit_listing: str = "60/minute"
    rate_limit_detail: str = "120/minute"
    rate_limit_mutation: str = "30/minute"
    rate_limit_apply: str = "10/minute"
    rate_limit_dashboard: str = "30/minute"
    rate_limit_signin_account: str = "5/15minutes"
    rate_limit_signin_ip: str = "20/15minutes"
    rate_limit_signup: str = "3/hour"
    rate_limit_forgot_password: str = "3/hour"
    # Signed-in GETs of the default tier, per user: above `default` to fit one person's use of
    # the IntoWork frontend (API.md M4; its 304s are not counted at all).
    rate_limit_read: str = "600/minute"
    rate_limit_default: str = "300/minute"
    trusted_proxies: Annotated[list[Network], NoDecode] = Field(default_factory=list)

    # The public job list counts matches exactly up to this many (or the asked page's end), then
    # reports that bound with `total_is_estimate` (docs/decisions.md: The job list at scale).
    job_list_count_cap: int = Field(default=1000, ge=1, le=1_000_000)

    cv_max_bytes: PositiveInt = 5 * 1024 * 1024
    max_body_bytes: PositiveInt = 1024 * 1024

    # Freeze the start-up heap out of the garbage collector's reach (core/heap.py). Unset: on
    # everywhere but in tests, where a full collection per app would slow the suite.
    gc_freeze: bool | None = None

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    web_concurrency: PositiveInt = 1

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _parse_origins(cls, value: Any) -> Any:
        origins = _split_csv(value)
        if isinstance(origins, list) and "*" in origins:
            raise ValueError(
                'ALLOWED_ORIGINS may not contain "*": credentials are allowed, list the origins'
            )
        return origins

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _parse_proxies(cls, value: Any) -> Any:
        items = _split_csv(value)
        if isinstance(items, list):
            return [ip_network(item, strict=False) for item in items]
        return items

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, value: str | None) -> str | None:
        return None if value is None else normalise_database_url(value)

    @field_validator(
        "rate_limit_listing",
        "rate_limit_detail",
        "rate_limit_mutation",
        "rate_limit_apply",
        "rate_limit_dashboard",
        "rate_limit_signin_account",
        "rate_limit_signin_ip",
        "rate_limit_signup",
        "rate_limit_forgot_password",
        "rate_limit_read",
        "rate_limit_default",
    )
    @classmethod
    def _check_rate_limit(cls, value: str) -> str:
        try:
            limits.parse(value)
        except ValueError as exc:
            raise ValueError(f'"{value}" is not a rate limit such as "30/minute"') from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _upper_log_level(cls, value: str) -> str:
        return value.upper()

    @model_validator(mode="after")
    def _resolve_secrets_and_defaults(self) -> Self:
        if self.allowed_origins is None:
            self.allowed_origins = (
                [] if self.environment is Environment.PRODUCTION else list(DEV_ALLOWED_ORIGINS)
            )
        if self.environment is Environment.PRODUCTION:
            _check_production_secret(self.jwt_secret)
        elif self.jwt_secret is None or not self.jwt_secret.get_secret_value().strip():
            self.jwt_secret = SecretStr(_development_secret(self.data_dir))
        if self.email_worker_in_process is None:
            self.email_worker_in_process = self.environment is not Environment.PRODUCTION
        if self.gc_freeze is None:
            self.gc_freeze = self.environment is not Environment.TEST
        if self.docs_enabled is None:
            self.docs_enabled = self.environment is not Environment.PRODUCTION
        _check_email_backend(self)
        return self

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url is not None:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'intowork.db').resolve()}"

    @property
    def jwt_secret_value(self) -> str:
        assert self.jwt_secret is not None  # set by the validator
        return self.jwt_secret.get_secret_value()


def _check_production_secret(secret: SecretStr | None) -> None:
    value = secret.get_secret_value().strip() if secret is not None else ""
    if not value:
        raise ValueError(
            "JWT_SECRET (or NEXTAUTH_SECRET) must be set when ENVIRONMENT=production; "
            f"generate one with: {GENERATE_SECRET}"
        )
    lowered = value.lower()
    if lowered in PLACEHOLDER_SECRETS or any(word in lowered for word in PLACEHOLDER_WORDS):
        raise ValueError(
            "JWT_SECRET is (or contains) a placeholder; refusing to start in production; "
            f"generate one with: {GENERATE_SECRET}"
        )
    bits = estimated_entropy_bits(value)
    if len(value) < MIN_JWT_SECRET_LENGTH or bits < MIN_JWT_SECRET_BITS:
        raise ValueError(
            f"JWT_SECRET is too weak (about {bits:.0f} bits of entropy in {len(value)} characters;"
            f" at least {MIN_JWT_SECRET_BITS} bits and {MIN_JWT_SECRET_LENGTH} characters are"
            f" needed); refusing to start in production; generate one with: {GENERATE_SECRET}"
        )


def estimated_entropy_bits(value: str) -> float:
    """Shannon entropy of the characters as they occur, times the length, discounted by
    repetition (the share of distinct 3-character substrings): 0 for 'aaaa...', about 35 for
    '0123456789' * 4, about 330 for `secrets.token_urlsafe(48)`. It underestimates short random
    strings (32 hex characters score about 115), which errs on the safe side."""
    counts = Counter(value)
    shannon = -sum(n * math.log2(n / len(value)) for n in counts.values())
    trigrams = [value[i : i + 3] for i in range(len(value) - 2)]
    distinct_share = len(set(trigrams)) / len(trigrams) if trigrams else 0.0
    return shannon * distinct_share


def _check_email_backend(settings: Settings) -> None:
    if settings.email_backend is EmailBackend.SMTP:
        if settings.smtp_url is None:
            raise ValueError("SMTP_URL must be set when EMAIL_BACKEND=smtp")
        scheme = urlsplit(settings.smtp_url.get_secret_value()).scheme.lower()
        if scheme not in {"smtp", "smtps"}:
            raise ValueError("SMTP_URL must be smtp://[user:pass@]host:port or smtps://...")
    if settings.email_backend is EmailBackend.RESEND and settings.resend_api_key is None:
        raise ValueError("RESEND_API_KEY must be set when EMAIL_BACKEND=resend")


def _development_secret(data_dir: Path) -> str:
    """A random secret generated once and kept in DATA_DIR, so restarts keep sessions valid."""
    path = data_dir / JWT_SECRET_FILE
    if path.is_file():
        stored = path.read_text(encoding="utf-8").strip()
        if stored:
            return stored
    private_directory(data_dir)
    secret = secrets.token_urlsafe(48)
    # Written aside then hard-linked into place: when two processes start at once, the first
    # link wins, and nobody ever reads a half-written file.
    tmp = data_dir / f".{JWT_SECRET_FILE}.{secrets.token_hex(8)}"
    tmp.write_text(secret, encoding="utf-8")
    tmp.chmod(0o600)
    try:
        os.link(tmp, path)
    except FileExistsError:
        secret = path.read_text(encoding="utf-8").strip()
    finally:
        tmp.unlink()
    return secret


@lru_cache
def get_settings() -> Settings:
    return Settings()


async def get_app_settings(request: Request) -> Settings:
    """The settings the running app was created with (tests create apps with their own).

    `async def`, like every small dependency: a plain `def` runs in the thread pool, a thread
    hand-off on each request that needs the settings."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
