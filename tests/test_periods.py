"""Monthly periods (app.services.periods): open, close after the month, reopen with a reason."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select


def _actor(user_id=None, username="x", employee_id=None, roles=(), opd_id=None):
    from app.services.activities import Actor

    return Actor(user_id=user_id, username=username, employee_id=employee_id, roles=set(roles), opd_id=opd_id)


def _bkd():
    from flask_appbuilder.security.sqla.models import User

    from app.extensions import db

    user = db.session.scalar(select(User).where(User.username == "bkd"))
    return _actor(user.id, "bkd", roles={"BKD"})


def _admin():
    from flask_appbuilder.security.sqla.models import User

    from app.extensions import db

    user = db.session.scalar(select(User).where(User.username == "admin"))
    return _actor(user.id, "admin", roles={"Admin"})


def _of(emp, *roles):
    return _actor(emp.user_id, emp.nip, emp.id, roles, emp.unit.opd_id)


def _november():
    from app.services.periods import get_period

    return get_period(2026, 11)


def _audits(action=None):
    from app.extensions import db
    from app.models import AuditLog

    q = select(AuditLog).where(AuditLog.entity == "Period").order_by(AuditLog.id)
    if action:
        q = q.where(AuditLog.action == action)
    return db.session.scalars(q).all()


@pytest.fixture
def december(app):
    app.config["FIXED_TODAY"] = date(2026, 12, 1)
    return app


def test_close_and_reopen_by_bkd(world, december):
    from app.extensions import db
    from app.services.periods import close_period, reopen_period

    bkd = _bkd()
    period = _november()
    close_period(period, bkd, note="Rekap November selesai")
    db.session.commit()
    period = _november()
    assert period.state == "CLOSED"
    assert period.closed_by_id == bkd.user_id
    assert period.closed_at is not None and period.closed_at.tzinfo is None
    (row,) = _audits("CLOSE")
    assert row.detail == "Rekap November selesai"
    assert row.entity_id == str(period.id)
    assert json.loads(row.before)["state"] == "OPEN" and json.loads(row.after)["state"] == "CLOSED"

    reopen_period(period, bkd, reason="  Koreksi data puskesmas  ")
    db.session.commit()
    period = _november()
    assert period.state == "OPEN" and period.closed_by_id is None and period.closed_at is None
    (row,) = _audits("REOPEN")
    assert row.detail == "Koreksi data puskesmas"
    assert json.loads(row.after)["state"] == "OPEN"
    assert json.loads(row.after)["closed_by_id"] is None


def test_admin_may_close(world, december):
    from app.extensions import db
    from app.services.periods import close_period

    close_period(_november(), _admin())
    db.session.commit()
    assert _november().state == "CLOSED"
    assert _audits("CLOSE")[0].detail is None


@pytest.mark.parametrize("who,roles", [
    ("op_a", ("Pegawai", "Operator OPD")),
    ("staff_a", ("Pegawai",)),
    ("kabid_a", ("Pegawai", "Atasan")),
])
def test_close_refused_for_others(world, december, who, roles):
    from app.services import Forbidden
    from app.services.periods import close_period

    actor = _of(world.employee(who), *roles)
    with pytest.raises(Forbidden) as err:
        close_period(_november(), actor)
    assert "BKD" in err.value.message
    assert _november().state == "OPEN"
    assert _audits("CLOSE") == []


def test_reopen_refused_for_others(world, december):
    from app.extensions import db
    from app.services import Forbidden
    from app.services.periods import close_period, reopen_period

    close_period(_november(), _bkd())
    db.session.commit()
    for who, roles in (("op_a", ("Pegawai", "Operator OPD")), ("staff_a", ("Pegawai",))):
        with pytest.raises(Forbidden):
            reopen_period(_november(), _of(world.employee(who), *roles), reason="tolong dibuka")
    with pytest.raises(Forbidden):
        reopen_period(_november(), _actor(None, "auditor", roles={"Auditor", "Keuangan"}), reason="x")
    assert _november().state == "CLOSED"
    assert _audits("REOPEN") == []


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_reopen_requires_reason(world, december, reason):
    from app.extensions import db
    from app.services import ValidationFailed
    from app.services.periods import close_period, reopen_period

    close_period(_november(), _bkd())
    db.session.commit()
    with pytest.raises(ValidationFailed) as err:
        reopen_period(_november(), _bkd(), reason)
    assert list(err.value.errors) == ["reason"]
    assert "wajib" in err.value.errors["reason"][0]
    assert _november().state == "CLOSED"


def test_close_refused_before_month_ends(world, app):
    from app.services import ValidationFailed
    from app.services.periods import close_period

    app.config["FIXED_TODAY"] = date(2026, 11, 30)
    with pytest.raises(ValidationFailed) as err:
        close_period(_november(), _bkd())
    assert err.value.errors == {"state": ["Periode belum berakhir; tutup setelah akhir bulan."]}
    assert _november().state == "OPEN"


def test_close_twice_and_reopen_open_refused(world, december):
    from app.extensions import db
    from app.services import ValidationFailed
    from app.services.periods import close_period, reopen_period

    with pytest.raises(ValidationFailed, match="tidak sedang ditutup"):
        reopen_period(_november(), _bkd(), "alasan")
    close_period(_november(), _bkd())
    db.session.commit()
    with pytest.raises(ValidationFailed, match="sudah ditutup"):
        close_period(_november(), _bkd())
    assert len(_audits("CLOSE")) == 1


def test_december_closes_in_january(world, app):
    from app.extensions import db
    from app.services import ValidationFailed
    from app.services.periods import close_period, open_period

    app.config["FIXED_TODAY"] = date(2026, 12, 31)
    period = open_period(2026, 12, _bkd())
    db.session.commit()
    with pytest.raises(ValidationFailed):
        close_period(period, _bkd())
    app.config["FIXED_TODAY"] = date(2027, 1, 1)
    close_period(period, _bkd())
    db.session.commit()
    assert period.state == "CLOSED"


def test_open_period_creates_once(world, app):
    from app.extensions import db
    from app.models import Period
    from app.services import Forbidden, ValidationFailed
    from app.services.periods import open_period

    app.config["FIXED_TODAY"] = date(2026, 11, 18)
    bkd = _bkd()
    period = open_period(2026, 12, bkd)
    db.session.commit()
    assert (period.year, period.month, period.state) == (2026, 12, "OPEN")
    again = open_period(2026, 12, bkd)
    assert again.id == period.id
    assert open_period(2026, 11, bkd).id == _november().id
    db.session.commit()
    assert db.session.query(Period).filter_by(year=2026, month=12).count() == 1
    (row,) = _audits("OPEN")
    assert row.entity_id == str(period.id) and json.loads(row.after)["state"] == "OPEN"

    with pytest.raises(Forbidden):
        open_period(2027, 1, _of(world.employee("op_a"), "Pegawai", "Operator OPD"))
    with pytest.raises(ValidationFailed) as err:
        open_period(2026, 13, bkd)
    assert "month" in err.value.errors
    assert db.session.query(Period).filter_by(year=2027).count() == 0


# --------------------------------------------------------------------------- issue 9 item 6
def _close_world(world):
    """Dinas Kesehatan: staff_a with approved minutes, an evaluation and attendance; op_a with
    an activity awaiting a decision. Dinas Pendidikan: nothing at all."""
    from datetime import datetime, time

    from app.extensions import db
    from app.models import Activity, Attendance, Evaluation, OrgPredikat

    period = _november()
    staff_a, op_a, kabid = world.employee("staff_a"), world.employee("op_a"), world.employee("kabid_a")
    db.session.add(Activity(employee=staff_a, date=date(2026, 11, 2), description="Menyusun laporan", volume=1,
                            start_time=time(8), end_time=time(12), claimed_minutes=240, recognised_minutes=240,
                            status="APPROVED", superior=kabid, submitted_at=datetime(2026, 11, 2, 9),
                            decided_at=datetime(2026, 11, 3)))
    db.session.add(Activity(employee=op_a, date=date(2026, 11, 3), description="Rapat", volume=1,
                            start_time=time(8), end_time=time(10), claimed_minutes=120, status="SUBMITTED",
                            superior=kabid, submitted_at=datetime(2026, 11, 3, 9)))
    db.session.add(Attendance(employee=staff_a, date=date(2026, 11, 2), status="HADIR", minutes_late=0,
                              minutes_early=0))
    db.session.add(Evaluation(employee_id=staff_a.id, period_id=period.id, rating_hasil_kerja="DI_ATAS",
                              rating_perilaku="DI_ATAS", predikat="SANGAT_BAIK"))
    db.session.add(OrgPredikat(unit_id=world.unit("Dinas Kesehatan").id, period_id=period.id, predikat="BAIK"))
    db.session.commit()
    return period


def test_close_summary_per_opd_in_grouped_queries(world, december):
    from sqlalchemy import event

    from app.extensions import db
    from app.services.periods import close_summary

    period = _close_world(world)
    statements = []
    listener = lambda *a: statements.append(a[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        summary = close_summary(period)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) <= 10  # fixed, whatever the number of employees
    rows = {r.name: r for r in summary.rows}
    dinkes, disdik = rows["Dinas Kesehatan"], rows["Dinas Pendidikan dan Kebudayaan"]
    # Dinas Kesehatan: kadis_a, kabid_a, staff_a, op_a and staff_a1 (Puskesmas, a sub-unit)
    assert (dinkes.employees, dinkes.without_minutes, dinkes.waiting, dinkes.without_evaluation,
            dinkes.with_attendance) == (5, 4, 1, 4, 1)
    # organisation predikat BAIK needs at least one Butuh Perbaikan or Kurang: one violation
    assert dinkes.org_predikat == "BAIK" and [v.rule for v in dinkes.violations] == ["BAIK_MIN_BP_K"]
    assert "1 pelanggaran distribusi predikat" in dinkes.warnings
    assert "1 aktivitas masih menunggu keputusan atasan" in dinkes.warnings
    assert "kehadiran 4 pegawai belum diimpor" in dinkes.warnings
    assert (disdik.employees, disdik.without_minutes, disdik.waiting, disdik.with_attendance) == (3, 3, 0, 0)
    assert "kehadiran belum diimpor" in disdik.warnings and "predikat organisasi belum ditetapkan" in disdik.warnings
    assert summary.totals["employees"] == 9 and summary.totals["waiting"] == 1


def test_close_goes_through_the_confirmation_page(world, december, login_as):
    """The list action leads to the summary; with something missing the close needs an explicit
    acknowledgement, then the existing service closes the month."""
    from app.extensions import db

    period = _close_world(world)
    bkd = login_as("bkd")
    resp = bkd.post("/periodview/action_post", data={"action": "close_period", "rowid": [str(period.id)]})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/periodview/close/{period.id}")
    db.session.expire_all()
    assert _november().state == "OPEN"  # the action itself closes nothing
    html = bkd.get(f"/periodview/close/{period.id}").get_data(as_text=True)
    assert "Tutup Periode November 2026" in html and 'id="close-warning"' in html
    assert "Perhatian: data 3 OPD belum lengkap." in html  # Sekretariat Daerah too
    assert "1 aktivitas masih menunggu keputusan atasan" in html and "kehadiran belum diimpor" in html
    assert "Dinas Pendidikan dan Kebudayaan" in html
    resp = bkd.post(f"/periodview/close/{period.id}", data={"note": "Tutup November"})
    assert resp.status_code == 200 and "Centang pernyataan" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert _november().state == "OPEN" and _audits("CLOSE") == []
    resp = bkd.post(f"/periodview/close/{period.id}", data={"note": "Tutup November", "acknowledge": "y"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert _november().state == "CLOSED"
    assert _audits("CLOSE")[0].detail == "Tutup November"


def test_close_page_is_bkd_only_and_month_must_have_ended(world, app, login_as):
    app.config["FIXED_TODAY"] = date(2026, 11, 20)
    period = _november()
    assert login_as("operator").get(f"/periodview/close/{period.id}").status_code == 403
    assert login_as("operator").post(f"/periodview/close/{period.id}", data={"acknowledge": "y"}).status_code == 403
    resp = login_as("bkd").post(f"/periodview/close/{period.id}", data={"acknowledge": "y"})
    assert resp.status_code == 200 and "Periode belum berakhir" in resp.get_data(as_text=True)
    assert _november().state == "OPEN"
