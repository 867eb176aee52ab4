"""Validation and use cases of the master data (units, positions, employees, overrides,
catalog, holidays, periods). Pages and API call the same `validate()`; it returns
Indonesian messages per field and never writes.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Callable, Mapping, Optional

from sqlalchemy import func, or_, select

from app.domain.golongan import validate_golongan
from app.domain.hierarchy import would_create_cycle
from app.domain.nip import EMPLOYEE_KINDS, validate_nip
from app.domain.positions import validate_position as domain_validate_position
from app.extensions import db
from app.services import ValidationFailed

Errors = dict[str, list[str]]
REQUIRED = "Wajib diisi."


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _exists(model, column, value, current_id: Optional[int]) -> bool:
    q = select(model.id).where(column == value)
    if current_id is not None:
        q = q.where(model.id != current_id)
    return db.session.execute(q.limit(1)).first() is not None


def _id(obj) -> Optional[int]:
    return getattr(obj, "id", None)


# --------------------------------------------------------------------------- units
def validate_unit(v: Mapping[str, Any], current_id: Optional[int]) -> Errors:
    from app.models import Unit
    from app.models.organisation import TOP_UNIT_KINDS, UNIT_KINDS

    e: Errors = {}
    for f in ("code", "name", "kind"):
        if _blank(v.get(f)):
            _add(e, f, REQUIRED)
    code = (v.get("code") or "").strip()
    if code and _exists(Unit, Unit.code, code, current_id):
        _add(e, "code", f"Kode unit {code} sudah dipakai unit lain.")
    kind = v.get("kind")
    if kind and kind not in UNIT_KINDS:
        _add(e, "kind", "Jenis unit tidak dikenal.")
    parent = v.get("parent")
    if kind in TOP_UNIT_KINDS and parent is not None:
        _add(e, "parent", "OPD dan kecamatan berada di puncak struktur dan tidak memiliki unit induk.")
    if kind and kind not in TOP_UNIT_KINDS and parent is None:
        _add(e, "parent", "Unit di bawah OPD wajib memiliki unit induk.")
    if parent is not None:
        parents = dict(db.session.execute(select(Unit.id, Unit.parent_id)).all())
        if would_create_cycle(current_id, parent.id, parents):
            _add(e, "parent", "Unit tidak boleh menjadi induk dari dirinya sendiri atau dari unit di atasnya.")
    if v.get("workdays_per_week") not in (5, 6):
        _add(e, "workdays_per_week", "Hari kerja per minggu harus 5 atau 6.")
    return e


# --------------------------------------------------------------------------- positions
def validate_position(v: Mapping[str, Any], current_id: Optional[int]) -> Errors:
    from app.models import Position

    e: Errors = {}
    if _blank(v.get("name")):
        _add(e, "name", REQUIRED)
    if v.get("unit") is None:
        _add(e, "unit", REQUIRED)
    kind = v.get("kind")
    kind_code = getattr(kind, "code", kind)
    if kind_code is None:
        _add(e, "kind", REQUIRED)
    else:
        level = v.get("level") or None
        eselon = v.get("eselon") or None
        for field, msgs in domain_validate_position(kind_code, level, eselon, v.get("kelas_jabatan")).items():
            for m in msgs:
                _add(e, field, m)
    parent = v.get("parent")
    if parent is not None:
        parents = dict(db.session.execute(select(Position.id, Position.parent_id)).all())
        if would_create_cycle(current_id, parent.id, parents):
            _add(e, "parent", "Jabatan tidak boleh menjadi atasan dari dirinya sendiri atau dari jabatan di atasnya.")
    return e


# --------------------------------------------------------------------------- employees
def validate_employee(v: Mapping[str, Any], current_id: Optional[int]) -> Errors:
    from app.models import Employee

    e: Errors = {}
    for f in ("nip", "name", "sex", "birth_date", "kind", "golongan", "unit"):
        if _blank(v.get(f)):
            _add(e, f, REQUIRED)
    kind = v.get("kind")
    if kind and kind not in EMPLOYEE_KINDS:
        _add(e, "kind", "Jenis pegawai harus PNS, CPNS atau PPPK.")
    sex = v.get("sex")
    if sex and sex not in ("L", "P"):
        _add(e, "sex", "Jenis kelamin harus L atau P.")
    nip = (v.get("nip") or "").strip()
    if nip and kind in EMPLOYEE_KINDS:
        for m in validate_nip(nip, kind, v.get("birth_date"), sex if sex in ("L", "P") else None):
            _add(e, "nip", m)
    if nip and _exists(Employee, Employee.nip, nip, current_id):
        _add(e, "nip", f"NIP {nip} sudah terdaftar untuk pegawai lain.")
    if kind in EMPLOYEE_KINDS and not _blank(v.get("golongan")):
        for m in validate_golongan(kind, v.get("golongan")):
            _add(e, "golongan", m)
    birth = v.get("birth_date")
    if isinstance(birth, date) and birth > date.today():
        _add(e, "birth_date", "Tanggal lahir tidak boleh di masa depan.")
    position, unit = v.get("position"), v.get("unit")
    if position is not None and unit is not None and position.unit_id != unit.id:
        _add(e, "position", f"Jabatan {position.name} berada di unit {position.unit.name}, bukan di unit pegawai ({unit.name}).")
    if position is not None and not position.active:
        _add(e, "position", "Jabatan ini sudah tidak aktif.")
    account = v.get("bank_account")
    if account and not str(account).strip().isdigit():
        _add(e, "bank_account", "Nomor rekening hanya boleh berisi angka.")
    return e


# --------------------------------------------------------------------------- overrides
def validate_override(v: Mapping[str, Any], current_id: Optional[int]) -> Errors:
    from app.models import SuperiorOverride

    e: Errors = {}
    for f in ("employee", "superior", "valid_from", "reason"):
        if _blank(v.get(f)):
            _add(e, f, REQUIRED)
    emp, sup = v.get("employee"), v.get("superior")
    if emp is not None and sup is not None and _id(emp) == _id(sup):
        _add(e, "superior", "Pegawai tidak dapat menjadi atasan bagi dirinya sendiri.")
    start, end = v.get("valid_from"), v.get("valid_to")
    if start and end and end < start:
        _add(e, "valid_to", "Tanggal berakhir tidak boleh sebelum tanggal mulai.")
    if emp is not None and start and not e:
        far = date(9999, 12, 31)
        q = select(SuperiorOverride.id).where(
            SuperiorOverride.employee_id == _id(emp),
            SuperiorOverride.valid_from <= (end or far),
            or_(SuperiorOverride.valid_to.is_(None), SuperiorOverride.valid_to >= start),
        )
        if current_id is not None:
            q = q.where(SuperiorOverride.id != current_id)
        if db.session.execute(q.limit(1)).first():
            _add(e, "valid_from", "Sudah ada atasan pengganti untuk pegawai ini pada rentang tanggal tersebut.")
    return e


# --------------------------------------------------------------------------- catalog, calendar
def validate_catalog(v: Mapping[str, Any], current_id: Optional[int]) -> Errors:
    from app.models import ActivityCatalog

    e: Errors = {}
    for f in ("code", "description", "output_unit", "norm_minutes"):
        if _blank(v.get(f)):
            _add(e, f, REQUIRED)
    code = (v.get("code") or "").strip()
    if code and _exists(ActivityCatalog, ActivityCatalog.code, code, current_id):
        _add(e, "code", f"Kode uraian tugas {code} sudah dipakai.")
    norm = v.get("norm_minutes")
    if norm is not None and (not isinstance(norm, int) or not 1 <= norm <= 450):
        _add(e, "norm_minutes", "Norma waktu harus antara 1 dan 450 menit.")
    return e


def validate_holiday(v: Mapping[str, Any], current_id: Optional[int]) -> Errors:
    from app.models import Holiday
    from app.models.periods import HOLIDAY_KINDS

    e: Errors = {}
    for f in ("date", "name", "kind"):
        if _blank(v.get(f)):
            _add(e, f, REQUIRED)
    if v.get("date") and _exists(Holiday, Holiday.date, v["date"], current_id):
        _add(e, "date", "Tanggal ini sudah tercatat sebagai hari libur.")
    if v.get("kind") and v["kind"] not in HOLIDAY_KINDS:
        _add(e, "kind", "Jenis hari libur tidak dikenal.")
    return e


def validate_period(v: Mapping[str, Any], current_id: Optional[int]) -> Errors:
    from app.models import Period

    e: Errors = {}
    year, month = v.get("year"), v.get("month")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        _add(e, "year", "Tahun harus antara 2000 dan 2100.")
    if not isinstance(month, int) or not 1 <= month <= 12:
        _add(e, "month", "Bulan harus antara 1 dan 12.")
    if v.get("state") not in (None, "OPEN", "CLOSED"):
        _add(e, "state", "Status periode harus OPEN atau CLOSED.")
    if not e:
        q = select(Period.id).where(Period.year == year, Period.month == month)
        if current_id is not None:
            q = q.where(Period.id != current_id)
        if db.session.execute(q).first():
            _add(e, "month", "Periode ini sudah ada.")
    return e


def validate_exception(v: Mapping[str, Any], current_id: Optional[int]) -> Errors:
    e: Errors = {}
    for f in ("date_from", "date_to", "open_until", "reason"):
        if _blank(v.get(f)):
            _add(e, f, REQUIRED)
    if v.get("employee") is None and v.get("unit") is None:
        _add(e, "employee", "Pilih pegawai atau unit kerja yang diberi pengecualian.")
    start, end, until = v.get("date_from"), v.get("date_to"), v.get("open_until")
    if start and end and end < start:
        _add(e, "date_to", "Tanggal akhir tidak boleh sebelum tanggal awal.")
    if end and until and until < end:
        _add(e, "open_until", "Batas pengajuan tidak boleh sebelum tanggal akhir aktivitas.")
    return e


def _validate_parameter(v: Mapping[str, Any], current_id: Optional[int]) -> Errors:
    from app.services.parameters import validate_parameter

    return validate_parameter(dict(v), current_id)


VALIDATORS: dict[str, Callable[[Mapping[str, Any], Optional[int]], Errors]] = {
    "SubmitException": validate_exception,
    "Parameter": _validate_parameter,
    "Unit": validate_unit,
    "Position": validate_position,
    "Employee": validate_employee,
    "SuperiorOverride": validate_override,
    "ActivityCatalog": validate_catalog,
    "Holiday": validate_holiday,
    "Period": validate_period,
}


def validate(entity: str, values: Mapping[str, Any], current_id: Optional[int]) -> Errors:
    return VALIDATORS[entity](values, current_id)


def item_values(item) -> dict[str, Any]:
    """The values of a model instance as the validators read them (columns and relations)."""
    from sqlalchemy import inspect

    mapper = inspect(type(item))
    values = {c.key: getattr(item, c.key) for c in mapper.column_attrs}
    values.update({r.key: getattr(item, r.key) for r in mapper.relationships if not r.uselist})
    return values


# --------------------------------------------------------------------------- deletion
def check_delete(item) -> None:
    """Refuse deleting a row other rows still depend on (Indonesian message)."""
    from app.models import Employee, Position, SuperiorOverride, Unit

    session = db.session
    reasons = []
    if isinstance(item, Unit):
        if session.scalar(select(func.count()).select_from(Unit).where(Unit.parent_id == item.id)):
            reasons.append("masih memiliki sub-unit")
        if session.scalar(select(func.count()).select_from(Position).where(Position.unit_id == item.id)):
            reasons.append("masih memiliki jabatan")
        if session.scalar(select(func.count()).select_from(Employee).where(Employee.unit_id == item.id)):
            reasons.append("masih memiliki pegawai")
    elif isinstance(item, Position):
        if session.scalar(select(func.count()).select_from(Employee).where(Employee.position_id == item.id)):
            reasons.append("masih dijabat pegawai")
        if session.scalar(select(func.count()).select_from(Position).where(Position.parent_id == item.id)):
            reasons.append("masih menjadi atasan jabatan lain")
    elif isinstance(item, Employee):
        if session.scalar(select(func.count()).select_from(SuperiorOverride).where(
                or_(SuperiorOverride.employee_id == item.id, SuperiorOverride.superior_id == item.id))):
            reasons.append("masih tercatat pada atasan pengganti")
        if item.user_id is not None:
            reasons.append("masih memiliki akun login")
    if reasons:
        raise ValidationFailed({"_": [f"Data tidak dapat dihapus karena {', '.join(reasons)}. Nonaktifkan saja."]})


def deactivate_employees(employees) -> int:
    """Bulk action: deactivate employees already loaded through the scope rules."""
    from app.security import item_in_scope, refuse

    for emp in employees:
        if not item_in_scope(emp):
            refuse(404, "Employee", emp.id, "nonaktifkan di luar cakupan")
    count = 0
    for emp in employees:
        if emp.active:
            emp.active = False
            count += 1
    db.session.commit()
    return count
