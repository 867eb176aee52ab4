"""The schema comes only from migrations: an empty database upgrades to the models exactly."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.extensions import db


def _fresh_app(databases):
    from app import create_app
    from tests.conftest import make_config

    uri = databases.new_empty()
    return create_app(make_config(uri)), uri


def test_upgrade_from_empty_matches_models(databases):
    from flask_migrate import downgrade, upgrade

    app, uri = _fresh_app(databases)
    try:
        with app.app_context():
            upgrade()
            tables = set(inspect(db.engine).get_table_names())
            assert {"unit", "position", "employee", "superior_override", "activity_catalog", "holiday",
                    "period", "audit_log", "ab_user", "ab_role"} <= tables
            with db.engine.connect() as conn:
                diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
            assert diff == [], f"models and migrations differ: {diff}"
            # position kinds come with the schema
            kinds = db.session.execute(db.text("SELECT code FROM position_kind ORDER BY code")).scalars().all()
            assert kinds == ["ADMINISTRATOR", "JF_KEAHLIAN", "JF_KETERAMPILAN", "JPT", "PELAKSANA", "PENGAWAS"]
            db.session.remove()
            downgrade(revision="base")
            assert "employee" not in inspect(db.engine).get_table_names()
            upgrade()
            assert "employee" in inspect(db.engine).get_table_names()
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        databases.drop(uri)


def test_sync_roles_is_idempotent(app):
    from flask_appbuilder.security.sqla.models import PermissionView, Role

    from app.cli import sync_roles

    roles = db.session.query(Role).count()
    pvs = db.session.query(PermissionView).count()
    sync_roles()
    sync_roles()
    assert db.session.query(Role).count() == roles == 8
    assert db.session.query(PermissionView).count() == pvs
    names = {r.name for r in db.session.query(Role)}
    assert {"Admin", "BKD", "Operator OPD", "Pegawai", "Atasan", "Auditor", "Keuangan"} <= names


def test_openapi_spec_served(app, api_as):
    client, headers = api_as("admin")
    resp = client.get("/api/v1/_openapi", headers=headers)
    assert resp.status_code == 200
    paths = resp.get_json()["paths"]
    for path in ("/api/v1/unit/", "/api/v1/position/", "/api/v1/employee/", "/api/v1/activity-catalog/"):
        assert path in paths
