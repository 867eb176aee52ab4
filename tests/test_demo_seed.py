"""The demo seeder (`flask seed-demo`): a realistic, valid and deterministic Kota Malang.

Self-contained: builds its own database (a SQLite file, or a fresh PostgreSQL database on the
server of DATABASE_URL when that points at PostgreSQL), migrates it, creates the roles and
seeds once for the whole module.
"""
from __future__ import annotations

import os
import time
import uuid
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

import config

PASSWORD = "rahasia"
PG_URL = os.environ.get("DATABASE_URL", "")
IS_PG = PG_URL.startswith("postgresql")


def _admin_engine():
    return create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """(app, summary, seconds) with the demo data seeded into a fresh database."""
    pg_name = None
    if IS_PG:
        pg_name = f"ek_demo_{uuid.uuid4().hex[:10]}"
        engine = _admin_engine()
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{pg_name}"'))
        engine.dispose()
        uri = make_url(PG_URL).set(database=pg_name).render_as_string(hide_password=False)
    else:
        uri = f"sqlite:///{tmp_path_factory.mktemp('demo')}/demo.db"
    cfg = type("DemoSeedTestConfig", (config.TestConfig,), {"SQLALCHEMY_DATABASE_URI": uri})

    from flask_migrate import upgrade

    from app import create_app
    from app.cli import sync_roles
    from app.extensions import db
    from app.services.demo import seed_demo

    app = create_app(cfg)
    ctx = app.app_context()
    ctx.push()
    try:
        upgrade()
        sync_roles()
        started = time.perf_counter()
        summary = seed_demo(PASSWORD)
        elapsed = time.perf_counter() - started
        db.session.remove()
        yield app, summary, elapsed
    finally:
        db.session.remove()
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
        ctx.pop()
        if pg_name:
            engine = _admin_engine()
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
            engine.dispose()


@pytest.fixture
def s(seeded):
    from app.extensions import db

    yield db.session
    db.session.rollback()
    db.session.remove()


def _today():
    from app.services.organisation import today_local

    return today_local()


def _by_name(session, model, name):
    return session.execute(select(model).where(model.name == name)).scalar_one()


def _holder(session, position_name, unit_name=None):
    from app.models import Employee, Position, Unit

    q = select(Employee).join(Position, Employee.position_id == Position.id).where(Position.name == position_name)
    if unit_name:
        q = q.join(Unit, Position.unit_id == Unit.id).where(Unit.name == unit_name)
    return session.execute(q).scalars().one()


# --------------------------------------------------------------------------- size, speed, summary
def test_counts_and_summary(seeded, s):
    from app.models import Employee, Position, SuperiorOverride, Unit

    app, summary, elapsed = seeded
    n_emp = s.scalar(select(func.count()).select_from(Employee))
    assert 280 <= n_emp <= 320
    kinds = Counter(s.execute(select(Employee.kind)).scalars())
    assert 0.05 <= kinds["CPNS"] / n_emp <= 0.11
    assert 0.09 <= kinds["PPPK"] / n_emp <= 0.15
    assert s.scalar(select(func.count()).select_from(Unit).where(Unit.kind == "OPD")) >= 18
    assert s.scalar(select(func.count()).select_from(Position)) >= 200
    assert s.scalar(select(func.count()).select_from(SuperiorOverride)) in (1, 2)
    for word in ("admin", "bkd", "auditor", "keuangan", "Pegawai", str(n_emp)):
        assert word in summary
    if not IS_PG:
        assert elapsed < 10, f"seeding took {elapsed:.1f} s"
    assert "Aktivitas harian contoh" in summary


def test_no_audit_flood_and_flag_removed(seeded, s):
    from app.models import AuditLog

    assert "audit_disabled" not in s.info
    assert s.scalar(select(func.count()).select_from(AuditLog)) == 0


