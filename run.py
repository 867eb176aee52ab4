"""Start the panel: apply migrations, sync roles, seed demo data into an empty database,
then serve on http://127.0.0.1:5000.

    python run.py                # development server
    flask --app run <command>    # e.g. db upgrade, sync-roles, seed-demo --password PW
"""
import os

from app import create_app

app = create_app(os.environ.get("EKINERJA_CONFIG", "config.Config"))


def prepare(password: str) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from app.cli import sync_roles
    from app.extensions import db
    from app.models import Employee
    from app.services.demo import seed_demo

    with app.app_context():
        upgrade()
        sync_roles()
        if not db.session.scalar(select(func.count()).select_from(Employee)):
            print(seed_demo(password))
            print(f"Data demo dibuat. Masuk sebagai 'admin' / '{password}' (lihat README untuk akun lain).")


if __name__ == "__main__":
    demo_password = os.environ.get("DEMO_PASSWORD", "malang123")
    prepare(demo_password)
    # The development server speaks plain http on 127.0.0.1, where a Secure cookie never comes
    # back (no login possible). Deployments (gunicorn run:app behind TLS) keep Secure cookies.
    app.config.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)
    print("e-Kinerja berjalan di http://127.0.0.1:5000")
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "5000")), debug=False)
