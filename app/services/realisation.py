"""Realisation of the SKP (issue 12 item 3, design section 9).

- `rhk_in_force(employee_id, year)`: the RHK a daily activity may name (app.security.rhk_entry_clause:
  active RHK of the plan in force of the employee's SKP of that year);
- `rhk_entry_errors(...)`: the RHK rule of the ONE activity validator
  (app.services.activities.check_entry: admin form, API, phone page);
- `realisation_for(skp, period)`: per RHK the linked approved work of the month
  (app.domain.realisation sums), per indicator the employee's realisation, non-SKP work apart;
- `save_realisation(...)`: the employee's value / note / evidence of one indicator in one
  OPEN period (a closed period is frozen), evidence through the activity evidence checks.

Scope: loading goes through app.security.scope_clause (Skp, RhkIndicator); saving is the
employee's own only. The caller commits; audit rows come from the session listener.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.domain import realisation as R
from app.extensions import db
from app.services import Conflict, NotFound, ValidationFailed

MSG_RHK_NOT_FOUND = "RHK yang dipilih tidak ditemukan."
MSG_RHK_OTHER = "RHK yang dipilih bukan bagian dari SKP pegawai ini."
MSG_RHK_YEAR = "RHK yang dipilih berasal dari SKP tahun {rhk_year}, bukan dari tahun aktivitas ({year})."
MSG_RHK_NOT_APPROVED = ("RHK yang dipilih belum disetujui atasan; hanya RHK dari rencana SKP yang berlaku "
                        "yang dapat dikaitkan.")
MSG_RHK_INACTIVE = "RHK yang dipilih sudah tidak berlaku (dihapus pada revisi SKP)."
MSG_RHK_REQUIRED = ("Pada tahun {year} setiap aktivitas wajib dikaitkan dengan RHK dari SKP yang disetujui; "
                    "pilih RHK.")
MSG_RHK_REQUIRED_NO_SKP = ("Pada tahun {year} setiap aktivitas wajib dikaitkan dengan RHK, tetapi SKP tahun {year} "
                           "pegawai ini belum disetujui atasan.")
MSG_NOT_FOUND = "Indikator tidak ditemukan atau bukan bagian dari SKP Anda."
MSG_NOT_IN_FORCE = "Indikator ini bukan bagian dari rencana SKP yang berlaku (belum disetujui atau sudah dihapus)."
MSG_PERIOD = "Periode tidak ditemukan."
MSG_PERIOD_YEAR = "Periode {period} bukan bagian dari tahun SKP ({year})."
MSG_FROZEN = "Periode {period} sudah ditutup; realisasi dibekukan dan tidak dapat diubah."
MSG_VALUE = "Nilai realisasi harus berupa angka 0 atau lebih (contoh 12 atau 12,5)."
MSG_NOTE_LONG = "Catatan realisasi paling panjang 2000 karakter."
MSG_LINK = "Tautan bukti harus berupa alamat http:// atau https:// yang lengkap (paling panjang 500 karakter)."
MSG_CONFLICT = "Realisasi ini baru saja disimpan oleh sesi lain. Muat ulang lalu coba lagi."
NOTE_MAX = 2000
VALUE_MAX = Decimal("999999999999.99")


# --------------------------------------------------------------------------- the plan in force
def _in_force_query(employee_id: int, year: int):
    from app.models import Rhk, Skp
    from app.security import rhk_entry_clause

    return (select(Rhk).join(Skp, Skp.id == Rhk.skp_id)
            .where(Skp.employee_id == employee_id, Skp.year == year, rhk_entry_clause())
            .order_by(Rhk.kind.desc(), Rhk.number, Rhk.id))


def rhk_in_force(employee_id: Optional[int], year: int) -> list:
    """RHK of the employee's SKP of `year` that may be linked (app.security.rhk_entry_clause)."""
    if employee_id is None:
        return []
    return list(db.session.scalars(_in_force_query(employee_id, year)).all())


def requires_rhk(year: int) -> bool:
    from app.services import parameters as params_service

    return bool(params_service.values_for(year).get("activity_requires_rhk"))


def rhk_entry_errors(employee, day, rhk: Any, rhk_given: bool) -> list[str]:
    """Messages for the RHK of one activity entry (none: valid). `rhk` is an Rhk row, an id or
    None (non-SKP work); `rhk_given` says an id was sent that matched no row."""
    from app.models import Rhk, Skp
    from app.security import rhk_entry_clause

    if rhk is not None and not isinstance(rhk, Rhk):
        rhk = db.session.get(Rhk, rhk) if isinstance(rhk, int) and not isinstance(rhk, bool) else None
        if rhk is None:
            return [MSG_RHK_NOT_FOUND]
    if rhk is None:
        if rhk_given:
            return [MSG_RHK_NOT_FOUND]
        if requires_rhk(day.year):
            if rhk_in_force(employee.id, day.year):
                return [MSG_RHK_REQUIRED.format(year=day.year)]
            return [MSG_RHK_REQUIRED_NO_SKP.format(year=day.year)]
        return []
    skp = rhk.skp
    if skp is None or skp.employee_id != employee.id:
        return [MSG_RHK_OTHER]
    if skp.year != day.year:
        return [MSG_RHK_YEAR.format(rhk_year=skp.year, year=day.year)]
    with db.session.no_autoflush:  # the entry being validated may be pending in the session
        usable = db.session.scalar(select(Rhk.id).join(Skp, Skp.id == Rhk.skp_id)
                                   .where(Rhk.id == rhk.id, rhk_entry_clause())) is not None
    if usable:
        return []
    if skp.approved_revision is None or rhk.approved_revision is None:
        return [MSG_RHK_NOT_APPROVED]
    return [MSG_RHK_INACTIVE]  # deactivated, or dropped by a later approved revision


