"""Backup and restore (issue 11 item 8): `flask --app run backup` / `restore` round trip on the
database of the run (SQLite, or PostgreSQL with .ci/run's DATABASE_URL, where the restore goes
into a second database created on the same server), comparing row counts and file checksums;
a corrupt archive, a wrong revision, a non-empty target and a mismatched kind are refused
with an Indonesian message and change nothing."""
from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from datetime import date

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.services import backup as bk
from tests.conftest import make_config

PDF = b"%PDF-1.4\n% bukti kegiatan\n" + bytes(range(256)) * 40
PNG = b"\x89PNG\r\n\x1a\n" + b"gambar" * 500


def _sha(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def _counts(uri):
    return bk._live_counts(make_url(uri))


def _tables(uri):
    return bk._target_tables(make_url(uri))


def _files(folder):
    return {rel: _sha(os.path.join(folder, rel)) for rel in bk.evidence_files(folder)}


@pytest.fixture
def source(app, world, tmp_path):
    """The test database with an activity that has an evidence file, and a second, stray file."""
    from app.extensions import db
    from app.models import Activity

    uploads = tmp_path / "uploads-src"
    (uploads / "2026").mkdir(parents=True)
    (uploads / "a1b2c3.pdf").write_bytes(PDF)
    (uploads / "2026" / "d4e5f6.png").write_bytes(PNG)
    app.config["UPLOAD_FOLDER"] = str(uploads)
    staff = world.employee("staff_a")
    db.session.add(Activity(employee_id=staff.id, date=date(2026, 11, 2), description="Rapat koordinasi",
                            volume=1, claimed_minutes=60, status="DRAFT", evidence_file="a1b2c3.pdf",
                            evidence_name="undangan.pdf"))
    db.session.commit()
    return app


@pytest.fixture
def target(databases, tmp_path):
    """A second, empty database (PostgreSQL: created on the same server) and its app."""
    from app import create_app
    from app.extensions import db

    uri = databases.new_empty()
    target_app = create_app(make_config(uri, UPLOAD_FOLDER=str(tmp_path / "uploads-dst")))
    yield target_app
    with target_app.app_context():
        db.session.remove()
        db.engine.dispose()
    databases.drop(uri)


def _invoke(app, *args):
    """Run a command on `app` (Flask's with_appcontext would take the app of an outer context)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def _backup(app, path):
    result = _invoke(app, "backup", "--output", str(path))
    assert result.exit_code == 0, result.output
    return result


def _restore(app, path, *extra):
    return _invoke(app, "restore", str(path), *extra)


def test_round_trip_keeps_every_row_and_file(source, target, tmp_path):
    archive = tmp_path / "cadangan.tar"
    result = _backup(source, archive)
    assert "Cadangan dibuat" in result.output
    src_uri = source.config["SQLALCHEMY_DATABASE_URI"]
    src_counts = _counts(src_uri)
    src_files = _files(source.config["UPLOAD_FOLDER"])

    manifest = bk.read_manifest(str(archive))
    assert manifest["tables"] == src_counts
    assert manifest["tables"]["activity"] == 1 and manifest["tables"]["employee"] == 9
    assert manifest["alembic_revision"] == bk.code_revision(source.config["MIGRATIONS_DIR"])
    assert manifest["database"]["kind"] == make_kind(src_uri)
    assert manifest["created_at"].endswith("Z")
    assert {e["name"]: e["sha256"] for e in manifest["evidence"]} == src_files
    assert manifest["evidence_missing"] == []

    result = _restore(target, archive)
    assert result.exit_code == 0, result.output
    assert "Pemulihan selesai" in result.output
    assert _counts(target.config["SQLALCHEMY_DATABASE_URI"]) == src_counts
    assert _files(target.config["UPLOAD_FOLDER"]) == src_files

    # The restored installation works: the activity and its evidence are there, a login works.
    from app.extensions import db
    from app.models import Activity

    with target.app_context():
        item = db.session.query(Activity).one()
        assert item.evidence_name == "undangan.pdf"
        assert os.path.exists(os.path.join(target.config["UPLOAD_FOLDER"], item.evidence_file))
        db.session.remove()
    client = target.test_client()
    resp = client.post("/login/", data={"username": "bkd", "password": "rahasia"})
    assert resp.status_code == 302


def make_kind(uri):
    return "postgresql" if uri.startswith("postgresql") else "sqlite"


def test_restore_into_non_empty_database_needs_replace(source, tmp_path):
    from app.extensions import db
    from app.models import Activity

    archive = tmp_path / "cadangan.tar"
    _backup(source, archive)
    before = _counts(source.config["SQLALCHEMY_DATABASE_URI"])
    db.session.query(Activity).delete()  # a change made after the backup
    db.session.commit()
    db.session.remove()

    result = _restore(source, archive)
    assert result.exit_code != 0
    assert "Basis data tujuan tidak kosong" in result.output and "--replace" in result.output
    assert db.session.query(Activity).count() == 0  # nothing changed
    db.session.remove()

    result = _restore(source, archive, "--replace")
    assert result.exit_code == 0, result.output
    assert _counts(source.config["SQLALCHEMY_DATABASE_URI"]) == before
    assert db.session.query(Activity).count() == 1


def _rewrite(archive, out, change_manifest=None, change_member=None):
    """Copy an archive, changing its manifest or one member's bytes."""
    with tarfile.open(archive) as src, tarfile.open(out, "w") as dst:
        for member in src:
            data = src.extractfile(member).read()
            if member.name == bk.MANIFEST and change_manifest:
                manifest = json.loads(data)
                change_manifest(manifest)
                data = json.dumps(manifest).encode()
            elif change_member and member.name == change_member[0]:
                data = change_member[1](data)
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))


