"""Faults under SQLite (issue 11 item 7): the disk full and the database read-only.

A write then answers a clear Indonesian error (507 when the disk is full, 503 when the database
is read-only), never a 500; nothing of the request is saved; the database still passes
`PRAGMA integrity_check`; and once the disk has room again (or is writable again) the same
running app saves again. The disk is a small tmpfs mounted here (root only: skipped where
mounting is not allowed); read-only is also tested without mounting, through SQLite's
`mode=ro` URI. docs/faults.md records the results.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.engine import make_url

from app.errors import MSG_DB_DOWN, MSG_DB_FULL, MSG_DB_READONLY
from tests.conftest import IS_PG, IsolatedClient, LOGINS, PASSWORD, do_login, make_config

pytestmark = pytest.mark.skipif(IS_PG, reason="SQLite faults: the run's database is PostgreSQL")

TODAY = (datetime.now(timezone.utc) + timedelta(hours=7)).date()


def _prepare(path: str) -> None:
    """The current month open (whatever day the suite runs), checkpointed into the file."""
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO period (year, month, state) SELECT ?, ?, 'OPEN' WHERE NOT EXISTS "
                 "(SELECT 1 FROM period WHERE year = ? AND month = ?)", (TODAY.year, TODAY.month, TODAY.year,
                                                                         TODAY.month))
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _activities(path: str) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM activity").fetchone()[0]
    finally:
        conn.close()


def _integrity(path: str) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def _entry(n: int) -> dict:
    return {"date": TODAY.isoformat(), "description": f"Menyusun notulen rapat {n}", "volume": "1",
            "start_time": f"{8 + n:02d}:00", "end_time": f"{8 + n:02d}:30"}


def _api_entry(n: int) -> dict:
    return {key: value for key, value in _entry(n).items() if key != "volume"} | {"volume": 1}


@pytest.fixture
def tmpfs(tmp_path):
    """A mount point for a small tmpfs; skipped where mounting is not permitted."""
    mounted = []

    def mount(size_bytes: int) -> str:
        point = tmp_path / f"mnt{len(mounted)}"
        point.mkdir()
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_bytes}", "tmpfs", str(point)],
                              capture_output=True)
        if proc.returncode != 0:
            pytest.skip(f"tmpfs cannot be mounted here: {proc.stderr.decode().strip()}")
        mounted.append(point)
        return str(point)

    yield mount
    for point in mounted:
        subprocess.run(["mount", "-o", "remount,rw", str(point)], capture_output=True)
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


@pytest.fixture
def app_on(databases):
    """An app on a copy of the test database at a given path."""
    from app import create_app
    from app.extensions import db

    made = []

    def build(folder: str, uri_template: str = "sqlite:///{path}"):
        src = make_url(databases.clone()).database
        path = os.path.join(folder, "ekinerja.db")
        shutil.copyfile(src, path)
        os.remove(src)
        _prepare(path)
        application = create_app(make_config(uri_template.format(path=path)))
        application.test_client_class = IsolatedClient
        ctx = application.app_context()
        ctx.push()
        made.append(ctx)
        return application, path

    yield build
    for ctx in reversed(made):
        db.session.remove()
        db.engine.dispose()
        ctx.pop()


def _jwt(client) -> dict:
    resp = client.post("/api/v1/security/login", json={"username": LOGINS["pegawai"], "password": PASSWORD,
                                                        "provider": "db"})
    assert resp.status_code == 200
    return {"Authorization": f"Bearer {resp.get_json()['access_token']}"}


def _clients(application):
    """A page client logged in as the employee, and an API client with the employee's JWT."""
    page = do_login(application.test_client(), LOGINS["pegawai"])
    api = application.test_client()
    return page, api, _jwt(api)


def _fill(folder: str) -> str:
    """Fill the filesystem until it has no byte left; returns the filler's path."""
    filler = os.path.join(folder, "pengisi.bin")
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(fd)
    return filler


def test_disk_full_answers_507_and_keeps_the_database_sound(app_on, tmpfs):
    folder = tmpfs(8 * 1024 * 1024)
    application, path = app_on(folder)
    page, api, headers = _clients(application)
    assert api.post("/api/v1/activity/", json=_api_entry(0), headers=headers).status_code == 201
    before = _activities(path)

    filler = _fill(folder)
    resp = page.post("/aktivitas-saya/catat", data=_entry(1))
    assert resp.status_code == 507
    assert MSG_DB_FULL in resp.get_data(as_text=True)
    resp = api.post("/api/v1/activity/", json=_api_entry(2), headers=headers)
    assert resp.status_code == 507
    assert resp.get_json()["message"] == MSG_DB_FULL
    assert _activities(path) == before
    assert _integrity(path) == "ok"

    os.remove(filler)  # room again: the same running app saves without a restart
    assert api.post("/api/v1/activity/", json=_api_entry(3), headers=headers).status_code == 201
    resp = page.post("/aktivitas-saya/catat", data=_entry(4))
    assert resp.status_code == 302
    assert _activities(path) == before + 2
    assert _integrity(path) == "ok"


def test_read_only_filesystem_answers_503_and_recovers(app_on, tmpfs):
    folder = tmpfs(8 * 1024 * 1024)
    application, path = app_on(folder)
    page, api, headers = _clients(application)
    before = _activities(path)

    from app.extensions import db

    db.session.remove()
    db.engine.dispose()  # Linux refuses to remount read-only while a file is open for writing
    subprocess.run(["mount", "-o", "remount,ro", folder], check=True)
    try:
        resp = page.post("/aktivitas-saya/catat", data=_entry(1))
        assert resp.status_code == 503
        body = resp.get_data(as_text=True)
        assert MSG_DB_READONLY in body or MSG_DB_DOWN in body
        resp = api.post("/api/v1/activity/", json=_api_entry(2), headers=headers)
        assert resp.status_code == 503
        assert resp.get_json()["message"] in (MSG_DB_READONLY, MSG_DB_DOWN)
        assert resp.headers.get("Retry-After") is None or resp.headers["Retry-After"] == "30"
    finally:
        subprocess.run(["mount", "-o", "remount,rw", folder], check=True)
    assert _activities(path) == before
    assert _integrity(path) == "ok"
    assert api.post("/api/v1/activity/", json=_api_entry(3), headers=headers).status_code == 201
    assert _activities(path) == before + 1


def test_read_only_database_login_answers_503_in_indonesian(app_on, tmp_path):
    """Without mounting: the database opened read-only (SQLite `mode=ro`). A login writes (the
    session row): it is refused with 503 and the read-only message; reading pages still works."""
    application, path = app_on(str(tmp_path), "sqlite:///file:{path}?mode=ro&uri=true")
    client = application.test_client()
    assert client.get("/login/").status_code == 200
    resp = client.post("/login/", data={"username": LOGINS["pegawai"], "password": PASSWORD})
    assert resp.status_code == 503
    assert MSG_DB_READONLY in resp.get_data(as_text=True)
    resp = client.post("/api/v1/security/login", json={"username": LOGINS["pegawai"], "password": PASSWORD,
                                                       "provider": "db"})
    assert resp.status_code == 503
    assert resp.get_json()["message"] == MSG_DB_READONLY
    assert _integrity(path) == "ok"
