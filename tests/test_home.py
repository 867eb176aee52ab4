"""The home page of tasks (issue 10 item 1): per role, the blocks and numbers come from the world."""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import Activity, Attendance, Period

TODAY = date(2026, 11, 18)  # Wednesday; Dinas Kesehatan works 5 days


def _add(employee, d, status, text, minutes=60, **kw):
    item = Activity(employee_id=employee.id, date=d, description=text, status=status, claimed_minutes=minutes, **kw)
    db.session.add(item)
    return item


@pytest.fixture
def scene(app, world):
    """pegawai (staff_a): a returned item, two drafts near their deadline, 90 + 45 minutes today
    (a rejected one not counted), 240 approved minutes in November;
    atasan (kabid_a): 3 waiting (one overdue since 17 Nov, one due tomorrow);
    Dinas Pendidikan: 2 overdue items of kadis_b (another OPD); attendance imported for Dinas
    Kesehatan only."""
    app.config["FIXED_TODAY"] = TODAY
    staff, op, kabid, kadis = (world.employee(k) for k in ("staff_a", "op_a", "kabid_a", "kadis_a"))
    decided = datetime(2026, 11, 17, 3, 0)
    _add(staff, date(2026, 11, 16), "DRAFT", "Entri data posyandu")
    _add(staff, date(2026, 11, 12), "RETURNED", "Rekap data imunisasi", decision_note="Lampirkan bukti rekap",
         decided_at=decided)
    _add(staff, TODAY, "DRAFT", "Draf hari ini", minutes=90)
    _add(staff, TODAY, "APPROVED", "Apel pagi", minutes=45, superior_id=kabid.id)
    _add(staff, TODAY, "REJECTED", "Tidak diakui", minutes=200, superior_id=kabid.id)
    _add(staff, date(2026, 11, 17), "DRAFT", "Validasi laporan puskesmas")
    _add(staff, date(2026, 11, 2), "APPROVED", "Laporan gizi", minutes=195, superior_id=kabid.id)
    sub = dict(superior_id=kabid.id, escalation_id=kadis.id)
    _add(staff, date(2026, 11, 16), "SUBMITTED", "Laporan bulanan gizi", review_due=date(2026, 11, 19), **sub)
    _add(op, date(2026, 11, 17), "SUBMITTED", "Verifikasi berkas cuti", review_due=date(2026, 11, 24), **sub)
    _add(staff, date(2026, 11, 10), "SUBMITTED", "Sosialisasi germas", review_due=date(2026, 11, 17), **sub)
    staff_b, kadis_b = world.employee("staff_b"), world.employee("kadis_b")
    for d in (date(2026, 11, 3), date(2026, 11, 4)):
        _add(staff_b, d, "SUBMITTED", "Arsip surat", superior_id=kadis_b.id, review_due=date(2026, 11, 10))
    db.session.add(Attendance(employee_id=staff.id, date=date(2026, 11, 2), status="HADIR"))
    db.session.commit()
    return world


def _html(client) -> str:
    resp = client.get("/")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def _text(html: str, element_id: str) -> str:
    """The text of the element with `element_id` up to the end of its section/div (tags removed)."""
    start = html.index(f'id="{element_id}"')
    chunk = html[start:html.index("</section>", start)] if "</section>" in html[start:] else html[start:]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", chunk))


def test_anonymous_is_redirected_to_login(client):
    resp = client.get("/")
    assert resp.status_code == 302 and "/login/" in resp.headers["Location"]


def test_pegawai_sees_own_work_returned_first(scene, login_as):
    html = _html(login_as("pegawai"))
    assert 'id="home-own"' in html and 'id="home-queue"' not in html and 'id="home-admin"' not in html
    own = html[html.index('id="home-own"'):]
    # the big button, then the returned item with its note before everything else of own work
    assert own.index('id="home-add"') < own.index('id="home-returned"') < own.index('id="home-today"') \
        < own.index('id="home-month"') < own.index('id="home-drafts"')
    assert 'href="/aktivitas-saya/"' in own  # the phone page of the daily loop
    returned = own[own.index('id="home-returned"'):own.index('id="home-today"')]
    assert "Rekap data imunisasi" in returned and "Catatan atasan: Lampirkan bukti rekap" in returned
    returned_id = db.session.query(Activity.id).filter_by(description="Rekap data imunisasi").scalar()
    # fixed from its card on the phone page (Aktivitas Saya), not in the admin form
    assert f'href="/aktivitas-saya/ubah/{returned_id}"' in returned
    # today: draft 90 + approved 45 (the rejected item does not count) of 300 effective minutes
    today = own[own.index('id="home-today"'):own.index('id="home-month"')]
    assert re.search(r"<strong>135</strong> dari 300 menit", today)
    assert 'value="45"' in today  # 135 / 300
    assert "paling banyak 450 menit" in today
    # the month: approved minutes (45 + 195) against the target of the recap service
    from app.services.recap import explain

    e = explain(scene.employee("staff_a").id, 2026, 11)
    month = own[own.index('id="home-month"'):own.index('id="home-drafts"')]
    assert e["recognised_minutes"] == 240
    assert f"<strong>240</strong> dari {e['target_minutes']:,} menit".replace(",", ".") in month
    assert "November 2026" in month
    score = f"{e['work_score']:.2f}".replace(".", ",")
    assert f"Nilai capaian kerja sementara {score}; target dari {e['working_days']} hari kerja × 300 menit" in month
    # drafts near the deadline with their deadline, in short Indonesian dates
    drafts = own[own.index('id="home-drafts"'):]
    assert "16 Nov 2026 · Entri data posyandu" in drafts and "Ajukan paling lambat 18 Nov 2026" in drafts
    assert "17 Nov 2026 · Validasi laporan puskesmas" in drafts and "Ajukan paling lambat 19 Nov 2026" in drafts
    assert "Draf hari ini" not in drafts
    assert "/activityview/edit/" not in own and drafts.count('href="/aktivitas-saya/ubah/') == 2
    assert 'href="/dashboard/"' in html


