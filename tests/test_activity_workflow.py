"""Activity workflow at service level (app.services.activities, design section 3).

Transitions, deadlines over weekends and holidays, the daily cap and overlaps, the period
state, who decides (superior, escalation, BKD at the top, never oneself), bulk approval in
scope, the freeze after closing a month, BKD corrections, yearly parameters and the audit
trail. Every test pins FIXED_TODAY; Wednesday 18 November 2026 unless said otherwise.
"""
from __future__ import annotations

import json
from datetime import date, time
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

WED = date(2026, 11, 18)
THU_12, FRI_13, SAT_14, MON_16, TUE_17, THU_19 = (date(2026, 11, d) for d in (12, 13, 14, 16, 17, 19))


# --------------------------------------------------------------------------- helpers
def _t(hhmm: str) -> time:
    h, m = hhmm.split(":")
    return time(int(h), int(m))


def actor_of(emp, *roles):
    from app.services.activities import Actor

    return Actor(user_id=emp.user_id, username=emp.nip, employee_id=emp.id,
                 roles=set(roles) or {"Pegawai"}, opd_id=emp.unit.opd_id)


def system_actor(username, role):
    from flask_appbuilder.security.sqla.models import User

    from app.extensions import db
    from app.services.activities import Actor

    user = db.session.scalar(select(User).where(User.username == username))
    return Actor(user_id=user.id, username=username, employee_id=None, roles={role}, opd_id=None)


def today(app, d: date) -> None:
    app.config["FIXED_TODAY"] = d


def values_of(emp, day, *, start=None, end=None, catalog=None, volume=1, description="Menyusun bahan rapat",
              evidence_link=None):
    return dict(employee=emp, date=day, catalog=catalog, description=description, volume=Decimal(str(volume)),
                start_time=_t(start) if isinstance(start, str) else start,
                end_time=_t(end) if isinstance(end, str) else end, evidence_link=evidence_link)


def entry_errors(actor, emp, day, current_id=None, **kw):
    from app.services import activities as svc

    errors, _ = svc.check_entry(values_of(emp, day, **kw), current_id, actor)
    return errors


def create(actor, emp, day, **kw):
    """Create a DRAFT the way the pages do: check_entry, apply_entry, add, commit."""
    from app.extensions import db
    from app.models import Activity
    from app.services import ValidationFailed
    from app.services import activities as svc

    values = values_of(emp, day, **kw)
    errors, claimed = svc.check_entry(values, None, actor)
    if errors:
        raise ValidationFailed(errors)
    item = Activity(**{k: v for k, v in values.items()})
    if item.catalog is not None and kw.get("description") is None:
        item.description = ""
    svc.apply_entry(item, actor, claimed)
    db.session.add(item)
    db.session.commit()
    return item


def edit(item, actor, **changes):
    from app.extensions import db
    from app.services import ValidationFailed
    from app.services import activities as svc

    svc.check_editable(item, actor)
    changes = {k: _t(v) if k in ("start_time", "end_time") and isinstance(v, str) else v
               for k, v in changes.items()}
    # Like the pages: validate the submitted values first, then write them onto the row.
    values = {c: getattr(item, c) for c in ("employee", "date", "catalog", "description", "volume",
                                            "start_time", "end_time", "evidence_link")}
    values.update(changes)
    errors, claimed = svc.check_entry(values, item.id, actor)
    if errors:
        raise ValidationFailed(errors)
    for key, value in changes.items():
        setattr(item, key, value)
    svc.apply_entry(item, actor, claimed)
    db.session.commit()


def submit(item, actor):
    from app.extensions import db
    from app.services import activities as svc

    try:
        svc.submit(item, actor)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()


def decide(item, action, actor, note=None, **kw):
    from app.extensions import db
    from app.services import activities as svc

    try:
        svc.decide(item, action, actor, note, **kw)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()


def correct(item, actor, note, **kw):
    from app.extensions import db
    from app.services import activities as svc

    try:
        svc.correct(item, actor, note, **kw)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()


def reload(item):
    from app.extensions import db
    from app.models import Activity

    db.session.expire_all()
    return db.session.get(Activity, item.id)


def audits(item):
    from app.extensions import db
    from app.models import AuditLog

    return db.session.scalars(select(AuditLog).where(
        AuditLog.entity == "Activity", AuditLog.entity_id == str(item.id)).order_by(AuditLog.id)).all()


def catalog_u001():
    from app.extensions import db
    from app.models import ActivityCatalog

    return db.session.scalar(select(ActivityCatalog).where(ActivityCatalog.code == "U-001"))


def all_messages(errors) -> str:
    return " ".join(m for msgs in errors.values() for m in msgs)


@pytest.fixture
def w(app, world):
    """Employees and actors of the world, today = Wednesday 18 November 2026."""
    today(app, WED)
    emp = {k: world.employee(k) for k in ("staff_a", "op_a", "kabid_a", "kadis_a", "sekda", "staff_a1",
                                           "staff_b", "kadis_b", "op_b")}
    ns = SimpleNamespace(app=app, world=world, **emp)
    ns.staff = actor_of(emp["staff_a"], "Pegawai")
    ns.op = actor_of(emp["op_a"], "Pegawai", "Operator OPD")
    ns.kabid = actor_of(emp["kabid_a"], "Pegawai", "Atasan")
    ns.kadis = actor_of(emp["kadis_a"], "Pegawai", "Atasan")
    ns.sekda_actor = actor_of(emp["sekda"], "Pegawai", "Atasan")
    ns.staff1 = actor_of(emp["staff_a1"], "Pegawai")
    ns.staff_b_actor = actor_of(emp["staff_b"], "Pegawai")
    ns.kadis_b_actor = actor_of(emp["kadis_b"], "Pegawai", "Atasan")
    ns.bkd = system_actor("bkd", "BKD")
    ns.admin = system_actor("admin", "Admin")
    return ns


