"""The workflow through the panel pages: entry, submission, queue, decisions, overdue report,
periods, parameters, evidence. Rules are tested in depth at service level
(test_activity_workflow.py); here each page is shown to apply them and the scope."""
from __future__ import annotations

import io
from datetime import date, datetime, time

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Activity, AuditLog, Parameter, Period
from tests.conftest import NIPS

TODAY = date(2026, 11, 18)  # a Wednesday


@pytest.fixture(autouse=True)
def fixed_today(app, tmp_path):
    app.config["FIXED_TODAY"] = TODAY
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")


def count(**where):
    db.session.expire_all()
    q = select(func.count()).select_from(Activity)
    for k, v in where.items():
        q = q.where(getattr(Activity, k) == v)
    return db.session.scalar(q)


def form(world, who="staff_a", **over):
    data = {"employee": str(world.employee(who).id), "date": "2026-11-17", "catalog": "",
            "description": "Menyusun bahan rapat koordinasi", "volume": "1", "start_time": "08:00",
            "end_time": "09:30", "evidence_link": ""}
    data.update(over)
    return data


def make(employee, status="SUBMITTED", superior=None, day=date(2026, 11, 17), start=8, end=9, due=date(2026, 11, 23)):
    item = Activity(employee=employee, date=day, description="Kegiatan", volume=1, start_time=time(start),
                    end_time=time(end), claimed_minutes=(end - start) * 60, status=status,
                    submitted_at=datetime(2026, 11, 17, 2) if status != "DRAFT" else None,
                    superior=superior, review_due=due if status == "SUBMITTED" else None)
    db.session.add(item)
    db.session.commit()
    return item


def test_pegawai_records_activity(world, login_as):
    client = login_as("pegawai")
    resp = client.post("/activityview/add", data=form(world))
    assert resp.status_code == 302
    item = db.session.scalar(select(Activity))
    assert item.status == "DRAFT" and item.claimed_minutes == 90
    assert item.entered_by.username == NIPS["staff_a"][0]


def test_catalog_minutes_are_norm_times_volume(world, login_as):
    from app.models import ActivityCatalog

    catalog = db.session.scalar(select(ActivityCatalog))  # norm 120 minutes
    client = login_as("pegawai")
    resp = client.post("/activityview/add", data=form(world, catalog=str(catalog.id), description="",
                                                      volume="1.5", start_time="", end_time=""))
    assert resp.status_code == 302
    item = db.session.scalar(select(Activity))
    assert item.claimed_minutes == 180 and item.description == catalog.description


def test_operator_records_on_behalf(world, login_as):
    client = login_as("operator")
    assert client.post("/activityview/add", data=form(world)).status_code == 302
    item = db.session.scalar(select(Activity))
    assert item.employee.nip == NIPS["staff_a"][0]
    assert item.entered_by.username == NIPS["op_a"][0]
    # not for another OPD's employee
    resp = client.post("/activityview/add", data=form(world, who="staff_b", start_time="10:00", end_time="11:00"))
    assert resp.status_code == 200 and count() == 1


@pytest.mark.parametrize("over,message", [
    ({"date": "2026-11-19"}, "tidak boleh melebihi hari ini"),
    ({"date": "2026-10-30"}, "belum dibuka oleh BKD"),
    ({"date": "2026-11-10"}, "Batas waktu pengajuan"),
    ({"start_time": "10:00", "end_time": "09:00"}, "Jam selesai harus setelah jam mulai"),
    ({"start_time": "08:00", "end_time": "16:00"}, "melebihi batas 450 menit"),
    ({"evidence_link": "bukan-url"}, "Tautan bukti"),
    ({"volume": "0"}, "Volume harus lebih dari 0"),
])
def test_bad_entry_is_refused(world, login_as, over, message):
    client = login_as("pegawai")
    resp = client.post("/activityview/add", data=form(world, **over))
    assert resp.status_code == 200
    assert message in resp.get_data(as_text=True)
    assert count() == 0


def test_overlap_refused(world, login_as):
    make(world.employee("staff_a"), status="DRAFT", start=8, end=10)
    client = login_as("pegawai")
    resp = client.post("/activityview/add", data=form(world, start_time="09:00", end_time="11:00"))
    assert "bertumpang tindih" in resp.get_data(as_text=True)
    assert count() == 1


@pytest.mark.parametrize("name,content,message", [
    ("bukti.exe", b"MZ\x90\x00", "Jenis berkas bukti tidak diizinkan"),
    ("bukti.pdf", b"bukan pdf", "tidak sesuai dengan jenisnya"),
    ("bukti.pdf", b"%PDF" + b"0" * (2 * 1024 * 1024), "melebihi batas"),
])
def test_bad_evidence_is_refused(world, login_as, name, content, message):
    client = login_as("pegawai")
    data = form(world)
    data["evidence"] = (io.BytesIO(content), name)
    resp = client.post("/activityview/add", data=data, content_type="multipart/form-data")
    assert resp.status_code == 200
    assert message in resp.get_data(as_text=True)
    assert count() == 0