# --------------------------------------------------------------------------- organisation
def test_units_kecamatan_and_derived_opd(seeded, s):
    from app.models import Unit

    names = set(s.execute(select(Unit.name).where(Unit.kind == "KECAMATAN")).scalars())
    assert names == {f"Kecamatan {k}" for k in ("Klojen", "Blimbing", "Kedungkandang", "Lowokwaru", "Sukun")}
    for name in ("Sekretariat Daerah", "Dinas Kesehatan", "Badan Keuangan dan Aset Daerah", "Inspektorat",
                 "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "Badan Pendapatan Daerah",
                 "Dinas Pendidikan dan Kebudayaan", "Satuan Polisi Pamong Praja", "Dinas Perhubungan"):
        assert _by_name(s, Unit, name).kind == "OPD"
    kauman = _by_name(s, Unit, "Kelurahan Kauman")
    assert kauman.kind == "KELURAHAN" and kauman.parent.name == "Kecamatan Klojen"
    assert kauman.opd.name == "Kecamatan Klojen"
    arjuno = _by_name(s, Unit, "Puskesmas Arjuno")
    assert arjuno.opd.name == "Dinas Kesehatan" and arjuno.workdays_per_week == 6
    assert _by_name(s, Unit, "Satuan Polisi Pamong Praja").workdays_per_week == 6
    assert _by_name(s, Unit, "Bagian Hukum").opd.name == "Sekretariat Daerah"
    assert s.scalar(select(func.count()).select_from(Unit).where(Unit.opd_id.is_(None))) == 0
    codes = list(s.execute(select(Unit.code)).scalars())
    assert len(codes) == len(set(codes))


def test_positions_are_valid(seeded, s):
    from app.domain.positions import validate_position
    from app.models import Position

    for p in s.execute(select(Position)).scalars():
        assert validate_position(p.kind_code, p.level, p.eselon, p.kelas_jabatan) == {}, p.name
    sekda = _by_name(s, Position, "Sekretaris Daerah")
    assert sekda.parent_id is None and sekda.level == "Madya" and sekda.eselon == "II.a"
    assert s.scalar(select(func.count()).select_from(Position).where(Position.parent_id.is_(None))) == 1
    kadis = _by_name(s, Position, "Kepala Dinas Kesehatan")
    assert kadis.parent_id == sekda.id and kadis.kind_code == "JPT" and kadis.eselon == "II.b"


# --------------------------------------------------------------------------- employees
def test_every_employee_is_valid(seeded, s):
    from app.domain.nip import parse_nip, validate_nip
    from app.domain.positions import typical_golongan
    from app.models import Employee
    from app.services.masterdata import item_values, validate_employee

    today = _today()
    accounts = set()
    for emp in s.execute(select(Employee)).scalars():
        assert validate_nip(emp.nip, emp.kind, emp.birth_date, emp.sex) == [], emp.nip
        assert validate_employee(item_values(emp), current_id=emp.id) == {}, emp.nip
        assert emp.unit_id == emp.position.unit_id
        assert emp.bank_name == "Bank Jatim" and len(emp.bank_account) == 10 and emp.bank_account.isdigit()
        accounts.add(emp.bank_account)
        if emp.kind == "PNS":
            assert emp.golongan in typical_golongan(emp.position.kind_code, emp.position.level), emp.nip
        elif emp.kind == "CPNS":
            assert emp.golongan in ("III/a", "II/a")
            start = parse_nip(emp.nip).cpns_start
            assert today - timedelta(days=400) <= start <= today
        else:
            assert emp.golongan in ("V", "VII", "IX", "X")
    assert len(accounts) == s.scalar(select(func.count()).select_from(Employee))


# --------------------------------------------------------------------------- superiors
def _effective_overrides(s):
    from app.models import SuperiorOverride

    today = _today()
    return [o for o in s.execute(select(SuperiorOverride)).scalars()
            if o.valid_from <= today and (o.valid_to is None or today <= o.valid_to)]


