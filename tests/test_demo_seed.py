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
from datetime import date, datetime, timedelta
from datetime import time as dtime

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

import config

PASSWORD = "rahasia"
PG_URL = os.environ.get("DATABASE_URL", "")
IS_PG = PG_URL.startswith("postgresql")


def _admin_engine():
    return create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _seed(tmp_path_factory, fixed_today=None, wib_time=None, keep_context=True):
    """Yield (app, summary, seconds, now_bound) with the demo data seeded into a fresh database;
    `fixed_today` pins the date (FIXED_TODAY), `wib_time` the time of day (else the real one).
    `now_bound` is the seeding clock just after seeding (naive UTC): no demo row may lie after it."""
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
    cfg = type("DemoSeedTestConfig", (config.TestConfig,),
               {"SQLALCHEMY_DATABASE_URI": uri, "FIXED_TODAY": fixed_today})

    from flask_migrate import upgrade

    from app import create_app
    from app.cli import sync_roles
    from app.extensions import db
    from app.services.demo import seed_clock, seed_demo

    app = create_app(cfg)
    ctx = app.app_context()
    ctx.push()
    try:
        upgrade()
        sync_roles()
        started = time.perf_counter()
        pinned = datetime.combine(fixed_today, wib_time) - timedelta(hours=7) if wib_time else None
        _, before = seed_clock(now=pinned)
        summary = seed_demo(PASSWORD, now=pinned)
        elapsed = time.perf_counter() - started
        today, after = seed_clock(now=pinned)
        if after < before:  # midnight WIB passed while seeding (FIXED_TODAY keeps the date)
            after = datetime.combine(today, datetime.max.time()) - timedelta(hours=7)
        db.session.remove()
        if not keep_context:  # the tests enter the app themselves (several seeded apps per module)
            ctx.pop()
        yield app, summary, elapsed, after
    finally:
        if not keep_context:
            ctx = app.app_context()
            ctx.push()
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


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """The demo seeded at the real clock."""
    yield from _seed(tmp_path_factory)


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

    app, summary, _, _ = seeded
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
    from app.services.demo import demo_periods, demo_years, holidays_for

    items = s.execute(select(ActivityCatalog)).scalars().all()
    assert 35 <= len(items) <= 50
    assert all(15 <= i.norm_minutes <= 240 for i in items)
    by_desc = {i.description: i for i in items}
    assert [k.code for k in by_desc["Melaksanakan pembelajaran tatap muka"].allowed_kinds] == ["JF_KEAHLIAN"]
    assert by_desc["Menyusun laporan kinerja bulanan"].allowed_kinds == []
    assert by_desc["Memverifikasi usulan kenaikan pangkat"].allowed_positions

    today = _today()
    days = {h.date: h for h in s.execute(select(Holiday)).scalars()}
    assert len(days) == sum(len(holidays_for(y)) for y in demo_years(today))
    assert date(today.year, 8, 17) in days and date(today.year, 1, 1) in days
    if demo_years(today) == [2026]:
        assert len(days) == 25
        assert Counter(h.kind for h in days.values()) == {"LIBUR_NASIONAL": 17, "CUTI_BERSAMA": 8}
        assert days[date(2026, 3, 21)].name.startswith("Hari Raya Idulfitri")
    periods = s.execute(select(Period).order_by(Period.year, Period.month)).scalars().all()
    assert [(p.year, p.month, p.state) for p in periods] == [(y, m, "OPEN") for y, m in demo_periods(today)]


# --------------------------------------------------------------------------- the demo months
# Checked at the real clock and with FIXED_TODAY in the middle of a month, on the 1st of a
# month and on a Monday after a holiday (Kenaikan Yesus Kristus and cuti bersama, 14–15 May).
# (FIXED_TODAY, WIB time of day of the seeding; None = the real time of day)
FIXED_DAYS = ((date(2026, 9, 16), dtime(14, 30)), (date(2026, 12, 1), None), (date(2026, 5, 18), dtime(17, 45)))
STATES = ("DRAFT", "SUBMITTED", "OVERDUE", "APPROVED", "RETURNED", "REJECTED")


@pytest.fixture(scope="module", params=(None, *FIXED_DAYS),
                ids=("jam-nyata", "pertengahan-bulan", "tanggal-1", "senin-setelah-libur"))
def demo_db(request, tmp_path_factory):
    if request.param is None:
        yield request.getfixturevalue("seeded")
    else:
        yield from _seed(tmp_path_factory, *request.param, keep_context=False)


@pytest.fixture
def demo(demo_db):
    """(app, session, summary, now_bound, today) inside the seeded app."""
    from app.extensions import db

    app, summary, _, bound = demo_db
    with app.app_context():
        yield app, db.session, summary, bound, _today()
        db.session.rollback()
        db.session.remove()


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


def _state(a, today):
    return "OVERDUE" if a.status == "SUBMITTED" and a.review_due < today else a.status


def test_demo_window_and_months():
    from app.services.demo import demo_months, demo_periods, demo_window, demo_years

    assert demo_window(date(2026, 11, 27)) == (date(2026, 10, 1), date(2026, 11, 27))
    assert demo_window(date(2026, 12, 1)) == (date(2026, 11, 1), date(2026, 12, 1))
    assert demo_window(date(2027, 1, 5)) == (date(2026, 12, 1), date(2027, 1, 5))  # across the year
    assert demo_months(date(2026, 3, 2)) == [(2026, 2), (2026, 3)]
    assert demo_months(date(2027, 1, 20)) == [(2026, 12), (2027, 1)]
    assert demo_periods(date(2026, 3, 2)) == [(2026, 1), (2026, 2), (2026, 3)]
    assert demo_periods(date(2027, 1, 4)) == [(2026, 12), (2027, 1)]
    assert demo_years(date(2026, 3, 2)) == [2026] and demo_years(date(2027, 1, 4)) == [2026, 2027]


def test_every_opd_has_activities_in_every_state(demo):
    from app.models import Employee, Unit
    from app.services.demo import demo_window

    app, s, summary, _, today = demo
    assert "Aktivitas harian contoh" in summary
    first, _ = demo_window(today)
    opd_of = dict(s.execute(select(Employee.id, Unit.opd_id).join(Unit, Unit.id == Employee.unit_id)).all())
    roots = dict(s.execute(select(Unit.id, Unit.name).where(Unit.parent_id.is_(None))).all())
    assert len(roots) == 25  # 20 OPD and the five kecamatan
    states: dict[int, Counter] = {opd: Counter() for opd in roots}
    employees: dict[int, set] = {opd: set() for opd in roots}
    for a in _activities(s):
        assert first <= a.date <= today
        states[opd_of[a.employee_id]][_state(a, today)] += 1
        employees[opd_of[a.employee_id]].add(a.employee_id)
    n_emp = Counter(opd_of.values())
    for opd, name in roots.items():
        assert set(states[opd]) == set(STATES), (name, states[opd])
        assert states[opd]["APPROVED"] > sum(states[opd].values()) / 2, name
        assert len(employees[opd]) == n_emp[opd], name  # everybody logs work


def _is_working_day(day):
    from app.domain import calendar as cal
    from app.services.calendar import holidays_around

    return cal.is_working_day(day, 5, holidays_around(day))


def test_nothing_in_the_future_of_the_seeding_clock(demo):
    from app.models import Activity, Attendance, AuditLog, Evaluation, OrgPredikat, Period, Recap

    app, s, _, bound, today = demo
    assert s.scalar(select(func.max(Activity.date))) <= today
    for column in (Activity.created_at, Activity.submitted_at, Activity.decided_at, Evaluation.evaluated_at,
                   OrgPredikat.set_at, Recap.computed_at, AuditLog.at):
        latest = s.scalar(select(func.max(column)))
        assert latest is None or latest <= bound, (column, latest, bound)
    assert s.scalar(select(func.max(Attendance.date))) < today  # today's check-out is not known yet
    assert all((p.year, p.month) <= (today.year, today.month) for p in s.execute(select(Period)).scalars())
    for e in s.execute(select(Evaluation)).scalars():
        assert (e.period.year, e.period.month) <= (today.year, today.month)
    # Today's activities are those that have ended by now; seeded in the afternoon of a working
    # day, there are some (with their submissions and decisions, all before now).
    wib_now = bound + timedelta(hours=7)
    todays = s.execute(select(Activity).where(Activity.date == today)).scalars().all()
    assert all(a.end_time <= wib_now.time() for a in todays)
    if wib_now.date() == today and wib_now.hour >= 14 and _is_working_day(today):
        assert len(todays) > 100 and {a.status for a in todays} >= {"DRAFT", "SUBMITTED"}


def test_activities_obey_the_workflow_rules(demo):
    from flask_appbuilder.security.sqla.models import User

    from app.domain import calendar as cal
    from app.models import Employee, Holiday, Period, Unit
    from app.services.activities import catalog_allowed

    app, s, _, _, today = demo
    items = _activities(s)
    holidays = frozenset(s.execute(select(Holiday.date)).scalars())
    periods = {(p.year, p.month): p.state for p in s.execute(select(Period)).scalars()}
    users = dict(s.execute(select(Employee.id, Employee.user_id)).all())
    bkd = s.execute(select(User.id).where(User.username == "bkd")).scalar_one()
    superior_of = dict(s.execute(select(Employee.id, Employee.superior_id)).all())
    week_of = dict(s.execute(select(Employee.id, Unit.workdays_per_week).join(Unit, Unit.id == Employee.unit_id)).all())
    minutes = lambda t: t.hour * 60 + t.minute  # noqa: E731
    days: dict[tuple, list] = {}
    for a in items:
        emp = a.employee
        week = emp.unit.workdays_per_week
        assert cal.is_working_day(a.date, week, holidays), (a.date, emp.unit.name)
        assert periods.get((a.date.year, a.date.month)) == "OPEN"
        assert a.catalog is not None and catalog_allowed(a.catalog, emp), (a.catalog.code, emp.position.name)
        assert a.description == a.catalog.description
        assert a.claimed_minutes == a.catalog.norm_minutes * a.volume == minutes(a.end_time) - minutes(a.start_time)
        assert a.volume == int(a.volume) >= 1
        assert a.entered_by_id == emp.user_id
        assert _wib_date(a.created_at) == a.date and (a.created_at + timedelta(hours=7)).time() >= a.end_time
        days.setdefault((a.employee_id, a.date), []).append(a)
        deadline = cal.submit_deadline(a.date, 2, week, holidays)
        if a.status == "DRAFT":
            assert a.submitted_at is None and a.superior_id is None and a.review_due is None
            assert a.decided_by_id is None and a.recognised_minutes is None
            assert today <= deadline  # the employee can still submit it
            continue
        # Submitted within the deadline; the superior snapshot; the decider's review deadline.
        assert a.superior_id == emp.superior_id
        assert a.escalation_id == (superior_of[a.superior_id] if a.superior_id else None)
        submitted_on = _wib_date(a.submitted_at)
        assert a.date <= submitted_on <= min(deadline, today)
        assert a.created_at < a.submitted_at
        decider_week = week_of[a.superior_id] if a.superior_id else week
        assert a.review_due == cal.review_deadline(submitted_on, 3, decider_week, holidays)
        if a.status == "SUBMITTED":
            assert a.decided_by_id is None and a.decided_at is None and a.decision_note is None
            continue
        assert a.decided_by_id == (users[a.superior_id] if a.superior_id else bkd)
        assert a.submitted_at < a.decided_at and _wib_date(a.decided_at) <= today
        if a.status == "APPROVED":
            assert a.recognised_minutes == a.claimed_minutes and a.decision_note is None
        else:
            assert a.recognised_minutes is None and a.decision_note
        if a.status == "RETURNED":  # the deadline counted from the return is still open
            assert today <= cal.submit_deadline(_wib_date(a.decided_at), 2, week, holidays)
    for (emp_id, day), acts in days.items():
        assert 1 <= len(acts) <= 4
        assert sum(a.claimed_minutes for a in acts) <= 450, (emp_id, day)
        acts.sort(key=lambda a: a.start_time)
        for first, second in zip(acts, acts[1:]):
            assert first.end_time <= second.start_time, (emp_id, day, first.end_time, second.start_time)
    assert sum(len(v) >= 2 for v in days.values()) >= 0.8 * len(days)
    assert sum(sum(a.claimed_minutes for a in v) >= 400 for v in days.values()) >= 100
    # Overdue items reach the superior's superior (escalation); some decisions came late.
    assert any(_state(a, today) == "OVERDUE" and a.escalation_id for a in items)
    assert any(a.decided_at and _wib_date(a.decided_at) > a.review_due for a in items)


def test_readme_logins_have_work_to_see(demo):
    from app.models import Period
    from app.services.demo import demo_accounts

    app, s, _, _, today = demo
    accounts = dict(demo_accounts())
    kadis = next(login for login, d in accounts.items() if d.startswith("Atasan (kepala dinas)"))
    pegawai = next(login for login, d in accounts.items() if d.startswith("Pegawai:"))
    y, m = _complete_month(today)
    period = s.execute(select(Period).where(Period.year == y, Period.month == m)).scalar_one()
    client = app.test_client()
    # The Pegawai's month on the dashboard: work logged and recognised.
    assert client.post("/login/", data={"username": pegawai, "password": PASSWORD}).status_code == 302
    month = client.get(f"/dashboard/data/employee_month?period={period.id}").get_json()
    assert month["totals"]["activities"] >= 10 and month["totals"]["recognised"] > 0, month["totals"]
    client.get("/logout/")
    # The Kepala Dinas Kesehatan has something to decide (own queue or escalated).
    assert client.post("/login/", data={"username": kadis, "password": PASSWORD}).status_code == 302
    queue = client.get("/dashboard/data/queue").get_json()
    assert queue["pending"] >= 1, queue
    client.get("/logout/")


def _decisions_settled(s, period, today):
    """Whether the superiors' decisions of a month can show their spread: a past month, or the
    running one from a week after its first working day. Before that hardly any superior's
    deadline has passed for its work and little of it is approved yet: the on-time rates and the
    work scores are alike everywhere (all on time, all near 0 %)."""
    from app.models import Activity

    if (period.year, period.month) < (today.year, today.month):
        return True
    first = s.scalar(select(func.min(Activity.date)).where(Activity.date >= date(period.year, period.month, 1)))
    return first is not None and (today - first).days >= 7


def _complete_month(today):
    from app.services.demo import demo_months

    return demo_months(today)[0]


def test_attendance_and_recap_have_a_spread(demo):
    from app.models import Attendance, Employee, Period, Recap

    app, s, _, _, today = demo
    n_emp = s.scalar(select(func.count()).select_from(Employee).where(Employee.active.is_(True)))
    statuses = Counter(s.execute(select(Attendance.status)).scalars())
    assert {"HADIR", "CUTI", "SAKIT", "DL", "TK"} <= set(statuses)
    assert statuses["HADIR"] > 0.85 * sum(statuses.values())
    assert s.scalar(select(func.count()).select_from(Attendance).where(Attendance.minutes_late > 30)) > 0
    assert s.scalar(select(func.count()).select_from(Attendance).where(Attendance.minutes_early > 0)) > 0
    y, m = _complete_month(today)
    period = s.execute(select(Period).where(Period.year == y, Period.month == m)).scalar_one()
    rows = s.execute(select(Recap).where(Recap.period_id == period.id)).scalars().all()
    assert len(rows) == n_emp
    scores = [float(r.work_score) for r in rows]
    assert sum(x >= 99 for x in scores) >= 0.1 * n_emp  # some near 100 %
    assert sum(70 <= x < 99 for x in scores) >= 0.25 * n_emp  # many around 70–90 %
    assert 1 <= sum(x < 50 for x in scores) <= 0.25 * n_emp  # a few low
    assert sum(float(r.deduction_pct) > 0 for r in rows) >= 0.3 * n_emp
    assert sum(r.reduced_days > 0 for r in rows) > 0  # CUTI/SAKIT/DL cut the target
    assert all(r.predikat for r in rows)  # the evaluations are in the recap
    assert all(r.net > 0 for r in rows)


