"""Backup and restore of the whole installation: the database and the evidence files, in one
archive with a manifest (`flask --app run backup` / `restore`).

The archive is an uncompressed tar (the database part is compressed already):

    manifest.json          what is inside, checked before anything is restored
    database.dump          PostgreSQL: `pg_dump --format=custom`
    database.sqlite        SQLite: a copy made with the online backup API
    evidence/<name>        the evidence files of UPLOAD_FOLDER

The manifest records the format, the app, the schema (Alembic) revision, the database kind,
the rows of every table, the sha256 and size of every member, and the creation time in UTC.
The row counts are taken from the same snapshot that is dumped (PostgreSQL: an exported
snapshot shared with pg_dump; SQLite: counted in the copy), so a restore can be compared with
them exactly.

A restore checks everything before it changes anything: the archive reads, every checksum
matches, the revision equals the one of this code's migrations, the database kind matches,
and the target database and evidence folder are empty (or `replace` was asked for). The
database part is then restored in one transaction (PostgreSQL: psql --single-transaction;
SQLite: the backup API, one write transaction), and the evidence folder is swapped in by a
rename. A refusal changes nothing.
"""
from __future__ import annotations

import glob
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Optional

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, make_url

FORMAT = "ekinerja-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PG_MEMBER = "database.dump"
SQLITE_MEMBER = "database.sqlite"
EVIDENCE_DIR = "evidence"
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore refused, with a message in Bahasa Indonesia for the operator."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class RestoreResult:
    kind: str
    revision: str
    tables: dict[str, int]
    evidence: int
    created_at: str

    def summary(self) -> str:
        rows = sum(self.tables.values())
        return (f"Pemulihan selesai: basis data {self.kind} revisi {self.revision} ({len(self.tables)} tabel, "
                f"{rows} baris) dan {self.evidence} berkas bukti dari cadangan {self.created_at}.")


@dataclass
class BackupResult:
    path: str
    manifest: dict = field(default_factory=dict)

    def summary(self) -> str:
        m = self.manifest
        rows = sum(m["tables"].values())
        text_ = (f"Cadangan dibuat: {self.path} (basis data {m['database']['kind']} revisi {m['alembic_revision']}, "
                 f"{len(m['tables'])} tabel, {rows} baris, {len(m['evidence'])} berkas bukti).")
        if m["alembic_revision"] != m["app_revision"]:
            text_ += (f"\nPeringatan: basis data pada revisi skema {m['alembic_revision']}, aplikasi ini pada revisi "
                      f"{m['app_revision']}: cadangan ini hanya dapat dipulihkan oleh versi aplikasi dengan revisi "
                      f"{m['alembic_revision']}. Jalankan `flask --app run db upgrade`, lalu buat cadangan lagi.")
        if m.get("evidence_missing"):
            text_ += (f"\nPeringatan: {len(m['evidence_missing'])} berkas bukti yang dirujuk aktivitas tidak ada "
                      f"di folder bukti: {', '.join(m['evidence_missing'][:10])}")
        return text_


# --------------------------------------------------------------------------- helpers
def sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def utc_now_text() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def code_revision(migrations_dir: str) -> str:
    """The head revision of this code's migrations (what `db upgrade` leads to)."""
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory(migrations_dir).get_heads()
    return ",".join(sorted(heads))


def database_revision(conn) -> Optional[str]:
    if not inspect(conn).has_table("alembic_version"):
        return None
    rows = [r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))]
    return ",".join(sorted(rows)) or None


