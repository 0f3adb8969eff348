from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from intowork.models.base import Base, TimestampMixin
from intowork.models.enums import SkillCategory, db_enum


class Skill(TimestampMixin, Base):
    __tablename__ = "skills"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[int]
    category: Mapped[SkillCategory] = mapped_column(db_enum(SkillCategory, "category"))