# --------------------------------------------------------------------------- realisation of a period
def _plain(value) -> Decimal:
    value = Decimal(value)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


@dataclass
class IndicatorLine:
    indicator: Any
    realisation: Any = None  # RhkRealisation or None

    @property
    def value(self) -> Optional[Decimal]:
        """The realised value without trailing zeros (9.50 -> 9.5) for display."""
        value = self.realisation.value if self.realisation is not None else None
        return None if value is None else _plain(value)

    @property
    def target(self) -> Decimal:
        return _plain(self.indicator.target_value)

    @property
    def pct(self) -> Optional[Decimal]:
        value = self.realisation.value if self.realisation is not None else None
        return R.achievement_pct(value, self.indicator.target_value)


@dataclass
class RhkLine:
    rhk: Any
    work: R.WorkSum
    indicators: list[IndicatorLine] = field(default_factory=list)


@dataclass
class SkpRealisation:
    skp: Any
    period: Any
    lines: list[RhkLine]
    non_skp: R.WorkSum
    skp_total: R.WorkSum

    @property
    def frozen(self) -> bool:
        return self.period.state != "OPEN"


def period_bounds(period):
    from app.services.evaluation import period_bounds as bounds

    return bounds(period)


def work_of(employee_id: int, period, rhk_ids) -> R.PeriodWork:
    """The approved work of the employee in the period, per RHK of `rhk_ids` and non-SKP."""
    from app.models import Activity

    first, last = period_bounds(period)
    rows = db.session.execute(
        select(Activity.rhk_id, Activity.status, Activity.date, Activity.volume, Activity.recognised_minutes)
        .where(Activity.employee_id == employee_id, Activity.date >= first, Activity.date <= last,
               Activity.status == R.APPROVED)).all()
    return R.sum_work((R.WorkRow(r.rhk_id, r.status, r.date, r.volume, r.recognised_minutes) for r in rows),
                      rhk_ids, first, last)


def realisation_for(skp, period) -> SkpRealisation:
    """The realisation of an approved SKP (its plan in force) in one period."""
    from app.models import Rhk, RhkRealisation

    rhks = list(db.session.scalars(
        select(Rhk).where(Rhk.skp_id == skp.id, Rhk.approved_revision.is_not(None), Rhk.active.is_(True))
        .options(selectinload(Rhk.indicators)).order_by(Rhk.kind.desc(), Rhk.number, Rhk.id)).all())
    work = work_of(skp.employee_id, period, [r.id for r in rhks])
    indicator_ids = [i.id for r in rhks for i in r.indicators]
    stored = {}
    if indicator_ids:
        stored = {x.indicator_id: x for x in db.session.scalars(select(RhkRealisation).where(
            RhkRealisation.period_id == period.id, RhkRealisation.indicator_id.in_(indicator_ids)))}
    lines = [RhkLine(r, work.of(r.id), [IndicatorLine(i, stored.get(i.id)) for i in r.indicators]) for r in rhks]
    return SkpRealisation(skp, period, lines, work.non_skp, work.skp_total)


def approved_skp_of(employee_id: Optional[int], year: int):
    """The employee's SKP of `year` if a plan of it was approved (else None)."""
    from app.models import Skp

    if employee_id is None:
        return None
    return db.session.scalar(select(Skp).where(Skp.employee_id == employee_id, Skp.year == year,
                                               Skp.approved_revision.is_not(None)))


def linked_activities(skp, period, rhk_id: Optional[int]) -> list:
    """The approved activities of the SKP's employee in the period linked to `rhk_id`
    (None: the non-SKP work, i.e. naming no RHK of the plan in force)."""
    from app.models import Activity, Rhk

    first, last = period_bounds(period)
    q = (select(Activity).where(Activity.employee_id == skp.employee_id, Activity.date >= first,
                                Activity.date <= last, Activity.status == R.APPROVED)
         .order_by(Activity.date, Activity.start_time, Activity.id))
    if rhk_id is not None:
        q = q.where(Activity.rhk_id == rhk_id)
    else:
        in_force = select(Rhk.id).where(Rhk.skp_id == skp.id, Rhk.approved_revision.is_not(None),
                                        Rhk.active.is_(True))
        q = q.where((Activity.rhk_id.is_(None)) | (Activity.rhk_id.not_in(in_force)))
    return list(db.session.scalars(q).all())


