"""stable recap rows and report data (issue 9)

No schema change: the recompute writes recap rows in place with an upsert on the existing
unique constraint uq_recap_period_employee (period_id, employee_id), and the payroll's CPNS
factor, sanction percent and employee kind are already columns of the recap row. The revision
stays in the chain (0006 -> 0007 -> 0008).

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
    pass


def downgrade():
    pass
