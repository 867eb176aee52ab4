"""Monthly recap (app.services.recap): worked examples computed by hand, idempotence, the
closed-period freeze, explain() agreeing with the stored row, the CLI, and a statement count
that does not grow with the number of employees.

November 2026 (1 November is a Sunday):

    Mo Tu We Th Fr Sa Su
                       1
     2  3  4  5  6  7  8
     9 10 11 12 13 14 15
    16 17 18 19 20 21 22
    23 24 25 26 27 28 29
    30

21 weekdays and 4 Saturdays; the test adds a holiday on Tuesday 10 November, so a 5-day unit
has 20 calendar working days and a 6-day unit (Puskesmas Arjuno) 24.
Defaults: 300 effective minutes a day, cap 450 minutes a day, CUTI/SAKIT/DL reduce the target,
bands 1–30 0.5%, 31–60 1%, 61–90 1.25%, >90 1.5%, no record 1.5%, TK 3%, weights 0.60/0.40,
CPNS 0.80, tax I/II 0%, III 5%, IV 15%, health 1%.
TPP rates 2026 set by the test: kelas 5 Rp2.500.000, 6 Rp3.000.000, 7 Rp3.500.000,
8 Rp4.000.000 (kelas 11, 14, 16 have no rate: kabid_a, kadis_a, kadis_b, sekda get base 0).
"""
from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import event, func, select, update

Y, M = 2026, 11
HOLIDAY = date(2026, 11, 10)


def _actor(user_id=None, username="x", roles=()):
    from app.services.activities import Actor

    return Actor(user_id=user_id, username=username, employee_id=None, roles=set(roles), opd_id=None)


def _bkd():
    from flask_appbuilder.security.sqla.models import User

    from app.extensions import db

    user = db.session.scalar(select(User).where(User.username == "bkd"))
    return _actor(user.id, "bkd", roles={"BKD"})


def _activity(emp, day, minutes, status="APPROVED"):
    from app.extensions import db
    from app.models import Activity

    db.session.add(Activity(employee_id=emp.id, date=day, description="Kegiatan uji", volume=1,
                            claimed_minutes=minutes, status=status,
                            recognised_minutes=minutes if status == "APPROVED" else None))


def _attendance(emp, day, status="HADIR", late=0, early=0):
    from app.extensions import db
    from app.models import Attendance

    db.session.add(Attendance(employee_id=emp.id, date=day, status=status, minutes_late=late, minutes_early=early))


def _d(day: int) -> date:
    return date(Y, M, day)