def _quote(conn, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def table_counts(conn) -> dict[str, int]:
    """Rows of every table of the database (its public schema on PostgreSQL)."""
    names = sorted(inspect(conn).get_table_names())
    return {n: int(conn.execute(text(f"SELECT count(*) FROM {_quote(conn, n)}")).scalar()) for n in names}


def evidence_files(folder: str) -> list[str]:
    """Relative paths (with /) of the files under the evidence folder, sorted."""
    found = []
    if not os.path.isdir(folder):
        return found
    for root, _dirs, files in os.walk(folder):
        for name in files:
            rel = os.path.relpath(os.path.join(root, name), folder)
            found.append(rel.replace(os.sep, "/"))
    return sorted(found)


def _referenced_evidence(conn) -> set[str]:
    if not inspect(conn).has_table("activity"):
        return set()
    return {r[0] for r in conn.execute(text("SELECT DISTINCT evidence_file FROM activity "
                                            "WHERE evidence_file IS NOT NULL"))}


# --------------------------------------------------------------------------- PostgreSQL tools
def pg_bin(tool: str, server_version_num: int) -> str:
    """The client tool of the server's major version (Debian: /usr/lib/postgresql/<major>/bin),
    else the oldest installed one newer than the server, else the one on PATH."""
    major = server_version_num // 10000
    candidates = []
    for path in glob.glob(f"/usr/lib/postgresql/*/bin/{tool}"):
        try:
            candidates.append((int(path.split("/")[4]), path))
        except ValueError:
            continue
    exact = [p for v, p in candidates if v == major]
    if exact:
        return exact[0]
    newer = sorted((v, p) for v, p in candidates if v > major)
    if newer:
        return newer[0][1]
    found = shutil.which(tool)
    if found:
        return found
    raise BackupError(f"Program {tool} (klien PostgreSQL {major}) tidak ditemukan. Pasang paket "
                      f"postgresql-client-{major}.")


def pg_env(url: URL) -> tuple[str, dict]:
    """A libpq connection string without the password, and the environment that carries it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return dsn, env


def _run(cmd: list[str], env: dict, what: str, **kwargs) -> None:
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise BackupError(f"{what} gagal (kode {proc.returncode}): {' '.join(detail[-3:])[:600]}")


# --------------------------------------------------------------------------- backup
def create_backup(db_uri: str, upload_folder: str, migrations_dir: str, output: str) -> BackupResult:
    """Write the archive `output` (refused if it exists) and return its manifest."""
    url = make_url(db_uri)
    if os.path.exists(output):
        raise BackupError(f"Berkas tujuan {output} sudah ada; pilih nama lain agar cadangan lama tidak tertimpa.")
    out_dir = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(out_dir):
        raise BackupError(f"Folder tujuan {out_dir} tidak ada.")
    with tempfile.TemporaryDirectory(prefix="ekinerja-backup-", dir=out_dir) as work:
        if url.get_backend_name() == "postgresql":
            member, db_info, counts, revision, referenced = _dump_postgresql(url, work)
        elif url.get_backend_name() == "sqlite":
            member, db_info, counts, revision, referenced = _copy_sqlite(url, work)
        else:
            raise BackupError(f"Jenis basis data {url.get_backend_name()} tidak didukung untuk pencadangan.")
        if revision is None:
            raise BackupError("Basis data belum berisi skema e-Kinerja (tabel alembic_version tidak ada).")
        db_path = os.path.join(work, member)
        files = evidence_files(upload_folder)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "app": "e-Kinerja Kota Malang",
            "app_revision": code_revision(migrations_dir),
            "alembic_revision": revision,
            "created_at": utc_now_text(),
            "database": {**db_info, "member": member, "sha256": sha256_file(db_path),
                         "size": os.path.getsize(db_path)},
            "tables": counts,
            "evidence": [],
            "evidence_missing": sorted(referenced - set(files)),
        }
        partial = output + ".partial"
        try:
            with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
                tar.add(db_path, arcname=member)
                for rel in files:
                    src = os.path.join(upload_folder, rel)
                    manifest["evidence"].append({"name": rel, "sha256": sha256_file(src),
                                                 "size": os.path.getsize(src)})
                    tar.add(src, arcname=f"{EVIDENCE_DIR}/{rel}")
                data = json.dumps(manifest, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                info.mtime = int(datetime.now(timezone.utc).timestamp())
                tar.addfile(info, io.BytesIO(data))
            os.replace(partial, output)
        finally:
            if os.path.exists(partial):
                os.remove(partial)
    return BackupResult(output, manifest)


def _dump_postgresql(url: URL, work: str):
    """pg_dump in the custom format from the same snapshot the rows are counted in."""
    engine = create_engine(url, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as conn:
            version_num = int(conn.execute(text("SHOW server_version_num")).scalar())
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar()
            revision = database_revision(conn)
            counts = table_counts(conn)
            referenced = _referenced_evidence(conn)
            dsn, env = pg_env(url)
            path = os.path.join(work, PG_MEMBER)
            # While this transaction stays open, pg_dump sees exactly the rows counted above.
            _run([pg_bin("pg_dump", version_num), "--format=custom", "--no-owner", "--no-privileges",
                  f"--snapshot={snapshot}", f"--file={path}", f"--dbname={dsn}"], env, "pg_dump")
            conn.rollback()
    finally:
        engine.dispose()
    info = {"kind": "postgresql", "server_version": f"{version_num // 10000}.{version_num % 10000}"}
    return PG_MEMBER, info, counts, revision, referenced


def _sqlite_path(url: URL) -> str:
    path = url.database
    if not path or path == ":memory:" or path.startswith("file::memory"):
        raise BackupError("Basis data SQLite di memori tidak dapat dicadangkan.")
    return path


def _copy_sqlite(url: URL, work: str):
    """SQLite's online backup API (consistent while the app keeps running), counted in the copy."""
    src_path = _sqlite_path(url)
    if not os.path.exists(src_path):
        raise BackupError(f"Berkas basis data {src_path} tidak ada.")
    dst_path = os.path.join(work, SQLITE_MEMBER)
    src = sqlite3.connect(f"file:{src_path}?mode=ro", uri=True)
    dst = sqlite3.connect(dst_path)
    try:
        src.backup(dst)
    finally:
        src.close()
    try:
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file in the archive
        dst.commit()
    finally:
        dst.close()
    engine = create_engine(f"sqlite:///{dst_path}")
    try:
        with engine.connect() as conn:
            revision = database_revision(conn)
            counts = table_counts(conn)
            referenced = _referenced_evidence(conn)
    finally:
        engine.dispose()
    return SQLITE_MEMBER, {"kind": "sqlite", "sqlite_version": sqlite3.sqlite_version}, counts, revision, referenced


# --------------------------------------------------------------------------- restore
MSG_CORRUPT = "Arsip cadangan rusak atau bukan arsip cadangan e-Kinerja"


def read_manifest(archive: str) -> dict:
    """The manifest of an archive, after checking that it is one of ours."""
    if not os.path.isfile(archive):
        raise BackupError(f"Berkas cadangan {archive} tidak ditemukan.")
    try:
        with tarfile.open(archive, "r:") as tar:
            member = tar.getmember(MANIFEST)
            manifest = json.load(tar.extractfile(member))
    except (tarfile.TarError, KeyError, OSError, ValueError, EOFError) as err:
        raise BackupError(f"{MSG_CORRUPT} ({type(err).__name__}: {str(err)[:200]}). Tidak ada yang diubah.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{MSG_CORRUPT} (manifest tidak dikenal). Tidak ada yang diubah.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"Versi format cadangan {manifest.get('format_version')} tidak didukung "
                          f"(versi ini membaca {FORMAT_VERSION}). Tidak ada yang diubah.")
    return manifest


def _safe_member_name(name: str) -> bool:
    parts = name.split("/")
    return bool(name) and not name.startswith("/") and ".." not in parts and "" not in parts


def _extract_checked(archive: str, manifest: dict, dest: str) -> tuple[str, str]:
    """Extract the database part and the evidence files into `dest`, verifying every checksum.
    Returns (database file, evidence folder)."""
    db_entry = manifest.get("database") or {}
    expected = {db_entry.get("member"): (db_entry.get("sha256"), db_entry.get("size"))}
    for item in manifest.get("evidence") or []:
        expected[f"{EVIDENCE_DIR}/{item.get('name')}"] = (item.get("sha256"), item.get("size"))
    if any(not isinstance(n, str) or not _safe_member_name(n) for n in expected):
        raise BackupError(f"{MSG_CORRUPT} (nama berkas tidak sah di manifest). Tidak ada yang diubah.")
    seen = set()
    try:
        with tarfile.open(archive, "r:") as tar:
            for member in tar:
                if member.name == MANIFEST:
                    continue
                if member.name not in expected or not member.isfile():
                    raise BackupError(f"{MSG_CORRUPT} (berkas {member.name!r} tidak tercantum di manifest). "
                                      "Tidak ada yang diubah.")
                target = os.path.join(dest, *member.name.split("/"))
                os.makedirs(os.path.dirname(target), exist_ok=True)
                digest = hashlib.sha256()
                size = 0
                with tar.extractfile(member) as src, open(target, "wb") as out:
                    for chunk in iter(lambda: src.read(_CHUNK), b""):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                sha, want_size = expected[member.name]
                if digest.hexdigest() != sha or size != want_size:
                    raise BackupError(f"{MSG_CORRUPT}: checksum berkas {member.name} tidak cocok dengan manifest. "
                                      "Tidak ada yang diubah.")
                seen.add(member.name)
    except (tarfile.TarError, OSError, EOFError) as err:
        raise BackupError(f"{MSG_CORRUPT} ({type(err).__name__}: {str(err)[:200]}). Tidak ada yang diubah.") from None
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"{MSG_CORRUPT}: berkas {', '.join(missing[:5])} tidak ada di dalam arsip. "
                          "Tidak ada yang diubah.")
    return os.path.join(dest, db_entry["member"]), os.path.join(dest, EVIDENCE_DIR)


