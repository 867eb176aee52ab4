"""Reports and dashboards from a real PostgreSQL streaming replica (issue 11 items 1 and 7).

The test starts its own throwaway primary (wal_level=replica) and a standby made with
`pg_basebackup -R` on another port, both on loopback and run as the `postgres` user (initdb
refuses root), independent of the suite's DATABASE_URL. Migrations and the small world go to
the primary; the app gets DATABASE_REPLICA_URL. Then, with a real difference between the two
servers (replay paused on the standby, a recap row deleted on the primary):

- within REPLICA_MAX_LAG_SECONDS the report and the dashboard answer from the standby (the
  deleted row is still there);
- beyond it they fall back to the primary (the row is gone) and the fallback is logged;
- once replay resumes and the standby has caught up, lag 0: standby again, nothing logged;
- the standby failing in the middle of a read: the read runs again on the primary, logged;
- the standby stopped: the report and dashboard still answer, from the primary, logged.

PostgreSQL only (the PostgreSQL pass of .ci/run); needs the server binaries under
/usr/lib/postgresql/*/bin, a failure under CI when they are missing.
"""
from __future__ import annotations

import glob
import logging
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import IS_PG, NIPS, PASSWORD, IsolatedClient, build_world, do_login, make_config

PG_BIN_DIRS = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2].split(".")[0]))
REPLICA_LOG = "app.services.replica"

if not IS_PG:
    pytest.skip("PostgreSQL only (run with DATABASE_URL=postgresql+psycopg://…)", allow_module_level=True)
if not PG_BIN_DIRS or not os.path.exists(os.path.join(PG_BIN_DIRS[-1], "pg_basebackup")):
    if os.environ.get("CI"):
        pytest.fail("CI needs the PostgreSQL server binaries (.ci/run installs postgresql)", pytrace=False)
    pytest.skip("PostgreSQL server binaries not installed", allow_module_level=True)
PG_BIN = PG_BIN_DIRS[-1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(*args: str) -> subprocess.CompletedProcess:
    """Run a server binary as the postgres user when we are root (initdb refuses root)."""
    cmd = list(args)
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120)


class PgPair:
    """A primary and a streaming standby of it, on free loopback ports."""

    def __init__(self, base: str):
        self.base = base
        self.primary_dir = os.path.join(base, "primary")
        self.replica_dir = os.path.join(base, "replica")
        self.primary_port = _free_port()
        self.replica_port = _free_port()
        self.started: list[str] = []

    def url(self, port: int, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}"

    def _start(self, datadir: str, port: int, *extra: str) -> None:
        opts = (f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={self.base} "
                f"-c fsync=off -c max_connections=40 " + " ".join(extra))
        _as_postgres(f"{PG_BIN}/pg_ctl", "-D", datadir, "-l", datadir + ".log", "-w", "-t", "60", "start",
                     "-o", opts)
        self.started.append(datadir)

    def start(self) -> None:
        _as_postgres(f"{PG_BIN}/initdb", "-D", self.primary_dir, "-A", "trust", "-U", "postgres", "-E", "UTF8",
                     "--locale=C.UTF-8")
        self._start(self.primary_dir, self.primary_port, "-c wal_level=replica -c max_wal_senders=4")
        _as_postgres(f"{PG_BIN}/pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
                     "-D", self.replica_dir, "-R", "-X", "stream", "-c", "fast")
        self._start(self.replica_dir, self.replica_port, "-c hot_standby=on")

    def stop_replica(self) -> None:
        _as_postgres(f"{PG_BIN}/pg_ctl", "-D", self.replica_dir, "-m", "fast", "-w", "stop")
        self.started.remove(self.replica_dir)

    def stop_all(self) -> None:
        for datadir in reversed(self.started):
            try:
                _as_postgres(f"{PG_BIN}/pg_ctl", "-D", datadir, "-m", "immediate", "-w", "stop")
            except subprocess.SubprocessError:
                pass
        self.started.clear()


@pytest.fixture(scope="module")
def pair():
    base = tempfile.mkdtemp(prefix="ekinerja-replica-")
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    pg = PgPair(base)
    try:
        pg.start()
        yield pg
    finally:
        pg.stop_all()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def stack(pair):
    """The app on the primary (migrated, the small world, the November recap) with the standby
    as DATABASE_REPLICA_URL; plain engines on both servers for the test's own SQL."""
    from app import create_app
    from app.extensions import db

    admin = create_engine(pair.url(pair.primary_port), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text('CREATE DATABASE "ekinerja"'))
    admin.dispose()
    app = create_app(make_config(pair.url(pair.primary_port, "ekinerja"),
                                 DATABASE_REPLICA_URL=pair.url(pair.replica_port, "ekinerja"),
                                 REPLICA_MAX_LAG_SECONDS=3600, REPLICA_RETRY_SECONDS=0,
                                 REPLICA_CONNECT_TIMEOUT=2))
    app.test_client_class = IsolatedClient
    with app.app_context():
        from flask_migrate import upgrade

        from app.cli import sync_roles
        from app.services.recap import recompute_period

        upgrade()
        # migrations/env.py runs logging.config.fileConfig(), which disables the loggers that
        # exist already (this one included) in the process that migrates: enable it again.
        logging.getLogger(REPLICA_LOG).disabled = False
        sync_roles()
        build_world()
        recompute_period(2026, 11)
        db.session.commit()
        db.session.remove()
    primary = create_engine(pair.url(pair.primary_port, "ekinerja"), isolation_level="AUTOCOMMIT")
    replica = create_engine(pair.url(pair.replica_port, "ekinerja"), isolation_level="AUTOCOMMIT")
    yield app, primary, replica
    primary.dispose()
    replica.dispose()
    with app.app_context():
        db.engine.dispose()
        state = app.extensions.get("ekinerja_replica")
        if state is not None and state.engine is not None:
            state.engine.dispose()