@pytest.fixture
def scenario(world):
    """The worked examples of the module docstring and the expected rows below."""
    from app.extensions import db
    from app.models import Evaluation, Holiday, Period, Sanction, TppRate

    s = db.session
    s.add(Holiday(date=HOLIDAY, name="Libur daerah (uji)", kind="LIBUR_DAERAH"))
    for kelas, amount in ((5, 2_500_000), (6, 3_000_000), (7, 3_500_000), (8, 4_000_000)):
        s.add(TppRate(year=Y, kelas_jabatan=kelas, amount=amount))

    # staff_a: Dinas Kesehatan (5-day), PNS III/a, kelas 6.
    a = world.employee("staff_a")
    _activity(a, _d(2), 240)
    _activity(a, _d(2), 240)             # 480 that day -> capped at 450
    _activity(a, _d(3), 300)             # 300
    _activity(a, _d(4), 200, "SUBMITTED")  # not approved: not counted
    _activity(a, _d(5), 100, "REJECTED")   # not counted
    _activity(a, _d(7), 120)             # Saturday: approved work counts (only the target is per working day)
    _activity(a, HOLIDAY, 60)            # holiday: counts too
    _activity(a, date(2026, 10, 30), 400)  # another month
    _attendance(a, _d(2), late=15, early=45)     # 0.5 + 1
    _attendance(a, _d(3), late=61, early=0)      # 1.25
    _attendance(a, _d(4), late=None, early=91)   # no check-in record 1.5 + 1.5
    _attendance(a, _d(5), "TK", None, None)      # 3
    _attendance(a, _d(6), late=30, early=31)     # 0.5 + 1
    _attendance(a, _d(9), "IZIN", None, None)    # no deduction, does not reduce the target
    _attendance(a, HOLIDAY, late=100, early=0)   # holiday: not a working day, ignored
    _attendance(a, _d(7), "TK", None, None)      # Saturday in a 5-day unit: ignored
    _attendance(a, _d(11), "CUTI", None, None)   # reduces the target
    _attendance(a, _d(12), "CUTI", None, None)   # reduces the target
    _attendance(a, _d(14), "CUTI", None, None)   # Saturday: not a working day, no reduction

    # staff_a1: Puskesmas Arjuno (6-day), made CPNS II/c, kelas 7.
    a1 = world.employee("staff_a1")
    a1.kind, a1.golongan = "CPNS", "II/c"
    _activity(a1, _d(7), 300)            # Saturday, a working day here
    _activity(a1, _d(9), 250)
    _activity(a1, _d(9), 250)            # 500 -> 450
    _attendance(a1, _d(14), "SAKIT", None, None)  # Saturday, working day: reduces
    _attendance(a1, _d(16), "DL", None, None)     # reduces
    _attendance(a1, _d(17), "IZIN", None, None)   # neither
    _attendance(a1, _d(21), "TK", None, None)     # Saturday, working day: 3%
    _attendance(a1, _d(22), "TK", None, None)     # Sunday: ignored

    # op_a: PNS III/b, kelas 8; sanctions 10% (overlaps), 5% (overlaps), 50% (ended in October).
    op_a = world.employee("op_a")
    s.add(Sanction(employee_id=op_a.id, percent=D("10"), valid_from=date(2026, 10, 15),
                   valid_to=date(2026, 11, 15), reason="Hukuman disiplin ringan"))
    s.add(Sanction(employee_id=op_a.id, percent=D("5"), valid_from=date(2026, 11, 20),
                   valid_to=date(2027, 1, 31), reason="Hukuman disiplin lain"))
    s.add(Sanction(employee_id=op_a.id, percent=D("50"), valid_from=date(2026, 9, 1),
                   valid_to=date(2026, 10, 31), reason="Sudah berakhir"))
    period = s.scalar(select(Period).where(Period.year == Y, Period.month == M))
    s.add(Evaluation(employee_id=op_a.id, period_id=period.id, rating_hasil_kerja="SESUAI",
                     rating_perilaku="SESUAI", predikat="BAIK"))

    # staff_b: Dinas Pendidikan (5-day), made PPPK golongan IX (tax group III), kelas 5:
    # CUTI on every working day of the month.
    b = world.employee("staff_b")
    b.kind, b.golongan = "PPPK", "IX"
    day = _d(1)
    while day.month == M:
        if day.weekday() < 5 and day != HOLIDAY:
            _attendance(b, day, "CUTI", None, None)
        day += timedelta(days=1)
    s.commit()
    # The fixture writes recognised = claimed; days over the cap are re-capped as at approval.
    from app.services.activities import recap_recognised

    assert recap_recognised(Y) == 2  # second activity of 2 Nov (staff_a) and of 9 Nov (staff_a1)
    s.commit()
    return world


