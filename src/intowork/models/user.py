from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Index, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intowork.core.i18n import Language
from intowork.models.base import Base, TimestampMixin
from intowork.models.enums import UserRole, db_enum

if TYPE_CHECKING:
    from intowork.models.candidate import Candidate
    from intowork.models.employer import Employer


class User(TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        # With UNIQUE(email) this makes uniqueness case-insensitive at the database level.
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        Index(None, "created_at"),
        Index(None, "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    name: Mapped[str | None] = mapped_column(String(200))
    image: Mapped[str | None] = mapped_column(String(500))
    role: Mapped[UserRole] = mapped_column(db_enum(UserRole, "role"))
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())
    email_verified: Mapped[datetime | None]
    tokens_valid_after: Mapped[datetime | None]
    # fr | en; None: the request's negotiated language (API.md M1).
    language: Mapped[Language | None] = mapped_column(db_enum(Language, "language"))

    # One-to-one by UNIQUE(user_id). The database cascades the deletes (passive_deletes).
    candidate: Mapped["Candidate | None"] = relationship(
        back_populates="user", lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )
    employer: Mapped["Employer | None"] = relationship(
        back_populates="user", lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )
