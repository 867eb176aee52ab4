"""Monthly recap (rekap kinerja dan TPP) of a whole period, computed in the database.

``recompute_period(year, month)`` writes one ``Recap`` row per ACTIVE employee with a fixed
number of SQL statements, whatever the number of employees (design section 6):

1. parameters of the year, the period, the month's holidays (three small selects);
2. recognised minutes — ONE single-level grouped statement over ``activity``:
   ``SELECT employee_id, SUM(recognised_minutes) … WHERE status = 'APPROVED' AND date BETWEEN …
   GROUP BY employee_id``. The daily cap is applied when an activity is decided
   (``app.services.activities``: ``decide``/``correct`` re-cap the employee-day, a change of
   ``max_minutes_per_day`` re-caps the year's open months with ``recap_recognised``), so the
   stored ``recognised_minutes`` of a day's approved rows add up to min(claimed, cap);
3. attendance — ONE grouped statement over ``attendance`` of the month's working days,
   grouped per employee and "Monday–Friday working day or not" (the 6-day list contains the
   5-day one; both lists are computed once with ``app.domain.calendar``, not per employee, and
   the SQL names only the few days where they differ: non-working days are excluded, working
   Saturdays form the second group — see ``_day_filters``): a 5-day unit takes the weekday
   group, a 6-day unit both. It gives the number of days whose
   status reduces the target and the discipline deduction computed by CASE expressions from
   the bands (late and early separately, NULL minutes = ``no_record_percent``, TK =
   ``tk_percent``); the month's total is capped at ``max_deduction_percent`` (100) in Python
   after the two groups are added. The SQL works in integers scaled by 10^d (d = the most
   decimals of any percentage parameter), so the sum is exact on SQLite too; Python divides it
   back into a Decimal. Choice: SQL aggregation rather than streaming the ~220,000 attendance
   rows of the city into Python (measured slower than the whole bare GROUP BY alone), and no
   join to employee/unit over those rows.
   An attendance day without a row deducts nothing: only imported rows count (a row whose
   ``minutes_late`` / ``minutes_early`` is NULL is the "no record" case).
4. active sanctions overlapping the month (highest percent per employee), the period's
   evaluations (predikat), and the active employees joined to unit, position and the year's
   ``TppRate`` (one statement each);
5. per employee, in Python, the domain functions: ``target_minutes``, ``work_score``,
   ``compute_tpp`` (memoised: identical inputs give identical TPP), tax group by golongan;
6. the rows are written in place, so a recap row keeps its id across recomputes (saved
   "rincian" links keep working): one DELETE of the period's rows of employees no longer in the
   recap (inactive), then one bulk UPSERT keyed on (period, employee) — ``INSERT … ON CONFLICT
   (period_id, employee_id) DO UPDATE`` as one executemany on SQLite, COPY into a temporary
   table and one ``INSERT … SELECT … ON CONFLICT DO UPDATE`` on PostgreSQL — in the caller's
   transaction; one audit event ``RECOMPUTE`` on the period (entity "Period", the counts in
   ``after``).

``explain(employee_id, year, month)`` recomputes ONE employee step by step with the domain
functions (for the "rincian" page) and must agree with the stored row (tests check it). It
still caps the approved CLAIMED minutes per day itself (``recognised_minutes`` of
``app.domain.scores``), so an empty ``differences`` also proves that the stored per-activity
recognised minutes agree with the domain rule.
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import and_, case, delete, func, literal, select

from app.domain import parameters as P
from app.domain.calendar import DAY_NAMES_ID, working_days_in_month
from app.domain.golongan import golongan_group, pppk_tax_group
from app.domain.money import round_pct
from app.domain.scores import (
    ATTENDANCE_LABELS, employee_working_days, recognised_minutes, suggest_rating_hasil_kerja,
    target_minutes, work_score,
)
from app.domain.tpp import (
    AttendanceDay, CPNS, PPPK, TK, TppParams, compute_tpp, deduction_breakdown, deduction_percent,
)
from app.extensions import db
from app.services import Forbidden, NotFound, ValidationFailed

MSG_CLOSED = "Periode sudah ditutup; rekap dibekukan."
MSG_FORBIDDEN = "Hanya BKD atau Admin yang dapat menghitung ulang rekap."
MONTH_NAMES = ("", "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
               "September", "Oktober", "November", "Desember")

# Parameters that enter the recap (stored as the row's `params` JSON with the month's holidays).
USED_PARAMETERS = (
    "max_minutes_per_day", "effective_minutes_per_day", "reducing_statuses", "weight_performance",
    "weight_discipline", "late_bands", "early_bands", "no_record_percent", "tk_percent", "cpns_factor",
    "tax_rates", "health_rate", "health_cap",
)
# Columns written by recompute_period, in the order of its row tuples.
RECAP_COLUMNS = (
    "period_id", "employee_id", "nip", "name", "unit_id", "opd_id", "unit_name", "position_name", "position_kind",
    "kelas_jabatan", "employee_kind", "golongan", "bank_account", "workdays_per_week", "calendar_working_days",
    "reduced_days", "working_days", "target_minutes", "recognised_minutes", "work_score", "predikat",
    "deduction_pct", "sanction_pct", "base_tpp", "performance_part", "discipline_part", "gross", "tax", "health",
    "net", "params", "computed_at",
)
# Recap columns that hold numbers (compared by explain()).
NUMBER_FIELDS = (
    "workdays_per_week", "calendar_working_days", "reduced_days", "working_days", "target_minutes",
    "recognised_minutes", "work_score", "predikat", "deduction_pct", "sanction_pct", "base_tpp",
    "performance_part", "discipline_part", "gross", "tax", "health", "net",
)


@dataclass
class RecomputeResult:
    period_id: int
    year: int
    month: int
    employees: int = 0  # rows written (active employees)
    updated: int = 0  # existing rows updated in place (ids kept)
    inserted: int = 0  # new rows (employees without a row yet)
    deleted: int = 0  # rows of employees no longer in the recap (inactive)
    without_rate: int = 0  # employees without a TppRate for their kelas (or without a position): base 0
    with_sanction: int = 0
    with_predikat: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # phase -> seconds

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        """Indonesian one-paragraph summary (CLI)."""
        text = (
            f"Rekap {MONTH_NAMES[self.month]} {self.year} dihitung ulang: {self.employees} pegawai "
            f"({self.updated} diperbarui, {self.inserted} baru, {self.deleted} dihapus) dalam "
            f"{self.seconds:.2f} detik."
        )
        if self.without_rate:
            text += (f"\nPeringatan: {self.without_rate} pegawai tanpa besaran TPP untuk kelas jabatannya "
                     f"pada tahun {self.year} (TPP dasar dihitung 0).")
        text += f"\nPegawai dengan hukuman disiplin aktif: {self.with_sanction}; dengan predikat: {self.with_predikat}."
        return text


# --------------------------------------------------------------------------- helpers
def month_bounds(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    last = (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)) - timedelta(days=1)
    return first, last


def full_name(name: str, front_title: Optional[str], back_title: Optional[str]) -> str:
    """Same as Employee.full_name."""
    name = name or ""
    if front_title:
        name = f"{front_title} {name}"
    if back_title:
        name = f"{name}, {back_title}"
    return name


def tax_group(kind: str, golongan: str) -> str:
    """PNS/CPNS: the group of the golongan ("III/b" -> "III"); PPPK: the mapping table."""
    return pppk_tax_group(golongan) if kind == PPPK else golongan_group(golongan)


def _used_values(values: dict[str, Any], holidays: list[date]) -> dict[str, Any]:
    used = {k: values[k] for k in USED_PARAMETERS}
    used["holidays"] = [d.isoformat() for d in sorted(holidays)]
    return used


def _pct_scale(tp: TppParams) -> int:
    """10^d where d is the most decimals among the percentages summed in SQL."""
    pcts = [b.percent for b in tp.late_bands + tp.early_bands]
    pcts += [tp.no_record_percent, tp.tk_percent, tp.max_deduction_percent]
    decimals = max([0] + [-p.as_tuple().exponent for p in pcts if p.as_tuple().exponent < 0])
    return 10 ** decimals


def _band_case(column, bands, no_record: int, scale: int):
    """Scaled deduction of one check (late or early) of one banded day."""
    whens = [(column.is_(None), literal(no_record))]
    for b in bands:
        cond = column >= b.min_minutes if b.max_minutes is None else column.between(b.min_minutes, b.max_minutes)
        whens.append((cond, literal(int(b.percent * scale))))
    return case(*whens, else_=literal(0))


def _day_filters(column, first: date, last: date, calendar: dict[int, list[date]]):
    """(weekday group, WHERE terms) for attendance of the month's working days. The 6-day
    calendar contains the 5-day one; instead of testing every row against the ~22–26 working
    days, the terms name the few days that differ: the month's days that are no working day at
    all (Sundays, holidays) are excluded, and a row is in the "Monday–Friday" group (1) unless
    it is one of the working Saturdays (0)."""
    saturdays = sorted(set(calendar[6]) - set(calendar[5]))
    working = set(calendar[6])
    off = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    off = [d for d in off if d not in working]
    group = case((column.in_(saturdays), 0), else_=1) if saturdays else literal(1)
    terms = [column.between(first, last)] + ([column.not_in(off)] if off else [])
    return group.label("weekday"), terms


def _require_period(year: int, month: int):
    from app.services.periods import get_period

    if not isinstance(year, int) or not isinstance(month, int) or not 1 <= month <= 12:
        raise ValidationFailed({"period": ["Periode tidak valid."]})
    period = get_period(year, month)
    if period is None:
        raise ValidationFailed({"period": [f"Periode {MONTH_NAMES[month]} {year} belum dibuka."]})
    return period


def _holidays(session, first: date, last: date) -> list[date]:
    from app.models import Holiday

    return list(session.scalars(select(Holiday.date).where(Holiday.date.between(first, last))))


# --------------------------------------------------------------------------- the month's scores
def _reducing_days(session, first: date, last: date, calendar: dict[int, list[date]], reducing) -> dict:
    """{employee: {5: n, 6: n}} days of a target-reducing status on the 5- and 6-day calendars
    (one grouped statement over the few attendance rows with such a status)."""
    from app.models import Attendance

    out: dict[int, dict[int, int]] = {}
    if not reducing:
        return out
    weekday_group, on_working_days = _day_filters(Attendance.date, first, last, calendar)
    for eid, weekday, n in session.execute(
            select(Attendance.employee_id, weekday_group, func.count())
            .where(Attendance.status.in_(sorted(reducing)), *on_working_days)
            .group_by(Attendance.employee_id, weekday_group)):
        d = out.setdefault(eid, {5: 0, 6: 0})
        d[6] += n
        if weekday:
            d[5] += n
    return out


def month_scores(year: int, month: int) -> dict[int, tuple[int, int, Decimal]]:
    """{employee id: (recognised minutes, target minutes, work score %)} of every active
    employee for the month — the score part of the recap (design section 6), computed in the
    database: ONE grouped sum of the stored recognised minutes, the reducing-status days (one
    small grouped statement) and the employees' 5/6-day unit; then the domain functions
    (``target_minutes``, ``work_score``, memoised). Read-only; agrees with recompute_period."""
    from app.models import Activity, Employee, Unit
    from app.services.parameters import values_for

    session = db.session
    sp = P.score_params(values_for(year))
    first, last = month_bounds(year, month)
    holidays = set(_holidays(session, first, last))
    calendar = {w: working_days_in_month(year, month, w, holidays) for w in (5, 6)}
    minutes = dict(session.execute(
        select(Activity.employee_id, func.sum(Activity.recognised_minutes))
        .where(Activity.status == "APPROVED", Activity.date.between(first, last))
        .group_by(Activity.employee_id)).all())
    reduced = _reducing_days(session, first, last, calendar, sp.reducing_statuses)
    units = session.execute(select(Employee.id, Unit.workdays_per_week).join(Unit, Unit.id == Employee.unit_id)
                            .where(Employee.active.is_(True))).all()
    targets: dict[int, int] = {}
    scores: dict[tuple[int, int], Decimal] = {}
    out = {}
    for eid, wpw in units:
        working = len(calendar[wpw]) - (reduced[eid][wpw] if eid in reduced else 0)
        target = targets.get(working)
        if target is None:
            target = targets[working] = target_minutes(working, sp)
        recognised = int(minutes.get(eid) or 0)
        score = scores.get((recognised, target))
        if score is None:
            score = scores[(recognised, target)] = work_score(recognised, target)
        out[eid] = (recognised, target, score)
    return out


# --------------------------------------------------------------------------- the whole period
def recompute_period(year: int, month: int, actor=None) -> RecomputeResult:
    """Recompute and store the recap of every active employee for (year, month); see the
    module docstring. The caller commits. Refused for a missing or CLOSED period."""
    from app.models import Activity, Attendance, Employee, Evaluation, Position, Recap, Sanction, TppRate, Unit
    from app.services.audit import add_event
    from app.services.parameters import values_for

    if actor is not None and not actor.is_bkd:
        raise Forbidden(MSG_FORBIDDEN)
    t0 = time.perf_counter()
    session = db.session
    period = _require_period(year, month)
    if period.state == "CLOSED":
        raise ValidationFailed({"period": [MSG_CLOSED]})
    result = RecomputeResult(period_id=period.id, year=year, month=month)

    values = values_for(year)
    sp = P.score_params(values)
    tp = P.tpp_params(values)
    first, last = month_bounds(year, month)
    holidays = _holidays(session, first, last)
    calendar = {w: working_days_in_month(year, month, w, set(holidays)) for w in (5, 6)}
    n_calendar = {w: len(days) for w, days in calendar.items()}
    params_json = json.dumps(_used_values(values, holidays), ensure_ascii=False, sort_keys=True,
                             separators=(",", ":"))
    t_setup = time.perf_counter()

    # 2. recognised minutes: capped per day at approval (app.services.activities), so the month
    # is one single-level grouped sum.
    minutes = dict(session.execute(
        select(Activity.employee_id, func.sum(Activity.recognised_minutes))
        .where(Activity.status == "APPROVED", Activity.date.between(first, last))
        .group_by(Activity.employee_id)).all())
    t_minutes = time.perf_counter()

    # 3. attendance on the working days: reducing days and scaled deduction — one statement,
    # grouped per employee and "is a Monday–Friday working day" (the 6-day calendar contains
    # the 5-day one): a 5-day unit takes its weekday group, a 6-day unit both groups. No join
    # to employee/unit over the month's attendance rows; the cap applies to the month's total.
    scale = _pct_scale(tp)
    no_record = int(tp.no_record_percent * scale)
    per_day = case(
        (Attendance.status == TK, literal(int(tp.tk_percent * scale))),
        (Attendance.status.in_(sorted(tp.banded_statuses)),
         _band_case(Attendance.minutes_late, tp.late_bands, no_record, scale)
         + _band_case(Attendance.minutes_early, tp.early_bands, no_record, scale)),
        else_=literal(0),
    )
    max_scaled = int(tp.max_deduction_percent * scale)
    reducing = sorted(sp.reducing_statuses)
    is_reducing = case((Attendance.status.in_(reducing), 1), else_=0) if reducing else literal(0)
    weekday_group, on_working_days = _day_filters(Attendance.date, first, last, calendar)
    attendance_q = (
        select(Attendance.employee_id, weekday_group, func.sum(is_reducing), func.sum(per_day))
        .where(*on_working_days)
        .group_by(Attendance.employee_id, weekday_group)
    )
    attendance: dict[int, dict[int, tuple[int, int]]] = {}
    for eid, weekday, red, ded in session.execute(attendance_q):
        if weekday:  # counts for 5- and 6-day units
            attendance.setdefault(eid, {5: (0, 0), 6: (0, 0)})
            for w in (5, 6):
                r0, d0 = attendance[eid][w]
                attendance[eid][w] = (r0 + int(red or 0), d0 + int(ded or 0))
        else:  # Saturdays: 6-day units only
            attendance.setdefault(eid, {5: (0, 0), 6: (0, 0)})
            r0, d0 = attendance[eid][6]
            attendance[eid][6] = (r0 + int(red or 0), d0 + int(ded or 0))
    t_attendance = time.perf_counter()

    # 4. sanctions, predikat, employees.
    sanctions = dict(session.execute(
        select(Sanction.employee_id, func.max(Sanction.percent))
        .where(Sanction.valid_from <= last, Sanction.valid_to >= first)
        .group_by(Sanction.employee_id)).all())
    predikat = dict(session.execute(
        select(Evaluation.employee_id, Evaluation.predikat).where(Evaluation.period_id == period.id)).all())
    employees = session.execute(
        select(Employee.id, Employee.nip, Employee.name, Employee.front_title, Employee.back_title,
               Employee.kind, Employee.golongan, Employee.bank_account, Employee.unit_id,
               Unit.name, func.coalesce(Unit.opd_id, Unit.id), Unit.workdays_per_week,
               Position.name, Position.kind_code, Position.kelas_jabatan, TppRate.amount)
        .join(Unit, Unit.id == Employee.unit_id)
        .outerjoin(Position, Position.id == Employee.position_id)
        .outerjoin(TppRate, and_(TppRate.year == year, TppRate.kelas_jabatan == Position.kelas_jabatan))
        .where(Employee.active.is_(True))
        .order_by(Employee.id)
    ).all()
    t_load = time.perf_counter()

    # 5. the domain functions, per employee.
    now = _utcnow()
    zero = Decimal(0)
    divisor = Decimal(scale)
    groups: dict[tuple[str, str], str] = {}
    tpp_memo: dict[tuple, Any] = {}  # pure functions: identical inputs, identical results
    scores: dict[tuple[int, int], Decimal] = {}
    deductions: dict[int, Decimal] = {}
    # Row tuples in RECAP_COLUMNS order, values in the form the driver takes (see _bulk_upsert).
    sqlite = session.get_bind().dialect.name == "sqlite"
    dec = float if sqlite else (lambda v: v)
    now_value = now.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else now
    rows = []
    for (eid, nip, name, front, back, kind, golongan, bank, unit_id, unit_name, opd_id, wpw,
         pos_name, pos_kind, kelas, amount) in employees:
        n_cal = n_calendar[wpw]
        reduced, ded_scaled = attendance[eid][wpw] if eid in attendance else (0, 0)
        ded_scaled = min(ded_scaled, max_scaled)
        working = n_cal - reduced
        target = target_minutes(working, sp)
        recognised = int(minutes.get(eid) or 0)
        score = scores.get((recognised, target))
        if score is None:
            score = scores[(recognised, target)] = work_score(recognised, target)
        deduction = deductions.get(ded_scaled)
        if deduction is None:
            deduction = deductions[ded_scaled] = round_pct(Decimal(ded_scaled) / divisor)
        sanction = round_pct(sanctions.get(eid) or zero)
        base = int(amount) if amount is not None else 0
        if amount is None:
            result.without_rate += 1
        group = groups.get((kind, golongan))
        if group is None:
            try:
                group = groups[(kind, golongan)] = tax_group(kind, golongan)
            except ValueError as err:
                raise ValidationFailed({"golongan": [f"Pegawai {nip}: {err}"]}) from None
        key = (base, score, deduction, kind, group, sanction)
        tpp = tpp_memo.get(key)
        if tpp is None:
            tpp = tpp_memo[key] = compute_tpp(base, score, deduction, kind, group, sanction, tp)
        if eid in sanctions:
            result.with_sanction += 1
        pred = predikat.get(eid)
        if pred is not None:
            result.with_predikat += 1
        rows.append((
            period.id, eid, nip, full_name(name, front, back)[:250], unit_id, opd_id, unit_name, pos_name, pos_kind,
            kelas, kind, golongan, bank, wpw, n_cal, reduced, working, target, recognised, dec(score), pred,
            dec(deduction), dec(sanction), base, tpp.performance_part, tpp.discipline_part, tpp.gross, tpp.tax,
            tpp.health, tpp.net, params_json, now_value,
        ))
    t_compute = time.perf_counter()

    # 6. write in place (ids stay stable): drop the rows of employees no longer in the recap
    # (the same set as the employee select above), then one bulk upsert per (period, employee).
    conn = session.connection()
    table = Recap.__table__
    in_recap = select(Employee.id).join(Unit, Unit.id == Employee.unit_id).where(Employee.active.is_(True))
    result.deleted = conn.execute(delete(table).where(
        table.c.period_id == period.id, table.c.employee_id.not_in(in_recap))).rowcount
    existing = conn.execute(select(func.count()).select_from(table).where(table.c.period_id == period.id)).scalar()
    if rows:
        _bulk_upsert(conn, table, rows)
    result.employees = len(rows)
    result.updated = int(existing or 0)
    result.inserted = result.employees - result.updated
    t_write = time.perf_counter()

    result.timings = {
        "persiapan": t_setup - t0, "menit": t_minutes - t_setup, "kehadiran": t_attendance - t_minutes,
        "data_pegawai": t_load - t_attendance, "hitung": t_compute - t_load, "tulis": t_write - t_compute,
    }
    result.seconds = time.perf_counter() - t0
    add_event(session, "Period", period.id, "RECOMPUTE",
              after={"pegawai": result.employees, "diperbarui": result.updated, "baru": result.inserted,
                     "dihapus": result.deleted,
                     "tanpa_tarif_tpp": result.without_rate, "dengan_hukuman": result.with_sanction,
                     "dengan_predikat": result.with_predikat},
              detail=f"Rekap {MONTH_NAMES[month]} {year} dihitung ulang ({result.employees} pegawai).")
    return result


# Columns an upsert overwrites: everything but the key (period, employee).
_UPDATED_COLUMNS = tuple(c for c in RECAP_COLUMNS if c not in ("period_id", "employee_id"))
_STAGE = "recap_stage"


def _bulk_upsert(conn, table, rows: list[tuple]) -> None:
    """INSERT or UPDATE the row tuples (RECAP_COLUMNS order) keyed on (period_id, employee_id),
    so an existing row keeps its id, with the driver's fastest path: on PostgreSQL (psycopg 3)
    COPY into a temporary table and one ``INSERT … SELECT … ON CONFLICT DO UPDATE``; on SQLite
    one executemany of ``INSERT … ON CONFLICT DO UPDATE`` with plain tuples (values already in
    the form SQLAlchemy binds: decimals as REAL, datetimes as ISO text). Both run on the
    session's connection, inside its transaction."""
    dialect = conn.dialect
    names = ", ".join(RECAP_COLUMNS)
    conflict = (f"ON CONFLICT (period_id, employee_id) DO UPDATE SET "
                + ", ".join(f"{c} = excluded.{c}" for c in _UPDATED_COLUMNS))
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {_STAGE}")
        conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {_STAGE} ON COMMIT DROP AS "
                             f"SELECT {names} FROM {table.name} WITH NO DATA")
        with conn.connection.driver_connection.cursor() as cur:
            with cur.copy(f"COPY {_STAGE} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {_STAGE} {conflict}")
        conn.exec_driver_sql(f"DROP TABLE {_STAGE}")
    elif dialect.name == "sqlite":
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' * len(RECAP_COLUMNS))}) "
                             f"{conflict}", rows)
    else:
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt = pg_insert(table)
        stmt = stmt.on_conflict_do_update(index_elements=["period_id", "employee_id"],
                                          set_={c: stmt.excluded[c] for c in _UPDATED_COLUMNS})
        conn.execute(stmt, [dict(zip(RECAP_COLUMNS, row)) for row in rows])


