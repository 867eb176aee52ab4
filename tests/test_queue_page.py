"""Antrean Persetujuan (issue 10 items 3 and 5): the superior's queue on a phone, through the page.

World: kabid_a decides for staff_a and op_a; kadis_a is the superior of kabid_a and the escalation
of staff_a's items; kadis_b decides for staff_b (another OPD). Rules themselves are tested at
service level (test_activity_workflow.py); here the page shows and applies them."""
from __future__ import annotations

import re
from datetime import date, datetime, time
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Activity, AuditLog
from tests.conftest import NIPS

TODAY = date(2026, 11, 18)  # a Wednesday
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def fixed_today(app, tmp_path):
    app.config["FIXED_TODAY"] = TODAY
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    (tmp_path / "uploads").mkdir()


def make(world, who, superior, escalation=None, day=date(2026, 11, 17), start=8, end=9, due=date(2026, 11, 23),
         text="Kegiatan", **kw):
    item = Activity(employee=world.employee(who), date=day, description=text, volume=1, start_time=time(start),
                    end_time=time(end), claimed_minutes=(end - start) * 60, status="SUBMITTED",
                    submitted_at=datetime(2026, 11, 17, 2), superior=world.employee(superior),
                    escalation=world.employee(escalation) if escalation else None, review_due=due, **kw)
    db.session.add(item)
    db.session.commit()
    return item.id


def status(pk):
    db.session.expire_all()
    return db.session.get(Activity, pk).status


def refusals():
    return db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("DITOLAK%")))


def card_ids(html):
    return {int(x) for x in re.findall(r'id="queue-item-(\d+)"', html)}


def option_values(html):
    m = re.search(r'<select id="q-pegawai" name="pegawai">(.*?)</select>', html, re.S)
    return {int(v) for v in re.findall(r'<option value="(\d+)"', m.group(1))}


@pytest.fixture
def scene(world):
    ids = {
        "s1": make(world, "staff_a", "kabid_a", "kadis_a", text="Rekap data posyandu"),
        "s2": make(world, "staff_a", "kabid_a", "kadis_a", day=date(2026, 11, 16), start=9, end=10,
                   due=date(2026, 11, 17), text="Entri data imunisasi"),
        "o1": make(world, "op_a", "kabid_a", "kadis_a", text="Verifikasi usulan kenaikan pangkat"),
        "b1": make(world, "staff_b", "kadis_b", "sekda", text="Arsip surat masuk"),
    }
    return ids


def test_only_own_queue_grouped_by_employee(world, login_as, scene):
    html = login_as("atasan").get("/antrean/").get_data(as_text=True)
    assert card_ids(html) == {scene["s1"], scene["s2"], scene["o1"]}
    staff, op = world.employee("staff_a"), world.employee("op_a")
    # one section per employee, each item inside its employee's section
    sections = re.findall(r'<section class="ek-block ek-q-group" id="queue-emp-(\d+)"(.*?)</section>', html, re.S)
    by_emp = {int(e): card_ids(body) for e, body in sections}
    assert by_emp == {staff.id: {scene["s1"], scene["s2"]}, op.id: {scene["o1"]}}
    assert option_values(html) == {staff.id, op.id}
    # the card: date, time, minutes, description, overdue mark (s2 was due 17 Nov)
    assert "17 Nov 2026" in html and "08.00–09.00" in html and "60 menit" in html
    assert "Rekap data posyandu" in html
    s2 = html[html.index(f'id="queue-item-{scene["s2"]}"'):]
    assert "Terlambat" in s2[:s2.index("</article>")]
    s1 = html[html.index(f'id="queue-item-{scene["s1"]}"'):]
    assert "Terlambat" not in s1[:s1.index("</article>")]
    # CSRF token in every form
    assert html.count('name="csrf_token"') >= 4
    # kadis_b sees only staff_b's item
    assert card_ids(login_as(NIPS["kadis_b"][0]).get("/antrean/").get_data(as_text=True)) == {scene["b1"]}


