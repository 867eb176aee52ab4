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
