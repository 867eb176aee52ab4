"""Aktivitas Saya (issue 10 item 2): the employee's own day on a phone, driven through the page."""
from __future__ import annotations

import io
import re
from datetime import date, datetime, time

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Activity, ActivityCatalog, AuditLog, Period

TODAY = date(2026, 11, 18)  # a Wednesday
URL = "/aktivitas-saya/"
PDF = b"%PDF-1.4 bukti"


@pytest.fixture(autouse=True)
def fixed_today(app, tmp_path):
    app.config["FIXED_TODAY"] = TODAY
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")


def make(employee, status="DRAFT", day=date(2026, 11, 17), start=8, end=9, note=None, superior=None, desc=None):
    item = Activity(employee=employee, date=day, description=desc or f"Kegiatan {employee.name} {start}",
                    volume=1, start_time=time(start), end_time=time(end), claimed_minutes=(end - start) * 60,
                    status=status, decision_note=note, superior=superior,
                    submitted_at=datetime(2026, 11, 17, 2) if status != "DRAFT" else None,
                    decided_at=datetime(2026, 11, 17, 5) if status in ("RETURNED", "APPROVED", "REJECTED") else None)
    db.session.add(item)
    db.session.commit()
    return item


def entry(**over):
    data = {"date": "2026-11-17", "catalog_id": "", "description": "Menyusun bahan rapat", "volume": "1",
            "start_time": "08:00", "end_time": "09:30", "evidence_link": ""}
    data.update(over)
    return data


def card(html: str, item_id: int) -> str:
    m = re.search(rf'<article[^>]*id="act-{item_id}".*?</article>', html, re.S)
    assert m, f"kartu {item_id} tidak ada"
    return m.group(0)


def refusals() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("DITOLAK%")))


def test_day_view_shows_only_own_rows_with_status_in_words(world, login_as):
    kabid, staff = world.employee("kabid_a"), world.employee("staff_a")
    mine = make(kabid, "APPROVED", start=8, end=9, desc="Rapat pimpinan bidang")
    sub = make(staff, "SUBMITTED", start=10, end=11, superior=kabid, desc="Kegiatan bawahan staff")
    other_day = make(kabid, "DRAFT", day=date(2026, 11, 16), desc="Kegiatan hari lain")
    client = login_as("atasan")
    html = client.get(URL + "?tanggal=2026-11-17").get_data(as_text=True)
    assert "Rapat pimpinan bidang" in html and "Disetujui" in card(html, mine.id)
    assert f'id="act-{sub.id}"' not in html and "Kegiatan bawahan staff" not in html
    assert "Kegiatan hari lain" not in html
    assert "17 Nov 2026" in html and "08.00–09.00" in html
    # the subordinate's own page shows it, in words
    html = login_as("pegawai").get(URL + "?tanggal=2026-11-17").get_data(as_text=True)
    assert "Diajukan" in card(html, sub.id) and "SUBMITTED" not in re.sub(r'data-status="[A-Z]+"', "", card(html, sub.id))
    # today by default
    html = client.get(URL).get_data(as_text=True)
    assert 'value="2026-11-18"' in html and "(hari ini)" in html and "Kegiatan hari lain" not in html
    assert other_day.id


def test_catalog_filtered_by_position(world, login_as):
    from app.models import PositionKind

    pelaksana = db.session.get(PositionKind, "PELAKSANA")
    only_jpt = ActivityCatalog(code="U-JPT", description="Memimpin rapat pimpinan daerah", output_unit="rapat",
                               norm_minutes=90, active=True, allowed_kinds=[db.session.get(PositionKind, "JPT")])
    staff_ok = ActivityCatalog(code="U-PLK", description="Mengarsip surat masuk", output_unit="berkas",
                               norm_minutes=15, active=True, allowed_kinds=[pelaksana])
    db.session.add_all([only_jpt, staff_ok])
    db.session.commit()
    html = login_as("pegawai").get(URL).get_data(as_text=True)  # staff_a: PELAKSANA
    assert "Mengarsip surat masuk" in html and 'data-norm="15"' in html
    assert "Memimpin rapat pimpinan daerah" not in html
    assert "Menyusun laporan kinerja bulanan" in html  # unrestricted item
    # the list has a name of its own for screen readers (axe select-name: critical)
    assert '<select id="f-catalog" name="catalog_id" aria-label="Uraian tugas dari katalog">' in html
    # a crafted POST of the refused item is answered next to the field and writes nothing
    resp = login_as("pegawai").post(URL + "catat", data=entry(catalog_id=str(only_jpt.id), start_time="",
                                                               end_time=""))
    assert resp.status_code == 422 and "tidak berlaku untuk jabatan pegawai" in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 0