# Expected rows, computed by hand:
EXPECTED = {
    # calendar 20, reduced 2 (CUTI 11 and 12 Nov) -> 18 days, target 18 × 300 = 5400;
    # recognised 450 (2 Nov, capped) + 300 + 120 (Sat) + 60 (holiday) = 930;
    # score 930 / 5400 × 100 = 17.2222 -> 17.22;
    # deduction 0.5 + 1 + 1.25 + 1.5 + 1.5 + 3 + 0.5 + 1 = 10.25;
    # performance 3,000,000 × 0.60 × 17.22 / 100 = 309,960;
    # discipline 3,000,000 × 0.40 × 89.75 / 100 = 1,077,000; gross 1,386,960;
    # tax III 5% = 69,348; health 1% = 13,869.6 -> 13,870; net 1,303,742.
    "staff_a": dict(workdays_per_week=5, calendar_working_days=20, reduced_days=2, working_days=18,
                    target_minutes=5400, recognised_minutes=930, work_score=D("17.22"), deduction_pct=D("10.25"),
                    sanction_pct=D("0"), base_tpp=3_000_000, performance_part=309_960, discipline_part=1_077_000,
                    gross=1_386_960, tax=69_348, health=13_870, net=1_303_742, predikat=None),
    # 6-day: calendar 24, reduced 2 (SAKIT Sat 14, DL 16) -> 22, target 6600;
    # recognised 300 + 450 = 750; score 750 / 6600 × 100 = 11.3636 -> 11.36; deduction 3 (TK Sat 21);
    # performance 3,500,000 × 0.60 × 11.36 / 100 = 238,560; discipline 3,500,000 × 0.40 × 0.97 = 1,358,000;
    # subtotal 1,596,560 × 0.80 (CPNS) = 1,277,248; tax II 0; health 12,772.48 -> 12,772; net 1,264,476.
    "staff_a1": dict(workdays_per_week=6, calendar_working_days=24, reduced_days=2, working_days=22,
                     target_minutes=6600, recognised_minutes=750, work_score=D("11.36"), deduction_pct=D("3"),
                     sanction_pct=D("0"), base_tpp=3_500_000, performance_part=238_560, discipline_part=1_358_000,
                     gross=1_277_248, tax=0, health=12_772, net=1_264_476, predikat=None),
    # target 20 × 300 = 6000, nothing approved: score 0; deduction 0; sanction max(10, 5) = 10
    # (the 50% one ended 31 Oct); performance 0; discipline 4,000,000 × 0.40 = 1,600,000;
    # gross 1,600,000 × 0.90 = 1,440,000; tax III 72,000; health 14,400; net 1,353,600; predikat BAIK.
    "op_a": dict(workdays_per_week=5, calendar_working_days=20, reduced_days=0, working_days=20,
                 target_minutes=6000, recognised_minutes=0, work_score=D("0"), deduction_pct=D("0"),
                 sanction_pct=D("10"), base_tpp=4_000_000, performance_part=0, discipline_part=1_600_000,
                 gross=1_440_000, tax=72_000, health=14_400, net=1_353_600, predikat="BAIK"),
    # CUTI on all 20 working days: target 0 -> score 100; performance 2,500,000 × 0.60 = 1,500,000;
    # discipline 1,000,000; gross 2,500,000; PPPK IX -> tax group III: 125,000; health 25,000; net 2,350,000.
    "staff_b": dict(workdays_per_week=5, calendar_working_days=20, reduced_days=20, working_days=0,
                    target_minutes=0, recognised_minutes=0, work_score=D("100"), deduction_pct=D("0"),
                    sanction_pct=D("0"), base_tpp=2_500_000, performance_part=1_500_000, discipline_part=1_000_000,
                    gross=2_500_000, tax=125_000, health=25_000, net=2_350_000, predikat=None),
    # kelas 6, nothing at all: score 0; discipline 1,200,000 = gross; tax 60,000; health 12,000; net 1,128,000.
    "op_b": dict(workdays_per_week=5, calendar_working_days=20, reduced_days=0, working_days=20,
                 target_minutes=6000, recognised_minutes=0, work_score=D("0"), deduction_pct=D("0"),
                 sanction_pct=D("0"), base_tpp=3_000_000, performance_part=0, discipline_part=1_200_000,
                 gross=1_200_000, tax=60_000, health=12_000, net=1_128_000, predikat=None),
    # kelas 14 has no rate for 2026: base 0, every rupiah 0.
    "kadis_a": dict(base_tpp=0, performance_part=0, discipline_part=0, gross=0, tax=0, health=0, net=0,
                    work_score=D("0"), target_minutes=6000),
}


def _rows():
    from app.extensions import db
    from app.models import Recap

    return {r.nip: r for r in db.session.scalars(select(Recap))}


def _check(row, expected):
    for key, value in expected.items():
        assert getattr(row, key) == value, (row.nip, key, getattr(row, key), value)