def submitted(w, emp_key="staff_a", day=WED, start="08:00", end="09:00", on=None, actor=None):
    """A SUBMITTED activity of `emp_key` (entered and submitted on `on`, default: `day`)."""
    emp = getattr(w, emp_key)
    actor = actor or actor_of(emp, "Pegawai")
    today(w.app, on or day)
    item = create(actor, emp, day, start=start, end=end)
    submit(item, actor)
    today(w.app, WED)
    return item


# =========================================================================== transitions
def test_create_is_draft_with_claimed_minutes_and_audit(w):
    item = create(w.staff, w.staff_a, WED, start="08:00", end="09:30")
    item = reload(item)
    assert item.status == "DRAFT" and item.claimed_minutes == 90 and item.recognised_minutes is None
    assert item.entered_by_id == w.staff_a.user_id
    assert item.superior_id is None and item.submitted_at is None
    (row,) = audits(item)
    assert row.action == "CREATE" and row.before is None
    after = json.loads(row.after)
    assert after["status"] == "DRAFT" and after["claimed_minutes"] == 90 and after["start_time"] == "08:00:00"


def test_catalog_norm_times_volume_and_description(w):
    item = create(w.op, w.staff_a, WED, catalog=catalog_u001(), volume="1.5", description=None)
    item = reload(item)
    assert item.claimed_minutes == 180  # 120 × 1.5
    assert item.description == "Menyusun laporan kinerja bulanan"
    assert item.entered_by_id == w.op_a.user_id  # the operator entered it for staff_a


def test_draft_to_submitted(w):
    item = create(w.staff, w.staff_a, WED, start="08:00", end="09:00")
    submit(item, w.staff)
    item = reload(item)
    assert item.status == "SUBMITTED"
    assert item.superior_id == w.kabid_a.id and item.escalation_id == w.kadis_a.id
    assert item.review_due == date(2026, 11, 23)  # Thu, Fri, Mon
    assert item.submitted_at is not None and item.submitted_at.tzinfo is None
    row = audits(item)[-1]
    assert row.action == "SUBMIT"
    before, after = json.loads(row.before), json.loads(row.after)
    assert before["status"] == "DRAFT" and after["status"] == "SUBMITTED"
    assert after["superior_id"] == w.kabid_a.id and after["review_due"] == "2026-11-23"


def test_operator_submits_for_employee_of_own_opd_only(w):
    from app.services import Forbidden
    from app.services import activities as svc

    item = create(w.op, w.staff_a, WED, start="08:00", end="09:00")
    submit(item, w.op)
    assert reload(item).status == "SUBMITTED"
    other = create(w.staff_b_actor, w.staff_b, WED, start="08:00", end="09:00")
    with pytest.raises(Forbidden):
        svc.submit(other, w.op)
    assert entry_errors(w.op, w.staff_b, WED, start="10:00", end="11:00") == {
        "employee": ["Anda hanya dapat mencatat aktivitas sendiri atau pegawai OPD Anda."]}
    # A plain employee may not enter for a colleague.
    assert "employee" in entry_errors(w.staff, w.op_a, WED, start="10:00", end="11:00")


def test_submitted_to_approved(w):
    item = submitted(w)
    decide(item, "APPROVE", w.kabid)
    item = reload(item)
    assert item.status == "APPROVED" and item.recognised_minutes == 60
    assert item.decided_by_id == w.kabid_a.user_id and item.decided_at is not None
    assert item.decision_note is None
    row = audits(item)[-1]
    assert row.action == "APPROVE"
    assert json.loads(row.before)["status"] == "SUBMITTED"
    assert json.loads(row.after)["status"] == "APPROVED" and json.loads(row.after)["recognised_minutes"] == 60


def test_returned_then_resubmitted(w):
    item = submitted(w)
    decide(item, "RETURN", w.kabid, note="Lengkapi bukti kegiatan")
    item = reload(item)
    assert item.status == "RETURNED" and item.decision_note == "Lengkapi bukti kegiatan"
    assert item.recognised_minutes is None
    assert audits(item)[-1].action == "RETURN"
    # The owner corrects it (RETURNED is editable) and submits again.
    edit(item, w.staff, end_time="09:30", evidence_link="https://drive.malangkota.go.id/bukti/1")
    item = reload(item)
    assert item.status == "RETURNED" and item.claimed_minutes == 90
    assert audits(item)[-1].action == "EDIT"
    submit(item, w.staff)
    item = reload(item)
    assert item.status == "SUBMITTED" and item.decided_by_id is None and item.decided_at is None
    assert [a.action for a in audits(item)] == ["CREATE", "SUBMIT", "RETURN", "EDIT", "SUBMIT"]
    decide(item, "APPROVE", w.kabid)
    assert reload(item).status == "APPROVED"


