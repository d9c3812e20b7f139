"""Case lists: composite indexes on the list order (created_at, id), whole and per filter.

They replace the single-column indexes on created_at, outcome and review_required, which are their
leading columns. Keyset pages (`WHERE (created_at, id) > (...)`), offset pages and counts then walk
an index (index-only on PostgreSQL once the table is vacuumed) instead of sorting the table.

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_created_at_id', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_cases_outcome_created_at_id', ['outcome', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_cases_review_created_at_id', ['review_required', 'created_at', 'id'], unique=False)
        batch_op.drop_index('ix_cases_created_at')
        batch_op.drop_index('ix_cases_outcome')
        batch_op.drop_index('ix_cases_review_required')


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_review_required', ['review_required'], unique=False)
        batch_op.create_index('ix_cases_outcome', ['outcome'], unique=False)
        batch_op.create_index('ix_cases_created_at', ['created_at'], unique=False)
        batch_op.drop_index('ix_cases_review_created_at_id')
        batch_op.drop_index('ix_cases_outcome_created_at_id')
        batch_op.drop_index('ix_cases_created_at_id')