def _assert_unchanged(target):
    assert _tables(target.config["SQLALCHEMY_DATABASE_URI"]) == []
    assert bk.evidence_files(target.config["UPLOAD_FOLDER"]) == []


def test_wrong_revision_is_refused_and_changes_nothing(source, target, tmp_path):
    archive = tmp_path / "cadangan.tar"
    _backup(source, archive)
    old = tmp_path / "lama.tar"
    _rewrite(archive, old, change_manifest=lambda m: m.update(alembic_revision="0003"))
    result = _restore(target, old)
    assert result.exit_code != 0
    assert "revisi skema 0003" in result.output and "Tidak ada yang diubah" in result.output
    _assert_unchanged(target)


@pytest.mark.parametrize("damage", ["truncated", "evidence", "database", "not-a-tar", "extra-member"])
def test_corrupt_archive_is_refused_and_changes_nothing(source, target, tmp_path, damage):
    archive = tmp_path / "cadangan.tar"
    _backup(source, archive)
    manifest = bk.read_manifest(str(archive))
    bad = tmp_path / "rusak.tar"
    if damage == "truncated":
        data = archive.read_bytes()
        bad.write_bytes(data[: len(data) // 2])
    elif damage == "evidence":
        _rewrite(archive, bad, change_member=("evidence/a1b2c3.pdf", lambda d: d[:-1] + b"X"))
    elif damage == "database":
        member = manifest["database"]["member"]
        _rewrite(archive, bad, change_member=(member, lambda d: d[:4096] + bytes(len(d) - 4096)))
    elif damage == "not-a-tar":
        bad.write_bytes(b"PK\x03\x04 ini bukan arsip cadangan")
    else:
        with tarfile.open(archive) as src, tarfile.open(bad, "w") as dst:
            for member in src:
                dst.addfile(member, src.extractfile(member))
            info = tarfile.TarInfo("evidence/../../../tmp/jahat.sh")
            info.size = 3
            dst.addfile(info, io.BytesIO(b"rm\n"))
    result = _restore(target, bad)
    assert result.exit_code != 0
    assert "Arsip cadangan rusak" in result.output and "Tidak ada yang diubah" in result.output
    assert "Traceback" not in result.output
    _assert_unchanged(target)


def test_backup_refuses_to_overwrite_and_reports_missing_evidence(source, tmp_path):
    from app.extensions import db
    from app.models import Activity

    archive = tmp_path / "cadangan.tar"
    archive.write_bytes(b"lama")
    result = _invoke(source, "backup", "--output", str(archive))
    assert result.exit_code != 0 and "sudah ada" in result.output
    assert archive.read_bytes() == b"lama"

    item = db.session.query(Activity).one()
    item.evidence_file = "hilang.pdf"
    db.session.commit()
    result = _backup(source, tmp_path / "baru.tar")
    assert "hilang.pdf" in result.output and "Peringatan" in result.output
    assert bk.read_manifest(str(tmp_path / "baru.tar"))["evidence_missing"] == ["hilang.pdf"]


def test_backup_of_other_kind_is_refused(source, tmp_path):
    """A PostgreSQL dump does not go into SQLite, nor a SQLite copy into PostgreSQL."""
    archive = tmp_path / "cadangan.tar"
    _backup(source, archive)
    other = tmp_path / "lain.tar"
    _rewrite(archive, other, change_manifest=lambda m: m["database"].update(
        kind="sqlite" if m["database"]["kind"] == "postgresql" else "postgresql"))
    result = _restore(source, other, "--replace")
    assert result.exit_code != 0 and "Tidak ada yang diubah" in result.output


def test_pg_tools_match_the_server_version():
    major = 15
    path = bk.pg_bin("pg_dump", major * 10000 + 3)
    if path.startswith("/usr/lib/postgresql/"):
        assert int(path.split("/")[4]) >= major


def test_sqlite_integrity_of_the_archived_copy(source, tmp_path):
    if not source.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite copy only")
    archive = tmp_path / "cadangan.tar"
    _backup(source, archive)
    with tarfile.open(archive) as tar:
        tar.extract(bk.SQLITE_MEMBER, tmp_path, filter="data")
    engine = create_engine(f"sqlite:///{tmp_path / bk.SQLITE_MEMBER}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    engine.dispose()


def test_failed_postgresql_restore_changes_nothing(source, tmp_path):
    """psql stops at an error halfway through the restore (here an event trigger refuses the
    CREATE INDEX that follows the tables and their data): the one transaction is rolled back,
    so the replaced database keeps its tables and rows as they were."""
    if make_kind(source.config["SQLALCHEMY_DATABASE_URI"]) != "postgresql":
        pytest.skip("PostgreSQL restore only")
    from app.extensions import db
    from app.models import Activity

    archive = tmp_path / "cadangan.tar"
    _backup(source, archive)
    db.session.query(Activity).delete()
    db.session.commit()
    db.session.remove()
    uri = source.config["SQLALCHEMY_DATABASE_URI"]
    before = _counts(uri)
    engine = create_engine(uri, isolation_level="AUTOCOMMIT")
    guard = ["CREATE SCHEMA uji_gagal",
             "CREATE FUNCTION uji_gagal.refuse() RETURNS event_trigger LANGUAGE plpgsql AS "
             "$$ BEGIN RAISE EXCEPTION 'pemulihan dihentikan oleh uji'; END $$",
             "CREATE EVENT TRIGGER uji_gagal ON ddl_command_start WHEN TAG IN ('CREATE INDEX') "
             "EXECUTE FUNCTION uji_gagal.refuse()"]
    with engine.connect() as conn:
        for sql in guard:
            conn.execute(text(sql))
    try:
        result = _restore(source, archive, "--replace")
    finally:
        with engine.connect() as conn:
            conn.execute(text("DROP EVENT TRIGGER uji_gagal"))
            conn.execute(text("DROP SCHEMA uji_gagal CASCADE"))
        engine.dispose()
    assert result.exit_code != 0
    assert "Pemulihan PostgreSQL (psql) gagal" in result.output and "dihentikan oleh uji" in result.output
    assert _counts(uri) == before
    assert before["activity"] == 0


def test_backup_of_a_database_behind_the_code_warns(source, tmp_path):
    """A database not yet upgraded is backed up as it is, with a warning that only the app of
    its revision restores it (the restore refuses any other revision)."""
    from app.extensions import db

    db.session.execute(text("UPDATE alembic_version SET version_num = '0007'"))
    db.session.commit()
    result = _backup(source, tmp_path / "cadangan.tar")
    assert "Peringatan: basis data pada revisi skema 0007" in result.output and "db upgrade" in result.output
    assert bk.read_manifest(str(tmp_path / "cadangan.tar"))["alembic_revision"] == "0007"