def test_submitted_to_rejected_is_final(w):
    from app.services import Conflict, ValidationFailed
    from app.services import activities as svc

    item = submitted(w)
    decide(item, "REJECT", w.kabid, note="Bukan tugas jabatan")
    item = reload(item)
    assert item.status == "REJECTED" and item.decision_note == "Bukan tugas jabatan"
    assert audits(item)[-1].action == "REJECT"
    with pytest.raises(ValidationFailed):
        svc.submit(item, w.staff)
    with pytest.raises(Conflict):
        svc.decide(item, "APPROVE", w.kabid)
    with pytest.raises(ValidationFailed):
        svc.check_editable(item, w.staff)


@pytest.mark.parametrize("action", ["RETURN", "REJECT"])
@pytest.mark.parametrize("note", [None, "", "   "])
def test_return_and_reject_need_a_note(w, action, note):
    from app.services import ValidationFailed

    item = submitted(w)
    with pytest.raises(ValidationFailed) as err:
        decide(item, action, w.kabid, note=note)
    assert "wajib diisi" in err.value.message
    item = reload(item)
    assert item.status == "SUBMITTED" and item.decided_by_id is None
    assert audits(item)[-1].action == "SUBMIT"


def test_unknown_action_refused(w):
    from app.services import ValidationFailed
    from app.services import activities as svc

    item = submitted(w)
    with pytest.raises(ValidationFailed):
        svc.decide(item, "CORRECT", w.kabid, note="x")


def test_approving_a_draft_is_refused(w):
    from app.services import ServiceError

    item = create(w.staff, w.staff_a, WED, start="08:00", end="09:00")
    for actor in (w.kabid, w.bkd):
        with pytest.raises(ServiceError) as err:
            decide(item, "APPROVE", actor)
        assert "Draf" in err.value.message, err.value.message
    item = reload(item)
    assert item.status == "DRAFT" and item.decided_by_id is None and item.recognised_minutes is None
    assert [a.action for a in audits(item)] == ["CREATE"]


@pytest.mark.parametrize("status", ["SUBMITTED", "APPROVED", "REJECTED"])
def test_submitting_again_is_refused(w, status):
    from app.services import ValidationFailed
    from app.services import activities as svc

    item = submitted(w)
    if status != "SUBMITTED":
        decide(item, "APPROVE" if status == "APPROVED" else "REJECT", w.kabid, note="alasan")
    with pytest.raises(ValidationFailed) as err:
        svc.submit(item, w.staff)
    assert "tidak dapat diajukan" in err.value.errors["status"][0]
    assert reload(item).status == status


@pytest.mark.parametrize("status", ["SUBMITTED", "APPROVED", "REJECTED"])
def test_locked_statuses_are_not_editable(w, status):
    from app.domain.workflow import MSG_EDIT_LOCKED
    from app.services import ValidationFailed
    from app.services import activities as svc

    item = submitted(w)
    if status != "SUBMITTED":
        decide(item, "APPROVE" if status == "APPROVED" else "REJECT", w.kabid, note="alasan")
    for actor in (w.staff, w.op):
        with pytest.raises(ValidationFailed) as err:
            svc.check_editable(item, actor)
        assert err.value.errors == {"status": [MSG_EDIT_LOCKED]}
        with pytest.raises(ValidationFailed):
            svc.delete(item, actor)
    assert reload(item).status == status


def test_drafts_editable_by_owner_and_operator_only(w):
    from app.extensions import db
    from app.services import Forbidden
    from app.services import activities as svc

    item = create(w.staff, w.staff_a, WED, start="08:00", end="09:00")
    svc.check_editable(item, w.staff)
    svc.check_editable(item, w.op)
    for outsider in (w.staff_b_actor, w.kabid, actor_of(w.op_b, "Pegawai", "Operator OPD"), w.bkd):
        with pytest.raises(Forbidden):
            svc.check_editable(item, outsider)
    svc.delete(item, w.op)
    db.session.commit()
    assert reload(item) is None


def test_decision_on_stale_version_is_a_conflict(w):
    from app.services import Conflict
    from app.services import activities as svc

    item = submitted(w)
    with pytest.raises(Conflict):
        svc.decide(item, "APPROVE", w.kabid, version=item.version - 1)
    decide(item, "APPROVE", w.kabid, version=item.version)
    assert reload(item).status == "APPROVED"


# =========================================================================== deadlines
def _late_msg(errors):
    return any("Batas waktu pengajuan" in m for m in errors.get("date", []))


def test_deadline_counts_working_days_over_the_weekend(w):
    from app.services import ValidationFailed

    today(w.app, FRI_13)
    first = create(w.staff, w.staff_a, FRI_13, start="08:00", end="09:00")
    second = create(w.staff, w.staff_a, FRI_13, start="09:00", end="10:00")
    today(w.app, TUE_17)  # Monday, Tuesday: the second working day
    submit(first, w.staff)
    assert reload(first).status == "SUBMITTED"
    today(w.app, WED)
    with pytest.raises(ValidationFailed) as err:
        submit(second, w.staff)
    assert _late_msg(err.value.errors)
    assert "17 November 2026" in err.value.message
    assert reload(second).status == "DRAFT"
    # A new entry for that Friday is refused as well.
    assert _late_msg(entry_errors(w.staff, w.staff_a, FRI_13, start="13:00", end="14:00"))


def test_deadline_skips_holidays(w):
    from app.extensions import db
    from app.models import Holiday
    from app.services import ValidationFailed

    db.session.add(Holiday(date=MON_16, name="Libur daerah (uji)", kind="LIBUR_DAERAH"))
    db.session.commit()
    today(w.app, FRI_13)
    first = create(w.staff, w.staff_a, FRI_13, start="08:00", end="09:00")
    second = create(w.staff, w.staff_a, FRI_13, start="09:00", end="10:00")
    today(w.app, WED)  # Tuesday and Wednesday are the two working days
    submit(first, w.staff)
    assert reload(first).status == "SUBMITTED"
    today(w.app, THU_19)
    with pytest.raises(ValidationFailed) as err:
        submit(second, w.staff)
    assert _late_msg(err.value.errors) and "18 November 2026" in err.value.message