def test_superiors_resolved(seeded, s):
    from app.models import Employee

    sekda = _holder(s, "Sekretaris Daerah")
    assert sekda.superior_id is None
    without = [e for e in s.execute(select(Employee)).scalars() if e.superior_id is None]
    assert [e.id for e in without] == [sekda.id]
    kadis = _holder(s, "Kepala Dinas Kesehatan")
    assert kadis.superior_id == sekda.id
    kasubag = _holder(s, "Kepala Subbagian Umum dan Kepegawaian", "Subbagian Umum dan Kepegawaian Dinas Kesehatan")
    assert kasubag.superior.position.name == "Sekretaris Dinas Kesehatan"


def test_vacant_superior_post_goes_one_level_up(seeded, s):
    from app.models import Employee, Position

    overridden = {o.employee_id for o in _effective_overrides(s)}
    parent = dict(s.execute(select(Position.id, Position.parent_id)).all())
    holders: dict[int, list[int]] = {}
    for eid, pid in s.execute(select(Employee.id, Employee.position_id).where(Employee.active.is_(True))):
        holders.setdefault(pid, []).append(eid)
    vacant = {pid for pid in parent if pid not in holders}
    assert 2 <= len(vacant) <= 4
    checked = 0
    for emp in s.execute(select(Employee)).scalars():
        up = parent.get(emp.position_id)
        if emp.id in overridden or up is None or up not in vacant:
            continue
        while up is not None and up not in holders:
            up = parent.get(up)
        assert up is not None
        assert emp.superior_id == min(holders[up]), emp.nip
        checked += 1
    assert checked >= 3
    # Concretely: the staff of the vacant Lurah Tlogomas report to the Camat Lowokwaru.
    camat = _holder(s, "Camat Lowokwaru")
    staff = s.execute(
        select(Employee).join(Position, Employee.position_id == Position.id)
        .where(Position.parent_id == _by_name(s, Position, "Lurah Tlogomas").id)
    ).scalars().all()
    assert staff and all(e.superior_id == camat.id for e in staff)


def test_plt_override_is_effective(seeded, s):
    from app.models import Employee, SuperiorOverride

    today = _today()
    overrides = s.execute(select(SuperiorOverride)).scalars().all()
    assert overrides
    first_of_last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    plt = _holder(s, "Sekretaris Dinas Perhubungan")
    for o in overrides:
        assert o.reason.startswith("Plt. Kepala Dinas")
        assert o.valid_from == first_of_last_month and o.valid_to is None
        assert o.superior_id == plt.id
        emp = s.get(Employee, o.employee_id)
        assert emp.superior_id == plt.id
        # without the override the Kepala Bidang would go up to the Sekda (vacant Kepala Dinas)
        assert emp.position.parent.name == "Kepala Dinas Perhubungan"
    assert plt.superior_id == _holder(s, "Sekretaris Daerah").id


# --------------------------------------------------------------------------- catalog, calendar
def test_catalog_holidays_periods(seeded, s):
    from app.models import ActivityCatalog, Holiday, Period
    from app.services.demo import holidays_for

    items = s.execute(select(ActivityCatalog)).scalars().all()
    assert 35 <= len(items) <= 50
    assert all(15 <= i.norm_minutes <= 240 for i in items)
    by_desc = {i.description: i for i in items}
    assert [k.code for k in by_desc["Melaksanakan pembelajaran tatap muka"].allowed_kinds] == ["JF_KEAHLIAN"]
    assert by_desc["Menyusun laporan kinerja bulanan"].allowed_kinds == []
    assert by_desc["Memverifikasi usulan kenaikan pangkat"].allowed_positions

    today = _today()
    days = {h.date: h for h in s.execute(select(Holiday)).scalars()}
    assert len(days) == len(holidays_for(today.year))
    assert date(today.year, 8, 17) in days and date(today.year, 1, 1) in days
    if today.year == 2026:
        assert len(days) == 25
        assert Counter(h.kind for h in days.values()) == {"LIBUR_NASIONAL": 17, "CUTI_BERSAMA": 8}
        assert days[date(2026, 3, 21)].name.startswith("Hari Raya Idulfitri")
    periods = s.execute(select(Period).order_by(Period.month)).scalars().all()
    assert [(p.year, p.month, p.state) for p in periods] == [(today.year, m, "OPEN") for m in range(1, today.month + 1)]


