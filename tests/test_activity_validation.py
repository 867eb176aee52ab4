"""One validation per field on every path (issue 8 item 9): the activity form and the REST API
refuse the same absurd values (NaN, Infinity, 1e9, -1, huge text) with the same Indonesian
message and store nothing; decision notes, BKD corrections and evaluation notes are bounded
too; the activity Excel report survives legacy bad values."""
from __future__ import annotations

import html
import io
import json
from datetime import date, datetime, time

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text

from app.domain import workflow as wf
from app.extensions import db
from app.models import Activity, Evaluation, Period

TODAY = date(2026, 11, 18)  # a Wednesday in the OPEN period 2026-11
URL = "/api/v1/activity/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HUGE = "x" * (wf.DESCRIPTION_MAX + 1)


@pytest.fixture(autouse=True)
def fixed_today(app, tmp_path):
    app.config["FIXED_TODAY"] = TODAY
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")


def count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Activity))


def form(world, **over):
    data = {"employee": str(world.employee("staff_a").id), "date": "2026-11-17", "catalog": "",
            "description": "Menyusun bahan rapat koordinasi", "volume": "1", "start_time": "08:00",
            "end_time": "09:30", "evidence_link": ""}
    data.update(over)
    return data


def payload(**over):
    data = {"date": "2026-11-17", "description": "Rapat koordinasi pelayanan", "volume": 1,
            "start_time": "08:00", "end_time": "09:00"}
    data.update(over)
    return data


def page_has(resp, message: str) -> bool:
    return html.escape(message, quote=False) in resp.get_data(as_text=True) or message in resp.get_data(as_text=True)


BAD = [
    ("volume", "Infinity", wf.MSG_VOLUME_NUMBER),
    ("volume", "NaN", wf.MSG_VOLUME_NUMBER),
    ("volume", "1e9", wf.MSG_VOLUME_MAX),
    ("volume", "-1", wf.MSG_VOLUME_POSITIVE),
    ("description", HUGE, wf.MSG_DESCRIPTION_MAX),
    ("evidence_link", "https://contoh.go.id/" + "a" * wf.LINK_MAX, wf.MSG_LINK_MAX),
]


@pytest.mark.parametrize("field,value,message", BAD, ids=[f"{f}-{v[:10]}" for f, v, _ in BAD])
def test_form_and_api_refuse_alike(world, login_as, api_as, field, value, message):
    page = login_as("pegawai").post("/activityview/add", data=form(world, **{field: value}))
    assert page.status_code == 200
    assert page_has(page, message), f"halaman tidak memuat pesan {message!r}"
    client, headers = api_as("pegawai")
    api_value = value if field != "volume" else value  # the API gets the same text
    resp = client.post(URL, json=payload(**{field: api_value}), headers=headers)
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["message"][field] == [message]
    assert count() == 0


@pytest.mark.parametrize("literal,message", [
    ("Infinity", wf.MSG_VOLUME_NUMBER), ("-Infinity", wf.MSG_VOLUME_NUMBER), ("NaN", wf.MSG_VOLUME_NUMBER),
    ("1e9", wf.MSG_VOLUME_MAX), ("-1", wf.MSG_VOLUME_POSITIVE), ("1.005", wf.MSG_VOLUME_PLACES),
])
def test_api_refuses_json_number_literals(world, api_as, literal, message):
    """Python's JSON reader accepts the literals Infinity and NaN: they are numbers too."""
    client, headers = api_as("pegawai")
    body = json.dumps(payload(volume=0)).replace('"volume": 0', f'"volume": {literal}')
    resp = client.post(URL, data=body, content_type="application/json", headers=headers)
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["message"]["volume"] == [message]
    assert count() == 0


def test_api_refuses_ten_megabyte_description(world, api_as):
    client, headers = api_as("pegawai")
    resp = client.post(URL, json=payload(description="a" * (10 * 1024 * 1024)), headers=headers)
    assert resp.status_code == 422
    assert resp.get_json()["message"]["description"] == [wf.MSG_DESCRIPTION_MAX]
    assert count() == 0


def test_edit_refused_alike_and_row_unchanged(world, login_as, api_as):
    client, headers = api_as("pegawai")
    resp = client.post(URL, json=payload(), headers=headers)
    assert resp.status_code == 201
    pk = resp.get_json()["id"]
    for value, message in (("Infinity", wf.MSG_VOLUME_NUMBER), ("1e9", wf.MSG_VOLUME_MAX)):
        page = login_as("pegawai").post(f"/activityview/edit/{pk}", data=form(world, volume=value))
        assert page.status_code == 200 and page_has(page, message)
        resp = client.put(f"{URL}{pk}", json={"volume": value}, headers=headers)
        assert resp.status_code == 422 and resp.get_json()["message"]["volume"] == [message]
    resp = client.put(f"{URL}{pk}", json={"description": HUGE}, headers=headers)
    assert resp.get_json()["message"]["description"] == [wf.MSG_DESCRIPTION_MAX]
    db.session.expire_all()
    item = db.session.get(Activity, pk)
    assert item.volume == 1 and item.description == "Rapat koordinasi pelayanan" and item.version == 1


