"""users.language: the language a user reads the API and e-mails in (API.md M1)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 13:00:00.000000

Nullable: accounts made before it have no stored preference, and are answered in the request's
negotiated language (Accept-Language, else DEFAULT_LANGUAGE) until they choose one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECK = "language IN ('fr', 'en')"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its CHECK in place (no rebuild, AUTOINCREMENT untouched).
        op.execute(
            f"ALTER TABLE users ADD COLUMN language VARCHAR(2) CONSTRAINT ck_users_language CHECK ({CHECK})"
        )
        return
    op.add_column("users", sa.Column("language", sa.String(length=2), nullable=True))
    op.create_check_constraint(op.f("ck_users_language"), "users", CHECK)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_users_language"), "users", type_="check")
    op.drop_column("users", "language")
