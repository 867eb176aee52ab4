"""the whole performance cycle (issue 12): strategic goals, SKP tahunan with RHK and indicators,
approval history, realisation per period, activity -> RHK link, follow-up rules and decisions,
potential assessments and predikat imported from BKN e-Kinerja

Revision ID: 0010
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'strategic_goal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('code', sa.String(length=30), nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('indicator', sa.Text(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id']),
        sa.ForeignKeyConstraint(['parent_id'], ['strategic_goal.id']),
        sa.ForeignKeyConstraint(['created_by_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('year', 'unit_id', 'code', name='uq_goal_year_unit_code'),
    )
    op.create_index('ix_goal_year_unit', 'strategic_goal', ['year', 'unit_id'])
    op.create_index('ix_goal_parent', 'strategic_goal', ['parent_id'])

    op.create_table(
        'skp',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('employee_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('approved_revision', sa.Integer(), nullable=True),
        sa.Column('position_id', sa.Integer(), nullable=True),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('opd_id', sa.Integer(), nullable=False),
        sa.Column('superior_id', sa.Integer(), nullable=True),
        sa.Column('submitted_at', sa.DateTime(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decision_note', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('DRAFT','SUBMITTED','APPROVED','RETURNED')", name='ck_skp_status'),
        sa.CheckConstraint('revision >= 1', name='ck_skp_revision'),
        sa.ForeignKeyConstraint(['employee_id'], ['employee.id']),
        sa.ForeignKeyConstraint(['position_id'], ['position.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id']),
        sa.ForeignKeyConstraint(['opd_id'], ['unit.id']),
        sa.ForeignKeyConstraint(['superior_id'], ['employee.id']),
        sa.ForeignKeyConstraint(['decided_by_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('employee_id', 'year', name='uq_skp_employee_year'),
    )
    op.create_index('ix_skp_superior_status', 'skp', ['superior_id', 'status'])
    op.create_index('ix_skp_year_opd', 'skp', ['year', 'opd_id'])

    op.create_table(
        'skp_history',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('skp_id', sa.Integer(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('approved_by_id', sa.Integer(), nullable=True),
        sa.Column('approved_at', sa.DateTime(), nullable=False),
        sa.Column('snapshot', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['skp_id'], ['skp.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['approved_by_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('skp_id', 'revision', name='uq_skp_history_revision'),
    )

    op.create_table(
        'rhk',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('skp_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('goal_id', sa.Integer(), nullable=True),
        sa.Column('approved_revision', sa.Integer(), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.CheckConstraint("kind IN ('UTAMA','TAMBAHAN')", name='ck_rhk_kind'),
        sa.ForeignKeyConstraint(['skp_id'], ['skp.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['parent_id'], ['rhk.id']),
        sa.ForeignKeyConstraint(['goal_id'], ['strategic_goal.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_rhk_skp', 'rhk', ['skp_id'])
    op.create_index('ix_rhk_parent', 'rhk', ['parent_id'])
    op.create_index('ix_rhk_goal', 'rhk', ['goal_id'])

    op.create_table(
        'rhk_indicator',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rhk_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('aspect', sa.String(length=10), nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('target_value', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('target_unit', sa.String(length=50), nullable=False),
        sa.CheckConstraint("aspect IN ('KUANTITAS','KUALITAS','WAKTU','BIAYA')", name='ck_indicator_aspect'),
        sa.CheckConstraint('target_value >= 0', name='ck_indicator_target'),
        sa.ForeignKeyConstraint(['rhk_id'], ['rhk.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_indicator_rhk', 'rhk_indicator', ['rhk_id'])

    op.create_table(
        'rhk_realisation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('indicator_id', sa.Integer(), nullable=False),
        sa.Column('period_id', sa.Integer(), nullable=False),
        sa.Column('value', sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('evidence_file', sa.String(length=255), nullable=True),
        sa.Column('evidence_name', sa.String(length=255), nullable=True),
        sa.Column('evidence_link', sa.String(length=500), nullable=True),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['indicator_id'], ['rhk_indicator.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['period_id'], ['period.id']),
        sa.ForeignKeyConstraint(['updated_by_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('indicator_id', 'period_id', name='uq_realisation_indicator_period'),
    )
    op.create_index('ix_realisation_period', 'rhk_realisation', ['period_id'])

    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rhk_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_activity_rhk', 'rhk', ['rhk_id'], ['id'])
        batch_op.create_index('ix_activity_rhk_id', ['rhk_id'])

    op.create_table(
        'followup_rule',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=30), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('predikat', sa.Text(), nullable=False),
        sa.Column('min_periods', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=300), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.CheckConstraint("kind IN ('REWARD','DEVELOPMENT','SANCTION')", name='ck_followup_rule_kind'),
        sa.CheckConstraint('min_periods BETWEEN 1 AND 24', name='ck_followup_rule_periods'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('year', 'code', name='uq_followup_rule_year_code'),
    )

    op.create_table(
        'followup_decision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rule_id', sa.Integer(), nullable=False),
        sa.Column('employee_id', sa.Integer(), nullable=False),
        sa.Column('period_id', sa.Integer(), nullable=False),
        sa.Column('decision', sa.String(length=10), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("decision IN ('ACCEPTED','DECLINED')", name='ck_followup_decision'),
        sa.ForeignKeyConstraint(['rule_id'], ['followup_rule.id']),
        sa.ForeignKeyConstraint(['employee_id'], ['employee.id']),
        sa.ForeignKeyConstraint(['period_id'], ['period.id']),
        sa.ForeignKeyConstraint(['decided_by_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('rule_id', 'employee_id', 'period_id', name='uq_followup_decision'),
    )
    op.create_index('ix_followup_decision_employee', 'followup_decision', ['employee_id'])

    op.create_table(
        'potential_assessment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('employee_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('score', sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column('assessed_on', sa.Date(), nullable=True),
        sa.Column('source', sa.String(length=200), nullable=True),
        sa.Column('entered_by_id', sa.Integer(), nullable=True),
        sa.Column('entered_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('score >= 0 AND score <= 100', name='ck_potential_score'),
        sa.ForeignKeyConstraint(['employee_id'], ['employee.id']),
        sa.ForeignKeyConstraint(['entered_by_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('employee_id', 'year', name='uq_potential_employee_year'),
    )

    op.create_table(
        'bkn_predikat',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('employee_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('month', sa.Integer(), nullable=True),
        sa.Column('predikat', sa.String(length=20), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('imported_by_id', sa.Integer(), nullable=True),
        sa.Column('imported_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('month IS NULL OR month BETWEEN 1 AND 12', name='ck_bkn_predikat_month'),
        sa.ForeignKeyConstraint(['employee_id'], ['employee.id']),
        sa.ForeignKeyConstraint(['imported_by_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('employee_id', 'year', 'month', name='uq_bkn_predikat_employee_period'),
    )


def downgrade():
    op.drop_table('bkn_predikat')
    op.drop_table('potential_assessment')
    op.drop_index('ix_followup_decision_employee', table_name='followup_decision')
    op.drop_table('followup_decision')
    op.drop_table('followup_rule')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_rhk_id')
        batch_op.drop_constraint('fk_activity_rhk', type_='foreignkey')
        batch_op.drop_column('rhk_id')
    op.drop_index('ix_realisation_period', table_name='rhk_realisation')
    op.drop_table('rhk_realisation')
    op.drop_index('ix_indicator_rhk', table_name='rhk_indicator')
    op.drop_table('rhk_indicator')
    op.drop_index('ix_rhk_goal', table_name='rhk')
    op.drop_index('ix_rhk_parent', table_name='rhk')
    op.drop_index('ix_rhk_skp', table_name='rhk')
    op.drop_table('rhk')
    op.drop_table('skp_history')
    op.drop_index('ix_skp_year_opd', table_name='skp')
    op.drop_index('ix_skp_superior_status', table_name='skp')
    op.drop_table('skp')
    op.drop_index('ix_goal_parent', table_name='strategic_goal')
    op.drop_index('ix_goal_year_unit', table_name='strategic_goal')
    op.drop_table('strategic_goal')