def test_evidence_upload_and_scoped_download(world, login_as):
    client = login_as("pegawai")
    data = form(world)
    data["evidence"] = (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 100), "foto kegiatan.png")
    assert client.post("/activityview/add", data=data, content_type="multipart/form-data").status_code == 302
    item = db.session.scalar(select(Activity))
    assert item.evidence_name == "foto_kegiatan.png"
    resp = client.get(f"/activityview/evidence/{item.id}")
    assert resp.status_code == 200 and resp.data.startswith(b"\x89PNG")
    other = login_as(NIPS["staff_b"][0])
    assert other.get(f"/activityview/evidence/{item.id}").status_code == 404


def test_submit_action_and_queue(world, login_as):
    staff = world.employee("staff_a")
    item = make(staff, status="DRAFT")
    client = login_as("pegawai")
    resp = client.post("/activityview/action_post", data={"action": "submit", "rowid": [str(item.id)]})
    assert resp.status_code == 302
    db.session.expire_all()
    item = db.session.get(Activity, item.id)
    assert item.status == "SUBMITTED" and item.superior.nip == NIPS["kabid_a"][0]
    # the superior sees it in the queue, with the count in the menu
    boss = login_as("atasan")
    body = boss.get("/approvalqueueview/list/").get_data(as_text=True)
    assert "Kegiatan" in body and 'class="badge">1<' in body
    # the employee has no queue
    assert client.get("/approvalqueueview/list/").status_code == 403


def test_bulk_approve_mixed_scope(world, login_as):
    inside = make(world.employee("staff_a"), superior=world.employee("kabid_a"))
    outside = make(world.employee("staff_b"), superior=world.employee("kadis_b"))
    boss = login_as("atasan")
    resp = boss.post("/approvalqueueview/action_post", data={"action": "approve",
                                                             "rowid": [str(inside.id), str(outside.id)]})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Activity, inside.id).status == "APPROVED"
    assert db.session.get(Activity, outside.id).status == "SUBMITTED"
    assert db.session.scalar(select(AuditLog).where(AuditLog.entity_id == str(outside.id),
                                                    AuditLog.action.like("DITOLAK%")))
    assert db.session.scalar(select(AuditLog).where(AuditLog.entity_id == str(inside.id),
                                                    AuditLog.action == "APPROVE"))


def test_return_needs_a_note(world, login_as):
    item = make(world.employee("staff_a"), superior=world.employee("kabid_a"))
    boss = login_as("atasan")
    resp = boss.post(f"/approvalqueueview/decide/{item.id}", data={"decision": "RETURN", "note": " ",
                                                                    "version": str(item.version)})
    assert resp.status_code == 200 and "wajib" in resp.get_data(as_text=True).lower()
    db.session.expire_all()
    assert db.session.get(Activity, item.id).status == "SUBMITTED"
    resp = boss.post(f"/approvalqueueview/decide/{item.id}", data={"decision": "RETURN",
                                                                    "note": "Lengkapi bukti kegiatan",
                                                                    "version": str(item.version)})
    assert resp.status_code == 302
    db.session.expire_all()
    item = db.session.get(Activity, item.id)
    assert item.status == "RETURNED" and item.decision_note == "Lengkapi bukti kegiatan"


def test_stale_decision_is_a_conflict(world, login_as):
    item = make(world.employee("staff_a"), superior=world.employee("kabid_a"))
    boss = login_as("atasan")
    resp = boss.post(f"/approvalqueueview/decide/{item.id}", data={"decision": "APPROVE", "note": "",
                                                                    "version": str(item.version - 1 or 99)})
    assert "diubah oleh pengguna lain" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Activity, item.id).status == "SUBMITTED"


def test_own_activity_not_in_own_queue(world, login_as):
    boss_emp = world.employee("kabid_a")
    own = make(boss_emp, superior=boss_emp)  # even a corrupted snapshot must not allow it
    boss = login_as("atasan")
    assert boss.get(f"/approvalqueueview/decide/{own.id}").status_code == 404
    assert db.session.get(Activity, own.id).status == "SUBMITTED"


def test_escalation_after_deadline(world, login_as, app):
    item = make(world.employee("staff_a"), superior=world.employee("kabid_a"), due=date(2026, 11, 20))
    item.escalation = world.employee("kadis_a")
    db.session.commit()
    kadis = login_as(NIPS["kadis_a"][0])
    assert kadis.get(f"/approvalqueueview/decide/{item.id}").status_code == 404  # not yet overdue
    app.config["FIXED_TODAY"] = date(2026, 11, 23)
    assert kadis.get(f"/approvalqueueview/decide/{item.id}").status_code == 200
    resp = kadis.post(f"/approvalqueueview/decide/{item.id}", data={"decision": "APPROVE", "note": "",
                                                                     "version": str(item.version)})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Activity, item.id).status == "APPROVED"