def test_dashboards_and_distribution_report_are_filled_for_every_opd(demo):
    from app.models import Evaluation, OrgPredikat, Period
    from app.services.evaluation import distribution_report

    app, s, _, _, today = demo
    # Every demo month that has begun is evaluated (the running one from its first working day).
    periods = s.execute(select(Period).where(Period.id.in_(select(Evaluation.period_id)))
                        .order_by(Period.month)).scalars().all()
    assert _complete_month(today) in {(p.year, p.month) for p in periods}
    assert len(s.execute(select(OrgPredikat.period_id).distinct()).all()) == len(periods)
    client = app.test_client()
    resp = client.post("/login/", data={"username": "bkd", "password": PASSWORD})
    assert resp.status_code == 302
    for period in periods:
        rates = client.get(f"/dashboard/data/opd_rates?period={period.id}").get_json()["opd"]
        assert len(rates) == 25
        assert all(o["activities"] > 0 for o in rates), rates
        assert all(o["activities"] >= o["submitted"] >= o["decided"] >= o["on_time"] for o in rates), rates
        scores = client.get(f"/dashboard/data/opd_scores?period={period.id}").get_json()["opd"]
        assert all(o["employees"] > 0 and o["average"] is not None for o in scores), scores
        if _decisions_settled(s, period, today):  # not the same everywhere
            assert all(o["decided"] > 0 for o in rates), rates
            assert len({o["on_time_rate"] for o in rates}) > 3
            assert len({o["average"] for o in scores}) > 10
        chart = client.get(f"/dashboard/data/predikat?period={period.id}").get_json()["opd"]
        assert all(o["total"] > 0 and o["org_predikat"] for o in chart), chart
        report = distribution_report(period)
        assert len(report) == 25 and all(r.total > 0 and r.org_predikat for r in report)
        violating = [r.opd_name for r in report if r.violations]
        assert 2 <= len(violating) <= 8, violating  # both kinds show: a few violate, most fit
        assert {r.org_predikat for r in report} >= {"ISTIMEWA", "BAIK", "BUTUH_PERBAIKAN"}
        codes = Counter(e.predikat for e in s.execute(
            select(Evaluation).where(Evaluation.period_id == period.id)).scalars())
        assert {"SANGAT_BAIK", "BAIK", "BUTUH_PERBAIKAN", "KURANG"} <= set(codes)
    client.get("/logout/")


def test_evaluations_follow_the_matrix(demo):
    import json

    from app.domain import predikat as PR
    from app.models import Employee, Evaluation

    app, s, _, _, today = demo
    superior_of = dict(s.execute(select(Employee.id, Employee.superior_id)).all())
    users = dict(s.execute(select(Employee.id, Employee.user_id)).all())
    rows = s.execute(select(Evaluation)).scalars().all()
    assert rows
    for e in rows:
        values = json.loads(e.perilaku_values)
        assert e.rating_perilaku == PR.perilaku_from_values(values)
        assert e.predikat == PR.predikat(e.rating_hasil_kerja, e.rating_perilaku)
        assert e.evaluator_id == superior_of[e.employee_id]
        if e.evaluator_id is not None:
            assert e.evaluated_by_id == users[e.evaluator_id]


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


# --------------------------------------------------------------------------- SKP of the demo year
def _skp_world(s):
    from sqlalchemy.orm import aliased

    from app.domain.skp import is_opd_head
    from app.models import Employee, Position, Rhk, Skp, Unit

    year = _today().year
    ParentPos, ParentUnit = aliased(Position), aliased(Unit)
    heads = {eid for eid, opd, parent, parent_opd, sup in s.execute(
        select(Employee.id, Unit.opd_id, Position.parent_id, ParentUnit.opd_id, Employee.superior_id)
        .join(Position, Employee.position_id == Position.id).join(Unit, Position.unit_id == Unit.id)
        .outerjoin(ParentPos, Position.parent_id == ParentPos.id)
        .outerjoin(ParentUnit, ParentPos.unit_id == ParentUnit.id).where(Employee.active.is_(True)))
        if is_opd_head(opd, parent_opd, parent is not None) or sup is None}
    skps = {k.employee_id: k for k in s.execute(select(Skp).where(Skp.year == year)).scalars()}
    in_force = {}
    for r in s.execute(select(Rhk).join(Skp, Rhk.skp_id == Skp.id).where(
            Skp.year == year, Rhk.active.is_(True), Rhk.approved_revision == Skp.approved_revision)
            .order_by(Rhk.id)).scalars():
        in_force.setdefault(r.skp_id, []).append(r)
    return year, heads, skps, in_force