def test_six_day_unit_counts_saturday(w):
    from app.services import ValidationFailed

    assert w.staff_a1.unit.workdays_per_week == 6
    today(w.app, FRI_13)
    pkm = create(w.staff1, w.staff_a1, FRI_13, start="08:00", end="09:00")
    dinkes = create(w.staff, w.staff_a, FRI_13, start="08:00", end="09:00")
    # 6-day week: Saturday 14 and Monday 16 -> Tuesday is too late; 5-day week: Monday, Tuesday.
    today(w.app, TUE_17)
    with pytest.raises(ValidationFailed) as err:
        submit(pkm, w.staff1)
    assert "16 November 2026" in err.value.message
    submit(dinkes, w.staff)
    assert reload(dinkes).status == "SUBMITTED" and reload(pkm).status == "DRAFT"
    # The Saturday itself is a working day of the puskesmas: an entry on it is normal.
    today(w.app, MON_16)
    sat = create(w.staff1, w.staff_a1, SAT_14, start="07:30", end="10:00")
    submit(sat, w.staff1)
    sat = reload(sat)
    assert sat.superior_id == w.kadis_a.id  # the Kepala Puskesmas post is vacant
    assert sat.escalation_id == w.sekda.id
    assert sat.review_due == date(2026, 11, 19)  # Tue, Wed, Thu (6-day week)


def test_bkd_exception_reopens_a_late_submission(w):
    from app.extensions import db
    from app.models import SubmitException
    from app.services import ValidationFailed

    today(w.app, FRI_13)
    item = create(w.staff, w.staff_a, FRI_13, start="08:00", end="09:00")
    op_item = create(w.op, w.op_a, FRI_13, start="08:00", end="09:00")
    today(w.app, WED)
    with pytest.raises(ValidationFailed):
        submit(item, w.staff)
    # An exception that has expired does not help.
    db.session.add(SubmitException(employee_id=w.staff_a.id, date_from=FRI_13, date_to=FRI_13,
                                   open_until=TUE_17, reason="Gangguan jaringan"))
    db.session.commit()
    with pytest.raises(ValidationFailed):
        submit(item, w.staff)
    db.session.add(SubmitException(employee_id=w.staff_a.id, date_from=date(2026, 11, 12), date_to=FRI_13,
                                   open_until=date(2026, 11, 20), reason="Gangguan jaringan"))
    db.session.commit()
    submit(item, w.staff)
    assert reload(item).status == "SUBMITTED"
    assert audits(item)[-1].action == "SUBMIT"
    # Only for that employee: op_a still late, until BKD opens the whole OPD.
    with pytest.raises(ValidationFailed):
        submit(op_item, w.op)
    db.session.add(SubmitException(unit_id=w.op_a.unit.opd_id, date_from=FRI_13, date_to=FRI_13,
                                   open_until=WED, reason="Pemadaman listrik"))
    db.session.commit()
    submit(op_item, w.op)
    assert reload(op_item).status == "SUBMITTED"
    # Another OPD is not covered.
    today(w.app, FRI_13)
    b_item = create(w.staff_b_actor, w.staff_b, FRI_13, start="08:00", end="09:00")
    today(w.app, WED)
    with pytest.raises(ValidationFailed):
        submit(b_item, w.staff_b_actor)


# =========================================================================== minutes, times
def test_daily_cap_with_several_activities(w):
    from app.services import ValidationFailed

    first = create(w.staff, w.staff_a, WED, start="07:30", end="11:30")  # 240
    create(w.staff, w.staff_a, WED, start="12:30", end="15:00")  # 150 -> 390
    create(w.op, w.staff_a, WED, start="15:00", end="16:00")  # 60 -> 450, exactly the cap
    errors = entry_errors(w.staff, w.staff_a, WED, start="16:00", end="16:15")
    assert list(errors) == ["claimed_minutes"]
    assert "465 menit" in errors["claimed_minutes"][0] and "450" in errors["claimed_minutes"][0]
    assert "sisa yang dapat diklaim 0 menit" in errors["claimed_minutes"][0]
    # Catalog items count too (norm × volume), on another day.
    create(w.staff, w.staff_a, TUE_17, start="08:00", end="10:00")  # 120
    errors = entry_errors(w.staff, w.staff_a, TUE_17, catalog=catalog_u001(), volume=3)  # 360
    assert "480 menit" in errors["claimed_minutes"][0]
    assert entry_errors(w.staff, w.staff_a, TUE_17, catalog=catalog_u001(), volume="2.75") == {}  # 330
    # Editing an activity does not count it twice.
    edit(first, w.staff, end_time="11:15")
    assert reload(first).claimed_minutes == 225
    with pytest.raises(ValidationFailed):
        edit(first, w.staff, end_time="11:45")
    # Rejected activities do not count: rejecting the 240 frees the day.
    submit(reload(first), w.staff)
    decide(reload(first), "REJECT", w.kabid, note="Tidak sesuai")
    assert entry_errors(w.staff, w.staff_a, WED, start="08:00", end="11:00") == {}
    # The cap is per employee: a colleague is not affected.
    assert entry_errors(w.op, w.op_a, WED, start="07:30", end="15:00") == {}