def test_create_free_text_and_catalog_back_to_the_day(world, login_as):
    client = login_as("pegawai")
    resp = client.post(URL + "catat", data=entry())
    assert resp.status_code == 302 and resp.headers["Location"].endswith("tanggal=2026-11-17")
    catalog = db.session.scalar(select(ActivityCatalog).where(ActivityCatalog.code == "U-001"))  # 120 minutes
    resp = client.post(URL + "catat", data=entry(catalog_id=str(catalog.id), description="", volume="1.5",
                                                 start_time="", end_time=""))
    assert resp.status_code == 302
    rows = db.session.scalars(select(Activity).order_by(Activity.id)).all()
    assert [(r.claimed_minutes, r.status) for r in rows] == [(90, "DRAFT"), (180, "DRAFT")]
    assert rows[1].description == catalog.description and rows[0].employee.nip == world.employee("staff_a").nip
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Draf" in card(html, rows[0].id) and "U-001" in card(html, rows[1].id)
    assert 'name="csrf_token"' in html and 'type="time"' in html and 'type="date"' in html


def test_save_and_submit_in_one_tap(world, login_as):
    """"Simpan dan ajukan" saves and submits through the same use case; the draft button (first,
    the one Enter triggers) only saves; a returned item is fixed and resubmitted in one go."""
    client = login_as("pegawai")
    html = client.get(URL + "?tanggal=2026-11-17").get_data(as_text=True)
    assert html.index('id="entry-save"') < html.index('id="entry-save-submit"')
    resp = client.post(URL + "catat", data=entry(then="submit"))
    assert resp.status_code == 302 and resp.headers["Location"].endswith("tanggal=2026-11-17")
    item = db.session.scalar(select(Activity))
    assert item.status == "SUBMITTED" and item.superior_id == world.employee("staff_a").superior_id
    assert "1 aktivitas diajukan ke atasan." in client.get(resp.headers["Location"]).get_data(as_text=True)
    returned = make(world.employee("staff_a"), "RETURNED", start=10, end=11, note="Perbaiki jam")
    client.post(URL + f"ubah/{returned.id}", data=entry(start_time="10:00", end_time="11:30", then="submit"))
    db.session.expire_all()
    fixed = db.session.get(Activity, returned.id)
    assert (fixed.status, fixed.claimed_minutes) == ("SUBMITTED", 90)
    # an invalid entry is neither saved nor submitted
    resp = client.post(URL + "catat", data=entry(start_time="12:00", end_time="11:00", then="submit"))
    assert resp.status_code == 422 and db.session.scalar(select(func.count()).select_from(Activity)) == 2


