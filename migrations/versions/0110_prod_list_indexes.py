"""indexes for what lists filter and sort by; trigram name search on PostgreSQL

Revision ID: 0110_prod
Revises: 0090_merge
Create Date: 2026-12-04

Portable indexes (on the models): resident (community_id, name) for name prefix / name order within
a community, household (community_id, status) and household_no. The subtree path, ID number,
household, status and (community_id, id) indexes exist already (0001).

PostgreSQL only (app/db.py DATABASE_SPECIFIC_INDEXES, ignored by schema comparisons):
- a trigram GIN index on resident.name, so 「姓名包含」 does not scan 600,000 rows — only when the
  pg_trgm extension can be created (it ships with PostgreSQL's contrib; creating it needs the right
  to); otherwise skipped with a notice and name search stays a scan;
- varchar_pattern_ops indexes on organisation.path and household.household_no: with a non-C
  collation an ordinary B-tree cannot serve ``LIKE 'prefix%'``.
"""
import logging

import sqlalchemy as sa
from alembic import op

revision = "0110_prod"
down_revision = "0090_merge"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade():
    op.create_index("ix_resident_community_name", "resident", ["community_id", "name"])
    op.create_index("ix_household_community_status", "household", ["community_id", "status"])
    op.create_index("ix_household_household_no", "household", ["household_no"])
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_indexes()


def _postgresql_indexes():
    op.execute("CREATE INDEX ix_organisation_path_pattern ON organisation "
               "(path varchar_pattern_ops)")
    op.execute("CREATE INDEX ix_household_household_no_pattern ON household "
               "(household_no varchar_pattern_ops)")
    if _trigram_available():
        op.execute("CREATE INDEX ix_resident_name_trgm ON resident USING gin (name gin_trgm_ops)")
    else:
        log.warning("pg_trgm is not available: no trigram index on resident.name "
                    "(name search scans the table)")


def _trigram_available() -> bool:
    """Create pg_trgm if it is not there yet; False when that is not possible (not installed, or
    no right to create extensions). A savepoint keeps the migration's transaction usable."""
    bind = op.get_bind()
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name in ("ix_resident_name_trgm", "ix_household_household_no_pattern",
                     "ix_organisation_path_pattern"):
            op.execute(f"DROP INDEX IF EXISTS {name}")
    op.drop_index("ix_household_household_no", table_name="household")
    op.drop_index("ix_household_community_status", table_name="household")
    op.drop_index("ix_resident_community_name", table_name="resident")