def test_overlapping_ranges_refused_touching_allowed(w):
    create(w.staff, w.staff_a, WED, start="08:00", end="09:00")
    errors = entry_errors(w.staff, w.staff_a, WED, start="08:30", end="10:00")
    assert list(errors) == ["start_time"]
    assert "08.30–10.00" in errors["start_time"][0] and "08.00–09.00" in errors["start_time"][0]
    assert "start_time" in entry_errors(w.staff, w.staff_a, WED, start="07:00", end="12:00")
    assert entry_errors(w.staff, w.staff_a, WED, start="09:00", end="10:00") == {}
    assert entry_errors(w.staff, w.staff_a, WED, start="07:00", end="08:00") == {}
    create(w.staff, w.staff_a, WED, start="09:00", end="10:00")
    # Other employees and other days do not clash.
    assert entry_errors(w.op, w.op_a, WED, start="08:30", end="10:00") == {}
    assert entry_errors(w.staff, w.staff_a, TUE_17, start="08:30", end="10:00") == {}
    # End before start.
    assert "end_time" in entry_errors(w.staff, w.staff_a, WED, start="14:00", end="13:00")


def test_future_date_refused(w):
    errors = entry_errors(w.staff, w.staff_a, THU_19, start="08:00", end="09:00")
    assert errors == {"date": ["Tanggal aktivitas tidak boleh melebihi hari ini."]}
    assert entry_errors(w.staff, w.staff_a, WED, start="08:00", end="09:00") == {}


def test_date_in_closed_period_refused(w):
    from app.extensions import db
    from app.models import Period

    period = db.session.scalar(select(Period).where(Period.year == 2026, Period.month == 11))
    period.state = "CLOSED"
    db.session.commit()
    errors = entry_errors(w.staff, w.staff_a, WED, start="08:00", end="09:00")
    assert errors == {"date": ["Periode bulan aktivitas ini sudah ditutup."]}


def test_date_in_month_without_period_refused(w):
    today(w.app, date(2026, 11, 2))  # Friday 30 October is still within the deadline
    errors = entry_errors(w.staff, w.staff_a, date(2026, 10, 30), start="08:00", end="09:00")
    assert errors == {"date": ["Periode bulan ini belum dibuka oleh BKD."]}


def test_missing_fields(w):
    assert entry_errors(w.staff, None, WED) == {"employee": ["Wajib diisi."]}
    assert entry_errors(w.staff, w.staff_a, None) == {"date": ["Wajib diisi."]}
    errors = entry_errors(w.staff, w.staff_a, WED, description="  ", volume=0)
    assert {"description", "volume", "start_time"} <= set(errors)
    errors = entry_errors(w.staff, w.staff_a, WED, start="08:00", end="09:00", evidence_link="ftp://x")
    assert list(errors) == ["evidence_link"]


# =========================================================================== who decides
def test_only_the_superior_decides_until_review_due(w):
    from app.services import Forbidden
    from app.services import activities as svc

    item = submitted(w)  # submitted Wednesday 18 -> review due Monday 23
    assert item.review_due == date(2026, 11, 23)
    for outsider in (w.kadis_b_actor, w.sekda_actor, w.op, w.bkd, w.staff_b_actor):
        with pytest.raises(Forbidden):
            svc.decide(item, "APPROVE", outsider)
    today(w.app, date(2026, 11, 23))
    assert not svc.may_decide(item, w.kadis)
    with pytest.raises(Forbidden):
        svc.decide(item, "APPROVE", w.kadis)
    assert svc.may_decide(item, w.kabid)


def test_escalation_after_review_due(w):
    from app.extensions import db
    from app.models import Activity
    from app.services import activities as svc

    item = submitted(w)
    other = submitted(w, start="10:00", end="11:00")

    def queue(actor):
        return set(db.session.scalars(select(Activity.id).where(svc.queue_clause(actor))))

    assert queue(w.kadis) == set()
    assert queue(w.kabid) == {item.id, other.id}
    today(w.app, date(2026, 11, 24))
    assert svc.may_decide(item, w.kadis) and svc.may_decide(item, w.kabid)
    assert queue(w.kadis) == {item.id, other.id}
    assert not svc.may_decide(item, w.sekda_actor)  # only one level of escalation
    decide(item, "APPROVE", w.kadis)
    item = reload(item)
    assert item.status == "APPROVED" and item.decided_by_id == w.kadis_a.user_id
    # The superior still decides the other one after the due date.
    decide(other, "RETURN", w.kabid, note="Perbaiki uraian")
    assert reload(other).status == "RETURNED"
    assert queue(w.kadis) == set()


def test_nobody_decides_their_own_activity(w):
    from app.extensions import db
    from app.services import Forbidden
    from app.services import activities as svc

    own = submitted(w, "kabid_a", actor=w.kabid)
    own = reload(own)
    assert own.superior_id == w.kadis_a.id and own.escalation_id == w.sekda.id
    with pytest.raises(Forbidden) as err:
        svc.decide(own, "APPROVE", w.kabid)
    assert "sendiri" in err.value.message
    # Even if he were the escalation (or the superior) and the item overdue.
    own.escalation_id = w.kabid_a.id
    db.session.commit()
    today(w.app, date(2026, 12, 1))
    assert not svc.may_decide(own, w.kabid)
    own.superior_id = w.kabid_a.id
    db.session.commit()
    assert not svc.may_decide(own, w.kabid)
    with pytest.raises(Forbidden, match="sendiri"):
        svc.decide(own, "APPROVE", w.kabid)
    assert own.id not in set(db.session.scalars(
        select(own.__class__.id).where(svc.queue_clause(w.kabid))))
    db.session.rollback()
    assert reload(own).status == "SUBMITTED"


