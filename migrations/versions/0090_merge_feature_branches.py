"""merge the feature branches (import, dashboard, history, login security) into one head

Revision ID: 0090_merge
Revises: 0030_import, 0040_dashboard, 0050_history, 0060_login
Create Date: 2026-12-03

Each feature branch added its own tables independently from 0002_jobs; this revision only joins
them so later migrations have a single parent.
"""

revision = "0090_merge"
down_revision = ("0030_import", "0040_dashboard", "0050_history", "0060_login")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