# --------------------------------------------------------------------------- loading in scope
def _scoped_one(query, scope_model, message: str):
    """The row of `query` within the current user's scope of `scope_model`, else NotFound."""
    from app.security import scope_clause

    clause = scope_clause(scope_model)
    item = db.session.scalar(query if clause is None else query.where(clause))
    if item is None:
        raise NotFound(message)
    return item


def load_skp(skp_id: Any):
    """An SKP the current user may read (app.security.scope_clause), else NotFound."""
    from app.models import Skp

    return _scoped_one(select(Skp).where(Skp.id == skp_id), Skp, "SKP tidak ditemukan atau di luar cakupan Anda.")


def load_realisation(realisation_id: Any):
    """A stored realisation whose indicator the current user may read, else NotFound."""
    from app.models import RhkIndicator, RhkRealisation

    q = (select(RhkRealisation).join(RhkIndicator, RhkIndicator.id == RhkRealisation.indicator_id)
         .where(RhkRealisation.id == realisation_id))
    return _scoped_one(q, RhkIndicator, "Realisasi tidak ditemukan atau di luar cakupan Anda.")


# --------------------------------------------------------------------------- the employee's entry
def parse_value(raw: Any) -> tuple[Optional[Decimal], bool]:
    """(value, valid): blank is a valid None; '12,5' and '12.5' are 12.5."""
    if raw is None:
        return None, True
    if isinstance(raw, bool):
        return None, False
    text = str(raw).strip().replace(" ", "")
    if not text:
        return None, True
    if "," in text and (text.rfind(",") > text.rfind(".")):
        text = text.replace(".", "").replace(",", ".")  # Indonesian: 1.234,5
    else:
        text = text.replace(",", "")  # 1,234.5
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return None, False
    if not value.is_finite() or value < 0 or value > VALUE_MAX:
        return None, False
    return value.quantize(Decimal("0.01")), True


def save_realisation(actor, indicator_id: Any, period_id: Any, value_raw: Any, note: Optional[str],
                     link: Optional[str], upload=None, upload_folder: str = "", max_bytes: int = 0):
    """Write the employee's own realisation of one indicator in one OPEN period (upsert).
    Every check runs before anything is stored (the evidence file too)."""
    from app.models import Period, Rhk, RhkIndicator, RhkRealisation, Skp
    from app.services import activities as act

    indicator = None
    key = indicator_id if isinstance(indicator_id, int) and not isinstance(indicator_id, bool) else None
    if key is not None and actor.employee_id is not None:
        indicator = db.session.scalar(
            select(RhkIndicator).join(Rhk, Rhk.id == RhkIndicator.rhk_id).join(Skp, Skp.id == Rhk.skp_id)
            .where(RhkIndicator.id == key, Skp.employee_id == actor.employee_id))
    if indicator is None:
        raise NotFound(MSG_NOT_FOUND)
    rhk, skp = indicator.rhk, indicator.rhk.skp
    errors: dict[str, list[str]] = {}
    if skp.approved_revision is None or rhk.approved_revision is None or not rhk.active:
        raise ValidationFailed({"indicator": [MSG_NOT_IN_FORCE]})
    period = db.session.get(Period, period_id) if isinstance(period_id, int) else None
    if period is None:
        raise ValidationFailed({"period": [MSG_PERIOD]})
    if period.year != skp.year:
        raise ValidationFailed({"period": [MSG_PERIOD_YEAR.format(period=period.label, year=skp.year)]})
    if period.state != "OPEN":
        raise ValidationFailed({"period": [MSG_FROZEN.format(period=period.label)]})
    value, ok = parse_value(value_raw)
    if not ok:
        errors.setdefault("value", []).append(MSG_VALUE)
    note = (note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX:
        errors.setdefault("note", []).append(MSG_NOTE_LONG)
    link = (link or "").strip() or None
    if link is not None and (len(link) > 500 or not act._valid_link(link)):
        errors.setdefault("evidence_link", []).append(MSG_LINK)
    has_upload = upload is not None and bool(getattr(upload, "filename", ""))
    if has_upload:
        try:
            act.check_evidence(upload, max_bytes)
        except ValidationFailed as err:
            for f, msgs in err.errors.items():
                errors.setdefault(f, []).extend(msgs)
    if errors:
        raise ValidationFailed(errors)
    row = db.session.scalar(select(RhkRealisation).where(RhkRealisation.indicator_id == indicator.id,
                                                         RhkRealisation.period_id == period.id))
    if row is None:
        row = RhkRealisation(indicator_id=indicator.id, period_id=period.id)
        db.session.add(row)
    row.value, row.note, row.evidence_link = value, note, link
    if has_upload:
        row.evidence_file, row.evidence_name = act.store_evidence(upload, upload_folder, max_bytes)
    row.updated_by_id = actor.user_id
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(MSG_CONFLICT) from None
    return row
