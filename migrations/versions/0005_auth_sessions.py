"""login sessions, lockouts and aggregated anonymous refusals (issue 8)

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    pass

    # --- audit aggregation (C2) ---
    # Anonymous refusals become one row per (minute, address, kind) with a count.
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("count", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("bucket", sa.String(length=120), nullable=True))
        batch.create_index("ux_audit_bucket", ["bucket"], unique=True)
    # --- end audit aggregation (C2) ---


def downgrade():
    pass

    # --- audit aggregation (C2) ---
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_index("ux_audit_bucket")
        batch.drop_column("bucket")
        batch.drop_column("count")
    # --- end audit aggregation (C2) ---