def _wait(predicate, what: str, tries: int = 300):
    for _ in range(tries):
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _caught_up(primary, replica) -> bool:
    with primary.connect() as p, replica.connect() as r:
        lsn = p.execute(text("SELECT CAST(pg_current_wal_lsn() AS text)")).scalar()
        return r.execute(text("SELECT pg_last_wal_replay_lsn() >= CAST(:l AS pg_lsn)"), {"l": lsn}).scalar()


def _report_rows(client) -> int:
    resp = client.get("/reports/download?kind=recap&period=2026-11")
    assert resp.status_code == 200, resp.data[:300]
    return int(resp.headers["X-Report-Rows"])


def _api_report_rows(client) -> int:
    token = client.post("/api/v1/security/login", json={"username": "keuangan", "password": PASSWORD,
                                                         "provider": "db"}).get_json()["access_token"]
    resp = client.get("/api/v1/report/payroll?period=2026-11", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200, resp.data[:300]
    return int(resp.headers["X-Report-Rows"])


def _dashboard_employees(client, period_id: int) -> dict[str, int]:
    resp = client.get(f"/dashboard/data/opd_scores?period={period_id}")
    assert resp.status_code == 200, resp.data[:300]
    return {row["code"]: row["employees"] for row in resp.get_json()["opd"]}


def _fallbacks(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == REPLICA_LOG and r.levelno >= logging.WARNING]


def test_reports_and_dashboard_read_the_replica_and_fall_back_when_it_lags_or_stops(stack, pair, caplog):
    app, primary, replica = stack
    client = do_login(app.test_client(), "bkd")
    with primary.connect() as conn:
        period_id = conn.execute(text("SELECT id FROM period WHERE year = 2026 AND month = 11")).scalar()
        rows = conn.execute(text("SELECT count(*) FROM recap WHERE period_id = :p"), {"p": period_id}).scalar()
    assert rows == len(NIPS)
    _wait(lambda: _caught_up(primary, replica), "the standby to catch up")
    before = _dashboard_employees(client, period_id)
    assert before["3.00"] == 3  # Dinas Pendidikan: kadis_b, staff_b, op_b

    # A real difference: replay paused on the standby, one recap row deleted on the primary.
    with replica.connect() as conn:
        conn.execute(text("SELECT pg_wal_replay_pause()"))
        _wait(lambda: conn.execute(text("SELECT pg_get_wal_replay_pause_state()")).scalar() == "paused",
              "replay to pause")
    with primary.connect() as conn:
        conn.execute(text("DELETE FROM recap WHERE period_id = :p AND nip = :nip"),
                     {"p": period_id, "nip": NIPS["staff_b"][0]})
    assert not _caught_up(primary, replica)

    # Lagging within REPLICA_MAX_LAG_SECONDS (3600): served by the standby, the row still there.
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=REPLICA_LOG):
        assert _report_rows(client) == rows
        assert _api_report_rows(app.test_client()) == rows  # the REST API shares the download
        assert _dashboard_employees(client, period_id)["3.00"] == 3
    assert _fallbacks(caplog) == []

    # Beyond the limit: the primary answers (the row is gone) and the fallback is logged.
    app.config["REPLICA_MAX_LAG_SECONDS"] = 0
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=REPLICA_LOG):
        assert _report_rows(client) == rows - 1
        assert _api_report_rows(app.test_client()) == rows - 1
        assert _dashboard_employees(client, period_id)["3.00"] == 2
    assert len(_fallbacks(caplog)) == 3 and all("tertinggal" in m for m in _fallbacks(caplog))

    # Replay resumed and caught up: lag 0, the standby serves again without a fallback.
    with replica.connect() as conn:
        conn.execute(text("SELECT pg_wal_replay_resume()"))
    _wait(lambda: _caught_up(primary, replica), "the standby to catch up after resume")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=REPLICA_LOG):
        assert _report_rows(client) == rows - 1
        assert _dashboard_employees(client, period_id)["3.00"] == 2
    assert _fallbacks(caplog) == []

    # The standby fails in the middle of a read (its backend killed): the read runs again on the
    # primary.
    from app.extensions import db
    from app.services import replica as routing

    sources = []

    def read():
        sources.append(routing.current_source())
        if routing.current_source() == routing.REPLICA:
            db.session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        return db.session.execute(text("SELECT pg_is_in_recovery()")).scalar()

    caplog.clear()
    with app.test_request_context(), caplog.at_level(logging.INFO, logger=REPLICA_LOG):
        assert routing.run(read) is False  # answered by the primary
        db.session.remove()
    assert sources == [routing.REPLICA, routing.PRIMARY]
    assert [m for m in _fallbacks(caplog) if "gagal" in m] == _fallbacks(caplog) != []

    # Item 7: the standby stopped — reports and dashboard still answer, from the primary.
    replica.dispose()
    pair.stop_replica()
    with primary.connect() as conn:
        conn.execute(text("DELETE FROM recap WHERE period_id = :p AND nip = :nip"),
                     {"p": period_id, "nip": NIPS["op_b"][0]})
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=REPLICA_LOG):
        assert _report_rows(client) == rows - 2
        assert _dashboard_employees(client, period_id)["3.00"] == 1
        resp = client.get(f"/reports/download?kind=payroll&period=2026-11&opd=")
        assert resp.status_code == 200 and int(resp.headers["X-Report-Rows"]) == rows - 2
    warnings = _fallbacks(caplog)
    assert len(warnings) == 3 and all("tidak dapat dihubungi" in m for m in warnings)