def test_worked_examples(scenario):
    from app.extensions import db
    from app.services.recap import recompute_period
    from tests.conftest import NIPS

    result = recompute_period(Y, M, _bkd())
    db.session.commit()
    assert result.employees == 9 and result.deleted == 0
    assert result.without_rate == 4  # sekda (16), kadis_a (14), kabid_a (11), kadis_b (14)
    assert result.with_sanction == 1 and result.with_predikat == 1
    rows = _rows()
    assert len(rows) == 9
    for key, expected in EXPECTED.items():
        _check(rows[NIPS[key][0]], expected)
    a = rows[NIPS["staff_a"][0]]
    assert (a.unit_name, a.position_name, a.position_kind, a.kelas_jabatan, a.golongan, a.employee_kind) == (
        "Dinas Kesehatan", "Pengelola Data Kesehatan", "PELAKSANA", 6, "III/a", "PNS")
    assert a.opd_id == a.unit_id and a.bank_account == "0011223344" and a.name == "Staff A"
    a1 = rows[NIPS["staff_a1"][0]]
    assert a1.unit_name == "Puskesmas Arjuno" and a1.opd_id == world_unit_id("Dinas Kesehatan")
    params = json.loads(a.params)
    assert params["max_minutes_per_day"] == 450 and params["effective_minutes_per_day"] == 300
    assert params["holidays"] == ["2026-11-10"] and params["tax_rates"]["III"] == "5"


def world_unit_id(name):
    from app.extensions import db
    from app.models import Unit

    return db.session.scalar(select(Unit.id).where(Unit.name == name))


def test_titles_inactive_and_parameters(scenario):
    """Name snapshot with titles; inactive employees get no row; a changed cap is used."""
    from app.extensions import db
    from app.services.parameters import set_value
    from app.services.recap import recompute_period
    from tests.conftest import NIPS

    a = scenario.employee("staff_a")
    a.front_title, a.back_title = "dr.", "M.Kes."
    scenario.employee("kabid_a").active = False
    set_value(Y, "max_minutes_per_day", 400)
    db.session.commit()
    result = recompute_period(Y, M)
    db.session.commit()
    rows = _rows()
    assert result.employees == 8 and NIPS["kabid_a"][0] not in rows
    row = rows[NIPS["staff_a"][0]]
    assert row.name == "dr. Staff A, M.Kes."
    # cap 400: 400 (2 Nov) + 300 + 120 + 60 = 880; 880 / 5400 = 16.2963 -> 16.30
    assert row.recognised_minutes == 880 and row.work_score == D("16.30")
    assert json.loads(row.params)["max_minutes_per_day"] == 400


def test_recompute_twice_is_idempotent(scenario):
    from app.extensions import db
    from app.services.recap import recompute_period

    recompute_period(Y, M)
    db.session.commit()
    skip = {"id", "computed_at"}
    first = {nip: {k: v for k, v in vars(r).items() if not k.startswith("_") and k not in skip}
             for nip, r in _rows().items()}
    db.session.expunge_all()
    result = recompute_period(Y, M)
    db.session.commit()
    second = {nip: {k: v for k, v in vars(r).items() if not k.startswith("_") and k not in skip}
              for nip, r in _rows().items()}
    assert result.updated == 9 and result.inserted == 0 and result.deleted == 0 and result.employees == 9
    assert first == second


def test_audit_event_and_refusals(scenario):
    from app.extensions import db
    from app.models import AuditLog
    from app.services import Forbidden, ValidationFailed
    from app.services.recap import recompute_period

    recompute_period(Y, M, _bkd())
    db.session.commit()
    (row,) = db.session.scalars(select(AuditLog).where(AuditLog.action == "RECOMPUTE")).all()
    assert row.entity == "Period" and json.loads(row.after)["pegawai"] == 9
    assert json.loads(row.after)["tanpa_tarif_tpp"] == 4
    with pytest.raises(ValidationFailed) as err:
        recompute_period(2030, 1)
    assert "belum dibuka" in err.value.message
    with pytest.raises(Forbidden):
        recompute_period(Y, M, _actor(roles={"Pegawai"}))