def test_select_all_of_one_employee(world, login_as, scene):
    """'Pilih semua' in a group of several items (app/static/js/queue.js ticks them for
    'Setujui terpilih'); not for a single item; the ids it ticks approve in one post."""
    c = login_as("atasan")
    html = c.get("/antrean/").get_data(as_text=True)
    staff, op = world.employee("staff_a"), world.employee("op_a")
    groups = dict(re.findall(r'<section class="ek-block ek-q-group" id="queue-emp-(\d+)"(.*?)</section>', html, re.S))
    assert 'class="ek-q-all"' in groups[str(staff.id)] and "Pilih semua 2 aktivitas" in groups[str(staff.id)]
    assert 'class="ek-q-all"' not in groups[str(op.id)]
    assert '<script src="/static/js/queue.js' in html
    resp = c.post("/antrean/setujui-terpilih", data={"ids": [str(scene["s1"]), str(scene["s2"])]})
    assert resp.status_code == 302 and status(scene["s1"]) == status(scene["s2"]) == "APPROVED"


def test_filter_by_employee_and_date(world, login_as, scene):
    c = login_as("atasan")
    staff = world.employee("staff_a")
    html = c.get(f"/antrean/?pegawai={staff.id}").get_data(as_text=True)
    assert card_ids(html) == {scene["s1"], scene["s2"]}
    html = c.get(f"/antrean/?pegawai={staff.id}&tanggal=2026-11-16").get_data(as_text=True)
    assert card_ids(html) == {scene["s2"]}
    assert option_values(html) == {staff.id, world.employee("op_a").id}  # the select still lists everyone
    resp = c.get("/antrean/?tanggal=kemarin&pegawai=x")
    assert resp.status_code == 200 and "Tanggal filter tidak valid" in resp.get_data(as_text=True)


def test_approve_one_keeps_filters(world, login_as, scene):
    c = login_as("atasan")
    staff = world.employee("staff_a")
    resp = c.post(f"/antrean/setujui/{scene['s1']}", data={"pegawai": str(staff.id), "tanggal": "2026-11-17"})
    assert resp.status_code == 302
    loc = urlparse(resp.headers["Location"])
    assert loc.path == "/antrean/" and parse_qs(loc.query) == {"pegawai": [str(staff.id)], "tanggal": ["2026-11-17"]}
    assert status(scene["s1"]) == "APPROVED"
    page = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert "disetujui" in page and scene["s1"] not in card_ids(page)


def test_bulk_approve_refuses_out_of_scope(world, login_as, scene):
    c = login_as("atasan")
    before = refusals()
    resp = c.post("/antrean/setujui-terpilih", data={"ids": [str(scene["s1"]), str(scene["o1"]), str(scene["b1"])],
                                                     "tanggal": "2026-11-17"})
    assert resp.status_code == 302 and parse_qs(urlparse(resp.headers["Location"]).query) == {"tanggal": ["2026-11-17"]}
    assert (status(scene["s1"]), status(scene["o1"]), status(scene["b1"])) == ("APPROVED", "APPROVED", "SUBMITTED")
    assert refusals() == before + 1
    row = db.session.scalars(select(AuditLog).where(AuditLog.action.like("DITOLAK%")).order_by(AuditLog.id.desc())).first()
    assert row.entity_id == str(scene["b1"])
    page = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert "2 aktivitas disetujui." in page
    assert f"Aktivitas #{scene['b1']} tidak disetujui: Aktivitas tidak ditemukan atau di luar cakupan Anda." in page
    # nothing selected: a message, nothing changes
    page = c.post("/antrean/setujui-terpilih", data={}, follow_redirects=True).get_data(as_text=True)
    assert "Pilih minimal satu aktivitas" in page and status(scene["s2"]) == "SUBMITTED"


