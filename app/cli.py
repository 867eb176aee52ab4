"""`flask` commands: sync-roles, seed-demo, recompute-superiors, recompute, send-reminders."""
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


@click.command("recompute")
@click.option("--period", "period_text", required=True, metavar="YYYY-MM",
              help="Periode yang dihitung ulang, mis. 2026-11.")
@with_appcontext
def recompute_command(period_text: str):
    """Hitung ulang rekap kinerja dan TPP seluruh pegawai untuk satu periode."""
    import re

    from app.services import ValidationFailed
    from app.services.recap import recompute_period

    match = re.fullmatch(r"(\d{4})-(\d{1,2})", (period_text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise click.UsageError(f"Periode {period_text!r} tidak valid; gunakan format YYYY-MM, mis. 2026-11.")
    try:
        result = recompute_period(int(match.group(1)), int(match.group(2)))
    except ValidationFailed as err:
        db.session.rollback()
        raise click.ClickException(err.message)
    db.session.commit()
    click.echo(result.summary())


@click.command("send-reminders")
@with_appcontext
def send_reminders_command():
    """Kirim satu ringkasan e-mail harian kepada setiap pengguna yang punya hal untuk ditindaklanjuti."""
    from app.services.notifications import send_digests

    try:
        result = send_digests()
    except ConnectionError as err:
        db.session.rollback()
        raise click.ClickException(str(err))
    click.echo(result.summary())
    if result.failed:
        raise SystemExit(1)


def register(app) -> None:
    for cmd in (sync_roles_command, recompute_superiors_command, seed_demo_command, recompute_command,
                send_reminders_command):
        app.cli.add_command(cmd)
