"""job search columns and list indexes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 19:13:01.817123
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# SQLite: an FTS5 index over the folded text, kept in sync with `jobs` by triggers.
SQLITE_UPGRADE = [
    """
    CREATE VIRTUAL TABLE jobs_fts USING fts5(
        search_text, search_company,
        content='jobs', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER jobs_fts_after_insert AFTER INSERT ON jobs BEGIN
        INSERT INTO jobs_fts(rowid, search_text, search_company)
        VALUES (new.id, new.search_text, new.search_company);
    END
    """,
    """
    CREATE TRIGGER jobs_fts_after_delete AFTER DELETE ON jobs BEGIN
        INSERT INTO jobs_fts(jobs_fts, rowid, search_text, search_company)
        VALUES ('delete', old.id, old.search_text, old.search_company);
    END
    """,
    """
    CREATE TRIGGER jobs_fts_after_update AFTER UPDATE OF search_text, search_company ON jobs BEGIN
        INSERT INTO jobs_fts(jobs_fts, rowid, search_text, search_company)
        VALUES ('delete', old.id, old.search_text, old.search_company);
        INSERT INTO jobs_fts(rowid, search_text, search_company)
        VALUES (new.id, new.search_text, new.search_company);
    END
    """,
    "INSERT INTO jobs_fts(jobs_fts) VALUES ('rebuild')",
]
SQLITE_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS jobs_fts_after_update",
    "DROP TRIGGER IF EXISTS jobs_fts_after_delete",
    "DROP TRIGGER IF EXISTS jobs_fts_after_insert",
    "DROP TABLE IF EXISTS jobs_fts",
]
# PostgreSQL: the same words as a stored tsvector with a GIN index. They become lexemes as they
# are (array_to_tsvector: no text-search parser, no stemming, no stop words), so French and
# English postings are treated alike and both engines index exactly the words jobs/search.py
# folded. Stored, so that a scan never rebuilds a vector per row.
POSTGRESQL_UPGRADE = [
    "ALTER TABLE jobs ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
    "(array_to_tsvector(string_to_array(btrim(search_text || ' ' || search_company), ' '))) "
    "STORED",
    "CREATE INDEX ix_jobs_search ON jobs USING gin (search_vector)",
]
POSTGRESQL_DOWNGRADE = [
    "DROP INDEX IF EXISTS ix_jobs_search",
    "ALTER TABLE jobs DROP COLUMN IF EXISTS search_vector",
]


def _execute(statements: dict[str, list[str]]) -> None:
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def upgrade() -> None:
    op.add_column("jobs", sa.Column("search_text", sa.Text(), server_default="", nullable=False))
    op.add_column("jobs", sa.Column("search_company", sa.Text(), server_default="", nullable=False))
    op.drop_index(op.f("ix_jobs_status_posted_at"), table_name="jobs")
    op.create_index(
        "ix_jobs_status_posted_at",
        "jobs",
        ["status", sa.literal_column("posted_at DESC"), sa.literal_column("id DESC")],
        unique=False,
    )
    op.create_index(
        op.f("ix_jobs_employer_id_created_at"), "jobs", ["employer_id", "created_at"], unique=False
    )
    op.create_index(
        op.f("ix_jobs_status_job_type_posted_at"),
        "jobs",
        ["status", "job_type", "posted_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_jobs_status_location_type_posted_at"),
        "jobs",
        ["status", "location_type", "posted_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_jobs_status_salary_min"), "jobs", ["status", "salary_min"], unique=False
    )
    _execute({"sqlite": SQLITE_UPGRADE, "postgresql": POSTGRESQL_UPGRADE})


def downgrade() -> None:
    _execute({"sqlite": SQLITE_DOWNGRADE, "postgresql": POSTGRESQL_DOWNGRADE})
    op.drop_index(op.f("ix_jobs_status_salary_min"), table_name="jobs")
    op.drop_index(op.f("ix_jobs_status_location_type_posted_at"), table_name="jobs")
    op.drop_index(op.f("ix_jobs_status_job_type_posted_at"), table_name="jobs")
    op.drop_index(op.f("ix_jobs_employer_id_created_at"), table_name="jobs")
    op.drop_index("ix_jobs_status_posted_at", table_name="jobs")
    op.create_index(
        op.f("ix_jobs_status_posted_at"),
        "jobs",
        ["status", sa.literal_column("posted_at DESC")],
        unique=False,
    )
    op.drop_column("jobs", "search_company")
    op.drop_column("jobs", "search_text")
