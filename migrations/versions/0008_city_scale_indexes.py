"""indexes for the lists at city scale (issue 11 item 3)

The default order of the activity, attendance and recap lists and the employee scope of the
recap.

Revision ID: 0008
Revises: 0007

FAB orders a list by its column and the primary key (date DESC, id DESC): with an index on
(date, id) a page is read straight off the index, where (date) alone sorts a whole day's
rows (40,000 activities, 10,000 attendance rows at city size) for every page. The recap is
scoped by employee (operator, superior, employee) and listed by name.
"""
from alembic import op
import sqlalchemy as sa  # noqa: F401

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index('ix_activity_date_id', ['date', 'id'], unique=False)
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        # (date, id) serves everything (date) served
        batch_op.drop_index('ix_attendance_date')
        batch_op.create_index('ix_attendance_date_id', ['date', 'id'], unique=False)
    with op.batch_alter_table('recap', schema=None) as batch_op:
        batch_op.create_index('ix_recap_employee_period', ['employee_id', 'period_id'], unique=False)
        batch_op.create_index('ix_recap_name', ['name', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('recap', schema=None) as batch_op:
        batch_op.drop_index('ix_recap_name')
        batch_op.drop_index('ix_recap_employee_period')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index('ix_attendance_date_id')
        batch_op.create_index('ix_attendance_date', ['date'], unique=False)
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_date_id')
