"""Issue 8.8: anonymous clients cannot flood the audit log.

Refusals of logged-in users stay one audit row each; refusals of anonymous clients (refused
requests, failed logins) are counted in one row per address, kind and minute.
"""
from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog
from app.services.audit import record_anonymous_refusal


def _refusals():
    db.session.expire_all()
    return db.session.scalars(
        select(AuditLog).where(AuditLog.action.like("DITOLAK_%") | (AuditLog.action == "LOGIN_GAGAL"))
        .order_by(AuditLog.id)
    ).all()


def test_anonymous_flood_is_aggregated(app, client):
    before = db.session.scalar(select(func.count()).select_from(AuditLog))
    for i in range(1, 201):
        # the API answers 401 without a token; the path varies on purpose
        resp = client.get(f"/api/v1/activity/{i}", environ_base={"REMOTE_ADDR": "203.0.113.7"})
        assert resp.status_code == 401
    rows = _refusals()
    assert 1 <= len(rows) <= 5  # one per minute; the loop may cross a minute boundary
    assert sum(r.count for r in rows) == 200
    assert {r.ip for r in rows} == {"203.0.113.7"}
    assert {r.action for r in rows} == {"DITOLAK_401"}
    assert all(r.user_id is None and r.username is None for r in rows)
    assert rows[-1].detail == "GET /api/v1/activity/200"  # the latest path is kept
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) - before == len(rows)


def test_anonymous_refusals_are_counted_per_address_and_kind(app, client):
    for _ in range(3):
        client.get("/api/v1/activity/", environ_base={"REMOTE_ADDR": "198.51.100.1"})
    for _ in range(2):
        client.get("/api/v1/activity/", environ_base={"REMOTE_ADDR": "198.51.100.2"})
    record_anonymous_refusal("198.51.100.1", "LOGIN_GAGAL", "POST /login/", entity="login")
    counts = {(r.ip, r.action): r.count for r in _refusals()}
    assert counts == {("198.51.100.1", "DITOLAK_401"): 3, ("198.51.100.2", "DITOLAK_401"): 2,
                      ("198.51.100.1", "LOGIN_GAGAL"): 1}


def test_a_new_minute_starts_a_new_row(app):
    for minute, times in ((10, 4), (11, 2)):
        for _ in range(times):
            record_anonymous_refusal("192.0.2.9", "LOGIN_GAGAL", "POST /login/", entity="login",
                                     now=datetime(2026, 11, 2, 8, minute, 30))
    rows = _refusals()
    assert [(r.at, r.count) for r in rows] == [(datetime(2026, 11, 2, 8, 10, 30), 4),
                                               (datetime(2026, 11, 2, 8, 11, 30), 2)]


def test_concurrent_anonymous_refusals_lose_no_count(app):
    """The upsert is atomic: threads hitting the same bucket make one row with every count."""
    now = datetime(2026, 11, 2, 9, 0, 0)
    errors = []

    def hit():
        try:
            with app.app_context():
                for _ in range(25):
                    record_anonymous_refusal("192.0.2.50", "DITOLAK_401", "GET /api/v1/activity/", now=now)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = _refusals()
    assert [(r.ip, r.count) for r in rows] == [("192.0.2.50", 200)]


def test_logged_in_refusals_stay_one_row_each(app, api_as):
    c, headers = api_as("pegawai")
    other = 10**6  # no such activity: out of scope or absent, refused with 404
    for _ in range(3):
        resp = c.get(f"/api/v1/activity/{other}", headers=headers, environ_base={"REMOTE_ADDR": "203.0.113.8"})
        assert resp.status_code == 404
    rows = _refusals()
    assert len(rows) == 3
    assert all(r.count == 1 and r.bucket is None and r.username for r in rows)


def test_audit_log_page_shows_the_count(app, client, login_as):
    for _ in range(7):
        client.get("/api/v1/activity/", environ_base={"REMOTE_ADDR": "203.0.113.77"})
    page = login_as("auditor").get("/auditlogview/list/?_flt_0_ip=203.0.113.77")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Jumlah" in html
    assert "203.0.113.77" in html
    row = next(r for r in _refusals() if r.ip == "203.0.113.77")
    show = login_as("auditor").get(f"/auditlogview/show/{row.id}")
    assert show.status_code == 200
    assert ">7<" in show.get_data(as_text=True).replace(" ", "").replace("\n", "")


def test_failed_api_logins_are_aggregated(app, client):
    for i in range(30):
        resp = client.post("/api/v1/security/login", json={"username": f"tidak-ada-{i}", "password": "salah",
                                                           "provider": "db"},
                           environ_base={"REMOTE_ADDR": "203.0.113.99"})
        assert resp.status_code == 401
    rows = [r for r in _refusals() if r.ip == "203.0.113.99"]
    assert 1 <= len(rows) <= 2 and sum(r.count for r in rows) == 30
