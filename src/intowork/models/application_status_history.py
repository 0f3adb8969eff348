from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intowork.models.base import Base, CreatedAtMixin, utcnow
from intowork.models.enums import ApplicationStatus, db_enum

if TYPE_CHECKING:
    from intowork.models.application import JobApplication


class ApplicationStatusHistory(CreatedAtMixin, Base):
    """Append-only: one row per status change, the first with `from_status` null."""

    __tablename__ = "application_status_history"
    __table_args__ = (
        Index(None, "application_id", "changed_at"),
        Index(None, "to_status", "changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Deleting a candidate's user reaches these rows twice: CASCADE through job_applications and
    # SET NULL through changed_by_user_id. When the rows were written in the same transaction,
    # PostgreSQL checks this key again on the SET NULL update, after the application is already
    # gone, and fails. Deferring the check (not the cascade) to commit avoids that.
    application_id: Mapped[int] = mapped_column(
        ForeignKey(
            "job_applications.id",
            ondelete="CASCADE",
            deferrable=True,
            initially="DEFERRED",
        )
    )
    from_status: Mapped[ApplicationStatus | None] = mapped_column(
        db_enum(ApplicationStatus, "from_status")
    )
    to_status: Mapped[ApplicationStatus] = mapped_column(db_enum(ApplicationStatus, "to_status"))
    changed_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    changed_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    application: Mapped["JobApplication"] = relationship(lazy="raise")