def restore_backup(archive: str, db_uri: str, upload_folder: str, migrations_dir: str,
                   replace: bool = False) -> RestoreResult:
    url = make_url(db_uri)
    kind = url.get_backend_name()
    manifest = read_manifest(archive)
    revision = manifest.get("alembic_revision")
    ours = code_revision(migrations_dir)
    if revision != ours:
        raise BackupError(f"Cadangan ini dibuat pada revisi skema {revision}, sedangkan aplikasi ini memakai revisi "
                          f"{ours}. Pulihkan dengan versi aplikasi yang sama dengan saat pencadangan (lalu jalankan "
                          "`flask --app run db upgrade`). Tidak ada yang diubah.")
    backup_kind = (manifest.get("database") or {}).get("kind")
    if backup_kind != kind:
        raise BackupError(f"Cadangan ini berisi basis data {backup_kind}, sedangkan DATABASE_URL menunjuk basis data "
                          f"{kind}. Tidak ada yang diubah.")
    tables = _target_tables(url)
    if tables and not replace:
        raise BackupError(f"Basis data tujuan tidak kosong ({len(tables)} tabel). Pulihkan ke basis data kosong, "
                          "atau tambahkan --replace untuk mengganti seluruh isinya. Tidak ada yang diubah.")
    existing = evidence_files(upload_folder)
    if existing and not replace:
        raise BackupError(f"Folder bukti {upload_folder} tidak kosong ({len(existing)} berkas). Kosongkan folder itu, "
                          "atau tambahkan --replace untuk menggantinya. Tidak ada yang diubah.")
    parent = os.path.dirname(os.path.abspath(upload_folder))
    os.makedirs(parent, exist_ok=True)
    # Staged next to the evidence folder, so that swapping it in is a rename.
    with tempfile.TemporaryDirectory(prefix=".ekinerja-restore-", dir=parent) as work:
        db_file, staged_evidence = _extract_checked(archive, manifest, work)
        if kind == "postgresql":
            _restore_postgresql(url, db_file, work)
        else:
            _restore_sqlite(url, db_file)
        _swap_folder(staged_evidence, upload_folder, work)
    counts = _live_counts(url)
    if counts != manifest.get("tables"):
        diff = sorted(n for n in set(counts) | set(manifest.get("tables") or {})
                      if counts.get(n) != (manifest.get("tables") or {}).get(n))
        raise BackupError("Pemulihan selesai tetapi jumlah baris tidak sama dengan manifest pada tabel: "
                          + ", ".join(diff[:10]))
    return RestoreResult(kind, revision, counts, len(manifest.get("evidence") or []), manifest.get("created_at"))


