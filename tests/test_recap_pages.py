"""The score page, the rincian page and BKD's recompute button, with scope."""
from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Activity, Attendance, Recap, TppRate
from app.services.recap import recompute_period
from tests.conftest import NIPS


@pytest.fixture
def recap(world, app):
    app.config["FIXED_TODAY"] = date(2026, 11, 18)
    staff = world.employee("staff_a")
    for day, minutes in ((date(2026, 11, 2), 300), (date(2026, 11, 3), 240)):
        db.session.add(Activity(employee=staff, date=day, description="Mengolah data", volume=1,
                                start_time=time(8), end_time=time(8 + minutes // 60), claimed_minutes=minutes,
                                recognised_minutes=minutes, status="APPROVED",
                                submitted_at=datetime(2026, 11, 3), decided_at=datetime(2026, 11, 4)))
    db.session.add(Attendance(employee=staff, date=date(2026, 11, 2), status="HADIR", minutes_late=45,
                              minutes_early=0))
    db.session.add(TppRate(year=2026, kelas_jabatan=6, amount=3_000_000))
    db.session.commit()
    recompute_period(2026, 11)
    db.session.commit()
    return db.session.scalar(select(Recap).where(Recap.employee_id == staff.id))


def test_score_page_scope(recap, world, login_as):
    body = login_as("operator").get("/recapview/list/").get_data(as_text=True)
    assert NIPS["staff_a"][0] in body and NIPS["staff_b"][0] not in body
    body = login_as("bkd").get("/recapview/list/?psize_RecapView=100").get_data(as_text=True)
    assert NIPS["staff_b"][0] in body
    own = login_as("pegawai").get("/recapview/list/").get_data(as_text=True)
    assert NIPS["staff_a"][0] in own and NIPS["op_a"][0] not in own


def test_score_list_rows_become_labelled_cards_on_a_phone(recap, login_as):
    """The light list (no script per row) in the card layout below 768 px: list_cards.js labels
    the cells, list_cards.css stacks them (the journey checks 390 px in a browser)."""
    client = login_as("bkd")
    body = client.get("/recapview/list/").get_data(as_text=True)
    assert 'class="table-responsive ek-cards"' in body and "css/list_cards" in body
    assert '<script src="/static/js/list_cards.js' in body and "js/list_rows.js" in body
    assert f'<td>{NIPS["staff_a"][0]}</td>' in body
    for path, needle in (("/static/css/list_cards.css", b"attr(data-label)"),
                         ("/static/js/list_cards.js", b"data-label")):
        resp = client.get(path)
        assert resp.status_code == 200 and needle in resp.data


def test_rincian_explains_the_numbers(recap, world, login_as):
    body = login_as("pegawai").get(f"/recapview/rincian/{recap.id}").get_data(as_text=True)
    assert "Rincian Capaian Kinerja" in body
    assert "540" in body  # 300 + 240 recognised minutes
    assert "Terlambat" in body or "terlambat" in body  # the 45-minute late day
    assert "berbeda" not in body  # stored recap agrees with the recomputation
    other = db.session.scalar(select(Recap).where(Recap.employee_id == world.employee("staff_b").id))
    assert login_as("pegawai").get(f"/recapview/rincian/{other.id}").status_code == 404
    assert login_as("keuangan").get(f"/recapview/rincian/{other.id}").status_code == 200


def test_recompute_button_is_bkd_only(recap, world, login_as):
    from app.models import Period

    period = db.session.scalar(select(Period).where(Period.month == 11))
    assert login_as("operator").post("/recapview/recompute/", data={"period": str(period.id)}).status_code == 403
    resp = login_as("bkd").post("/recapview/recompute/", data={"period": str(period.id)})
    assert resp.status_code == 302
    assert "Hitung Ulang Rekap" in login_as("bkd").get("/").get_data(as_text=True)
    assert "Hitung Ulang Rekap" not in login_as("operator").get("/").get_data(as_text=True)


def _approve(employee, day, minutes):
    db.session.add(Activity(employee=employee, date=day, description="Rapat koordinasi", volume=1,
                            start_time=time(8), end_time=time(8 + minutes // 60), claimed_minutes=minutes,
                            recognised_minutes=minutes, status="APPROVED",
                            submitted_at=datetime(2026, 11, 5), decided_at=datetime(2026, 11, 6)))
    db.session.commit()


def test_saved_rincian_link_survives_a_recompute(recap, world, login_as):
    """Issue 9 item 4: a saved rincian URL still answers after the BKD recomputes the month,
    and shows the new numbers (the row is updated in place, its id kept)."""
    from app.models import Period

    saved = f"/recapview/rincian/{recap.id}"
    by_nip = f"/recapview/rincian/2026-11/{NIPS['staff_a'][0]}"
    pegawai = login_as("pegawai")
    assert "540" in pegawai.get(saved).get_data(as_text=True)
    _approve(world.employee("staff_a"), date(2026, 11, 4), 120)
    world.employee("sekda").active = False  # someone else leaves before the recompute
    db.session.commit()
    period = db.session.scalar(select(Period).where(Period.month == 11))
    assert login_as("bkd").post("/recapview/recompute/", data={"period": str(period.id)}).status_code == 302
    for url in (saved, by_nip):
        resp = pegawai.get(url)
        assert resp.status_code == 200, url
        body = resp.get_data(as_text=True)
        assert "660" in body  # 300 + 240 + 120 recognised minutes after the recompute
        assert "berbeda" not in body
    db.session.expire_all()
    assert db.session.scalar(select(Recap.id).where(Recap.employee_id == world.employee("staff_a").id)) == recap.id


def test_rincian_by_period_and_nip_keeps_scope(recap, world, login_as):
    other = f"/recapview/rincian/2026-11/{NIPS['staff_b'][0]}"
    assert login_as("pegawai").get(other).status_code == 404
    assert login_as("keuangan").get(other).status_code == 200
    assert login_as("bkd").get(f"/recapview/rincian/2026-13/{NIPS['staff_b'][0]}").status_code == 404
    assert login_as("bkd").get("/recapview/rincian/2026-11/123").status_code == 404