def test_superior_decides_kabid_activity(w):
    own = submitted(w, "kabid_a", actor=w.kabid)
    decide(own, "APPROVE", w.kadis)
    assert reload(own).status == "APPROVED"


def test_bkd_decides_the_sekda(w):
    from app.extensions import db
    from app.models import Activity
    from app.services import Forbidden
    from app.services import activities as svc

    item = submitted(w, "sekda", actor=w.sekda_actor)
    item = reload(item)
    assert item.superior_id is None and item.escalation_id is None
    for actor in (w.kadis, w.kabid, w.sekda_actor):
        with pytest.raises(Forbidden):
            svc.decide(item, "APPROVE", actor)
    assert item.id in set(db.session.scalars(select(Activity.id).where(svc.queue_clause(w.bkd))))
    decide(item, "APPROVE", w.bkd)
    item = reload(item)
    assert item.status == "APPROVED" and item.decided_by_id == w.bkd.user_id
    # Admin may as well; BKD is not a superior of anyone else.
    second = submitted(w, "sekda", start="10:00", end="11:00", actor=w.sekda_actor)
    decide(second, "RETURN", w.admin, note="Lengkapi")
    assert reload(second).status == "RETURNED"
    third = submitted(w)
    with pytest.raises(Forbidden):
        svc.decide(third, "APPROVE", w.bkd)


def _login(app, emp_or_username):
    import flask_login
    from flask import g
    from flask_appbuilder.security.sqla.models import User

    from app.extensions import db

    username = getattr(emp_or_username, "nip", emp_or_username)
    user = db.session.scalar(select(User).where(User.username == username))
    flask_login.login_user(user)
    g.user = user
    return user


def test_bulk_approve_in_and_out_of_scope(w):
    from app.extensions import db
    from app.models import AuditLog
    from app.services import activities as svc

    a1 = submitted(w, "staff_a", start="08:00", end="09:00")
    a2 = submitted(w, "op_a", start="08:00", end="09:00")
    own = submitted(w, "kabid_a", actor=w.kabid)
    out = submitted(w, "staff_b", start="08:00", end="09:00")
    draft = create(w.staff, w.staff_a, WED, start="13:00", end="14:00")
    ids = [a1.id, out.id, a2.id, own.id, draft.id, a1.id, 999999]

    with w.app.test_request_context():
        _login(w.app, w.kabid_a)
        actor = svc.current_actor()
        assert actor.employee_id == w.kabid_a.id and "Atasan" in actor.roles
        result = svc.bulk(ids, lambda item: svc.decide(item, "APPROVE", actor), actor)

    assert result.done == [a1.id, a2.id]
    assert set(result.refused) == {out.id, own.id, draft.id, 999999}
    assert "sendiri" in result.refused[own.id]
    db.session.expire_all()
    assert reload(a1).status == "APPROVED" and reload(a2).status == "APPROVED"
    assert reload(a1).decided_by_id == w.kabid_a.user_id
    for item in (out, own):
        item = reload(item)
        assert item.status == "SUBMITTED" and item.decided_by_id is None
    assert reload(draft).status == "DRAFT"
    # The out-of-scope ids are logged as refusals.
    refused = db.session.scalars(select(AuditLog).where(AuditLog.action.like("DITOLAK_%"))).all()
    assert {r.entity_id for r in refused} >= {str(out.id), "999999"}
    approvals = db.session.scalars(select(AuditLog).where(AuditLog.entity == "Activity",
                                                          AuditLog.action == "APPROVE")).all()
    assert sorted(int(r.entity_id) for r in approvals) == sorted([a1.id, a2.id])
    assert {r.username for r in approvals} == {w.kabid_a.nip}


def test_bulk_operator_cannot_approve(w):
    from app.services import activities as svc

    item = submitted(w)
    with w.app.test_request_context():
        _login(w.app, w.op_a)
        actor = svc.current_actor()
        assert "Operator OPD" in actor.roles
        result = svc.bulk([item.id], lambda i: svc.decide(i, "APPROVE", actor), actor)
    assert result.done == [] and item.id in result.refused
    assert reload(item).status == "SUBMITTED"


