"""Declarative base, naming convention and the column types every model shares."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every engine.

    PostgreSQL stores `timestamptz`; SQLite has no time zones, so values are stored as UTC and
    marked UTC again when read. Naive datetimes are refused: they are always a bug.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC timestamp column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Ids are never handed out twice (API.md M8): SQLite otherwise reuses max(id) + 1 after a
        # delete. PostgreSQL's sequences never reuse a value. Migration 0003 did the same.
        if "__tablename__" in cls.__dict__:
            cls.__table_args__ = _with_sqlite_autoincrement(cls.__dict__.get("__table_args__"))
        super().__init_subclass__(**kwargs)


def _with_sqlite_autoincrement(table_args: Any) -> Any:
    if table_args is None:
        return {"sqlite_autoincrement": True}
    if isinstance(table_args, dict):
        return {**table_args, "sqlite_autoincrement": True}
    if table_args and isinstance(table_args[-1], dict):
        return (*table_args[:-1], {**table_args[-1], "sqlite_autoincrement": True})
    return (*table_args, {"sqlite_autoincrement": True})


class CreatedAtMixin:
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, server_default=func.now(), nullable=False
    )


class TimestampMixin(CreatedAtMixin):
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, server_default=func.now(), nullable=False
    )