@pytest.mark.parametrize("decision,expected", [("RETURN", "RETURNED"), ("REJECT", "REJECTED")])
def test_return_and_reject_with_note(world, login_as, scene, decision, expected):
    c = login_as("atasan")
    op = world.employee("op_a")
    # without a note: refused, unchanged; the queue (same filter) comes back with that card's
    # form open, the message beside the note field and the filter kept
    resp = c.post(f"/antrean/putuskan/{scene['o1']}", data={"decision": decision, "note": "  ", "pegawai": str(op.id)})
    assert resp.status_code == 422 and status(scene["o1"]) == "SUBMITTED"
    html = resp.get_data(as_text=True)
    card = re.search(rf'<article[^>]*id="queue-item-{scene["o1"]}".*?</article>', html, re.S).group(0)
    assert re.search(r'<details class="ek-q-more" open>', card)
    field = re.search(rf'<textarea id="note-{scene["o1"]}"[^>]*>', card).group(0)
    assert f'aria-describedby="note-err-{scene["o1"]}"' in field and 'aria-invalid="true"' in field
    error = re.search(rf'<p class="ek-field-error" id="note-err-{scene["o1"]}"[^>]*>(.*?)</p>', card).group(1)
    assert "wajib" in error.lower()
    assert card_ids(html) == {scene["o1"]}  # the employee filter still applies
    assert 'name="pegawai" value="%d"' % op.id in card
    resp = c.post(f"/antrean/putuskan/{scene['o1']}", data={"decision": decision, "note": "Lampirkan daftar hadir",
                                                            "pegawai": str(op.id)})
    assert resp.status_code == 302
    db.session.expire_all()
    item = db.session.get(Activity, scene["o1"])
    assert item.status == expected and item.decision_note == "Lampirkan daftar hadir"
    assert item.decided_by.username == NIPS["kabid_a"][0]


def test_stale_version_is_refused(world, login_as, scene):
    c = login_as("atasan")
    c.post(f"/antrean/setujui/{scene['s1']}", data={"version": "99"})
    assert status(scene["s1"]) == "SUBMITTED"


def test_own_activity_refused_and_logged(world, login_as, scene):
    own = make(world, "kabid_a", "kadis_a", "sekda")
    c = login_as("atasan")
    assert own not in card_ids(c.get("/antrean/").get_data(as_text=True))
    before = refusals()
    page = c.post(f"/antrean/setujui/{own}", follow_redirects=True).get_data(as_text=True)
    assert "Anda tidak dapat memutuskan aktivitas Anda sendiri." in page
    assert status(own) == "SUBMITTED" and refusals() == before + 1
    # another superior's item typed by hand: 404, logged, unchanged
    assert c.post(f"/antrean/setujui/{scene['b1']}").status_code == 404
    assert status(scene["b1"]) == "SUBMITTED" and refusals() == before + 2


def test_escalated_item_visible_after_deadline(world, login_as, scene):
    c = login_as(NIPS["kadis_a"][0])
    html = c.get("/antrean/").get_data(as_text=True)
    assert card_ids(html) == {scene["s2"]}  # s2 was due 17 Nov; s1 and o1 are due 23 Nov
    assert "Eskalasi" in html and "Terlambat" in html
    assert world.employee("staff_a").id in option_values(html)
    resp = c.post(f"/antrean/setujui/{scene['s2']}")
    assert resp.status_code == 302 and status(scene["s2"]) == "APPROVED"
    # before the deadline the superior's superior may not decide
    page = c.post(f"/antrean/setujui/{scene['s1']}", follow_redirects=True).get_data(as_text=True)
    assert status(scene["s1"]) == "SUBMITTED" and "Hanya atasan langsung" in page


def test_evidence_inline(app, world, login_as, scene):
    import os

    folder = app.config["UPLOAD_FOLDER"]
    with open(os.path.join(folder, "a1.png"), "wb") as fh:
        fh.write(PNG)
    with open(os.path.join(folder, "a2.pdf"), "wb") as fh:
        fh.write(b"%PDF-1.4\n")
    img = make(world, "staff_a", "kabid_a", evidence_file="a1.png", evidence_name="foto-kegiatan.png")
    pdf = make(world, "op_a", "kabid_a", evidence_file="a2.pdf", evidence_name="notulen.pdf")
    c = login_as("atasan")
    html = c.get("/antrean/").get_data(as_text=True)
    assert f'<img class="ek-q-thumb" src="/activityview/evidence/{img}"' in html
    assert f'href="/activityview/evidence/{pdf}"' in html and "notulen.pdf" in html
    assert f'src="/activityview/evidence/{pdf}"' not in html
    resp = c.get(f"/activityview/evidence/{img}")
    assert resp.status_code == 200 and resp.mimetype == "image/png" and resp.data == PNG
    # not for another OPD's superior
    assert login_as(NIPS["kadis_b"][0]).get(f"/activityview/evidence/{img}").status_code == 404


