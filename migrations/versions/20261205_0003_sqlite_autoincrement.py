"""ids never reused on SQLite (every integer key AUTOINCREMENT); sessions ended by an e-mail change

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 12:30:00.000000

Without AUTOINCREMENT SQLite hands out max(id) + 1, so the id of the newest row deleted is given
again (a deleted account's id went to the next sign-up). AUTOINCREMENT cannot be added in place:
each table is rebuilt by SQLite's documented procedure (new table, copy, drop, rename, indexes and
triggers again), from its own stored CREATE statement so that every constraint is kept as it is.
`core.migrations` runs the chain with foreign keys off on SQLite, as that procedure requires (a
DROP TABLE with them on deletes the rows of every table that cascades from it).

PostgreSQL's sequences never hand out a value twice: nothing to do there.

`auth_sessions.revoked_reason` gains `email_change` (other sign-ins end when the e-mail changes).
"""

import re
from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INTEGER_KEY = re.compile(r"^(\s*)id INTEGER NOT NULL,", re.MULTILINE)
KEY_CONSTRAINT_LAST = re.compile(r",\s*CONSTRAINT \w+ PRIMARY KEY \(id\)(?=\s*\)\s*$)")
KEY_CONSTRAINT = re.compile(r"CONSTRAINT \w+ PRIMARY KEY \(id\),\s*")
CREATE_TABLE = re.compile(r"^CREATE TABLE \"?(\w+)\"? \(")
OLD_REASONS = "'password_change', 'password_reset', 'deactivated'"
NEW_REASONS = f"{OLD_REASONS}, 'email_change'"
REASON_CHECK = "ck_auth_sessions_revoked_reason"


def reasons_check(reasons: str) -> str:
    return f"revoked_reason IN ('signout', 'signout_all', 'reuse_detected', {reasons})"


def autoincrement_sql(create_sql: str, new_name: str) -> str | None:
    """The table's CREATE statement with `id INTEGER PRIMARY KEY AUTOINCREMENT`, or None."""
    if "AUTOINCREMENT" in create_sql.upper() or not INTEGER_KEY.search(create_sql):
        return None
    sql = INTEGER_KEY.sub(r"\1id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,", create_sql, count=1)
    sql, last = KEY_CONSTRAINT_LAST.subn("", sql)
    if not last:
        sql, found = KEY_CONSTRAINT.subn("", sql)
        if not found:
            return None
    return CREATE_TABLE.sub(f'CREATE TABLE "{new_name}" (', sql, count=1)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f(REASON_CHECK), "auth_sessions", type_="check")
        op.create_check_constraint(op.f(REASON_CHECK), "auth_sessions", reasons_check(NEW_REASONS))
        return
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError(
            "migration 0003 rebuilds tables and must run with foreign keys off: "
            "run it with `intowork migrate`"
        )
    tables = bind.execute(
        text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE TABLE%'"
            " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'jobs_fts%'"
            " AND name != 'alembic_version' ORDER BY name"
        )
    ).all()
    for name, create_sql in tables:
        new_name = f"{name}__autoincrement"
        new_sql = autoincrement_sql(create_sql, new_name)
        if new_sql is None:
            continue
        if name == "auth_sessions":
            new_sql = new_sql.replace(reasons_check(OLD_REASONS), reasons_check(NEW_REASONS))
        dependants = bind.execute(
            text(
                "SELECT sql FROM sqlite_master WHERE tbl_name = :name"
                " AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type, name"
            ),
            {"name": name},
        ).scalars()
        recreate = list(dependants)
        bind.exec_driver_sql(new_sql)
        bind.exec_driver_sql(f'INSERT INTO "{new_name}" SELECT * FROM "{name}"')  # noqa: S608 (names from sqlite_master)
        bind.exec_driver_sql(f'DROP TABLE "{name}"')
        bind.exec_driver_sql(f'ALTER TABLE "{new_name}" RENAME TO "{name}"')
        for sql in recreate:
            bind.exec_driver_sql(sql)
    broken = bind.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"foreign keys broken after the rebuild: {broken[:5]}")


def downgrade() -> None:
    # AUTOINCREMENT and the wider CHECK are harmless to the earlier revisions: kept on SQLite.
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f(REASON_CHECK), "auth_sessions", type_="check")
        op.create_check_constraint(op.f(REASON_CHECK), "auth_sessions", reasons_check(OLD_REASONS))