def test_overdue_report_scope(world, login_as):
    make(world.employee("staff_a"), superior=world.employee("kabid_a"), due=date(2026, 11, 16))
    make(world.employee("staff_b"), superior=world.employee("kadis_b"), due=date(2026, 11, 16))
    op = login_as("operator").get("/overdue/").get_data(as_text=True)
    assert "Kabid A" in op and "Kadis B" not in op
    bkd = login_as("bkd").get("/overdue/").get_data(as_text=True)
    assert "Kabid A" in bkd and "Kadis B" in bkd
    assert login_as("pegawai").get("/overdue/").status_code == 403


def test_close_and_reopen_period(world, login_as, app):
    app.config["FIXED_TODAY"] = date(2026, 12, 2)
    db.session.add(Period(year=2026, month=12, state="OPEN"))
    db.session.commit()
    period = db.session.scalar(select(Period).where(Period.month == 11))
    bkd = login_as("bkd")
    resp = bkd.post("/periodview/action_post", data={"action": "close_period", "rowid": [str(period.id)]})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/periodview/close/{period.id}")
    assert bkd.post(f"/periodview/close/{period.id}", data={"acknowledge": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Period, period.id).state == "CLOSED"
    # frozen: no entry for a date in that month
    resp = login_as("pegawai").post("/activityview/add", data=form(world, date="2026-11-30"))
    assert "ditutup" in resp.get_data(as_text=True) and count() == 0
    # reopening needs a reason
    resp = bkd.post(f"/periodview/reopen/{period.id}", data={"reason": ""})
    assert resp.status_code == 200 and db.session.get(Period, period.id).state == "CLOSED"
    resp = bkd.post(f"/periodview/reopen/{period.id}", data={"reason": "Koreksi data Dinas Kesehatan"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Period, period.id).state == "OPEN"
    actions = set(db.session.scalars(select(AuditLog.action).where(AuditLog.entity == "Period")))
    assert {"CLOSE", "REOPEN"} <= actions
    # operators cannot close
    assert login_as("operator").post("/periodview/action_post", data={
        "action": "close_period", "rowid": [str(period.id)]}).status_code == 403


@pytest.mark.parametrize("key,value,message", [
    ("max_minutes_per_day", "abc", "bilangan bulat"),
    ("weight_performance", "0.7", "harus 1"),
    ("late_bands", "[[1, 30, 0.5], [20, 60, 1]]", "tumpang tindih"),
])
def test_parameter_page_refuses_bad_values(world, login_as, key, value, message):
    resp = login_as("bkd").post("/parameterview/add", data={"year": "2026", "key": key, "value": value})
    assert resp.status_code == 200 and message in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Parameter)) == 0


def test_parameter_changes_the_rule(world, login_as):
    resp = login_as("bkd").post("/parameterview/add", data={"year": "2026", "key": "max_minutes_per_day",
                                                            "value": "60"})
    assert resp.status_code == 302
    resp = login_as("pegawai").post("/activityview/add", data=form(world))
    assert "melebihi batas 60 menit" in resp.get_data(as_text=True)


def test_bkd_correction(world, login_as):
    item = make(world.employee("staff_a"), status="APPROVED", superior=world.employee("kabid_a"))
    bkd = login_as("bkd")
    resp = bkd.post(f"/activityview/correct/{item.id}", data={"target": "APPROVED", "claimed_minutes": "30",
                                                               "note": ""})
    assert resp.status_code == 200
    resp = bkd.post(f"/activityview/correct/{item.id}", data={"target": "APPROVED", "claimed_minutes": "30",
                                                               "note": "Durasi rapat dikoreksi"})
    assert resp.status_code == 302
    db.session.expire_all()
    item = db.session.get(Activity, item.id)
    assert item.claimed_minutes == 30 and item.recognised_minutes == 30
    assert db.session.scalar(select(AuditLog).where(AuditLog.entity_id == str(item.id), AuditLog.action == "CORRECT"))
    assert login_as("atasan").get(f"/activityview/correct/{item.id}").status_code == 403


def test_show_page_leads_to_the_decision(world, login_as):
    item = make(world.employee("staff_a"), superior=world.employee("kabid_a"))
    boss = login_as("atasan")
    body = boss.get(f"/approvalqueueview/show/{item.id}").get_data(as_text=True)
    assert "Putuskan" in body
    resp = boss.post(f"/approvalqueueview/action/putuskan/{item.id}")
    assert resp.status_code == 302 and f"/approvalqueueview/decide/{item.id}" in resp.headers["Location"]
    outside = make(world.employee("staff_b"), superior=world.employee("kadis_b"))
    assert boss.post(f"/approvalqueueview/action/putuskan/{outside.id}").status_code == 404


def test_bkd_reaches_the_correction_from_the_activity_page(world, login_as):
    item = make(world.employee("staff_a"), status="APPROVED", superior=world.employee("kabid_a"))
    bkd = login_as("bkd")
    assert "Koreksi BKD" in bkd.get(f"/activityview/show/{item.id}").get_data(as_text=True)
    resp = bkd.post(f"/activityview/action/koreksi/{item.id}")
    assert resp.status_code == 302 and f"/activityview/correct/{item.id}" in resp.headers["Location"]
    assert "Koreksi BKD" not in login_as("pegawai").get(f"/activityview/show/{item.id}").get_data(as_text=True)