# =========================================================================== period closed
def test_everything_frozen_after_close(w):
    from app.extensions import db
    from app.services import Forbidden, ValidationFailed
    from app.services import activities as svc
    from app.services.periods import close_period, get_period, reopen_period

    draft = create(w.staff, w.staff_a, WED, start="07:30", end="08:00")
    pending = submitted(w, start="08:00", end="09:00")
    approved = submitted(w, start="09:00", end="10:00")
    decide(approved, "APPROVE", w.kabid)
    returned = submitted(w, start="10:00", end="11:00")
    decide(returned, "RETURN", w.kabid, note="Perbaiki")

    today(w.app, date(2026, 12, 1))
    close_period(get_period(2026, 11), w.bkd, note="Tutup buku November")
    db.session.commit()
    today(w.app, WED)  # even inside the month and the deadline: frozen

    with pytest.raises(ValidationFailed) as err:
        svc.submit(draft, w.staff)
    assert "Periode bulan aktivitas ini sudah ditutup." in err.value.errors["date"]
    with pytest.raises(ValidationFailed):
        svc.submit(returned, w.staff)
    with pytest.raises(ValidationFailed, match="ditutup"):
        svc.decide(pending, "APPROVE", w.kabid)
    with pytest.raises(ValidationFailed, match="ditutup"):
        svc.decide(pending, "RETURN", w.kabid, note="x")
    with pytest.raises(ValidationFailed, match="ditutup"):
        svc.correct(approved, w.bkd, note="Koreksi menit")
    for item in (draft, returned):
        with pytest.raises(ValidationFailed, match="ditutup"):
            svc.check_editable(item, w.staff)
        with pytest.raises(ValidationFailed):
            svc.delete(item, w.op)
    assert entry_errors(w.staff, w.staff_a, WED, start="13:00", end="14:00") == {
        "date": ["Periode bulan aktivitas ini sudah ditutup."]}
    # A closed month is not escalated either, and BKD cannot decide it.
    today(w.app, date(2026, 12, 1))
    with pytest.raises((ValidationFailed, Forbidden)):
        svc.decide(pending, "APPROVE", w.kadis)
    db.session.rollback()
    statuses = {i.id: reload(i).status for i in (draft, pending, approved, returned)}
    assert statuses == {draft.id: "DRAFT", pending.id: "SUBMITTED", approved.id: "APPROVED",
                        returned.id: "RETURNED"}

    reopen_period(get_period(2026, 11), w.bkd, reason="Koreksi hasil audit")
    db.session.commit()
    correct(reload(approved), w.bkd, note="Koreksi setelah dibuka kembali", claimed=45)
    assert reload(approved).recognised_minutes == 45


# =========================================================================== corrections
def test_bkd_correction_requires_note_and_is_audited(w):
    from app.services import Forbidden, ValidationFailed
    from app.services import activities as svc

    item = submitted(w, start="08:00", end="10:00")
    decide(item, "APPROVE", w.kabid)
    item = reload(item)
    for note in (None, "", "  "):
        with pytest.raises(ValidationFailed) as err:
            svc.correct(item, w.bkd, note)
        assert "wajib" in err.value.message
    for actor in (w.kabid, w.kadis, w.op, w.staff):
        with pytest.raises(Forbidden):
            svc.correct(item, actor, "mengubah")
    correct(item, w.bkd, "Durasi rapat sebenarnya 90 menit", claimed=90)
    item = reload(item)
    assert item.status == "APPROVED" and item.claimed_minutes == 90 and item.recognised_minutes == 90
    assert item.decision_note == "Koreksi BKD: Durasi rapat sebenarnya 90 menit"
    assert item.decided_by_id == w.bkd.user_id
    row = audits(item)[-1]
    assert row.action == "CORRECT"
    before, after = json.loads(row.before), json.loads(row.after)
    assert before["claimed_minutes"] == 120 and after["claimed_minutes"] == 90
    assert before["recognised_minutes"] == 120 and after["recognised_minutes"] == 90

    correct(item, w.admin, "Ternyata bukan tugas jabatan", target="REJECTED")
    item = reload(item)
    assert item.status == "REJECTED" and item.recognised_minutes is None
    row = audits(item)[-1]
    assert row.action == "CORRECT" and json.loads(row.after)["status"] == "REJECTED"
    assert json.loads(row.before)["status"] == "APPROVED"

    correct(item, w.bkd, "Dikembalikan untuk dilengkapi", target="RETURNED")
    assert reload(item).status == "RETURNED"
    with pytest.raises(ValidationFailed):  # only APPROVED or REJECTED are corrected
        svc.correct(reload(item), w.bkd, "lagi")


def test_correction_refusals(w):
    from app.services import ValidationFailed
    from app.services import activities as svc

    item = submitted(w)
    with pytest.raises(ValidationFailed):
        svc.correct(item, w.bkd, "Belum diputuskan")
    decide(item, "APPROVE", w.kabid)
    item = reload(item)
    with pytest.raises(ValidationFailed):
        svc.correct(item, w.bkd, "ke draf", target="DRAFT")
    with pytest.raises(ValidationFailed):
        svc.correct(item, w.bkd, "menit negatif", claimed=-5)
    assert reload(item).status == "APPROVED" and reload(item).claimed_minutes == 60


# =========================================================================== parameters
def test_parameters_per_year(w):
    from app.extensions import db
    from app.services import parameters

    create(w.staff, w.staff_a, WED, start="08:00", end="12:00")  # 240
    assert entry_errors(w.staff, w.staff_a, WED, start="13:00", end="14:30") == {}  # 330 <= 450
    parameters.set_value(2026, "max_minutes_per_day", 300)
    db.session.commit()
    errors = entry_errors(w.staff, w.staff_a, WED, start="13:00", end="14:30")
    assert "melebihi batas 300 menit" in errors["claimed_minutes"][0]
    assert entry_errors(w.staff, w.staff_a, WED, start="13:00", end="14:00") == {}  # exactly 300
    # Another year keeps its own value (the default).
    assert parameters.workflow_params(2027).max_minutes_per_day == 450
    assert parameters.workflow_params(2026).max_minutes_per_day == 300


def test_submit_deadline_parameter(w):
    from app.extensions import db
    from app.services import ValidationFailed, parameters

    today(w.app, date(2026, 11, 10))
    item = create(w.staff, w.staff_a, date(2026, 11, 10), start="08:00", end="09:00")
    today(w.app, WED)
    with pytest.raises(ValidationFailed):
        submit(item, w.staff)
    parameters.set_value(2026, "submit_deadline_workdays", 6)  # Tue 10 + 6 = Wed 18
    db.session.commit()
    submit(item, w.staff)
    assert reload(item).status == "SUBMITTED"