def test_every_employee_has_an_approved_skp_with_history(seeded, s):
    from app.models import Employee, SkpHistory
    from app.services.skp import plan_in_force

    year, _, skps, in_force = _skp_world(s)
    active = set(s.execute(select(Employee.id).where(Employee.active.is_(True))).scalars())
    assert active and active == set(skps)
    for skp in skps.values():
        assert skp.approved_revision == 1 and (skp.decided_at is not None or skp.status != "APPROVED")
        rhk = in_force[skp.id]
        assert any(r.kind == "UTAMA" for r in rhk) and all(r.indicators for r in rhk)
        plan = plan_in_force(skp)
        assert {r["id"] for r in plan["rhk"]} == {r.id for r in rhk}
    assert s.scalar(select(func.count(SkpHistory.id))) == len(skps)
    waiting = Counter(k.status for k in skps.values() if k.status != "APPROVED")
    assert waiting == {"SUBMITTED": 2, "DRAFT": 1}
    head = _holder(s, "Kepala Dinas Kesehatan")
    for k in skps.values():
        if k.status != "APPROVED":  # a revision raising a target; the approved plan keeps the old one
            assert k.revision == 2 and k.superior_id == head.id
            first = in_force[k.id][0].indicators[0]
            kept = plan_in_force(k)["rhk"][0]["indicators"][0]
            assert kept["id"] == first.id and float(kept["target_value"]) + 6 == float(first.target_value)


def test_rhk_cascade_from_the_city_goals(seeded, s):
    from app.models import StrategicGoal, Unit

    year, heads, skps, in_force = _skp_world(s)
    skp_by_id = {k.id: k for k in skps.values()}
    ids_of = {sid: {r.id for r in rows} for sid, rows in in_force.items()}
    goals = {g.id: g for g in s.execute(select(StrategicGoal).where(StrategicGoal.year == year)).scalars()}
    assert sum(g.unit_id is None for g in goals.values()) >= 3
    unlinked = []
    for sid, rows in in_force.items():
        skp = skp_by_id[sid]
        for r in rows:
            if skp.employee_id in heads:
                goal = goals[r.goal_id]
                assert r.parent_id is None and goal.unit_id == skp.opd_id
                assert goal.parent_id is not None and goals[goal.parent_id].unit_id is None
            elif r.parent_id is None:
                unlinked.append(skp)
            else:
                assert r.goal_id is None
                assert r.parent_id in ids_of[skps[skp.superior_id].id]
    gap_opd = _by_name(s, Unit, "Dinas Lingkungan Hidup")
    assert [k.opd_id for k in unlinked] == [gap_opd.id]  # the one deliberate gap
    # Every in-force RHK of a superior is intervened in, except the deliberate one in the gap OPD.
    named = {r.parent_id for rows in in_force.values() for r in rows if r.parent_id}
    superiors = {k.superior_id for k in skps.values() if k.employee_id not in heads}
    lonely = [skp_by_id[r.skp_id] for e in superiors for r in in_force[skps[e].id] if r.id not in named]
    assert [k.opd_id for k in lonely] == [gap_opd.id]


def test_activities_linked_to_the_employees_plan_in_force(seeded, s):
    from app.models import Activity

    year, _, skps, in_force = _skp_world(s)
    own = {skps_id: {r.id for r in rows} for skps_id, rows in in_force.items()}
    skp_of = {e: k.id for e, k in skps.items()}
    linked = s.execute(select(Activity.employee_id, Activity.rhk_id, Activity.date)
                       .where(Activity.rhk_id.is_not(None))).all()
    # The SKP is this year's: in January, December's work names no RHK.
    total = s.scalar(select(func.count(Activity.id)).where(Activity.date >= date(year, 1, 1)))
    assert 0.3 * total < len(linked) < total or total == len(linked) == 0  # 1 January: none yet
    for eid, rhk_id, day in linked:
        assert day.year == year and rhk_id in own[skp_of[eid]]


def test_matriks_peran_hasil_complete_but_for_the_gap_opd(seeded, s):
    from app.domain import cascade as dom
    from app.models import Unit
    from app.services import cascade

    year = _today().year
    gap_opd = _by_name(s, Unit, "Dinas Lingkungan Hidup")
    opds = s.execute(select(Unit.id).where(Unit.opd_id == Unit.id)).scalars().all()
    for opd_id in opds:
        counts = cascade.build(opd_id, year).counts
        if opd_id == gap_opd.id:
            assert counts == {**dict.fromkeys(dom.GAP_KINDS, 0), dom.NOT_INTERVENED: 1, dom.NOT_INTERVENING: 1}
        else:
            assert not any(counts.values()), (opd_id, counts)