def _submitted(world) -> Activity:
    item = Activity(employee=world.employee("staff_a"), date=date(2026, 11, 17), description="Kegiatan", volume=1,
                    start_time=time(8), end_time=time(9), claimed_minutes=60, status="SUBMITTED",
                    submitted_at=datetime(2026, 11, 17, 2), superior=world.employee("kabid_a"),
                    review_due=date(2026, 11, 20))
    db.session.add(item)
    db.session.commit()
    return item


def test_decision_note_bounded_on_page_and_api(world, login_as, api_as):
    item = _submitted(world)
    note = "n" * (wf.NOTE_MAX + 1)
    boss = login_as("atasan")
    page = boss.post(f"/approvalqueueview/decide/{item.id}", data={"decision": "RETURN", "note": note,
                                                                   "version": item.version})
    assert page.status_code == 200 and page_has(page, wf.MSG_NOTE_MAX)
    client, headers = api_as("atasan")
    for action in ("return", "reject", "approve"):
        resp = client.post(f"{URL}{item.id}/{action}", json={"note": note}, headers=headers)
        assert resp.status_code == 422 and resp.get_json()["message"]["note"] == [wf.MSG_NOTE_MAX]
    db.session.expire_all()
    row = db.session.get(Activity, item.id)
    assert row.status == "SUBMITTED" and row.decision_note is None and row.version == item.version


def test_bkd_correction_bounded_on_page_and_api(world, login_as, api_as):
    item = _submitted(world)
    item.status, item.decided_at, item.recognised_minutes = "APPROVED", datetime(2026, 11, 17, 5), 60
    db.session.commit()
    version = item.version
    bkd_page = login_as("bkd")
    client, headers = api_as("bkd")
    for data, field, message in (
        ({"note": "Salah hitung", "claimed_minutes": 100000}, "claimed_minutes", wf.MSG_MINUTES),
        ({"note": "Salah hitung", "claimed_minutes": -1}, "claimed_minutes", wf.MSG_MINUTES),
        ({"note": "k" * (wf.NOTE_MAX + 1)}, "note", wf.MSG_NOTE_MAX),
    ):
        page = bkd_page.post(f"/activityview/correct/{item.id}", data={**data, "target": "APPROVED"})
        assert page.status_code == 200 and page_has(page, message), data
        resp = client.post(f"{URL}{item.id}/correct", json=data, headers=headers)
        assert resp.status_code == 422 and resp.get_json()["message"][field] == [message]
    db.session.expire_all()
    row = db.session.get(Activity, item.id)
    assert row.claimed_minutes == 60 and row.version == version and row.decision_note is None


def test_evaluation_note_bounded(world, login_as):
    from app.domain import predikat as PR

    period = db.session.scalar(select(Period).where(Period.year == 2026, Period.month == 11))
    staff = world.employee("staff_a")
    data = {"rating_hasil_kerja": PR.SESUAI, "note": "e" * (wf.NOTE_MAX + 1)}
    data.update({value.lower(): PR.SESUAI for value in PR.BERAKHLAK_VALUES})  # the form's field names
    resp = login_as("atasan").post(f"/evaluationview/evaluate/{staff.id}/{period.id}", data=data)
    assert resp.status_code == 200 and page_has(resp, wf.MSG_NOTE_MAX)
    assert db.session.scalar(select(func.count()).select_from(Evaluation)) == 0


def test_activity_report_survives_legacy_bad_values(world, login_as):
    """Rows written before the validator (SQLite stored whatever the form passed)."""
    staff = world.employee("staff_a")
    bad = [(1e9, 2 ** 40, "x" * 40000), (float("inf"), 10, "Kegiatan"), (float("-inf"), 5, "")]
    for volume, minutes, note in bad:
        item = Activity(employee=staff, date=date(2026, 11, 16), description="a", volume=1, start_time=time(8),
                        end_time=time(9), claimed_minutes=60, status="DRAFT")
        db.session.add(item)
        db.session.commit()
        try:
            db.session.execute(text("UPDATE activity SET volume = :v, claimed_minutes = :m, description = :d, "
                                    "decision_note = :d WHERE id = :i"),
                               {"v": volume, "m": minutes, "d": note, "i": item.id})
            db.session.commit()
        except Exception:  # PostgreSQL's numeric(8,2) never held such values
            db.session.rollback()
    for who in ("pegawai", "operator", "bkd"):
        resp = login_as(who).get("/reports/download", query_string={
            "kind": "activity", "period": "2026-11", "employee": staff.id})
        assert resp.status_code == 200 and resp.mimetype == XLSX, (who, resp.status_code)
        ws = load_workbook(io.BytesIO(resp.data)).active
        assert ws.max_row > 3