def _utcnow():
    from app.models.audit import utcnow

    return utcnow()


# --------------------------------------------------------------------------- one employee
def _recap_dict(row) -> dict[str, Any]:
    from app.models import Recap

    return {c.key: getattr(row, c.key) for c in Recap.__table__.columns}


def explain(employee_id: int, year: int, month: int, frozen: Optional[bool] = None) -> dict[str, Any]:
    """Every number of one employee's recap, step by step, with the domain functions.

    Inputs come from the database as ``recompute_period`` reads them. With ``frozen`` (default:
    the period is CLOSED and a stored row exists) the snapshot inputs come from the stored
    row instead (parameters and holidays from its ``params`` JSON, unit's workdays per week,
    kind, golongan, kelas, base TPP, sanction % and predikat), so a closed month is explained
    with what was frozen. ``recap`` is the stored row (or None) and ``differences`` lists the
    numbers where it disagrees with this computation (empty when they agree).
    """
    from app.models import Activity, Attendance, Employee, Evaluation, Holiday, Position, Recap, Sanction, TppRate, Unit
    from app.services.parameters import values_for

    session = db.session
    period = _require_period(year, month)
    emp = session.get(Employee, employee_id)
    if emp is None:
        raise NotFound("Pegawai tidak ditemukan.")
    stored = session.scalar(select(Recap).where(Recap.period_id == period.id, Recap.employee_id == employee_id))
    if frozen is None:
        frozen = period.state == "CLOSED" and stored is not None
    if frozen and stored is None:
        raise NotFound("Rekap pegawai ini untuk periode tersebut belum dihitung.")
    first, last = month_bounds(year, month)
    unit = session.get(Unit, emp.unit_id)
    position = session.get(Position, emp.position_id) if emp.position_id else None

    if frozen:
        used = json.loads(stored.params)
        values = P.effective({k: v for k, v in used.items() if k != "holidays"})
        holiday_dates = [date.fromisoformat(d) for d in used.get("holidays", [])]
        names = dict(session.execute(select(Holiday.date, Holiday.name).where(Holiday.date.in_(holiday_dates))).all())
        holidays = [(d, names.get(d, "")) for d in holiday_dates]
        wpw, kind, golongan, kelas = stored.workdays_per_week, stored.employee_kind, stored.golongan, stored.kelas_jabatan
        base, base_missing = stored.base_tpp, None
    else:
        values = values_for(year)
        holidays = session.execute(select(Holiday.date, Holiday.name).where(Holiday.date.between(first, last))
                                   .order_by(Holiday.date)).all()
        holidays = [(d, n) for d, n in holidays]
        wpw, kind, golongan = unit.workdays_per_week, emp.kind, emp.golongan
        kelas = position.kelas_jabatan if position is not None else None
        amount = None if kelas is None else session.scalar(
            select(TppRate.amount).where(TppRate.year == year, TppRate.kelas_jabatan == kelas))
        base, base_missing = (int(amount), False) if amount is not None else (0, True)
    sp, tp = P.score_params(values), P.tpp_params(values)
    cap = int(values["max_minutes_per_day"])
    holiday_set = {d for d, _ in holidays}

    # Working days and the days that reduce the target.
    att_rows = session.scalars(select(Attendance).where(
        Attendance.employee_id == employee_id, Attendance.date.between(first, last)).order_by(Attendance.date)).all()
    status_by_day = {a.date: a.status for a in att_rows}
    calendar_days = working_days_in_month(year, month, wpw, holiday_set)
    kept = employee_working_days(year, month, wpw, holiday_set, status_by_day, sp.reducing_statuses)
    kept_set = set(kept)
    days = [{
        "date": d, "weekday": DAY_NAMES_ID[d.weekday()], "status": status_by_day.get(d),
        "status_label": ATTENDANCE_LABELS.get(status_by_day.get(d), "") if status_by_day.get(d) else "",
        "reduced": d not in kept_set,
    } for d in calendar_days]
    target = target_minutes(len(kept), sp)

    # Recognised minutes by day.
    claimed = dict(session.execute(
        select(Activity.date, func.sum(Activity.claimed_minutes))
        .where(Activity.employee_id == employee_id, Activity.status == "APPROVED", Activity.date.between(first, last))
        .group_by(Activity.date).order_by(Activity.date)).all())
    claimed = {d: int(m) for d, m in claimed.items()}
    minutes_by_day = [{"date": d, "weekday": DAY_NAMES_ID[d.weekday()], "claimed": m, "cap": cap,
                       "counted": min(cap, m), "capped": m > cap} for d, m in sorted(claimed.items())]
    recognised = recognised_minutes(claimed, cap)
    score = work_score(recognised, target)

    # Discipline deductions (working days only).
    cal_set = set(calendar_days)
    att_days = [AttendanceDay(a.date, a.status, a.minutes_late, a.minutes_early) for a in att_rows if a.date in cal_set]
    lines = deduction_breakdown(att_days, tp)
    deduction = deduction_percent(att_days, tp)
    uncapped = sum((ln.percent for ln in lines), Decimal(0))

    # Sanction, predikat, tax group, TPP.
    sanction_rows = session.scalars(select(Sanction).where(
        Sanction.employee_id == employee_id, Sanction.valid_from <= last, Sanction.valid_to >= first)
        .order_by(Sanction.valid_from)).all()
    evaluation = session.scalar(select(Evaluation).where(
        Evaluation.employee_id == employee_id, Evaluation.period_id == period.id))
    if frozen:
        sanction, pred = stored.sanction_pct, stored.predikat
    else:
        sanction = round_pct(max((s.percent for s in sanction_rows), default=Decimal(0)))
        pred = evaluation.predikat if evaluation is not None else None
    group = tax_group(kind, golongan)
    tpp = compute_tpp(base, score, deduction, kind, group, sanction, tp)
    factor = tp.cpns_factor if kind == CPNS else Decimal(1)

    computed = {
        "workdays_per_week": wpw, "calendar_working_days": len(calendar_days),
        "reduced_days": len(calendar_days) - len(kept), "working_days": len(kept), "target_minutes": target,
        "recognised_minutes": recognised, "work_score": score, "predikat": pred, "deduction_pct": deduction,
        "sanction_pct": sanction, "base_tpp": base, "performance_part": tpp.performance_part,
        "discipline_part": tpp.discipline_part, "gross": tpp.gross, "tax": tpp.tax, "health": tpp.health,
        "net": tpp.net,
    }
    stored_dict = _recap_dict(stored) if stored is not None else None
    differences = {}
    if stored_dict is not None:
        for k in NUMBER_FIELDS:
            if stored_dict[k] != computed[k]:
                differences[k] = {"tersimpan": stored_dict[k], "dihitung": computed[k]}

    return {
        "employee": {"id": emp.id, "nip": emp.nip, "name": emp.full_name, "kind": kind, "golongan": golongan,
                     "unit": unit.name, "position": position.name if position is not None else None,
                     "kelas_jabatan": kelas},
        "period": {"id": period.id, "year": year, "month": month, "label": f"{MONTH_NAMES[month]} {year}",
                   "state": period.state},
        "frozen": frozen,
        "params": _used_values(values, [d for d, _ in holidays]),
        "holidays": [{"date": d, "name": n} for d, n in holidays],
        # target
        "days": days,
        "effective_minutes_per_day": sp.effective_minutes_per_day,
        "reducing_statuses": sorted(sp.reducing_statuses),
        # recognised minutes
        "minutes_by_day": minutes_by_day,
        "max_minutes_per_day": cap,
        "suggested_rating": suggest_rating_hasil_kerja(score, sp.rating_thresholds),
        # discipline
        "deductions": [{"date": ln.date, "kind": ln.kind, "label": ln.label, "minutes": ln.minutes,
                        "percent": ln.percent} for ln in lines],
        "deduction_uncapped": uncapped,
        "max_deduction_percent": tp.max_deduction_percent,
        "sanctions": [{"id": s.id, "percent": s.percent, "valid_from": s.valid_from, "valid_to": s.valid_to,
                       "reason": s.reason} for s in sanction_rows],
        "evaluation_id": evaluation.id if evaluation is not None else None,
        # TPP
        "base_missing": base_missing,
        "tax_group": group,
        "tpp": {
            "base": tpp.base,
            "weight_performance": tp.weight_performance, "weight_discipline": tp.weight_discipline,
            "performance_part": tpp.performance_part, "discipline_part": tpp.discipline_part,
            "subtotal": tpp.subtotal, "factor": factor, "sanction_pct": sanction, "gross": tpp.gross,
            "tax_rate": tp.tax_rates[group], "tax": tpp.tax, "health_rate": tp.health_rate,
            "health_cap": tp.health_cap, "health": tpp.health, "net": tpp.net,
        },
        **computed,
        "recap": stored_dict,
        "differences": differences,
    }