# --------------------------------------------------------------------------- demo activities
def _activities(s):
    from sqlalchemy.orm import selectinload

    from app.models import Activity, Employee, Position

    return s.execute(select(Activity).options(
        selectinload(Activity.employee).selectinload(Employee.unit),
        selectinload(Activity.employee).selectinload(Employee.position).selectinload(Position.kind),
        selectinload(Activity.catalog),
    )).scalars().all()


def _wib_date(dt):
    return (dt + timedelta(hours=7)).date()


def test_demo_activities_in_every_status(seeded, s):
    from flask_appbuilder.security.sqla.models import User

    from app.domain import calendar as cal
    from app.models import Employee, Holiday
    from app.services.demo import DEMO_ACTIVITY_OPD, demo_accounts

    app, summary, _ = seeded
    today = _today()
    items = _activities(s)
    assert "Aktivitas harian contoh" in summary
    by_status = Counter(a.status for a in items)
    n_days = len({a.date for a in items})
    assert {"DRAFT", "SUBMITTED"} <= set(by_status)
    if n_days >= 5:  # every state, except in the first working days of January
        assert set(by_status) == {"DRAFT", "SUBMITTED", "APPROVED", "RETURNED", "REJECTED"}, by_status
        assert by_status["APPROVED"] > len(items) / 2
        assert by_status["REJECTED"] < by_status["SUBMITTED"] and by_status["RETURNED"] < by_status["SUBMITTED"]

    employees = {a.employee for a in items}
    assert 50 <= len(employees) <= 70
    assert {e.unit.opd.name for e in employees} == set(DEMO_ACTIVITY_OPD)
    assert any(e.unit.workdays_per_week == 6 for e in employees)  # the puskesmas
    logins = {e.nip for e in employees}
    accounts = dict(demo_accounts())
    for login, desc in accounts.items():
        if desc.startswith(("Pegawai:", "Operator OPD Dinas Kesehatan", "Atasan (kepala dinas)")):
            assert login in logins, desc

    holidays = frozenset(s.execute(select(Holiday.date)).scalars())
    users = dict(s.execute(select(Employee.id, Employee.user_id)).all())
    bkd = s.execute(select(User.id).where(User.username == "bkd")).scalar_one()
    superior_of = dict(s.execute(select(Employee.id, Employee.superior_id)).all())
    overdue = 0
    for a in items:
        emp = a.employee
        if a.status == "DRAFT":
            assert a.submitted_at is None and a.superior_id is None and a.review_due is None
            assert a.decided_by_id is None and a.recognised_minutes is None
            continue
        # the superior snapshot at submission and the review deadline of the unit's calendar
        assert a.superior_id == emp.superior_id
        assert a.escalation_id == (superior_of[a.superior_id] if a.superior_id else None)
        submitted_on = _wib_date(a.submitted_at)
        assert a.date <= submitted_on <= today
        assert submitted_on <= cal.submit_deadline(a.date, 2, emp.unit.workdays_per_week, holidays)
        assert a.review_due == cal.review_deadline(submitted_on, 3, emp.unit.workdays_per_week, holidays)
        if a.status == "SUBMITTED":
            assert a.decided_by_id is None and a.decided_at is None and a.decision_note is None
            overdue += a.review_due < today
            continue
        assert a.decided_by_id == (users[a.superior_id] if a.superior_id else bkd)
        assert a.submitted_at < a.decided_at and _wib_date(a.decided_at) <= today
        if a.status == "APPROVED":
            assert a.recognised_minutes == a.claimed_minutes and a.decision_note is None
        else:
            assert a.recognised_minutes is None and a.decision_note
        if a.status == "RETURNED":  # still within the deadline, so the employee can fix it
            assert today <= cal.submit_deadline(a.date, 2, emp.unit.workdays_per_week, holidays)
    if n_days >= 10:  # not in the first days of January (no earlier period to fill)
        assert overdue >= 5
        # Overdue items reach the superior's superior (escalation).
        assert any(a.status == "SUBMITTED" and a.review_due < today and a.escalation_id for a in items)
    # The Kepala Dinas Kesehatan has something to decide.
    kadis = s.execute(select(Employee).where(Employee.nip == next(
        login for login, d in accounts.items() if d.startswith("Atasan (kepala dinas)")))).scalar_one()
    assert any(a.status == "SUBMITTED" and (a.superior_id == kadis.id or a.escalation_id == kadis.id)
               for a in items)