def test_validation_error_keeps_the_evidence(world, login_as, app):
    import os

    client = login_as("pegawai")
    resp = client.post(URL + "catat", data={**entry(start_time="10:00", end_time="09:00"),
                                            "evidence": (io.BytesIO(PDF), "undangan.pdf")},
                       content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert re.search(r'id="f-end".*?Jam selesai harus setelah jam mulai', html, re.S)  # next to the field
    assert "Berkas tersimpan: undangan.pdf" in html
    token = re.search(r'name="pending_evidence" value="([^"]+)"', html).group(1)
    stored = os.listdir(app.config["UPLOAD_FOLDER"])
    assert len(stored) == 1 and db.session.scalar(select(func.count()).select_from(Activity)) == 0
    # fixed, without uploading again
    resp = client.post(URL + "catat", data={**entry(start_time="10:00", end_time="11:00"),
                                            "pending_evidence": token})
    assert resp.status_code == 302
    item = db.session.scalar(select(Activity))
    assert item.evidence_name == "undangan.pdf" and item.evidence_file == stored[0]
    # another user cannot reuse the token
    other = login_as("operator")
    other.post(URL + "catat", data={**entry(start_time="12:00", end_time="13:00"), "pending_evidence": token})
    mine = db.session.scalar(select(Activity).where(Activity.employee_id == world.employee("op_a").id))
    assert mine is not None and mine.evidence_file is None


def test_submit_all_submits_exactly_that_days_drafts(world, login_as):
    staff = world.employee("staff_a")
    d1 = make(staff, "DRAFT", start=8, end=9)
    d2 = make(staff, "DRAFT", start=9, end=10)
    other_day = make(staff, "DRAFT", day=date(2026, 11, 16), start=8, end=9)
    returned = make(staff, "RETURNED", start=10, end=11, note="Lengkapi bukti")
    client = login_as("pegawai")
    html = client.get(URL + "?tanggal=2026-11-17").get_data(as_text=True)
    assert "Ajukan 2 draf tanggal ini" in html
    resp = client.post(URL + "ajukan", data={"tanggal": "2026-11-17"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("tanggal=2026-11-17")
    db.session.expire_all()
    assert [db.session.get(Activity, i.id).status for i in (d1, d2, other_day, returned)] == [
        "SUBMITTED", "SUBMITTED", "DRAFT", "RETURNED"]
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "2 aktivitas diajukan ke atasan." in html and 'id="submit-day"' not in html


def test_buttons_only_where_allowed(world, login_as):
    staff = world.employee("staff_a")
    draft = make(staff, "DRAFT", start=8, end=9)
    submitted = make(staff, "SUBMITTED", start=9, end=10)
    approved = make(staff, "APPROVED", start=10, end=11)
    client = login_as("pegawai")
    html = client.get(URL + "?tanggal=2026-11-17").get_data(as_text=True)
    assert f'id="edit-{draft.id}"' in html and f'id="delete-{draft.id}"' in html
    for item in (submitted, approved):
        assert "ek-link-btn" not in card(html, item.id)
    # a closed period: no buttons at all, no entry form
    db.session.execute(Period.__table__.update().values(state="CLOSED"))
    db.session.commit()
    html = client.get(URL + "?tanggal=2026-11-17").get_data(as_text=True)
    assert f'id="edit-{draft.id}"' not in html and f'id="delete-{draft.id}"' not in html
    assert 'id="submit-day"' not in html and 'id="entry-form"' not in html
    # a refused delete typed by hand: nothing changes, back to the same day with the reason
    resp = client.post(URL + f"hapus/{draft.id}")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("tanggal=2026-11-17")
    assert db.session.get(Activity, draft.id) is not None
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "sudah ditutup" in html


def test_returned_item_fixed_and_resubmitted_from_its_card(world, login_as):
    staff = world.employee("staff_a")
    item = make(staff, "RETURNED", start=8, end=9, note="Jam selesai salah, mohon diperbaiki")
    client = login_as("pegawai")
    html = client.get(URL + "?tanggal=2026-11-17").get_data(as_text=True)
    c = card(html, item.id)
    assert "Dikembalikan" in c and "Jam selesai salah" in c and "Perbaiki" in c and f'id="resubmit-{item.id}"' in c
    form = client.get(URL + f"ubah/{item.id}").get_data(as_text=True)
    assert 'value="08:00"' in form and "Perbaiki aktivitas" in form
    resp = client.post(URL + f"ubah/{item.id}", data=entry(start_time="08:00", end_time="10:00",
                                                            description="Kegiatan diperbaiki"))
    assert resp.status_code == 302 and resp.headers["Location"].endswith("tanggal=2026-11-17")
    db.session.expire_all()
    item = db.session.get(Activity, item.id)
    assert item.status == "RETURNED" and item.claimed_minutes == 120
    resp = client.post(URL + f"ajukan/{item.id}")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("tanggal=2026-11-17")
    db.session.expire_all()
    assert db.session.get(Activity, item.id).status == "SUBMITTED"


def test_out_of_scope_id_is_404_and_logged(world, login_as):
    staff = world.employee("staff_a")
    sub = make(staff, "RETURNED", start=8, end=9, note="x")
    client = login_as("atasan")  # staff_a's superior: may see it in the queue, but it is not his own
    for method, path in (("get", f"ubah/{sub.id}"), ("post", f"ubah/{sub.id}"), ("post", f"hapus/{sub.id}"),
                         ("post", f"ajukan/{sub.id}")):
        before = refusals()
        resp = getattr(client, method)(URL + path, data=entry())
        assert resp.status_code == 404, path
        assert refusals() == before + 1, path
    db.session.expire_all()
    assert db.session.get(Activity, sub.id).status == "RETURNED"


@pytest.mark.parametrize("role,allowed", [("pegawai", True), ("operator", True), ("atasan", True),
                                          ("bkd", False), ("auditor", False), ("keuangan", False)])
def test_permissions(role, allowed, login_as):
    client = login_as(role)
    resp = client.get(URL)
    assert resp.status_code == (200 if allowed else 403)
    menu = client.get("/").get_data(as_text=True)
    assert ("Aktivitas Saya" in menu) == allowed