def test_month_without_period(scene, login_as):
    db.session.query(Period).delete()
    db.session.commit()
    html = _html(login_as("pegawai"))
    assert "Periode bulan ini belum dibuka oleh BKD." in html


def test_atasan_sees_queue_counts_and_own_work_apart(scene, login_as):
    html = _html(login_as("atasan"))
    assert html.index('id="home-own"') < html.index('id="home-queue"')
    assert re.search(r'id="home-queue-waiting">3<', html)
    assert re.search(r'id="home-queue-overdue">1<', html)
    assert re.search(r'id="home-queue-escalating">1<', html)
    assert 'href="/antrean/"' in html  # the phone queue
    own = html[html.index('id="home-own"'):html.index('id="home-queue"')]
    # the subordinates' items are in the queue block only, never in the superior's own work
    for text in ("Laporan bulanan gizi", "Verifikasi berkas cuti", "Rekap data imunisasi", "Entri data posyandu"):
        assert text not in own
    queue = _text(html, "home-queue")
    assert "Sosialisasi germas" in queue and "(terlambat)" in queue
    assert "/approvalqueueview/decide/" in html


def test_operator_sees_overdue_of_own_opd_only(scene, login_as):
    html = _html(login_as("operator"))
    assert html.index('id="home-own"') < html.index('id="home-admin"')
    admin = _text(html, "home-admin")
    assert "Tugas operator — Dinas Kesehatan" in admin
    # Dinas Kesehatan: 1 overdue (kabid_a); the 2 of Dinas Pendidikan are not counted
    overdue = _text(html, "home-overdue")
    assert "1 aktivitas melewati batas keputusan pada 1 atasan di OPD Anda" in overdue
    assert "Kabid A: 1 aktivitas, sejak 17 Nov 2026" in overdue
    assert "Kadis B" not in overdue
    assert "November 2026: Terbuka" in admin and "Oktober 2026: belum dibuka" in admin
    assert "Kehadiran OPD Anda bulan ini sudah diimpor" in admin
    assert 'href="/overdue/"' in html and 'href="/attendance-import/"' in html


def test_other_operator_sees_attendance_missing(scene, login_as):
    from tests.conftest import NIPS

    admin = _text(_html(login_as(NIPS["op_b"][0])), "home-admin")
    assert "Dinas Pendidikan dan Kebudayaan" in admin
    assert "2 aktivitas melewati batas keputusan pada 1 atasan" in admin and "Kabid A" not in admin
    assert "Kehadiran OPD Anda bulan ini belum diimpor" in admin


def test_bkd_sees_city_tasks_and_period_state(scene, login_as):
    db.session.add(Period(year=2026, month=10, state="CLOSED"))
    db.session.commit()
    html = _html(login_as("bkd"))
    assert 'id="home-own"' not in html  # the BKD login is no employee
    admin = _text(html, "home-admin")
    assert "Tugas BKD" in admin
    assert "3 aktivitas melewati batas keputusan pada 2 atasan" in admin
    assert "November 2026: Terbuka" in admin and "Oktober 2026: Ditutup" in admin
    assert "Kehadiran sudah diimpor untuk 1 dari 3 OPD" in admin
    assert re.search(r'id="home-queue-waiting">0<', html)
    assert 'href="/periodview/list/"' in html


def test_keuangan_sees_no_task_blocks(scene, login_as):
    html = _html(login_as("keuangan"))
    for block in ("home-own", "home-queue", "home-admin"):
        assert f'id="{block}"' not in html


@pytest.mark.parametrize("role", ["pegawai", "atasan", "operator", "bkd"])
def test_home_page_stays_cheap(role, scene, login_as):
    c = login_as(role)
    c.get("/")  # warm caches (permissions, parameters)
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert c.get("/").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) <= 35, (role, len(statements))


def test_bkd_home_with_many_overdue_names_longest_waiting_superiors(scene, login_as, monkeypatch):
    """Above OVERDUE_GROUPING_LIMIT overdue items the BKD home does not group the whole city's
    overdue rows by superior (issue 11): the exact item count, then the superiors of the
    longest-waiting items with their exact counts; attendance counted per OPD with its first row
    (another OPD's attendance of last month or of an inactive employee does not count)."""
    from app.services import home

    monkeypatch.setattr(home, "OVERDUE_GROUPING_LIMIT", 1)
    staff_b = scene.employee("staff_b")
    db.session.add(Attendance(employee_id=staff_b.id, date=date(2026, 10, 30), status="HADIR"))
    db.session.commit()
    admin = _text(_html(login_as("bkd")), "home-admin")
    assert "3 aktivitas melewati batas keputusan. Atasan dengan keputusan yang paling lama tertunda:" in admin
    assert "pada 2 atasan" not in admin
    assert admin.index("Kadis B: 2 aktivitas, sejak 10 Nov 2026") < admin.index("Kabid A: 1 aktivitas, sejak 17 Nov 2026")
    assert "Kehadiran sudah diimpor untuk 1 dari 3 OPD" in admin
    # an operator of Dinas Kesehatan: its one overdue item, under the same bound
    op = _text(_html(login_as("operator")), "home-admin")
    assert "1 aktivitas melewati batas keputusan pada 1 atasan di OPD Anda" in op
