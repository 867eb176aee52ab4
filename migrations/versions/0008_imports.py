"""bounded imports and exact attendance replacement (issues 8, 9)

No schema change: the upload bounds are settings (config.py), and what an attendance import
inserted, replaced and deleted (and whether it replaced the whole month) is written to its
audit event; the (employee, date) unique constraint uq_attendance_employee_date already
identifies the rows an import replaces. The revision stays in the chain (0007 -> 0008).

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