def test_closing_freezes_the_recap(scenario, app):
    from app.extensions import db
    from app.models import AuditLog, Recap
    from app.services import ValidationFailed
    from app.services.periods import close_period, get_period
    from app.services.recap import MSG_CLOSED, explain, recompute_period
    from tests.conftest import NIPS

    app.config["FIXED_TODAY"] = date(2026, 12, 1)
    # An earlier recompute, then more approved work: closing must store the final numbers.
    recompute_period(Y, M)
    db.session.commit()
    a = scenario.employee("staff_a")
    _activity(a, _d(16), 300)
    db.session.commit()
    close_period(get_period(Y, M), _bkd(), note="Tutup November")
    db.session.commit()
    assert get_period(Y, M).state == "CLOSED"
    row = _rows()[NIPS["staff_a"][0]]
    assert row.recognised_minutes == 1230  # 930 + 300
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.entity == "Period")
                                 .order_by(AuditLog.id)).all()
    assert actions[-2:] == ["RECOMPUTE", "CLOSE"]
    with pytest.raises(ValidationFailed) as err:
        recompute_period(Y, M)
    assert err.value.message == MSG_CLOSED
    assert db.session.scalar(select(func.count()).select_from(Recap)) == 9
    # A closed month is explained from its frozen snapshot and still agrees.
    info = explain(a.id, Y, M)
    assert info["frozen"] is True and info["differences"] == {}


def test_explain_agrees_with_the_stored_rows(scenario):
    from app.extensions import db
    from app.models import Employee
    from app.services.recap import NUMBER_FIELDS, explain, recompute_period

    recompute_period(Y, M)
    db.session.commit()
    stored = _rows()
    for emp in db.session.scalars(select(Employee)):
        info = explain(emp.id, Y, M)
        assert info["differences"] == {}, (emp.nip, info["differences"])
        for key in NUMBER_FIELDS:
            assert info[key] == getattr(stored[emp.nip], key)

    info = explain(scenario.employee("staff_a").id, Y, M)
    assert info["frozen"] is False
    reduced = [(d["date"], d["status"]) for d in info["days"] if d["reduced"]]
    assert reduced == [(_d(11), "CUTI"), (_d(12), "CUTI")]
    assert len(info["days"]) == 20 and HOLIDAY not in [d["date"] for d in info["days"]]
    assert [(m["date"], m["claimed"], m["counted"]) for m in info["minutes_by_day"]] == [
        (_d(2), 480, 450), (_d(3), 300, 300), (_d(7), 120, 120), (HOLIDAY, 60, 60)]
    assert [(ln["date"], ln["kind"], ln["percent"]) for ln in info["deductions"]] == [
        (_d(2), "LATE", D("0.5")), (_d(2), "EARLY", D("1")), (_d(3), "LATE", D("1.25")),
        (_d(4), "LATE_NO_RECORD", D("1.5")), (_d(4), "EARLY", D("1.5")), (_d(5), "TK", D("3")),
        (_d(6), "LATE", D("0.5")), (_d(6), "EARLY", D("1"))]
    assert info["tax_group"] == "III" and info["tpp"]["subtotal"] == 1_386_960
    assert info["params"]["holidays"] == ["2026-11-10"]

    # After a change the page shows where the stored row is out of date.
    _activity(scenario.employee("op_b"), _d(2), 300)
    db.session.commit()
    info = explain(scenario.employee("op_b").id, Y, M)
    assert info["differences"]["recognised_minutes"] == {"tersimpan": 0, "dihitung": 300}


def test_cli_recompute(scenario, app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["recompute", "--period", "2026-11"])
    assert result.exit_code == 0, result.output
    assert "Rekap November 2026 dihitung ulang: 9 pegawai" in result.output
    assert "4 pegawai tanpa besaran TPP" in result.output
    assert len(_rows()) == 9
    bad = runner.invoke(args=["recompute", "--period", "2026-13"])
    assert bad.exit_code == 2 and "tidak valid; gunakan format YYYY-MM" in bad.output
    bad = runner.invoke(args=["recompute", "--period", "November"])
    assert bad.exit_code == 2 and "tidak valid" in bad.output
    missing = runner.invoke(args=["recompute", "--period", "2030-01"])
    assert missing.exit_code == 1 and "Periode Januari 2030 belum dibuka." in missing.output