def _target_tables(url: URL) -> list[str]:
    if url.get_backend_name() == "sqlite":
        path = _sqlite_path(url)
        if not os.path.exists(path):
            return []
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return inspect(conn).get_table_names()
    finally:
        engine.dispose()


def _live_counts(url: URL) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return table_counts(conn)
    finally:
        engine.dispose()


def _restore_postgresql(url: URL, dump: str, work: str) -> None:
    """pg_restore renders the dump as SQL; psql runs it after emptying the public schema, all in
    one transaction: on any error nothing is changed."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            version_num = int(conn.execute(text("SHOW server_version_num")).scalar())
    finally:
        engine.dispose()
    dsn, env = pg_env(url)
    script = os.path.join(work, "restore.sql")
    _run([pg_bin("pg_restore", version_num), "--no-owner", "--no-privileges", f"--file={script}", dump],
         env, "pg_restore")
    _run([pg_bin("psql", version_num), "--no-psqlrc", "--quiet", "--single-transaction",
          "--set=ON_ERROR_STOP=1", f"--dbname={dsn}",
          "--command=DROP SCHEMA IF EXISTS public CASCADE",
          "--command=CREATE SCHEMA public",
          f"--file={script}"], env, "Pemulihan PostgreSQL (psql)")


def _restore_sqlite(url: URL, copy: str) -> None:
    """Check the copy, then write it over the target with the backup API: one write transaction
    on the target, so a reader sees the old database or the new one, never a mix."""
    src = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        check = src.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"{MSG_CORRUPT}: salinan SQLite gagal diperiksa ({check}). Tidak ada yang diubah.")
        path = _sqlite_path(url)
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        dst = sqlite3.connect(path, timeout=30)
        try:
            src.backup(dst)
        except sqlite3.Error as err:
            raise BackupError(f"Pemulihan SQLite gagal: {err}. Basis data tujuan tidak berubah.") from None
        finally:
            dst.close()
    finally:
        src.close()


def _swap_folder(staged: str, folder: str, work: str) -> None:
    """Put the restored evidence folder in place of the current one (by renames)."""
    if not os.path.isdir(staged):
        os.makedirs(staged)
    old = os.path.join(work, "previous-evidence")
    if os.path.exists(folder):
        os.replace(folder, old)
    os.replace(staged, folder)
