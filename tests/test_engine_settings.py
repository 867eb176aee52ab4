"""The app's database connections: PostgreSQL runs without JIT (issue 11: JIT compilation
cost 150-180 ms on month-wide aggregates); SQLite keeps WAL."""
import pytest
from sqlalchemy import text

from app.extensions import db
from tests.conftest import IS_PG


@pytest.mark.skipif(not IS_PG, reason="PostgreSQL only")
def test_postgresql_connections_run_without_jit(app):
    with app.app_context():
        db.engine.dispose()  # fresh connections, made by the app's engine
        with db.engine.connect() as conn:
            assert conn.execute(text("SHOW jit")).scalar() == "off"
        # a second pooled connection too, and the session the views use
        assert db.session.execute(text("SHOW jit")).scalar() == "off"


@pytest.mark.skipif(not IS_PG, reason="PostgreSQL only")
def test_replica_connections_run_without_jit(app):
    """The replica engine (report files and dashboards, app.services.replica) too."""
    from app.services import replica

    with app.app_context():
        state = replica._State(db.engine.url.render_as_string(hide_password=False))
        engine = replica._engine(state)
        try:
            with engine.connect() as conn:
                assert conn.execute(text("SHOW jit")).scalar() == "off"
        finally:
            engine.dispose()