def test_overdue_report_links_to_queue(world, login_as, scene):
    kabid = world.employee("kabid_a")
    html = login_as("bkd").get("/overdue/").get_data(as_text=True)
    assert f'href="/antrean/?atasan={kabid.id}"' in html
    # the link's target: kadis_a (escalation) sees the overdue item of kabid_a's subordinates
    page = login_as(NIPS["kadis_a"][0]).get(f"/antrean/?atasan={kabid.id}").get_data(as_text=True)
    assert card_ids(page) == {scene["s2"]}
    # the operator has no queue: no link
    assert "/antrean/" not in login_as("operator").get("/overdue/").get_data(as_text=True)


def test_queue_is_paged_keeping_the_filters(world, login_as, scene, monkeypatch):
    """Issue 11: a long queue is shown PAGE_SIZE cards at a time (grouped by employee, in the
    same order); Berikutnya/Sebelumnya keep the filters, a decision comes back to the same page,
    the count above is the whole queue, and a page past the end shows the last one."""
    from app.views import queue as view

    monkeypatch.setattr(view, "PAGE_SIZE", 2)
    extra = make(world, "op_a", "kabid_a", "kadis_a", day=date(2026, 11, 16), text="Kegiatan tambahan")
    c = login_as("atasan")
    staff, op = world.employee("staff_a"), world.employee("op_a")
    first = c.get("/antrean/").get_data(as_text=True)
    order = sorted([(op.name, op.id, extra), (op.name, op.id, scene["o1"]),
                    (staff.name, staff.id, scene["s2"]), (staff.name, staff.id, scene["s1"])])
    # employees by name: each page holds whole employees here (two items each)
    expected = [pk for _n, _e, pk in sorted(order, key=lambda t: (t[0], t[1]))]
    assert card_ids(first) == set(expected[:2])
    assert '<span id="queue-total">4</span>' in first and "Halaman 1 dari 2" in first
    assert 'rel="prev"' not in first
    nxt = re.search(r'<a class="ek-q-btn ek-q-btn-plain" rel="next" href="([^"]+)"', first).group(1)
    assert parse_qs(urlparse(nxt.replace("&amp;", "&")).query) == {"halaman": ["2"]}
    second = c.get(nxt.replace("&amp;", "&")).get_data(as_text=True)
    assert card_ids(second) == set(expected[2:]) and "Halaman 2 dari 2" in second
    assert 'rel="next"' not in second and 'rel="prev" href="/antrean/"' in second
    assert '<input type="hidden" name="halaman" value="2" form="queue-bulk">' in second
    # the filter select lists the employees of the whole queue, not only of this page
    assert option_values(second) == {staff.id, op.id}
    # a filter travels through the pages
    filtered = c.get("/antrean/?tanggal=2026-11-17").get_data(as_text=True)  # s1 and o1
    assert card_ids(filtered) == {scene["s1"], scene["o1"]} and 'id="queue-pager"' not in filtered
    # approving on page 2 comes back to page 2; once it is empty, the last page is shown
    resp = c.post(f"/antrean/setujui/{expected[2]}", data={"halaman": "2"})
    loc = urlparse(resp.headers["Location"])
    assert parse_qs(loc.query) == {"halaman": ["2"]}
    again = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert card_ids(again) == {expected[3]}
    resp = c.post("/antrean/setujui-terpilih", data={"ids": [str(expected[3])], "halaman": "2"})
    assert status(expected[3]) == "APPROVED"
    last = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert card_ids(last) == set(expected[:2]) and 'id="queue-pager"' not in last
    assert c.get("/antrean/?halaman=x").status_code == 200
