"""`flask` commands: sync-roles, seed-demo, recompute-superiors."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from app.extensions import db


def sync_roles() -> None:
    """Create the app's roles and FAB's permissions; idempotent, run at deploy time."""
    appbuilder = current_app.appbuilder
    sm = appbuilder.sm
    for name in [sm.auth_role_admin, *current_app.config["FAB_ROLES"].keys(), sm.auth_role_public]:
        if sm.find_role(name) is None:
            sm.add_role(name)
    appbuilder.add_permissions(update_perms=True)
    sm.security_cleanup(appbuilder.baseviews, appbuilder.menu)
    db.session.commit()


@click.command("sync-roles")
@with_appcontext
def sync_roles_command():
    """Buat peran dan izin aplikasi (aman dijalankan berulang)."""
    sync_roles()
    click.echo("Peran dan izin telah disinkronkan.")


@click.command("recompute-superiors")
@with_appcontext
def recompute_superiors_command():
    """Hitung ulang atasan langsung semua pegawai untuk hari ini (jalankan harian)."""
    from app.services.organisation import refresh_derived

    refresh_derived(db.session)
    db.session.commit()
    click.echo("Atasan langsung telah dihitung ulang.")


@click.command("seed-demo")
@click.option("--password", required=True, help="Kata sandi semua akun demo.")
@with_appcontext
def seed_demo_command(password: str):
    """Isi basis data kosong dengan data demo Kota Malang."""
    from app.services.demo import DemoSeedError, seed_demo

    try:
        summary = seed_demo(password)
    except DemoSeedError as err:
        raise click.ClickException(str(err))
    click.echo(summary)


def register(app) -> None:
    for cmd in (sync_roles_command, recompute_superiors_command, seed_demo_command):
        app.cli.add_command(cmd)
