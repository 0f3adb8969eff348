"""PostgreSQL statistics on lower(jobs.location)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 02:00:00.000000

The public list filters on `lower(location) LIKE '%...%'`. Without statistics on that expression
PostgreSQL guesses a match rate of 0.5%, so at 100,000 jobs it took "Paris" (a quarter of the
jobs) for a rare filter and chose to fetch every full-text match and sort them (200 ms) instead
of walking the published-by-recency index until the page is full (2 ms). Extended statistics on
the expression (PostgreSQL 14+) give ANALYZE the common locations and their shares. SQLite has
nothing to add: its plan already walks that index.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE STATISTICS st_jobs_lower_location ON (lower(location)) FROM jobs")
        op.execute("ANALYZE jobs")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS IF EXISTS st_jobs_lower_location")
