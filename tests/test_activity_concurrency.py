"""Two decisions on the same activity at the same moment (PostgreSQL only): exactly one wins,
the other gets 409 (single decisions) or a per-item refusal (bulk); nothing is lost or
counted twice. Real concurrent requests: one thread and one test client per decider, all
released by a barrier against the shared app."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import IS_PG, NIPS

pytestmark = pytest.mark.skipif(not IS_PG, reason="needs PostgreSQL (DATABASE_URL=postgresql...)")

from tests.test_activity_api import TODAY, URL, activity, create  # noqa: E402

ROUNDS = 5
DECISIONS = ("APPROVE", "REJECT", "RETURN")


@pytest.fixture(autouse=True)
def fixed_today(app):
    app.config["FIXED_TODAY"] = TODAY


def _session():
    from app.extensions import db

    return db.session


def decision_rows(pk) -> list[str]:
    from app.models import AuditLog

    s = _session()
    s.expire_all()
    return list(s.scalars(select(AuditLog.action).where(
        AuditLog.entity == "Activity", AuditLog.entity_id == str(pk), AuditLog.action.in_(DECISIONS))))


def race(calls):
    """Run each (client, method, url, kwargs) in its own thread, all at once."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(i, client, url, kwargs):
        try:
            barrier.wait(timeout=30)
            resp = client.post(url, **kwargs)
            results[i] = (resp.status_code, resp.get_json())
        except Exception as err:  # pragma: no cover - reported by the assertions
            results[i] = ("exception", repr(err))

    threads = [threading.Thread(target=worker, args=(i, *call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a request hung (lock not released?)"
    return results


@pytest.fixture
def deciders(app, world, api_as):
    """Clients of the superior (kabid_a) and the escalation superior (kadis_a); "today" is
    set after the review deadline so both may decide staff_a's submissions."""
    pegawai = api_as("pegawai")
    superior = api_as("atasan")
    escalation = api_as(NIPS["kadis_a"][0])
    return pegawai, superior, escalation


def new_submitted(app, pegawai, slot: int) -> int:
    app.config["FIXED_TODAY"] = TODAY
    client, headers = pegawai
    start = 7 * 60 + slot * 20
    pk = create(client, headers, start_time=f"{start // 60:02d}:{start % 60:02d}",
                end_time=f"{(start + 15) // 60:02d}:{(start + 15) % 60:02d}")
    resp = client.post(f"{URL}{pk}/submit", headers=headers)
    assert resp.status_code == 200, resp.get_json()
    item = activity(pk)
    app.config["FIXED_TODAY"] = item.review_due + timedelta(days=1)
    return pk


def _quiet_main_session():
    # The test's own session must hold no transaction while the requests race.
    _session().rollback()


def test_concurrent_approve_and_reject_one_wins(app, world, deciders):
    pegawai, superior, escalation = deciders
    for rnd in range(ROUNDS):
        pk = new_submitted(app, pegawai, rnd)
        version_before = activity(pk).version
        # Alternate who approves and who rejects.
        (c1, h1), (c2, h2) = (superior, escalation) if rnd % 2 == 0 else (escalation, superior)
        _quiet_main_session()
        results = race([
            (c1, f"{URL}{pk}/approve", {"headers": h1}),
            (c2, f"{URL}{pk}/reject", {"json": {"note": "Tidak sesuai tugas jabatan"}, "headers": h2}),
        ])
        codes = sorted(r[0] for r in results)
        assert codes == [200, 409], results
        winner = results[0][1] if results[0][0] == 200 else results[1][1]
        loser = results[1][1] if results[0][0] == 200 else results[0][1]
        assert loser["message"]  # an Indonesian explanation, not a stack trace
        item = activity(pk)
        assert item.status == winner["status"] and item.status in ("APPROVED", "REJECTED")
        assert item.version == version_before + 1 == winner["version"]
        assert item.recognised_minutes == (15 if item.status == "APPROVED" else None)
        rows = decision_rows(pk)
        assert len(rows) == 1 and rows[0] == {"APPROVED": "APPROVE", "REJECTED": "REJECT"}[item.status]


def test_concurrent_same_decider_twice(app, world, deciders):
    """The same superior double-clicks: two approvals race; one is recorded."""
    pegawai, superior, _ = deciders
    c1, h1 = superior
    c2 = app.test_client()  # a second client (browser tab) with the same token
    for rnd in range(3):
        pk = new_submitted(app, pegawai, rnd)
        _quiet_main_session()
        results = race([
            (c1, f"{URL}{pk}/approve", {"headers": h1}),
            (c2, f"{URL}{pk}/return", {"json": {"note": "Lengkapi bukti"}, "headers": h1}),
        ])
        assert sorted(r[0] for r in results) == [200, 409], results
        assert len(decision_rows(pk)) == 1
        assert activity(pk).version == 3


def test_concurrent_bulk_approves(app, world, deciders):
    pegawai, superior, escalation = deciders
    (c1, h1), (c2, h2) = superior, escalation
    for rnd in range(3):
        shared = new_submitted(app, pegawai, 3 * rnd)
        only_1 = new_submitted(app, pegawai, 3 * rnd + 1)
        only_2 = new_submitted(app, pegawai, 3 * rnd + 2)
        _quiet_main_session()
        results = race([
            (c1, f"{URL}bulk-approve", {"json": {"ids": [shared, only_1]}, "headers": h1}),
            (c2, f"{URL}bulk-approve", {"json": {"ids": [shared, only_2]}, "headers": h2}),
        ])
        assert [r[0] for r in results] == [200, 200], results
        approved = [r[1]["approved"] for r in results]
        refused = [r[1]["refused"] for r in results]
        assert sum(shared in a for a in approved) == 1, results
        assert sum(str(shared) in r for r in refused) == 1, results
        assert only_1 in approved[0] and only_2 in approved[1]
        for pk in (shared, only_1, only_2):
            assert activity(pk).status == "APPROVED"
            assert decision_rows(pk) == ["APPROVE"]
            assert activity(pk).version == 3


def test_concurrent_bulk_approves_in_opposite_order(app, world, deciders):
    """Two bulks over the same ids in opposite order: no deadlock error, each id approved once."""
    pegawai, superior, escalation = deciders
    (c1, h1), (c2, h2) = superior, escalation
    for rnd in range(3):
        ids = [new_submitted(app, pegawai, 4 * rnd + k) for k in range(4)]
        _quiet_main_session()
        results = race([
            (c1, f"{URL}bulk-approve", {"json": {"ids": ids}, "headers": h1}),
            (c2, f"{URL}bulk-approve", {"json": {"ids": list(reversed(ids))}, "headers": h2}),
        ])
        assert [r[0] for r in results] == [200, 200], results
        approved = results[0][1]["approved"] + results[1][1]["approved"]
        assert sorted(approved) == sorted(ids), results
        for pk in ids:
            assert decision_rows(pk) == ["APPROVE"]


def test_activity_count_unchanged_by_races(app, world, deciders):
    """A decision race never creates or loses a row."""
    from app.models import Activity

    pegawai, superior, escalation = deciders
    pk = new_submitted(app, pegawai, 0)
    before = _session().scalar(select(func.count()).select_from(Activity))
    _quiet_main_session()
    race([
        (superior[0], f"{URL}{pk}/reject", {"json": {"note": "a"}, "headers": superior[1]}),
        (escalation[0], f"{URL}{pk}/return", {"json": {"note": "b"}, "headers": escalation[1]}),
    ])
    assert _session().scalar(select(func.count()).select_from(Activity)) == before
    assert len(decision_rows(pk)) == 1