def test_demo_activity_window():
    from app.services.demo import _demo_window_start, holidays_for

    hol = frozenset(d for d, _, _ in holidays_for(2026))
    assert _demo_window_start(date(2026, 11, 27), hol) == date(2026, 11, 1)
    assert _demo_window_start(date(2026, 12, 1), hol) == date(2026, 11, 1)  # reaches back a month
    assert _demo_window_start(date(2026, 1, 5), hol) == date(2026, 1, 1)  # no period of last year


def test_demo_activities_respect_the_rules(seeded, s):
    from app.domain import calendar as cal
    from app.models import Holiday, Period
    from app.services.activities import catalog_allowed

    today = _today()
    items = _activities(s)
    assert items
    holidays = frozenset(s.execute(select(Holiday.date)).scalars())
    periods = {(p.year, p.month): p.state for p in s.execute(select(Period)).scalars()}
    days: dict[tuple, list] = {}
    latest: dict[int, date] = {}
    for a in items:
        emp = a.employee
        assert a.date <= today
        assert cal.is_working_day(a.date, emp.unit.workdays_per_week, holidays), (a.date, emp.unit.name)
        assert periods.get((a.date.year, a.date.month)) == "OPEN"
        assert a.catalog is not None and catalog_allowed(a.catalog, emp), (a.catalog.code, emp.position.name)
        assert a.description == a.catalog.description
        minutes = lambda t: t.hour * 60 + t.minute  # noqa: E731
        assert a.claimed_minutes == a.catalog.norm_minutes * a.volume == minutes(a.end_time) - minutes(a.start_time)
        assert a.volume == int(a.volume) >= 1
        assert a.entered_by_id == emp.user_id
        days.setdefault((a.employee_id, a.date), []).append(a)
        latest[a.employee_id] = max(latest.get(a.employee_id, a.date), a.date)
    for (emp_id, day), acts in days.items():
        assert 1 <= len(acts) <= 4
        assert sum(a.claimed_minutes for a in acts) <= 450, (emp_id, day)
        acts.sort(key=lambda a: a.start_time)
        for first, second in zip(acts, acts[1:]):
            assert first.end_time <= second.start_time, (emp_id, day, first.end_time, second.start_time)
    for a in items:
        if a.status == "DRAFT":
            assert a.date == latest[a.employee_id]
    # At least two activities on most days; several employees' days are fairly full.
    assert sum(len(v) >= 2 for v in days.values()) >= 0.95 * len(days)
    assert sum(sum(a.claimed_minutes for a in v) >= 400 for v in days.values()) >= 10


