"""`flask` commands: sync-roles, seed-demo, recompute-superiors, recompute, send-reminders, backup, restore."""
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


@click.command("backup")
@click.option("--output", "output", required=True, type=click.Path(dir_okay=False),
              help="Berkas arsip cadangan yang dibuat, mis. /srv/cadangan/ekinerja-2026-11-30.tar.")
@with_appcontext
def backup_command(output: str):
    """Cadangkan basis data dan berkas bukti ke satu arsip dengan manifest."""
    from app.services.backup import BackupError, create_backup

    cfg = current_app.config
    try:
        result = create_backup(cfg["SQLALCHEMY_DATABASE_URI"], cfg["UPLOAD_FOLDER"], cfg["MIGRATIONS_DIR"], output)
    except BackupError as err:
        raise click.ClickException(err.message)
    click.echo(result.summary())


@click.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False))
@click.option("--replace", is_flag=True, help="Ganti seluruh isi basis data dan folder bukti yang tidak kosong.")
@with_appcontext
def restore_command(archive: str, replace: bool):
    """Pulihkan basis data dan berkas bukti dari arsip cadangan (hentikan aplikasi lebih dulu)."""
    from app.services.backup import BackupError, restore_backup

    cfg = current_app.config
    db.session.remove()
    db.engine.dispose()  # no connection of this process holds the tables being replaced
    try:
        result = restore_backup(archive, cfg["SQLALCHEMY_DATABASE_URI"], cfg["UPLOAD_FOLDER"],
                                cfg["MIGRATIONS_DIR"], replace=replace)
    except BackupError as err:
        raise click.ClickException(err.message)
    click.echo(result.summary())


@click.command("bench-data")
@click.option("--password", required=True, help="Kata sandi akun sampel (admin, bkd, pegawai, atasan, operator).")
@click.option("--employees", default=10_000, show_default=True, help="Jumlah pegawai.")
@click.option("--opd", default=70, show_default=True, help="Jumlah OPD (termasuk Sekretariat Daerah).")
@click.option("--months", default=12, show_default=True, help="Jumlah bulan sampai bulan ini.")
@click.option("--per-day", default=4, show_default=True, help="Aktivitas per pegawai per hari kerja.")
@click.option("--seed", default=2026, show_default=True, help="Benih acak (data yang sama untuk benih yang sama).")
@click.option("--logins", "logins_path", default=None, metavar="FILE", help="Tulis akun sampel ke berkas CSV.")
@with_appcontext
def bench_data_command(password, employees, opd, months, per_day, seed, logins_path):
    """Isi basis data kosong dengan data benchmark seukuran kota (COPY pada PostgreSQL)."""
    from app.services.benchdata import BenchDataError, BenchSize, generate_bench_data

    size = BenchSize(employees=employees, opd=opd, months=months, per_day=per_day, seed=seed)
    try:
        summary = generate_bench_data(password, size, logins_path=logins_path, echo=click.echo)
    except BenchDataError as err:
        db.session.rollback()
        raise click.ClickException(str(err))
    click.echo(summary.text())


def register(app) -> None:
    for cmd in (sync_roles_command, recompute_superiors_command, seed_demo_command, recompute_command,
                send_reminders_command, backup_command, restore_command, bench_data_command):
        app.cli.add_command(cmd)