def _count_statements(fn):
    from app.extensions import db

    statements = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return statements


def _add_employees(world, n, start):
    """n active employees in Dinas Kesehatan with a few activities and attendance days each."""
    from app.extensions import db
    from app.models import Activity, Attendance, Employee

    s = db.session
    unit_id = world_unit_id("Puskesmas Arjuno" if start % 2 else "Dinas Kesehatan")
    position_id = world.position("Pengelola Data Kesehatan").id
    conn = s.connection()
    for i in range(start, start + n):
        emp_id = conn.execute(Employee.__table__.insert().values(
            nip=f"{199501012020011000 + i}", name=f"Pegawai {i}", sex="L", birth_date=date(1995, 1, 1),
            kind="PNS", golongan="III/a", position_id=position_id, unit_id=unit_id, active=True)).inserted_primary_key[0]
        conn.execute(Activity.__table__.insert(), [
            dict(employee_id=emp_id, date=_d(d), description="x", volume=1, claimed_minutes=200 + d,
                 recognised_minutes=200 + d, status="APPROVED", created_at=date(2026, 11, 1), version=1) for d in (2, 3, 4)])
        conn.execute(Attendance.__table__.insert(), [
            dict(employee_id=emp_id, date=_d(d), status=st, minutes_late=late, minutes_early=0)
            for d, st, late in ((2, "HADIR", 40), (3, "CUTI", None), (5, "TK", None))])
    s.commit()


def test_statement_count_does_not_grow_with_employees(scenario):
    from app.extensions import db
    from app.models import Employee
    from app.services.recap import recompute_period

    # 3 active employees
    db.session.execute(update(Employee).values(active=False))
    db.session.commit()
    _add_employees(scenario, 3, 0)

    def run():
        result = recompute_period(Y, M)
        db.session.commit()
        return result

    results = []
    few = _count_statements(lambda: results.append(run()))
    _add_employees(scenario, 27, 100)  # 30 active employees
    many = _count_statements(lambda: results.append(run()))
    assert [r.employees for r in results] == [3, 30]
    assert len(few) == len(many), (few, many)
    assert len(many) <= 15


def test_recognised_minutes_are_capped_per_day_in_approval_order(scenario):
    """recap_day: approved rows of one employee-day in (decided_at, id) order get
    min(claimed, cap − recognised so far); other statuses NULL; unchanged rows keep their version."""
    from datetime import datetime

    from app.extensions import db
    from app.models import Activity
    from app.services.activities import recap_day, recap_recognised

    a = scenario.employee("op_b")
    s = db.session
    rows = [Activity(employee_id=a.id, date=_d(18), description="x", volume=1, claimed_minutes=m, status=st,
                     recognised_minutes=r, decided_at=datetime(2026, 11, 18, h))
            for m, st, r, h in ((200, "APPROVED", 200, 9), (300, "APPROVED", 300, 8),
                                (100, "APPROVED", 100, 10), (50, "REJECTED", 50, 7))]
    s.add_all(rows)
    s.commit()
    versions = [r.version for r in rows]
    assert recap_day(a.id, _d(18), 450) == 3  # order 08:00 (300), 09:00 (200 -> 150), 10:00 (0); REJECTED -> NULL
    s.commit()
    assert [r.recognised_minutes for r in rows] == [150, 300, 0, None]
    assert [r.version - v for r, v in zip(rows, versions)] == [1, 0, 1, 1]
    assert recap_day(a.id, _d(18), 450) == 0 and recap_recognised(Y) == 0
    # A higher cap gives the minutes back.
    assert recap_day(a.id, _d(18), 600) == 2
    assert [r.recognised_minutes for r in rows] == [200, 300, 100, None]


