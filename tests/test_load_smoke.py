"""Load-test smoke run (issue 11 item 6): the month-end locustfile for a few seconds with a
handful of users against gunicorn (two sync workers) on the test database, then the
reconciliation of bench/load_bench.py: the database holds exactly the activities and
approvals the load test counted as acknowledged. The full runs and their figures are in
docs/PERFORMANCE.md."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, text

from bench import load_bench
from tests.conftest import PASSWORD


@pytest.fixture
def open_month(app):
    """The current month (WIB) open, whatever day the suite runs on."""
    from app.extensions import db
    from app.models import Period

    today = (datetime.now(timezone.utc) + timedelta(hours=7)).date()
    if db.session.query(Period).filter_by(year=today.year, month=today.month).first() is None:
        db.session.add(Period(year=today.year, month=today.month, state="OPEN"))
        db.session.commit()
    db.session.remove()
    return today


def test_locust_month_end_mix_reconciles_with_the_database(app, open_month, tmp_path):
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    logins = tmp_path / "logins.json"
    pools = load_bench.prepare_logins(uri, str(logins))
    assert pools["Pegawai"] >= 2 and pools["Atasan"] >= 1 and pools["Operator OPD"] >= 1 and pools["BKD"] == 1
    server = load_bench.start_server(uri, port := load_bench.free_port(), workers=2,
                                     log_path=str(tmp_path / "gunicorn.log"))
    try:
        started = load_bench.utcnow()
        stats, record = load_bench.run_locust(
            f"http://127.0.0.1:{port}", users=8, run_time=8, logins_path=str(logins), password=PASSWORD,
            out_prefix=str(tmp_path / "smoke"), run_id="smoke1", spawn_rate=4, today=open_month.isoformat())
    finally:
        load_bench.stop_server(server)
    assert stats["requests"] > 0
    assert stats["failures"] == 0, (tmp_path / "smoke_failures.csv").read_text()
    assert record["logins"] >= 5
    assert record["created"], json.dumps(stats["per_name"])
    assert load_bench.reconcile(uri, record, started) == []
    # The steady state: from the last user's start (8 users at 4 a second: after 1-2 s) to the run
    # time's end, a part of the step's requests (the first users' early ones are not in it).
    steady = record["steady"]
    assert 4 < steady["seconds"] < 7.5 and 0 < steady["requests"] < record["requests"]
    assert steady["failures"] == 0 and 0 < steady["median_ms"] <= steady["p95_ms"]
    assert abs(steady["rps"] - steady["requests"] / steady["seconds"]) < 0.5
    assert load_bench._steady_cells(steady).count("|") == 4 and load_bench._steady_cells(None) == "- | - | - | - | -"

    # The reconciliation does see a difference: an acknowledged write that is not in the
    # database, and an approval the load test did not count.
    missing = dict(record, created=record["created"] + [10 ** 9])
    assert any(p.startswith("created:") for p in load_bench.reconcile(uri, missing, started))
    if record["approved"]:
        uncounted = dict(record, approved=record["approved"][1:])
        assert any(p.startswith("approved:") for p in load_bench.reconcile(uri, uncounted, started))

    # Undoing the step: its activities go, a waiting item it approved is waiting again. (The
    # world has no waiting item of its own: one of the step's becomes one, then is approved.)
    engine = create_engine(uri)
    waiting_id = record["created"][0]
    with engine.begin() as conn:
        conn.execute(text("UPDATE activity SET description = 'Antrean sebelum uji', status = 'SUBMITTED', "
                          "decided_at = NULL, decided_by_id = NULL, decision_note = NULL, recognised_minutes = NULL "
                          "WHERE id = :id"), {"id": waiting_id})
        waiting = conn.execute(text("SELECT id, version FROM activity WHERE id = :id"), {"id": waiting_id}).one()
        conn.execute(text("UPDATE activity SET status = 'APPROVED', decided_at = :t, recognised_minutes = 30, "
                          "version = version + 1 WHERE id = :id"), {"t": load_bench.utcnow(), "id": waiting.id})
    load_bench.forget_step(uri, dict(record, created=record["created"][1:],
                                     approved=record["approved"] + [waiting.id]))
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT COUNT(*) FROM activity WHERE description LIKE :mark"),
                           {"mark": load_bench.step_mark("smoke1")}) == 0
        row = conn.execute(text("SELECT status, decided_at, recognised_minutes, version FROM activity WHERE id = :id"),
                           {"id": waiting.id}).one()
    engine.dispose()
    assert tuple(row) == ("SUBMITTED", None, None, waiting.version)
