"""change history (change_record) and 问题反馈 (feedback)

Neither table depends on other branches' tables: only organisation and ab_user.

Revision ID: 0050_history
Revises: 0002_jobs
Create Date: 2026-12-03 14:13:53.638125

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0050_history'
down_revision = '0002_jobs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('change_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=100), nullable=True),
    sa.Column('address', sa.String(length=50), nullable=True),
    sa.Column('request_id', sa.String(length=32), nullable=True),
    sa.Column('model', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('object_label', sa.String(length=200), nullable=True),
    sa.Column('object_version', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('change_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_change_record_at'), ['at'], unique=False)
        batch_op.create_index('ix_change_record_object', ['model', 'object_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_change_record_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_change_record_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_change_record_user_id'), ['user_id'], unique=False)

    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('page_url', sa.String(length=500), nullable=True),
    sa.Column('screenshot', sa.String(length=100), nullable=True),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('response', sa.Text(), nullable=True),
    sa.Column('created_on', sa.DateTime(), nullable=False),
    sa.Column('closed_on', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reporter_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_reporter_id'), ['reporter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_status'), ['status'], unique=False)



def downgrade():
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_status'))
        batch_op.drop_index(batch_op.f('ix_feedback_reporter_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_assignee_id'))

    op.drop_table('feedback')
    with op.batch_alter_table('change_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_record_user_id'))
        batch_op.drop_index(batch_op.f('ix_change_record_request_id'))
        batch_op.drop_index(batch_op.f('ix_change_record_organisation_id'))
        batch_op.drop_index('ix_change_record_object')
        batch_op.drop_index(batch_op.f('ix_change_record_at'))

    op.drop_table('change_record')