# --------------------------------------------------------------------------- logins
def test_logins_roles_and_passwords(seeded, s):
    from flask_appbuilder.security.sqla.models import User

    from app.models import Employee
    from app.services.demo import DEMO_LOGINS, demo_accounts

    app = seeded[0]
    n_emp = s.scalar(select(func.count()).select_from(Employee))
    assert s.scalar(select(func.count()).select_from(User)) == n_emp + 4
    assert s.scalar(select(func.count()).select_from(Employee).where(Employee.user_id.is_(None))) == 0
    for emp in s.execute(select(Employee).limit(20)).scalars():
        assert emp.user.username == emp.nip and "Pegawai" in {r.name for r in emp.user.roles}

    accounts = demo_accounts()
    assert accounts == demo_accounts()  # deterministic
    logins = [login for login, _ in accounts]
    assert logins[:4] == ["admin", "bkd", "auditor", "keuangan"]
    for login in logins:
        assert login in DEMO_LOGINS
    roles = {u.username: {r.name for r in u.roles} for u in s.execute(select(User)).scalars()}
    assert roles["admin"] == {"Admin"} and roles["bkd"] == {"BKD"}
    assert roles["auditor"] == {"Auditor"} and roles["keuangan"] == {"Keuangan"}
    desc = dict(accounts)
    op_dinkes = next(login for login, d in accounts if d.startswith("Operator OPD Dinas Kesehatan"))
    op_klojen = next(login for login, d in accounts if d.startswith("Operator OPD Kecamatan Klojen"))
    kadis = next(login for login, d in accounts if "Kepala Dinas Kesehatan" in d)
    pegawai = next(login for login, d in accounts if d.startswith("Pegawai:"))
    assert {"Pegawai", "Operator OPD", "Atasan"} <= roles[op_dinkes]
    assert {"Pegawai", "Operator OPD"} <= roles[op_klojen]
    assert s.execute(select(Employee).where(Employee.nip == op_klojen)).scalar_one().unit.opd.name == "Kecamatan Klojen"
    assert {"Pegawai", "Atasan"} <= roles[kadis] and "Operator OPD" not in roles[kadis]
    assert roles[pegawai] == {"Pegawai"}, desc[pegawai]
    operators = [u for u, r in roles.items() if "Operator OPD" in r]
    assert 4 <= len(operators) <= 6
    # Atasan is held by exactly the employees who are someone's superior.
    superiors = set(s.execute(select(Employee.superior_id).where(Employee.superior_id.is_not(None))).scalars())
    atasan = {e.nip for e in s.execute(select(Employee).where(Employee.id.in_(superiors))).scalars()}
    assert atasan == {u for u, r in roles.items() if "Atasan" in r}

    with app.test_request_context():
        sm = app.appbuilder.sm
        for login in ("admin", "keuangan", op_dinkes, pegawai):
            user = sm.auth_user_db(login, PASSWORD)
            assert user is not None and user.username == login
        assert sm.auth_user_db(pegawai, "salah") is None


# --------------------------------------------------------------------------- refusal
def test_seeding_twice_is_refused(seeded, s):
    from app.models import Employee, Unit
    from app.services.demo import DemoSeedError, seed_demo

    n_emp = s.scalar(select(func.count()).select_from(Employee))
    n_unit = s.scalar(select(func.count()).select_from(Unit))
    with pytest.raises(DemoSeedError, match="sudah berisi"):
        seed_demo(PASSWORD)
    assert s.scalar(select(func.count()).select_from(Employee)) == n_emp
    assert s.scalar(select(func.count()).select_from(Unit)) == n_unit
    assert "audit_disabled" not in s.info


def test_plan_is_deterministic():
    from app.services.demo import _build_plan

    a, b = _build_plan(date(2026, 11, 27)), _build_plan(date(2026, 11, 27))
    assert [e.nip for e in a.employees] == [e.nip for e in b.employees]
    # Only the CPNS start follows the seeding date; everyone else keeps the same NIP.
    c = _build_plan(date(2027, 6, 1))
    same = [x.nip == y.nip for x, y in zip(a.employees, c.employees) if x.kind != "CPNS"]
    assert all(same) and len(a.employees) == len(c.employees)
