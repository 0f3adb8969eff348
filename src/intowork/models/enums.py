"""Wire enums (API.md 1.4). The database stores the same lowercase values."""

from enum import StrEnum
from typing import Any

from sqlalchemy import Enum


class UserRole(StrEnum):
    CANDIDATE = "candidate"
    EMPLOYER = "employer"
    ADMIN = "admin"


class JobType(StrEnum):
    FULL_TIME = "full_time"
    PART_TIME = "part_time"
    CONTRACT = "contract"
    TEMPORARY = "temporary"
    INTERNSHIP = "internship"


class JobLocation(StrEnum):
    ON_SITE = "on_site"
    REMOTE = "remote"
    HYBRID = "hybrid"


class JobStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    ARCHIVED = "archived"


class ApplicationStatus(StrEnum):
    APPLIED = "applied"
    VIEWED = "viewed"
    SHORTLISTED = "shortlisted"
    INTERVIEW = "interview"
    REJECTED = "rejected"
    ACCEPTED = "accepted"


class NotificationType(StrEnum):
    NEW_APPLICATION = "new_application"
    STATUS_CHANGE = "status_change"
    NEW_JOB = "new_job"
    MESSAGE = "message"
    SYSTEM = "system"


class SkillCategory(StrEnum):
    TECHNICAL = "technical"
    SOFT = "soft"
    LANGUAGE = "language"
    # What fits none of the others (the IntoWork frontend's "autre", API.md M5; migration 0006).
    OTHER = "other"


class SessionRevokedReason(StrEnum):
    SIGNOUT = "signout"
    SIGNOUT_ALL = "signout_all"
    REUSE_DETECTED = "reuse_detected"
    PASSWORD_CHANGE = "password_change"
    PASSWORD_RESET = "password_reset"
    DEACTIVATED = "deactivated"
    EMAIL_CHANGE = "email_change"


class EmailTemplate(StrEnum):
    PASSWORD_RESET = "password_reset"
    WELCOME = "welcome"
    NEW_APPLICATION = "new_application"
    STATUS_CHANGE = "status_change"
    JOB_REMOVED = "job_removed"


class EmailStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    # Finished without sending: a password-reset request for an address with no account that
    # may reset its password (docs/security.md, "Reset tokens and the outbox").
    SKIPPED = "skipped"


def db_enum(enum_cls: type[StrEnum], name: str) -> Enum:
    """A portable enum column: VARCHAR plus a named CHECK constraint on both engines."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=_values,
        validate_strings=True,
    )


def _values(enum_cls: Any) -> list[str]:
    return [member.value for member in enum_cls]
