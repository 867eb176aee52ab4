"""Validation and use cases of the master data (units, positions, employees, overrides,
catalog, holidays, periods). Pages and API call the same `validate()`; it returns
Indonesian messages per field and never writes.
"""
from __future__ import annotations

import math
import secrets
from datetime import date
from typing import Any, Callable, Mapping, Optional

from sqlalchemy import String, func, or_, select

from app.domain.golongan import validate_golongan
from app.domain.hierarchy import would_create_cycle
from app.domain.nip import EMPLOYEE_KINDS, NipError, parse_nip, validate_nip
from app.domain.positions import validate_position as domain_validate_position
from app.extensions import db
from app.services import ValidationFailed

Errors = dict[str, list[str]]
REQUIRED = "Wajib diisi."
MSG_KELAS_BKD = ("Kelas jabatan (dasar TPP) hanya dapat diisi atau diubah oleh BKD; kosongkan atau biarkan "
                 "nilai yang tersimpan.")
MSG_NOT_A_NUMBER = "Harus berupa bilangan bulat."
EARLIEST_BIRTH = date(1930, 1, 1)
EARLIEST_DATE, LATEST_DATE = date(2000, 1, 1), date(2100, 12, 31)


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
    workdays = v.get("workdays_per_week")
    if isinstance(workdays, bool) or workdays not in (5, 6):
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
        for field, msgs in domain_validate_position(kind_code, level, eselon, v.get("kelas_jabatan"),
                                                    kelas_required=False).items():
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
    v = {**v, **derive_from_nip(v)}
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
    if isinstance(birth, date) and birth < EARLIEST_BIRTH:
        _add(e, "birth_date", f"Tanggal lahir tidak masuk akal (sebelum {EARLIEST_BIRTH:%d-%m-%Y}).")
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
    for f, d in (("valid_from", start), ("valid_to", end)):
        if isinstance(d, date) and not EARLIEST_DATE <= d <= LATEST_DATE:
            _add(e, f, f"Tanggal harus antara {EARLIEST_DATE:%d-%m-%Y} dan {LATEST_DATE:%d-%m-%Y}.")
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


def validate(entity: str, values: Mapping[str, Any], current_id: Optional[int], who=None) -> Errors:
    """The one validator of an entity (form, API and import): field rules, text lengths,
    numbers, and the kelas jabatan rule (only BKD/Admin set or change a kelas jabatan).

    `who` is the app.security.Writer; None = the logged-in user of the request (a refusal of
    the kelas rule is then logged; the import logs its refusals itself).
    Reads the database as stored: nothing pending is flushed.
    """
    with db.session.no_autoflush:
        errors = VALIDATORS[entity](values, current_id)
        for field, messages in _limits(entity, values).items():
            for m in messages:
                _add(errors, field, m)
        if entity == "Position":
            log = who is None
            who = who if who is not None else _request_writer()
            if who is not None and not who.is_bkd and _kelas_changed(values, current_id):
                _add(errors, "kelas_jabatan", MSG_KELAS_BKD)
                if log:
                    from app.security import log_refusal

                    log_refusal(422, "Position", current_id, "kelas jabatan diisi/diubah oleh bukan BKD")
    return errors


def _request_writer():
    """The writer of the current request; None outside a request (commands, demo data)."""
    from flask import has_request_context

    from app.security import current_writer

    return current_writer() if has_request_context() else None


def _kelas_changed(values: Mapping[str, Any], current_id: Optional[int]) -> bool:
    from app.models import Position

    stored = None
    if current_id is not None:
        stored = db.session.scalar(select(Position.kelas_jabatan).where(Position.id == current_id))
    return values.get("kelas_jabatan") != stored


def _limits(entity: str, values: Mapping[str, Any]) -> Errors:
    """Text no longer than its column, numbers finite and whole (every path, one rule)."""
    import app.models as models

    e: Errors = {}
    model = getattr(models, entity, None)
    for column in (model.__table__.columns if model is not None else ()):
        value = values.get(column.key)
        if isinstance(column.type, String) and isinstance(value, str) and column.type.length:
            text = value.strip()
            if len(text) > column.type.length:
                _add(e, column.key, f"Teks terlalu panjang ({len(text)} karakter, paling banyak "
                                    f"{column.type.length}).")
        elif isinstance(value, float) and not math.isfinite(value):
            _add(e, column.key, MSG_NOT_A_NUMBER)
    return e


