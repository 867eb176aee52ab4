"""Faults under PostgreSQL (issue 11 item 7), on the production stack (gunicorn sync workers):

- a worker killed (SIGKILL) in the middle of a bulk approve: the approvals it had already
  written (flushed, in savepoints) are not committed: all of the bulk or none, never a part;
  the master starts a new worker and the same bulk then goes through whole;
- PostgreSQL restarted (immediate mode: a crash and WAL recovery) during the month-end load:
  the app recovers by itself (the pool's pre-ping replaces dead connections), the load
  generator sees 503 answers while the server is away and never a 500, and no write it saw
  acknowledged is lost (bench/fault_pg_restart.py, run briefly here on a throwaway cluster).

Results and the longer runs: docs/faults.md. On SQLite the first is a single file transaction
as well; see tests/test_faults_sqlite.py for SQLite's own faults.
"""
from __future__ import annotations

import json
import os
import signal
import threading
import time
import urllib.error
import urllib.request
from datetime import date, datetime, time as dtime, timedelta

import psutil
import pytest
from sqlalchemy import create_engine, text

from bench import load_bench
from tests.conftest import IS_PG, LOGINS, PASSWORD

pytestmark = pytest.mark.skipif(not IS_PG, reason="PostgreSQL faults: set DATABASE_URL to a PostgreSQL server")


def _post(port, path, body, token=None, timeout=120):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json",
                                          **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def _wait_for(predicate, what, limit=60.0):
    """Poll until predicate() is true (a bound against hanging, not a timing assertion)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


@pytest.fixture
def submitted(app, world):
    """Forty activities of staff_a and op_a submitted to kabid_a (November 2026, open)."""
    from app.extensions import db
    from app.models import Activity

    boss = world.employee("kabid_a")
    ids = []
    for n in range(40):
        who = world.employee("staff_a" if n % 2 else "op_a")
        day = date(2026, 11, 2) + timedelta(days=n // 8)
        start = dtime(8 + n % 8, 0)
        item = Activity(employee_id=who.id, date=day, description=f"Rapat koordinasi {n}", volume=1,
                        start_time=start, end_time=dtime(start.hour, 30), claimed_minutes=30, status="SUBMITTED",
                        submitted_at=datetime(2026, 11, 2, 3, 0), superior_id=boss.id,
                        review_due=date(2026, 12, 31))
        db.session.add(item)
        db.session.flush()
        ids.append(item.id)
    db.session.commit()
    db.session.remove()
    return ids


def _scalar(engine, sql, **params):
    """One value, read in a transaction of its own (statistics views are frozen per transaction)."""
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def _approvals(uri, ids):
    engine = create_engine(uri)
    with engine.connect() as conn:
        status = dict(conn.execute(text("SELECT id, status FROM activity WHERE id = ANY(:ids)"), {"ids": ids}).all())
        audit = conn.execute(text("SELECT count(*) FROM audit_log WHERE entity = 'Activity' AND action = 'APPROVE' "
                                  "AND entity_id = ANY(:ids)"), {"ids": [str(i) for i in ids]}).scalar()
    engine.dispose()
    return status, audit


def test_worker_killed_in_the_middle_of_a_bulk_approve_commits_nothing(app, submitted, tmp_path):
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    port = load_bench.free_port()
    server = load_bench.start_server(uri, port, workers=1, log_path=str(tmp_path / "gunicorn.log"))
    locker = create_engine(uri)
    try:
        code, body = _post(port, "/api/v1/security/login", {"username": LOGINS["atasan"], "password": PASSWORD,
                                                            "provider": "db"})
        assert code == 200
        token = body["access_token"]
        worker = psutil.Process(server.pid).children()[0]

        # Hold the last activity of the bulk: the worker approves the 39 before it (flushed,
        # uncommitted) and then waits for this row lock, in the middle of its transaction.
        conn = locker.connect()
        tx = conn.begin()
        conn.execute(text("SELECT id FROM activity WHERE id = :id FOR UPDATE"), {"id": max(submitted)})
        answer: dict = {}

        def bulk():
            try:
                answer["result"] = _post(port, "/api/v1/activity/bulk-approve", {"ids": submitted}, token)
            except (OSError, urllib.error.URLError) as err:  # the worker died: no answer
                answer["error"] = err

        thread = threading.Thread(target=bulk)
        thread.start()
        blocked = _wait_for(lambda: _scalar(locker,
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
            "AND query LIKE 'UPDATE activity%'"), "the worker to wait on the locked row")
        status, _audit = _approvals(uri, submitted)
        assert set(status.values()) == {"SUBMITTED"}  # nothing committed yet
        os.kill(worker.pid, signal.SIGKILL)
        thread.join(60)
        assert "error" in answer, answer  # no answer was acknowledged
        tx.rollback()
        conn.close()
        # The dead client's backend ends once it gets the lock and finds no client.
        _wait_for(lambda: not _scalar(locker, "SELECT 1 FROM pg_stat_activity WHERE pid = :pid", pid=blocked),
                  "the backend to end")

        status, audit = _approvals(uri, submitted)
        assert set(status.values()) == {"SUBMITTED"}, status  # none of it
        assert audit == 0

        # The master replaced the worker; the same bulk goes through whole.
        _wait_for(lambda: psutil.Process(server.pid).children(), "a new worker")
        code, body = _post(port, "/api/v1/activity/bulk-approve", {"ids": submitted}, token)
        assert code == 200, body
        assert sorted(body["approved"]) == sorted(submitted) and body["refused"] == {}
        status, audit = _approvals(uri, submitted)
        assert set(status.values()) == {"APPROVED"}  # all of it
        assert audit == len(submitted)
    finally:
        load_bench.stop_server(server)
        locker.dispose()


def test_postgresql_restart_during_load_loses_no_acknowledged_write(tmp_path):
    """A throwaway cluster (needs the server binaries and root or the postgres user)."""
    from bench import fault_pg_restart

    if os.geteuid() != 0 and os.environ.get("USER") != "postgres":
        pytest.skip("initdb needs root (su postgres) or the postgres user")

    def prepare(url, password):
        from flask_migrate import upgrade

        from app import create_app
        from app.cli import sync_roles
        from app.extensions import db
        from tests.conftest import build_world, make_config

        application = create_app(make_config(url))
        with application.app_context():
            upgrade()
            sync_roles()
            build_world()
            today = (datetime.utcnow() + timedelta(hours=7)).date()
            db.session.execute(text("INSERT INTO period (year, month, state) SELECT :y, :m, 'OPEN' WHERE NOT EXISTS "
                                    "(SELECT 1 FROM period WHERE year = :y AND month = :m)"),
                               {"y": today.year, "m": today.month})
            db.session.commit()
            db.session.remove()
            db.engine.dispose()

    result = fault_pg_restart.run(users=8, run_time=16, restart_at=6, out_dir=str(tmp_path), password=PASSWORD,
                                  prepare=prepare, workers=2)
    assert result["lost"] == []
    assert result["login_after"] == 200 and result["save_after"] == 201  # recovered by itself
    assert set(result["failure_kinds"]) <= {"503"}, result["failure_kinds"]
    assert result["worker_errors_500"] == 0
    assert result["created"] > 0
