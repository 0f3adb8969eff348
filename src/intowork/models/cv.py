from sqlalchemy import CheckConstraint, ForeignKey, Index, String, true
from sqlalchemy.orm import Mapped, mapped_column

from intowork.models.base import Base, CreatedAtMixin


class CandidateCV(CreatedAtMixin, Base):
    __tablename__ = "candidate_cvs"
    __table_args__ = (
        CheckConstraint("file_size >= 0", name="file_size_nonneg"),
        Index(None, "candidate_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(200))
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    file_size: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())
