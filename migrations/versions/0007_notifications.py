"""notification settings: e-mail digest opt-out and last digest date per user (issue 10 item 6)

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'notification_setting',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('email_digest', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('last_digest_on', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id'),
    )


def downgrade():
    op.drop_table('notification_setting')
