"""skills.category may be `other`; educations.field_of_study and is_current, end_date optional

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 10:00:00.000000

The IntoWork frontend's profile forms (API.md M5): a skill filed under "autre" is stored as
`other`; an education entry names its field of study and may be under way (no end date).

PostgreSQL replaces the CHECK of `skills.category`, adds the two columns and drops the NOT NULL
of `educations.end_date`. SQLite can alter neither a CHECK nor a NOT NULL: both tables are rebuilt
from their own stored CREATE statement, as in migration 0004 (so AUTOINCREMENT and every other
constraint stay as they are) with their AUTOINCREMENT counter carried over, so that no id is ever
handed out twice; the two new columns are plain ADD COLUMNs.

The downgrade keeps every row, in the shapes earlier code knows: an `other` skill becomes
`technical`, an education entry without an end date ends at its start date.
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import text
from sqlalchemy.engine import Connection

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CATEGORY_CONSTRAINT = "ck_skills_category"
CATEGORIES_BEFORE = ("technical", "soft", "language")
CATEGORIES_AFTER = (*CATEGORIES_BEFORE, "other")
# educations.end_date as SQLite stores it, before and after.
END_DATE_REQUIRED = "end_date VARCHAR(7) NOT NULL,"
END_DATE_OPTIONAL = "end_date VARCHAR(7),"
CREATE_TABLE = re.compile(r"^CREATE TABLE \"?(\w+)\"? \(")


def category_check(values: Sequence[str]) -> str:
    return "category IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        rebuild_sqlite_table(
            bind, "skills", category_check(CATEGORIES_BEFORE), category_check(CATEGORIES_AFTER)
        )
        rebuild_sqlite_table(bind, "educations", END_DATE_REQUIRED, END_DATE_OPTIONAL)
        op.execute("ALTER TABLE educations ADD COLUMN field_of_study VARCHAR(200)")
        op.execute("ALTER TABLE educations ADD COLUMN is_current BOOLEAN DEFAULT false NOT NULL")
        return
    replace_category_check(bind, CATEGORIES_AFTER)
    op.add_column("educations", sa.Column("field_of_study", sa.String(length=200), nullable=True))
    op.add_column(
        "educations",
        sa.Column("is_current", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.alter_column("educations", "end_date", existing_type=sa.String(length=7), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE skills SET category = 'technical' WHERE category = 'other'")
    op.execute("UPDATE educations SET end_date = start_date WHERE end_date IS NULL")
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("ALTER TABLE educations DROP COLUMN is_current")
        op.execute("ALTER TABLE educations DROP COLUMN field_of_study")
        rebuild_sqlite_table(bind, "educations", END_DATE_OPTIONAL, END_DATE_REQUIRED)
        rebuild_sqlite_table(
            bind, "skills", category_check(CATEGORIES_AFTER), category_check(CATEGORIES_BEFORE)
        )
        return
    op.alter_column("educations", "end_date", existing_type=sa.String(length=7), nullable=False)
    op.drop_column("educations", "is_current")
    op.drop_column("educations", "field_of_study")
    replace_category_check(bind, CATEGORIES_BEFORE)


def replace_category_check(bind: Connection, values: Sequence[str]) -> None:
    bind.exec_driver_sql(
        f"ALTER TABLE skills DROP CONSTRAINT {CATEGORY_CONSTRAINT}, "
        f"ADD CONSTRAINT {CATEGORY_CONSTRAINT} CHECK ({category_check(values)})"
    )


def rebuild_sqlite_table(bind: Connection, table: str, old: str, new: str) -> None:
    """The table again, its stored CREATE statement with `old` (found once) replaced by `new`."""
    create_sql = bind.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"),
        {"name": table},
    ).scalar_one()
    if create_sql.count(old) != 1:
        raise RuntimeError(f"{table}: its CREATE statement does not hold {old!r} once")
    rebuilt = f"{table}__0006"
    new_sql = CREATE_TABLE.sub(f'CREATE TABLE "{rebuilt}" (', create_sql.replace(old, new), count=1)
    indexes = list(
        bind.execute(
            text(
                "SELECT sql FROM sqlite_master WHERE tbl_name = :name"
                " AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type, name"
            ),
            {"name": table},
        ).scalars()
    )
    counter = autoincrement_counter(bind, table)
    # SQLite's documented procedure: new table, copy, drop, rename, indexes again. No table
    # references skills or educations, so foreign keys are not in the way.
    bind.exec_driver_sql(new_sql)
    bind.exec_driver_sql(f'INSERT INTO "{rebuilt}" SELECT * FROM "{table}"')  # noqa: S608 (constants)
    bind.exec_driver_sql(f'DROP TABLE "{table}"')
    bind.exec_driver_sql(f'ALTER TABLE "{rebuilt}" RENAME TO "{table}"')
    for sql in indexes:
        bind.exec_driver_sql(sql)
    if counter is not None:
        # The copy only knows the ids still present; the counter had passed deleted ones too.
        bind.execute(text("DELETE FROM sqlite_sequence WHERE name = :name"), {"name": table})
        bind.execute(
            text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)"),
            {"name": table, "seq": counter},
        )


def autoincrement_counter(bind: Connection, table: str) -> int | None:
    """The last id SQLite handed out in the table (AUTOINCREMENT, migration 0003), if any."""
    if not bind.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'")
    ).scalar():
        return None
    counter: int | None = bind.execute(
        text("SELECT seq FROM sqlite_sequence WHERE name = :name"), {"name": table}
    ).scalar()
    return counter