# --------------------------------------------------------------------------- employees: NIP, login
def derive_from_nip(v: Mapping[str, Any]) -> dict[str, Any]:
    """Sex and birth date follow from a PNS/CPNS NIP: the values to fill in where left empty."""
    nip = (v.get("nip") or "").strip() if isinstance(v.get("nip"), str) else ""
    if v.get("kind") not in ("PNS", "CPNS") or not nip:
        return {}
    try:
        info = parse_nip(nip)
    except NipError:
        return {}  # the validator names the NIP error
    out = {}
    if _blank(v.get("sex")):
        out["sex"] = info.sex
    if v.get("birth_date") is None:
        out["birth_date"] = info.birth_date
    return out


def fill_from_nip(employee) -> None:
    """Set the sex and birth date an employee row left empty from its NIP."""
    for attr, value in derive_from_nip({"nip": employee.nip, "kind": employee.kind, "sex": employee.sex,
                                        "birth_date": employee.birth_date}).items():
        setattr(employee, attr, value)


PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"
PASSWORD_LENGTH = 12  # 54^12: about 69 bits of randomness
# A one-time password is random (not chosen by a person), so a salted PBKDF2 with fewer rounds
# protects it as well as scrypt protects a chosen one, at ~2 ms instead of ~70 ms per login: an
# import of the whole city's 10,000 employees stays within a request. The password the employee
# then sets is hashed with FAB_PASSWORD_HASH_METHOD. Config key INITIAL_PASSWORD_HASH_METHOD.
INITIAL_PASSWORD_HASH_METHOD = "pbkdf2:sha256:10000"
LOGIN_EMAIL_DOMAIN = "pegawai.ekinerja.malangkota.go.id"


def create_login(employee) -> Optional[str]:
    """Give a new employee a login in the caller's transaction: the NIP as user name, role
    Pegawai, a random one-time password that is returned (to be shown once) and stored only
    as a hash. An existing login with that name is linked instead (returns None)."""
    from flask import current_app
    from werkzeug.security import generate_password_hash

    from app.security import ROLE_PEGAWAI

    sm = current_app.appbuilder.sm
    User = sm.user_model
    with db.session.no_autoflush:
        existing = db.session.scalar(select(User).where(User.username == employee.nip))
        if existing is not None:
            employee.user = existing
            return None
        email = f"{employee.nip}@{LOGIN_EMAIL_DOMAIN}"
        if db.session.scalar(select(User.id).where(User.email == email)) is not None:
            email = f"{employee.nip}.{secrets.token_hex(4)}@{LOGIN_EMAIL_DOMAIN}"
        role = sm.find_role(ROLE_PEGAWAI)
    password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))
    user = User(
        username=employee.nip, first_name=(employee.name or employee.nip)[:64], last_name="-", email=email,
        active=bool(employee.active if employee.active is not None else True),
        password=generate_password_hash(
            password, method=current_app.config.get("INITIAL_PASSWORD_HASH_METHOD", INITIAL_PASSWORD_HASH_METHOD),
            salt_length=current_app.config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16)),
        roles=[role] if role is not None else [],
    )
    db.session.add(user)
    employee.user = user
    return password


def before_employee_write(employee, check_write: Callable[[Any], None], new: bool) -> Optional[tuple[str, str]]:
    """The steps of saving an employee on the panel and the API: sex and birth date from the
    NIP, the write rule (`check_write` raises), and for a new employee the login.
    Returns (NIP, one-time password) when a login was made."""
    fill_from_nip(employee)
    check_write(employee)
    if not new:
        return None
    password = create_login(employee)
    return (employee.nip, password) if password else None


LOGIN_NOTICE = ("Akun login pegawai dibuat: nama pengguna {nip}, kata sandi awal {password}. Kata sandi ini hanya "
                "ditampilkan sekali dan tidak disimpan dalam bentuk terbaca; sampaikan langsung kepada pegawai "
                "dan minta pegawai segera menggantinya di menu Profil → Ubah Kata Sandi.")


def item_values(item) -> dict[str, Any]:
    """The values of a model instance as the validators read them (columns and relations)."""
    from sqlalchemy import inspect

    mapper = inspect(type(item))
    with db.session.no_autoflush:
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
    from app.security import refuse, write_refusal as rule

    count = 0
    for emp in employees:
        if emp.active:
            emp.active = False
            count += 1
    for emp in employees:
        reason = rule(emp)
        if reason is not None:
            db.session.rollback()
            refuse(403, "Employee", emp.id, f"nonaktifkan ditolak: {reason}")
    db.session.commit()
    return count
