"""REST API of the daily activities: entry rules, workflow, scope, refusals and audit."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import NIPS

TODAY = date(2026, 11, 18)  # a Wednesday in the OPEN period 2026-11
URL = "/api/v1/activity/"


@pytest.fixture(autouse=True)
def fixed_today(app):
    app.config["FIXED_TODAY"] = TODAY


def payload(**overrides):
    data = {"date": "2026-11-17", "description": "Rapat koordinasi pelayanan", "volume": 1,
            "start_time": "08:00", "end_time": "09:00"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not ...}


def db_session():
    from app.extensions import db

    return db.session


def activity(pk):
    from app.models import Activity

    s = db_session()
    s.expire_all()
    return s.get(Activity, pk)


def activity_count() -> int:
    from app.models import Activity

    return db_session().scalar(select(func.count()).select_from(Activity))


def audit_actions(pk=None, entity="Activity") -> list[str]:
    from app.models import AuditLog

    s = db_session()
    s.expire_all()
    q = select(AuditLog.action).where(AuditLog.entity == entity).order_by(AuditLog.id)
    if pk is not None:
        q = q.where(AuditLog.entity_id == str(pk))
    return list(s.scalars(q))


def set_period(year, month, state):
    from app.models import Period

    s = db_session()
    row = s.scalar(select(Period).where(Period.year == year, Period.month == month))
    if row is None:
        s.add(Period(year=year, month=month, state=state))
    else:
        row.state = state
    s.commit()


def create(client, headers, **overrides):
    resp = client.post(URL, json=payload(**overrides), headers=headers)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def submitted(api_as, who="pegawai", **overrides):
    client, headers = api_as(who)
    pk = create(client, headers, **overrides)
    resp = client.post(f"{URL}{pk}/submit", headers=headers)
    assert resp.status_code == 200, resp.get_json()
    return pk


# --------------------------------------------------------------------------- entry
def test_pegawai_creates_own_activity(world, api_as):
    client, headers = api_as("pegawai")
    resp = client.post(URL, json=payload(), headers=headers)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    item = activity(body["id"])
    staff = world.employee("staff_a")
    assert item.employee_id == staff.id
    assert item.status == "DRAFT" and item.claimed_minutes == 60
    assert item.entered_by_id == staff.user_id
    assert body["result"]["status"] == "DRAFT"
    assert audit_actions(item.id) == ["CREATE"]

    listed = client.get(URL, headers=headers).get_json()
    assert [r["id"] for r in listed["result"]] == [item.id]
    row = listed["result"][0]
    for col in ("employee.id", "date", "claimed_minutes", "recognised_minutes", "status", "superior.id",
                "decision_note", "version"):
        head, _, tail = col.partition(".")
        assert head in row, row
        if tail:
            assert row[head] is None or tail in row[head], row
    assert row["employee"]["id"] == staff.id
    assert client.get(f"{URL}{item.id}", headers=headers).status_code == 200


def test_catalog_entry_uses_norm_and_description(world, api_as):
    from app.models import ActivityCatalog

    cat = db_session().scalar(select(ActivityCatalog).where(ActivityCatalog.code == "U-001"))
    client, headers = api_as("pegawai")
    resp = client.post(URL, json={"date": "2026-11-17", "catalog": cat.id, "volume": 1.5}, headers=headers)
    assert resp.status_code == 201, resp.get_json()
    item = activity(resp.get_json()["id"])
    assert item.claimed_minutes == 180 and item.description == cat.description


def test_operator_enters_on_behalf(world, api_as):
    client, headers = api_as("operator")
    staff = world.employee("staff_a")
    op = world.employee("op_a")
    resp = client.post(URL, json=payload(employee=staff.id), headers=headers)
    assert resp.status_code == 201, resp.get_json()
    item = activity(resp.get_json()["id"])
    assert item.employee_id == staff.id and item.entered_by_id == op.user_id

    # The operator must name the employee; other OPDs are out of reach.
    before = activity_count()
    resp = client.post(URL, json=payload(start_time="10:00", end_time="11:00"), headers=headers)
    assert resp.status_code == 422
    assert "Wajib diisi" in resp.get_json()["message"]["employee"][0]
    staff_b = world.employee("staff_b")
    resp = client.post(URL, json=payload(employee=staff_b.id), headers=headers)
    assert resp.status_code == 422
    assert "cakupan" in resp.get_json()["message"]["employee"][0]
    assert activity_count() == before


def test_pegawai_cannot_enter_for_someone_else(world, api_as):
    client, headers = api_as("pegawai")
    other = world.employee("staff_a1")
    resp = client.post(URL, json=payload(employee=other.id), headers=headers)
    assert resp.status_code == 422
    assert activity_count() == 0


@pytest.mark.parametrize("case, overrides, field, fragment", [
    ("future", {"date": "2026-11-19"}, "date", "tidak boleh melebihi hari ini"),
    ("closed", {"date": "2026-10-30"}, "date", "sudah ditutup"),
    ("no_period", {"date": "2026-09-30"}, "date", "belum dibuka"),
    ("end_before_start", {"start_time": "10:00", "end_time": "09:00"}, "end_time", "setelah jam mulai"),
    ("overlap", {"start_time": "08:30", "end_time": "09:30"}, "start_time", "bertumpang tindih"),
    ("cap", {"start_time": "09:00", "end_time": "16:00"}, "claimed_minutes", "melebihi batas 450 menit"),
    ("no_description", {"description": "  "}, "description", "Isi uraian kegiatan"),
    ("bad_date", {"date": "17-11-2026"}, "date", "Tanggal tidak valid"),
    ("bad_time", {"start_time": "8 pagi"}, "start_time", "Jam tidak valid"),
    ("bad_volume", {"volume": "banyak"}, "volume", "Volume harus berupa angka"),
    ("zero_volume", {"volume": 0}, "volume", "lebih dari 0"),
    ("huge_volume", {"volume": 10 ** 9}, "volume", "paling banyak"),
    ("bad_link", {"evidence_link": "javascript:alert(1)"}, "evidence_link", "http"),
    ("status_not_writable", {"status": "APPROVED"}, "status", "tidak dapat diisi"),
    ("minutes_not_writable", {"claimed_minutes": 5}, "claimed_minutes", "tidak dapat diisi"),
    ("unknown_field", {"foo": 1}, "foo", "tidak dikenal"),
])
def test_entry_rules_are_422_and_nothing_saved(world, api_as, case, overrides, field, fragment):
    set_period(2026, 10, "CLOSED")
    client, headers = api_as("pegawai")
    create(client, headers)  # 08:00-09:00 on 2026-11-17 (60 minutes)
    if case == "cap":
        create(client, headers, start_time="16:00", end_time="22:00")  # 360 more -> 420 used
    before = activity_count()
    resp = client.post(URL, json=payload(**overrides), headers=headers)
    assert resp.status_code == 422, resp.get_json()
    messages = resp.get_json()["message"]
    assert any(fragment in m for m in messages[field]), messages
    assert activity_count() == before


def test_malformed_bodies_are_400(world, api_as):
    client, headers = api_as("pegawai")
    resp = client.post(URL, data="{bukan json", headers={**headers, "Content-Type": "application/json"})
    assert resp.status_code == 400 and "JSON" in resp.get_json()["message"]
    resp = client.post(URL, data="date=2026-11-17", headers=headers)
    assert resp.status_code == 400
    resp = client.post(URL, json=[1, 2], headers=headers)
    assert resp.status_code == 400
    pk = create(client, headers)
    atasan, h2 = api_as("atasan")
    client.post(f"{URL}{pk}/submit", headers=headers)
    resp = atasan.post(f"{URL}{pk}/reject", headers=h2)
    assert resp.status_code == 400 and "wajib" in resp.get_json()["message"]
    resp = atasan.post(f"{URL}{pk}/approve", data="{x", headers={**h2, "Content-Type": "application/json"})
    assert resp.status_code == 400
    resp = atasan.post(f"{URL}bulk-approve", json={"ids": "semua"}, headers=h2)
    assert resp.status_code == 422 and "ids" in resp.get_json()["message"]
    assert activity(pk).status == "SUBMITTED"


# --------------------------------------------------------------------------- edit / delete
def test_edit_and_delete_draft(world, api_as):
    client, headers = api_as("pegawai")
    pk = create(client, headers)
    resp = client.put(f"{URL}{pk}", json={"end_time": "10:30"}, headers=headers)
    assert resp.status_code == 200, resp.get_json()
    item = activity(pk)
    assert item.claimed_minutes == 150 and item.version == 2
    # An edit may not break the rules either.
    resp = client.put(f"{URL}{pk}", json={"date": "2026-11-20"}, headers=headers)
    assert resp.status_code == 422
    resp = client.put(f"{URL}{pk}", json={"employee": world.employee("staff_a1").id}, headers=headers)
    assert resp.status_code == 422
    resp = client.put(f"{URL}{pk}", json={"status": "APPROVED"}, headers=headers)
    assert resp.status_code == 422
    resp = client.put(f"{URL}{pk}", json={"description": "Versi lama", "version": 1}, headers=headers)
    assert resp.status_code == 409
    assert activity(pk).status == "DRAFT" and activity(pk).claimed_minutes == 150
    resp = client.delete(f"{URL}{pk}", headers=headers)
    assert resp.status_code == 200
    assert activity(pk) is None
    assert audit_actions(pk) == ["CREATE", "EDIT", "DELETE"]


def test_approved_activity_is_locked(world, api_as):
    pk = submitted(api_as)
    atasan, h2 = api_as("atasan")
    assert atasan.post(f"{URL}{pk}/approve", headers=h2).status_code == 200
    client, headers = api_as("pegawai")
    resp = client.put(f"{URL}{pk}", json={"description": "Ubah setelah disetujui"}, headers=headers)
    assert resp.status_code == 422
    assert "Draf atau Dikembalikan" in resp.get_json()["message"]["status"][0]
    assert client.delete(f"{URL}{pk}", headers=headers).status_code == 422
    resp = client.post(f"{URL}{pk}/submit", headers=headers)
    assert resp.status_code == 422
    item = activity(pk)
    assert item.status == "APPROVED" and item.description == "Rapat koordinasi pelayanan"


# --------------------------------------------------------------------------- workflow
def test_submit_and_approve(world, api_as):
    client, headers = api_as("pegawai")
    pk = create(client, headers)
    resp = client.post(f"{URL}{pk}/submit", headers=headers)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["status"] == "SUBMITTED" and resp.get_json()["version"] == 2
    item = activity(pk)
    kabid, kadis = world.employee("kabid_a"), world.employee("kadis_a")
    assert item.superior_id == kabid.id and item.escalation_id == kadis.id
    assert item.review_due is not None and item.review_due > TODAY
    # Submitting twice is refused.
    assert client.post(f"{URL}{pk}/submit", headers=headers).status_code == 422

    atasan, h2 = api_as("atasan")
    queue = atasan.get(URL, headers=h2).get_json()
    assert pk in [r["id"] for r in queue["result"]]
    resp = atasan.post(f"{URL}{pk}/approve", json={"version": 2}, headers=h2)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["status"] == "APPROVED" and resp.get_json()["recognised_minutes"] == 60
    item = activity(pk)
    assert item.status == "APPROVED" and item.recognised_minutes == 60
    assert item.decided_by_id == kabid.user_id
    assert audit_actions(pk) == ["CREATE", "SUBMIT", "APPROVE"]
    # Deciding again: a clear conflict, not a second decision.
    resp = atasan.post(f"{URL}{pk}/reject", json={"note": "terlambat"}, headers=h2)
    assert resp.status_code == 409 and "sudah diputuskan" in resp.get_json()["message"]
    assert audit_actions(pk) == ["CREATE", "SUBMIT", "APPROVE"]


def test_return_and_reject_need_a_note(world, api_as):
    pk = submitted(api_as)
    atasan, h2 = api_as("atasan")
    resp = atasan.post(f"{URL}{pk}/return", json={}, headers=h2)
    assert resp.status_code == 422
    assert resp.get_json()["message"]["note"] == ["Catatan pengembalian wajib diisi."]
    resp = atasan.post(f"{URL}{pk}/reject", json={"note": "   "}, headers=h2)
    assert resp.status_code == 422
    assert resp.get_json()["message"]["note"] == ["Alasan penolakan wajib diisi."]
    assert activity(pk).status == "SUBMITTED"

    resp = atasan.post(f"{URL}{pk}/return", json={"note": "Lengkapi bukti"}, headers=h2)
    assert resp.status_code == 200 and resp.get_json()["status"] == "RETURNED"
    assert activity(pk).decision_note == "Lengkapi bukti"
    client, headers = api_as("pegawai")
    resp = client.put(f"{URL}{pk}", json={"evidence_link": "https://drive.example.id/bukti"}, headers=headers)
    assert resp.status_code == 200
    assert client.post(f"{URL}{pk}/submit", headers=headers).status_code == 200
    resp = atasan.post(f"{URL}{pk}/reject", json={"note": "Bukan tugas jabatan"}, headers=h2)
    assert resp.status_code == 200 and resp.get_json()["status"] == "REJECTED"
    item = activity(pk)
    assert item.status == "REJECTED" and item.recognised_minutes is None
    assert audit_actions(pk) == ["CREATE", "SUBMIT", "RETURN", "EDIT", "SUBMIT", "REJECT"]


def test_stale_version_is_409(world, api_as):
    pk = submitted(api_as)
    atasan, h2 = api_as("atasan")
    resp = atasan.post(f"{URL}{pk}/approve", json={"version": 1}, headers=h2)
    assert resp.status_code == 409
    assert activity(pk).status == "SUBMITTED"
    resp = atasan.post(f"{URL}{pk}/approve", json={"version": "dua"}, headers=h2)
    assert resp.status_code == 422


def test_pegawai_cannot_approve(world, api_as):
    pk = submitted(api_as)
    client, headers = api_as("pegawai")
    assert client.post(f"{URL}{pk}/approve", headers=headers).status_code == 403
    assert client.post(f"{URL}bulk-approve", json={"ids": [pk]}, headers=headers).status_code == 403
    assert activity(pk).status == "SUBMITTED"


def test_nobody_decides_own_activity(world, api_as):
    kabid_nip = NIPS["kabid_a"][0]
    pk = submitted(api_as, kabid_nip)
    assert activity(pk).superior_id == world.employee("kadis_a").id
    client, headers = api_as(kabid_nip)
    resp = client.post(f"{URL}{pk}/approve", headers=headers)
    assert resp.status_code == 403
    assert "sendiri" in resp.get_json()["message"]
    resp = client.post(f"{URL}bulk-approve", json={"ids": [pk]}, headers=headers)
    assert resp.status_code == 200
    assert resp.get_json()["approved"] == [] and str(pk) in resp.get_json()["refused"]
    assert activity(pk).status == "SUBMITTED"
    assert "DITOLAK_403" in audit_actions(pk)


def test_other_superior_in_scope_gets_403(world, api_as):
    """op_a's superior is kabid_a too; kadis_b (another OPD) never sees staff_a's items."""
    pk = submitted(api_as)
    client, headers = api_as(NIPS["kadis_b"][0])
    assert client.post(f"{URL}{pk}/approve", headers=headers).status_code == 404


def test_escalation_after_review_deadline(world, app, api_as):
    pk = submitted(api_as)
    due = activity(pk).review_due
    kadis, headers = api_as(NIPS["kadis_a"][0])
    resp = kadis.post(f"{URL}{pk}/approve", headers=headers)
    assert resp.status_code == 403
    assert "setelah batas waktu" in resp.get_json()["message"]
    assert activity(pk).status == "SUBMITTED"
    app.config["FIXED_TODAY"] = due + timedelta(days=1)
    resp = kadis.post(f"{URL}{pk}/approve", headers=headers)
    assert resp.status_code == 200, resp.get_json()
    item = activity(pk)
    assert item.status == "APPROVED"
    assert item.decided_by_id == world.employee("kadis_a").user_id


# --------------------------------------------------------------------------- scope
def test_out_of_scope_is_404_and_refused_in_bulk(world, api_as):
    staff_b = NIPS["staff_b"][0]
    set_period(2026, 11, "OPEN")
    b_pk = submitted(api_as, staff_b)
    a_pk = submitted(api_as, start_time="10:00", end_time="11:00")

    pegawai, h1 = api_as("pegawai")
    assert pegawai.get(f"{URL}{b_pk}", headers=h1).status_code == 404
    assert pegawai.post(f"{URL}{b_pk}/submit", headers=h1).status_code == 404
    assert pegawai.put(f"{URL}{b_pk}", json={"description": "x"}, headers=h1).status_code == 404
    assert pegawai.delete(f"{URL}{b_pk}", headers=h1).status_code == 404
    assert b_pk not in [r["id"] for r in pegawai.get(URL, headers=h1).get_json()["result"]]

    atasan, h2 = api_as("atasan")
    resp = atasan.get(f"{URL}{b_pk}", headers=h2)
    assert resp.status_code == 404 and "cakupan" in resp.get_json()["message"]
    assert atasan.post(f"{URL}{b_pk}/approve", headers=h2).status_code == 404
    assert atasan.post(f"{URL}{b_pk}/reject", json={"note": "x"}, headers=h2).status_code == 404
    resp = atasan.post(f"{URL}bulk-approve", json={"ids": [a_pk, b_pk, 999999]}, headers=h2)
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["approved"] == [a_pk]
    assert set(body["refused"]) == {str(b_pk), "999999"}
    assert activity(a_pk).status == "APPROVED"
    assert activity(b_pk).status == "SUBMITTED" and activity(b_pk).version == 2
    refusals = audit_actions(b_pk)
    assert refusals.count("DITOLAK_404") >= 6
    assert audit_actions(a_pk) == ["CREATE", "SUBMIT", "APPROVE"]


def test_operator_sees_own_opd_only(world, api_as):
    a_pk = submitted(api_as)
    b_pk = submitted(api_as, NIPS["staff_b"][0])
    client, headers = api_as("operator")
    ids = [r["id"] for r in client.get(URL, headers=headers).get_json()["result"]]
    assert a_pk in ids and b_pk not in ids
    # The operator enters data but does not decide.
    assert client.post(f"{URL}{a_pk}/approve", headers=headers).status_code == 403
    bkd, h2 = api_as("bkd")
    ids = [r["id"] for r in bkd.get(URL, headers=h2).get_json()["result"]]
    assert {a_pk, b_pk} <= set(ids)
    resp = bkd.get(f"{URL}?q=(page_size:100000)", headers=h2)
    assert resp.status_code == 400 or len(resp.get_json()["result"]) <= 100


def test_keuangan_and_auditor(world, api_as):
    pk = submitted(api_as)
    keu, h1 = api_as("keuangan")
    assert keu.get(URL, headers=h1).status_code == 403
    assert keu.get(f"{URL}{pk}", headers=h1).status_code == 403
    aud, h2 = api_as("auditor")
    assert aud.get(f"{URL}{pk}", headers=h2).status_code == 200
    assert aud.post(f"{URL}{pk}/approve", headers=h2).status_code == 403
    assert aud.post(URL, json=payload(), headers=h2).status_code == 403
    assert activity(pk).status == "SUBMITTED"


# --------------------------------------------------------------------------- frozen period
def test_everything_frozen_after_close(world, api_as):
    client, headers = api_as("pegawai")
    draft = create(client, headers)
    pending = submitted(api_as, start_time="10:00", end_time="11:00")
    approved = submitted(api_as, start_time="11:00", end_time="12:00")
    atasan, h2 = api_as("atasan")
    assert atasan.post(f"{URL}{approved}/approve", headers=h2).status_code == 200
    set_period(2026, 11, "CLOSED")

    assert client.post(f"{URL}{draft}/submit", headers=headers).status_code == 422
    resp = client.put(f"{URL}{draft}", json={"description": "Terlambat"}, headers=headers)
    assert resp.status_code == 422 and "ditutup" in resp.get_json()["message"]["date"][0]
    assert client.delete(f"{URL}{draft}", headers=headers).status_code == 422
    assert client.post(URL, json=payload(start_time="13:00", end_time="14:00"), headers=headers).status_code == 422
    resp = atasan.post(f"{URL}{pending}/approve", headers=h2)
    assert resp.status_code == 422 and "dibekukan" in resp.get_json()["message"]["date"][0]
    assert atasan.post(f"{URL}{pending}/return", json={"note": "x"}, headers=h2).status_code == 422
    resp = atasan.post(f"{URL}bulk-approve", json={"ids": [pending]}, headers=h2)
    assert resp.status_code == 200 and resp.get_json()["approved"] == []
    bkd, h3 = api_as("bkd")
    resp = bkd.post(f"{URL}{approved}/correct", json={"note": "Salah hitung", "status": "REJECTED"}, headers=h3)
    assert resp.status_code == 422
    assert [activity(pk).status for pk in (draft, pending, approved)] == ["DRAFT", "SUBMITTED", "APPROVED"]
    assert activity_count() == 3


# --------------------------------------------------------------------------- BKD correction
def test_bkd_correction(world, api_as):
    pk = submitted(api_as)
    atasan, h2 = api_as("atasan")
    assert atasan.post(f"{URL}{pk}/approve", headers=h2).status_code == 200
    assert atasan.post(f"{URL}{pk}/correct", json={"note": "x"}, headers=h2).status_code == 403
    bkd, h3 = api_as("bkd")
    resp = bkd.post(f"{URL}{pk}/correct", json={"status": "REJECTED"}, headers=h3)
    assert resp.status_code == 422 and "Catatan koreksi" in resp.get_json()["message"]["note"][0]
    resp = bkd.post(f"{URL}{pk}/correct", json={"note": "Menit terlalu besar", "claimed_minutes": 45}, headers=h3)
    assert resp.status_code == 200, resp.get_json()
    item = activity(pk)
    assert item.status == "APPROVED" and item.claimed_minutes == 45 and item.recognised_minutes == 45
    resp = bkd.post(f"{URL}{pk}/correct", json={"note": "Bukan tugas", "status": "DRAFT"}, headers=h3)
    assert resp.status_code == 422
    resp = bkd.post(f"{URL}{pk}/correct", json={"note": "Bukan tugas", "status": "REJECTED"}, headers=h3)
    assert resp.status_code == 200 and resp.get_json()["status"] == "REJECTED"
    assert audit_actions(pk)[-2:] == ["CORRECT", "CORRECT"]


def test_bulk_approve(world, api_as):
    ids = [submitted(api_as, start_time=f"{h:02d}:00", end_time=f"{h:02d}:30") for h in (8, 9, 10)]
    client, headers = api_as("pegawai")
    draft = create(client, headers, start_time="11:00", end_time="11:30")
    atasan, h2 = api_as("atasan")
    resp = atasan.post(f"{URL}bulk-approve", json={"ids": ids + [draft, ids[0]]}, headers=h2)
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["approved"] == ids
    assert list(body["refused"]) == [str(draft)]
    assert all(activity(pk).status == "APPROVED" for pk in ids)
    assert activity(draft).status == "DRAFT"
    assert all(audit_actions(pk).count("APPROVE") == 1 for pk in ids)
