"""Extension objects, bound to the app in `create_app()`."""
from flask_appbuilder import Model
from flask_appbuilder.models.sqla.base import SQLA
from flask_mail import Mail
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

# One metadata for FAB's ab_* tables and the app's tables, so migrations see both.
db = SQLA(model_class=Model)
migrate = Migrate()
csrf = CSRFProtect()
mail = Mail()  # e-mail digest (app.services.notifications)


def configure_sqlite(engine) -> None:
    """SQLite, the embedded default: write-ahead logging so that readers never block the
    one writer (a refusal is written to the audit log in its own transaction while the
    request's session may still be reading), and a busy timeout instead of an immediate
    "database is locked" when two writers meet. PostgreSQL needs neither."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()


def configure_postgresql(engine) -> None:
    """PostgreSQL: JIT compilation off for the app's connections (`-c jit=off` in the
    connection's startup options). The app runs short OLTP statements; at city size the
    planner's cost estimates switch JIT on for month-wide aggregates and the compilation
    costs 150-180 ms per statement, more than it ever saves (docs/PERFORMANCE.md, issue 11)."""
    if engine.dialect.name != "postgresql":
        return
    from sqlalchemy import event

    @event.listens_for(engine, "do_connect")
    def _jit_off(_dialect, _record, _cargs, cparams):
        options = cparams.get("options", "")
        if "jit=" not in options:
            cparams["options"] = f"{options} -c jit=off".strip()


def configure_engine(engine) -> None:
    """The per-dialect connection settings of an engine the app creates."""
    configure_sqlite(engine)
    configure_postgresql(engine)
