"""email_outbox.status may be `skipped`

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 15:00:00.000000

A password-reset e-mail is now composed by the outbox worker when it sends it (the plain token
is never stored); forgot-password writes a request for any address, and the worker finishes the
requests for addresses without an account that may reset its password as `skipped`. Only the
CHECK constraint of `status` changes (the column is VARCHAR(7) already).

PostgreSQL replaces the constraint. SQLite cannot alter a CHECK: the table is rebuilt from its
own stored CREATE statement (so AUTOINCREMENT and every other constraint stay as they are), and
its AUTOINCREMENT counter is carried over, so that no id is ever handed out twice.
"""

import re
from collections.abc import Sequence

from alembic import op
from sqlalchemy import text
from sqlalchemy.engine import Connection

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "email_outbox"
CONSTRAINT = "ck_email_outbox_status"
BEFORE = ("pending", "sending", "sent", "failed")
AFTER = (*BEFORE, "skipped")
CREATE_TABLE = re.compile(r"^CREATE TABLE \"?(\w+)\"? \(")


def status_check(values: Sequence[str]) -> str:
    return "status IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def upgrade() -> None:
    replace_status_check(op.get_bind(), BEFORE, AFTER)


def downgrade() -> None:
    # Nothing was sent for a skipped request and nothing is left to do: earlier code has no
    # such status, so the rows go.
    op.execute(text("DELETE FROM email_outbox WHERE status = 'skipped'"))
    replace_status_check(op.get_bind(), AFTER, BEFORE)


def replace_status_check(bind: Connection, old: Sequence[str], new: Sequence[str]) -> None:
    if bind.dialect.name != "sqlite":
        bind.exec_driver_sql(
            f"ALTER TABLE {TABLE} DROP CONSTRAINT {CONSTRAINT}, "
            f"ADD CONSTRAINT {CONSTRAINT} CHECK ({status_check(new)})"
        )
        return
    create_sql = bind.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"),
        {"name": TABLE},
    ).scalar_one()
    if status_check(old) not in create_sql:
        raise RuntimeError(f"{TABLE}: the CHECK of status is not the expected {status_check(old)}")
    new_name = "email_outbox__status"
    new_sql = CREATE_TABLE.sub(
        f'CREATE TABLE "{new_name}" (',
        create_sql.replace(status_check(old), status_check(new)),
        count=1,
    )
    indexes = list(
        bind.execute(
            text(
                "SELECT sql FROM sqlite_master WHERE tbl_name = :name"
                " AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type, name"
            ),
            {"name": TABLE},
        ).scalars()
    )
    counter = autoincrement_counter(bind)
    # SQLite's documented procedure: new table, copy, drop, rename, indexes again. Nothing
    # references email_outbox, so foreign keys are not in the way.
    bind.exec_driver_sql(new_sql)
    bind.exec_driver_sql('INSERT INTO "email_outbox__status" SELECT * FROM "email_outbox"')
    bind.exec_driver_sql('DROP TABLE "email_outbox"')
    bind.exec_driver_sql('ALTER TABLE "email_outbox__status" RENAME TO "email_outbox"')
    for sql in indexes:
        bind.exec_driver_sql(sql)
    if counter is not None:
        # The copy only knows the ids still present; the counter had passed deleted ones too.
        bind.execute(text("DELETE FROM sqlite_sequence WHERE name = :name"), {"name": TABLE})
        bind.execute(
            text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)"),
            {"name": TABLE, "seq": counter},
        )


def autoincrement_counter(bind: Connection) -> int | None:
    """The last id SQLite handed out in the table (AUTOINCREMENT, migration 0003), if any."""
    if not bind.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'")
    ).scalar():
        return None
    counter: int | None = bind.execute(
        text("SELECT seq FROM sqlite_sequence WHERE name = :name"), {"name": TABLE}
    ).scalar()
    return counter
