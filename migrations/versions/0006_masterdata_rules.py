"""master data rules (issues 8, 9): kelas jabatan may be empty until BKD sets it

An Operator OPD may create a position but never sets its kelas jabatan (the TPP base):
the position stays without kelas until BKD sets it, and the recap treats it as base 0.

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('position', schema=None) as batch_op:
        batch_op.alter_column('kelas_jabatan', existing_type=sa.Integer(), nullable=True)


def downgrade():
    missing = op.get_bind().execute(sa.text('SELECT COUNT(*) FROM position WHERE kelas_jabatan IS NULL')).scalar()
    if missing:
        raise RuntimeError(f'{missing} jabatan belum memiliki kelas jabatan; isi kelasnya sebelum downgrade.')
    with op.batch_alter_table('position', schema=None) as batch_op:
        batch_op.alter_column('kelas_jabatan', existing_type=sa.Integer(), nullable=False)