def test_review_deadline_parameter(w):
    from app.extensions import db
    from app.services import parameters

    parameters.set_value(2026, "review_deadline_workdays", 1)
    db.session.commit()
    item = submitted(w)
    assert reload(item).review_due == THU_19


@pytest.mark.parametrize("key,value", [
    ("max_minutes_per_day", -1), ("max_minutes_per_day", "abc"), ("max_minutes_per_day", 0),
    ("max_minutes_per_day", 2000), ("submit_deadline_workdays", -1), ("review_deadline_workdays", "dua"),
    ("tidak_ada", 1),
])
def test_invalid_parameter_refused(w, key, value):
    from app.extensions import db
    from app.models import Parameter
    from app.services import ValidationFailed, parameters

    with pytest.raises(ValidationFailed) as err:
        parameters.set_value(2026, key, value)
    assert err.value.errors
    db.session.rollback()
    assert db.session.query(Parameter).filter_by(year=2026).count() == 0
    assert parameters.workflow_params(2026).max_minutes_per_day == 450


# =========================================================================== audit trail
def test_audit_rows_for_every_transition(w):
    item = submitted(w, start="08:00", end="09:00")
    decide(item, "RETURN", w.kabid, note="Catatan atasan")
    submit(reload(item), w.staff)
    decide(reload(item), "APPROVE", w.kabid)
    correct(reload(item), w.bkd, "Koreksi kecil", claimed=50)
    other = submitted(w, start="09:00", end="10:00")
    decide(other, "REJECT", w.kabid, note="Duplikat")

    rows = audits(item)
    assert [r.action for r in rows] == ["CREATE", "SUBMIT", "RETURN", "SUBMIT", "APPROVE", "CORRECT"]
    assert [r.action for r in audits(other)] == ["CREATE", "SUBMIT", "REJECT"]
    expected = [(None, "DRAFT"), ("DRAFT", "SUBMITTED"), ("SUBMITTED", "RETURNED"),
                ("RETURNED", "SUBMITTED"), ("SUBMITTED", "APPROVED")]
    for row, (old, new) in zip(rows, expected):
        assert row.entity == "Activity" and row.entity_id == str(item.id)
        after = json.loads(row.after)
        assert after["status"] == new
        if old is None:
            assert row.before is None
        else:
            assert json.loads(row.before)["status"] == old
            # before/after list the same changed columns
            assert set(json.loads(row.before)) == set(after)
    return_row = rows[2]
    assert json.loads(return_row.after)["decision_note"] == "Catatan atasan"
    correct_row = rows[-1]
    assert json.loads(correct_row.before)["claimed_minutes"] == 60
    assert json.loads(correct_row.after)["claimed_minutes"] == 50
    reject_row = audits(other)[-1]
    assert json.loads(reject_row.before)["status"] == "SUBMITTED"
    assert json.loads(reject_row.after)["status"] == "REJECTED"


# ----------------------------------------------------------------------------- later fixes
def test_returned_activity_gets_a_new_deadline_from_the_return(world, app):
    from app.extensions import db
    from app.services import ValidationFailed

    """Returned on Wed 18 Nov for an activity of Fri 13 Nov (its own deadline Tue 17 Nov):
    the employee has two working days from the return, until Fri 20 Nov."""
    from datetime import datetime as _dt

    from app.models import Activity
    from app.services import activities as A

    staff = world.employee("staff_a")
    item = Activity(employee=staff, date=date(2026, 11, 13), description="Rapat", volume=1,
                    start_time=time(8), end_time=time(9), claimed_minutes=60, status="RETURNED",
                    decided_at=_dt(2026, 11, 18, 2), decision_note="Lengkapi bukti", superior=world.employee("kabid_a"))
    db.session.add(item)
    db.session.commit()
    actor = A.Actor(user_id=staff.user_id, username=staff.nip, employee_id=staff.id, roles={"Pegawai"},
                    opd_id=staff.unit.opd_id)
    app.config["FIXED_TODAY"] = date(2026, 11, 20)
    A.submit(item, actor)
    A.commit_or_conflict()
    assert item.status == "SUBMITTED"
    item.status, item.decided_at = "RETURNED", _dt(2026, 11, 18, 2)
    db.session.commit()
    app.config["FIXED_TODAY"] = date(2026, 11, 23)
    with pytest.raises(ValidationFailed):
        A.submit(item, actor)


def test_exception_for_a_parent_unit_covers_its_sub_units(world, app):
    from app.extensions import db

    from app.models import SubmitException, Unit
    from app.services import activities as A

    nurse = world.employee("staff_a1")  # Puskesmas Arjuno, under Dinas Kesehatan
    sub = Unit(code="2.01.9", name="Pustu Uji", kind="UPT", parent=nurse.unit, workdays_per_week=6, active=True)
    db.session.add(sub)
    db.session.commit()
    nurse.unit = sub
    db.session.add(SubmitException(unit=world.unit("Puskesmas Arjuno"), date_from=date(2026, 11, 2),
                                   date_to=date(2026, 11, 6), open_until=date(2026, 11, 30), reason="Jaringan putus"))
    db.session.commit()
    assert A.exception_granted(nurse, date(2026, 11, 3), date(2026, 11, 18))
    assert not A.exception_granted(nurse, date(2026, 11, 9), date(2026, 11, 18))