def test_cap_change_recaps_and_recompute_agrees_with_explain(scenario):
    from app.extensions import db
    from app.models import Activity
    from app.services.parameters import set_value
    from app.services.recap import explain, recompute_period

    a = scenario.employee("staff_a")
    set_value(Y, "max_minutes_per_day", 250)
    db.session.commit()
    day2 = db.session.scalars(select(Activity.recognised_minutes).where(
        Activity.employee_id == a.id, Activity.date == _d(2)).order_by(Activity.id)).all()
    assert day2 == [240, 10]
    recompute_period(Y, M)
    db.session.commit()
    info = explain(a.id, Y, M)
    # cap 250: 250 + 250 + 120 + 60
    assert info["recognised_minutes"] == 680 and info["differences"] == {}
    set_value(Y, "max_minutes_per_day", 450)
    db.session.commit()
    assert db.session.scalars(select(Activity.recognised_minutes).where(
        Activity.employee_id == a.id, Activity.date == _d(2)).order_by(Activity.id)).all() == [240, 210]


def test_correction_is_capped_with_one_audit_row(scenario, app):
    """correct() (and decide()) set the decided row's recognised minutes before its single flush:
    one CORRECT audit row, no extra plain UPDATE; the day's earlier rows are re-capped."""
    from datetime import datetime

    from app.extensions import db
    from app.models import Activity, AuditLog
    from app.services.activities import correct

    app.config["FIXED_TODAY"] = date(2026, 11, 20)
    a = scenario.employee("op_b")
    s = db.session
    first = Activity(employee_id=a.id, date=_d(18), description="x", volume=1, claimed_minutes=300,
                     status="APPROVED", recognised_minutes=300, decided_at=datetime(2026, 11, 18, 8))
    second = Activity(employee_id=a.id, date=_d(18), description="y", volume=1, claimed_minutes=100,
                      status="APPROVED", recognised_minutes=100, decided_at=datetime(2026, 11, 18, 9))
    s.add_all([first, second])
    s.commit()
    correct(first, _bkd(), "Durasi sebenarnya 400 menit", claimed=400)  # now decided last
    s.commit()
    assert (first.recognised_minutes, second.recognised_minutes) == (350, 100)
    actions = s.scalars(select(AuditLog.action).where(AuditLog.entity == "Activity",
                                                      AuditLog.entity_id == str(first.id))).all()
    assert actions == ["CREATE", "CORRECT"]
    correct(second, _bkd(), "Bukan tugas jabatan", target="REJECTED")
    s.commit()
    assert (first.recognised_minutes, second.recognised_minutes) == (400, None)
    actions = s.scalars(select(AuditLog.action).where(AuditLog.entity == "Activity",
                                                      AuditLog.entity_id == str(first.id))).all()
    assert actions == ["CREATE", "CORRECT", "UPDATE"]  # re-capped after the other correction


def test_recompute_keeps_ids_inserts_new_and_deletes_inactive(scenario):
    """Rows are updated in place per (period, employee): ids stay, a new employee gets a new
    row, an employee no longer in the recap (inactive) loses the row."""
    from app.extensions import db
    from app.models import Recap
    from app.services.recap import recompute_period
    from tests.conftest import NIPS

    recompute_period(Y, M)
    db.session.commit()
    before = {r.nip: r.id for r in _rows().values()}
    scenario.employee("kabid_a").active = False
    db.session.commit()
    db.session.expunge_all()
    result = recompute_period(Y, M)
    db.session.commit()
    after = {r.nip: r.id for r in _rows().values()}
    assert (result.updated, result.inserted, result.deleted, result.employees) == (8, 0, 1, 8)
    assert NIPS["kabid_a"][0] not in after
    assert all(after[nip] == before[nip] for nip in after)
    scenario.employee("kabid_a").active = True
    db.session.commit()
    result = recompute_period(Y, M)
    db.session.commit()
    assert (result.updated, result.inserted, result.deleted) == (8, 1, 0)
    assert db.session.scalar(select(Recap.id).where(Recap.nip == NIPS["kabid_a"][0])) not in before.values()
