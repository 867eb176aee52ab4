"""Master data import (data induk): units, positions, employees; preview, then all or nothing.

Rules (also in docs/master-data-import.md):
- Keys: a unit is matched by KODE_UNIT; a position by (KODE_UNIT, NAMA_JABATAN) because
  positions have no code (names compared without regard to case and repeated spaces; two
  positions of one unit with the same name cannot be matched and are an error of the rows
  that refer to them); its parent by (KODE_UNIT_ATASAN, NAMA_JABATAN_ATASAN), the parent's
  unit defaulting to the position's own unit; an employee by NIP. A key found in the
  database is updated, otherwise created: a re-import never duplicates.
- Every row is validated against "the database + the file": a row may refer to a unit or a
  position created by another row of the same file. The per-field rules are those of the
  panel (app.services.masterdata.validate_unit/_position/_employee), called per row with
  stand-in objects for rows not yet in the database; the parent rules (unknown parent,
  cycles) are checked here over the combined parent map with app.domain.hierarchy.
- An optional column left out of the header keeps the stored value of existing rows (new
  rows take the default); a column present with a blank cell means "empty".
- BKD/Admin may import everything. An Operator OPD what the panel and the API let them write,
  by the same rule (app.security.write_rule): positions and employees of their OPD, never rows
  about themselves nor a kelas jabatan; units only unchanged (units are BKD's). Other rows are
  errors of that row.
- Nothing is written unless every row is valid (`Preview.ok`); the confirmation parses and
  validates the stored file again. Audit rows of every change come from the session
  listener; derived data (Unit.opd_id, superiors, the Atasan role) is recomputed before
  commit by app.services.organisation.

The functions flush but do not commit: the caller commits (one transaction) or rolls back.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.imports.masterdata import SHEETS, ParsedWorkbook, Row, Sheet, name_key, parse_masterdata
from app.security import log_refusal, writer_for
from app.services import Conflict, Forbidden, ValidationFailed

CHUNK = 500
TOP_KINDS = ("OPD", "KECAMATAN")
ACTION_LABELS = {"baru": "Baru", "ubah": "Ubah", "tetap": "Tetap"}

MSG_NO_RIGHT = "Anda tidak berwenang mengimpor data induk."
MSG_INVALID = "Berkas data induk masih mengandung kesalahan; tidak ada data yang diimpor."

UNIT_FIELDS = {"code": "KODE_UNIT", "name": "NAMA_UNIT", "kind": "JENIS", "workdays_per_week": "HARI_KERJA"}
POSITION_FIELDS = {"name": "NAMA_JABATAN", "unit": "KODE_UNIT", "kind": "JENIS_JABATAN", "level": "JENJANG",
                   "eselon": "ESELON", "kelas_jabatan": "KELAS_JABATAN"}
EMPLOYEE_FIELDS = {"nip": "NIP", "name": "NAMA", "sex": "JENIS_KELAMIN", "birth_date": "TANGGAL_LAHIR",
                   "kind": "JENIS_PEGAWAI", "golongan": "GOLONGAN", "unit": "KODE_UNIT", "position": "NAMA_JABATAN",
                   "bank_account": "NO_REKENING"}


# --------------------------------------------------------------------------- results
@dataclass
class Preview:
    filename: str
    file_errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sheets: dict[str, Sheet] = field(default_factory=dict)

    def rows(self, sheet: Optional[str] = None) -> list[Row]:
        if sheet is not None:
            return self.sheets[sheet].rows if sheet in self.sheets else []
        return [r for s in self.sheets.values() for r in s.rows]

    @property
    def error_rows(self) -> list[Row]:
        return [r for r in self.rows() if r.errors]

    @property
    def ok(self) -> bool:
        return not self.file_errors and bool(self.rows()) and not self.error_rows

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        out = {}
        for name, sheet in self.sheets.items():
            c = {"rows": len(sheet.rows), "errors": sum(1 for r in sheet.rows if r.errors)}
            for action in ACTION_LABELS:
                c[action] = sum(1 for r in sheet.rows if not r.errors and r.action == action)
            out[name] = c
        return out

    def all_messages(self, limit: int = 50) -> list[str]:
        """File errors then 'Lembar X baris n: reason' lines (for a flash or an API answer)."""
        out = list(self.file_errors)
        for row in self.rows():
            for reason in row.errors:
                out.append(f"Lembar {row.sheet} baris {row.line}: {reason}")
        if len(out) > limit:
            out = out[:limit] + [f"... dan {len(out) - limit} kesalahan lain."]
        return out


class ImportRefused(ValidationFailed):
    """The file is not valid; `preview` names each bad row and reason."""

    def __init__(self, preview: Preview):
        super().__init__({"file": preview.all_messages() or [MSG_INVALID]})
        self.preview = preview


@dataclass
class ImportResult:
    preview: Preview
    created: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int]
    # (NIP, name, one-time password) of the logins made for new employees: shown once.
    logins: list[tuple[str, str, str]] = field(default_factory=list)

    def summary(self) -> str:
        parts = []
        for name in SHEETS:
            if name in self.preview.sheets:
                parts.append(f"{name}: {self.created.get(name, 0)} baru, {self.updated.get(name, 0)} diubah, "
                              f"{self.unchanged.get(name, 0)} tetap")
        return "; ".join(parts)


def check_importer(actor) -> None:
    """BKD/Admin, or an Operator OPD with an OPD."""
    if actor.is_bkd:
        return
    if "Operator OPD" in actor.roles and actor.opd_id is not None:
        return
    raise Forbidden(MSG_NO_RIGHT)


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


# --------------------------------------------------------------------------- the plan
@dataclass
class UnitPlan:
    """A unit after the import (stored values overlaid with the file's row)."""

    code: str
    name: str
    kind: str
    parent_code: Optional[str]
    workdays: int
    active: bool
    db_id: Optional[int] = None
    db_opd_id: Optional[int] = None
    row: Optional[Row] = None

    @property
    def ref(self):
        # The stand-in the service validators read (they compare ids and print names).
        return SimpleNamespace(id=("unit", self.code), name=self.name, code=self.code)


@dataclass
class PositionPlan:
    unit_code: str
    name: str
    kind: str
    level: Optional[str]
    eselon: Optional[str]
    kelas: Optional[int]
    parent: Optional[tuple[str, str]]  # key of the parent position
    active: bool = True
    db_id: Optional[int] = None
    row: Optional[Row] = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.unit_code, name_key(self.name))


@dataclass
class State:
    units: dict[str, UnitPlan] = field(default_factory=dict)
    positions: dict[tuple[str, str], PositionPlan] = field(default_factory=dict)
    ambiguous: dict[tuple[str, str], int] = field(default_factory=dict)  # DB keys held by several positions
    position_names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # name key -> unit codes
    employees: dict[str, Any] = field(default_factory=dict)  # NIP -> stored row
    unit_code_by_id: dict[int, str] = field(default_factory=dict)
    position_key_by_id: dict[int, tuple[str, str]] = field(default_factory=dict)
    writer: Any = None  # app.security.Writer of the importer
    refused: int = 0  # rows refused by the write rule or the kelas rule (logged once)


def _load_state(nips: set[str]) -> State:
    from app.models import Employee, Position, Unit

    st = State()
    for r in db.session.execute(select(Unit.id, Unit.code, Unit.name, Unit.kind, Unit.parent_id,
                                       Unit.workdays_per_week, Unit.active, Unit.opd_id)).all():
        st.unit_code_by_id[r.id] = r.code
        st.units[r.code] = UnitPlan(r.code, r.name, r.kind, r.parent_id, r.workdays_per_week, r.active, r.id,
                                    r.opd_id)
    for plan in st.units.values():  # parent ids -> codes
        plan.parent_code = st.unit_code_by_id.get(plan.parent_code) if plan.parent_code is not None else None
    rows = db.session.execute(select(Position.id, Position.name, Position.kind_code, Position.level,
                                     Position.eselon, Position.kelas_jabatan, Position.unit_id,
                                     Position.parent_id, Position.active)).all()
    for r in rows:
        st.position_key_by_id[r.id] = (st.unit_code_by_id[r.unit_id], name_key(r.name))
    for r in rows:
        key = st.position_key_by_id[r.id]
        if key in st.positions:
            st.ambiguous[key] = st.ambiguous.get(key, 1) + 1
            continue
        st.positions[key] = PositionPlan(key[0], r.name, r.kind_code, r.level, r.eselon, r.kelas_jabatan,
                                         st.position_key_by_id.get(r.parent_id), r.active, r.id)
        st.position_names[key[1]].add(key[0])
    for part in _chunks(sorted(nips)):
        for emp in db.session.execute(select(Employee.__table__).where(Employee.nip.in_(part))).all():
            st.employees[emp.nip] = emp
    return st


def _unit_label(st: State, code: str) -> str:
    plan = st.units.get(code)
    return f"{code} ({plan.name})" if plan else code


def _root(st: State, code: str) -> Optional[str]:
    """The root (OPD) code of a unit in the combined tree; None on a cycle or unknown parent."""
    seen = set()
    while code is not None:
        if code in seen or code not in st.units:
            return None
        seen.add(code)
        parent = st.units[code].parent_code
        if parent is None:
            return code
        code = parent
    return None


def _cycle(start, parent_of) -> Optional[list]:
    """The nodes of the cycle through `start` (start first), or None."""
    path, current, seen = [start], parent_of(start), {start}
    while current is not None:
        if current == start:
            return path
        if current in seen:
            return None  # a cycle not through start (reported on its own rows)
        seen.add(current)
        path.append(current)
        current = parent_of(current)
    return None


def _duplicates(rows: list[Row], key, label) -> None:
    groups: dict[Any, list[Row]] = defaultdict(list)
    for row in rows:
        k = key(row)
        if k is not None:
            groups[k].append(row)
    for k, group in groups.items():
        if len(group) > 1:
            for row in group:
                others = ", ".join(str(r.line) for r in group if r is not row)
                row.error(f"{label(k)} ganda: juga ada di baris {others} lembar {row.sheet}.")


def _report(row: Row, errors: dict[str, list[str]], columns: dict[str, str], skip=()) -> None:
    """Messages of a service validator, prefixed with the file's column name."""
    for fieldname, messages in errors.items():
        column = columns.get(fieldname, fieldname)
        if fieldname in skip or column in row.bad:
            continue
        for m in messages:
            row.error(f"{column}: {m}")


def _opd_of(st: State, code: Optional[str]) -> Optional[int]:
    """The OPD id of a unit after the import; None for a unit of a new OPD or unknown."""
    root = _root(st, code) if code else None
    return st.units[root].db_id if root is not None else None


def _opd_of_stored(st: State, code: Optional[str]) -> Optional[int]:
    """The OPD id of a unit as stored (before the import)."""
    plan = st.units.get(code) if code else None
    return plan.db_opd_id if plan is not None else None


def _pid(st: State, key) -> Any:
    """The identity of a position for the write rule: its id, or its key while it is new."""
    if key is None:
        return None
    plan = st.positions.get(key)
    return plan.db_id if plan is not None and plan.db_id is not None else ("baru",) + tuple(key)


def _rule(row: Row, st: State, entity: str, new: dict, old: Optional[dict], label: str) -> None:
    """The write rule of app.security (the one the panel and the API apply), per row."""
    from app.security import write_rule

    new["changed"] = row.action != "tetap"
    reason = write_rule(entity, new, old, st.writer)
    if reason is not None:
        row.error(f"{label}: {reason}")
        st.refused += 1


# --------------------------------------------------------------------------- units
def _check_units(rows: list[Row], st: State, actor) -> None:
    from app.services.masterdata import validate

    _duplicates(rows, lambda r: r.get("KODE_UNIT"), lambda k: f"KODE_UNIT {k}")
    first: dict[str, Row] = {}
    for row in rows:
        code = row.get("KODE_UNIT")
        if code is None or code in first:
            continue
        first[code] = row
        old = st.units.get(code)
        workdays = row.get("HARI_KERJA")
        st.units[code] = UnitPlan(
            code=code, name=row.get("NAMA_UNIT") or (old.name if old else ""), kind=row.get("JENIS") or (old.kind if old else ""),
            parent_code=row.get("KODE_INDUK"),
            workdays=workdays if workdays is not None else (old.workdays if old else 5),
            active=row.get("AKTIF") if row.given("AKTIF") else (old.active if old else True),
            db_id=old.db_id if old else None, db_opd_id=old.db_opd_id if old else None, row=row)
        row.action = "baru" if old is None else ("tetap" if (
            old.name, old.kind, old.parent_code, old.workdays, old.active) == (
            st.units[code].name, st.units[code].kind, st.units[code].parent_code, st.units[code].workdays,
            st.units[code].active) else "ubah")

    reported_cycles: set[frozenset] = set()
    for row in rows:
        code = row.get("KODE_UNIT")
        if code is None or first.get(code) is not row:
            continue
        plan = st.units[code]
        errors = validate("Unit", {"code": code, "name": plan.name, "kind": plan.kind, "parent": None,
                                "workdays_per_week": plan.workdays}, plan.db_id, who=st.writer)
        # The parent rules need "the database + the file": checked below.
        _report(row, errors, UNIT_FIELDS, skip=("parent",))
        parent = plan.parent_code
        if parent is not None and parent not in st.units:
            row.error(f"KODE_INDUK {parent} tidak dikenal: tidak ada di basis data maupun di lembar Unit.")
        if plan.kind in TOP_KINDS and parent is not None:
            row.error("KODE_INDUK: OPD dan kecamatan berada di puncak struktur dan tidak memiliki unit induk; "
                      "kosongkan KODE_INDUK.")
        if plan.kind and plan.kind not in TOP_KINDS and parent is None and "JENIS" not in row.bad:
            row.error("KODE_INDUK: unit di bawah OPD wajib memiliki unit induk.")
        cycle = _cycle(code, lambda c: st.units[c].parent_code if c in st.units else None)
        if cycle:
            lines = sorted(st.units[c].row.line for c in cycle if st.units[c].row is not None)
            chain = " → ".join(cycle + [code])
            row.error(f"Siklus unit induk: {chain} (lembar Unit baris {', '.join(map(str, lines))}); "
                      "unit tidak boleh menjadi induk dari unit di atasnya.")
            reported_cycles.add(frozenset(cycle))
        if not cycle:
            _rule(row, st, "Unit", {"opd": _opd_of(st, code)},
                  {"opd": plan.db_opd_id} if plan.db_id is not None else None, f"Unit {code}")


# --------------------------------------------------------------------------- positions
def _position_key(unit_code, name) -> Optional[tuple[str, str]]:
    if not unit_code or not name:
        return None
    return (unit_code, name_key(name))


def _check_positions(rows: list[Row], st: State, actor) -> None:
    from app.services.masterdata import MSG_KELAS_BKD, validate

    _duplicates(rows, lambda r: _position_key(r.get("KODE_UNIT"), r.get("NAMA_JABATAN")),
                lambda k: f"Jabatan \"{k[1]}\" di unit {k[0]}")
    first: dict[tuple[str, str], Row] = {}
    old_positions = dict(st.positions)  # as stored, before the file's rows
    for row in rows:
        key = _position_key(row.get("KODE_UNIT"), row.get("NAMA_JABATAN"))
        if key is None or key in first:
            continue
        first[key] = row
        old = st.positions.get(key)
        if row.given("NAMA_JABATAN_ATASAN"):
            parent_name = row.get("NAMA_JABATAN_ATASAN")
            parent = _position_key(row.get("KODE_UNIT_ATASAN") or key[0], parent_name) if parent_name else None
        else:
            parent = old.parent if old else None
        plan = PositionPlan(
            unit_code=key[0], name=row.get("NAMA_JABATAN"), kind=row.get("JENIS_JABATAN"),
            level=row.get("JENJANG") if row.given("JENJANG") else (old.level if old else None),
            eselon=row.get("ESELON") if row.given("ESELON") else (old.eselon if old else None),
            kelas=row.get("KELAS_JABATAN") if row.given("KELAS_JABATAN") else (old.kelas if old else None),
            parent=parent, active=old.active if old else True,
            db_id=old.db_id if old else None, row=row)
        st.positions[key] = plan
        st.position_names[key[1]].add(key[0])
        row.action = "baru" if old is None else ("tetap" if (
            old.name, old.kind, old.level, old.eselon, old.kelas, old.parent) == (
            plan.name, plan.kind, plan.level, plan.eselon, plan.kelas, plan.parent) else "ubah")

    for row in rows:
        key = _position_key(row.get("KODE_UNIT"), row.get("NAMA_JABATAN"))
        if key is None or first.get(key) is not row:
            continue
        plan = st.positions[key]
        unit = st.units.get(key[0])
        if unit is None:
            row.error(f"KODE_UNIT {key[0]} tidak dikenal: tidak ada di basis data maupun di lembar Unit.")
            row.bad.add("KODE_UNIT")
        if key in st.ambiguous:
            row.error(f"Ada {st.ambiguous[key]} jabatan bernama \"{plan.name}\" di unit {key[0]} di basis data; "
                      "jabatan dicocokkan dengan kode unit + nama, jadi nama harus unik per unit. "
                      "Perbaiki di menu Jabatan lalu impor ulang.")
        errors = validate("Position", {"name": plan.name, "unit": unit.ref if unit else None, "kind": plan.kind,
                                    "level": plan.level, "eselon": plan.eselon, "kelas_jabatan": plan.kelas,
                                    "parent": None}, plan.db_id, who=st.writer)
        if MSG_KELAS_BKD in errors.get("kelas_jabatan", ()):
            st.refused += 1
        _report(row, errors, POSITION_FIELDS, skip=("parent",))
        cycle = None
        if plan.parent is not None:
            parent_unit, _ = plan.parent
            parent_name = row.get("NAMA_JABATAN_ATASAN") or plan.parent[1]
            if parent_unit not in st.units:
                row.error(f"KODE_UNIT_ATASAN {parent_unit} tidak dikenal: tidak ada di basis data maupun di "
                          "lembar Unit.")
            elif plan.parent in st.ambiguous:
                row.error(f"Jabatan atasan \"{parent_name}\" di unit {parent_unit} tidak dapat dicocokkan: ada "
                          f"{st.ambiguous[plan.parent]} jabatan dengan nama itu di unit tersebut.")
            elif plan.parent not in st.positions:
                row.error(f"Jabatan atasan \"{parent_name}\" di unit {_unit_label(st, parent_unit)} tidak dikenal: "
                          "tidak ada di basis data maupun di lembar Jabatan.")
            else:
                cycle = _cycle(key, lambda k: st.positions[k].parent if k in st.positions else None)
                if cycle:
                    lines = sorted(st.positions[k].row.line for k in cycle if st.positions[k].row is not None)
                    chain = " → ".join(f"{st.positions[k].name} ({k[0]})" for k in cycle + [key])
                    row.error(f"Siklus jabatan atasan: {chain} (lembar Jabatan baris {', '.join(map(str, lines))}); "
                              "jabatan tidak boleh menjadi atasan dari jabatan di atasnya.")
        if unit is not None:
            parent_plan = st.positions.get(plan.parent) if plan.parent else None
            stored = old_positions.get(key) if plan.db_id is not None else None
            _rule(row, st, "Position", {
                "id": plan.db_id, "opd": _opd_of(st, key[0]), "parent_id": _pid(st, plan.parent),
                "parent_opd": _opd_of(st, parent_plan.unit_code) if parent_plan else None,
            }, {"opd": _opd_of_stored(st, key[0]), "parent_id": _pid(st, stored.parent)} if stored else None,
                f"Jabatan \"{plan.name}\"")


# --------------------------------------------------------------------------- employees
def _check_employees(rows: list[Row], st: State, actor) -> None:
    from app.services.masterdata import derive_from_nip, validate

    _duplicates(rows, lambda r: r.get("NIP"), lambda k: f"NIP {k}")
    seen: set[str] = set()
    for row in rows:
        nip = row.get("NIP")
        if nip is not None and nip in seen:
            continue  # a duplicate: already named
        if nip is not None:
            seen.add(nip)
        old = st.employees.get(nip) if nip else None
        unit_code = row.get("KODE_UNIT")
        unit = st.units.get(unit_code) if unit_code else None
        if unit_code and unit is None:
            row.error(f"KODE_UNIT {unit_code} tidak dikenal: tidak ada di basis data maupun di lembar Unit.")
            row.bad.add("KODE_UNIT")
        # The position: NAMA_JABATAN within the employee's unit; left out = the stored one.
        position, position_key = None, None
        if row.given("NAMA_JABATAN"):
            name = row.get("NAMA_JABATAN")
            if name and unit is not None:
                position_key = (unit_code, name_key(name))
                if position_key in st.ambiguous:
                    row.error(f"NAMA_JABATAN \"{name}\" tidak dapat dicocokkan: ada {st.ambiguous[position_key]} "
                              f"jabatan dengan nama itu di unit {unit_code}.")
                    row.bad.add("NAMA_JABATAN")
                elif position_key not in st.positions:
                    elsewhere = sorted(st.position_names.get(position_key[1], ()))
                    if elsewhere:
                        where = ", ".join(_unit_label(st, c) for c in elsewhere[:5])
                        row.error(f"Jabatan \"{name}\" berada di unit lain ({where}), bukan di unit pegawai "
                                  f"{_unit_label(st, unit_code)}; jabatan pegawai harus berada di unit pegawai.")
                    else:
                        row.error(f"Jabatan \"{name}\" di unit {_unit_label(st, unit_code)} tidak dikenal: tidak ada "
                                  "di basis data maupun di lembar Jabatan.")
                    row.bad.add("NAMA_JABATAN")
                    position_key = None
        elif old is not None and old.position_id is not None:
            position_key = st.position_key_by_id.get(old.position_id)
        if position_key is not None and position_key in st.positions:
            p = st.positions[position_key]
            owner = st.units.get(p.unit_code)
            position = SimpleNamespace(id=("position",) + position_key, name=p.name, active=p.active,
                                       unit_id=("unit", p.unit_code),
                                       unit=owner.ref if owner else SimpleNamespace(name=p.unit_code))
        values = {
            "nip": nip, "name": row.get("NAMA"), "sex": row.get("JENIS_KELAMIN"),
            "birth_date": row.get("TANGGAL_LAHIR"), "kind": row.get("JENIS_PEGAWAI"),
            "golongan": row.get("GOLONGAN"), "unit": unit.ref if unit else None, "position": position,
        }
        for column, attr in (("GELAR_DEPAN", "front_title"), ("GELAR_BELAKANG", "back_title"),
                             ("BANK", "bank_name"), ("NO_REKENING", "bank_account")):
            values[attr] = row.get(column) if row.given(column) else (getattr(old, attr) if old else None)
        derived = derive_from_nip(values)  # PNS/CPNS: sex and birth date left empty come from the NIP
        values.update(derived)
        errors = validate("Employee", values, old.id if old is not None else None, who=st.writer)
        _report(row, errors, EMPLOYEE_FIELDS)
        row.plan = {  # what the import writes (columns left out keep the stored value)
            "nip": nip, "name": row.get("NAMA"), "sex": values["sex"],
            "birth_date": values["birth_date"], "kind": row.get("JENIS_PEGAWAI"),
            "golongan": row.get("GOLONGAN"), "unit_code": unit_code, "position_key": position_key,
        }
        for column, attr in (("GELAR_DEPAN", "front_title"), ("GELAR_BELAKANG", "back_title"),
                             ("BANK", "bank_name"), ("NO_REKENING", "bank_account"), ("AKTIF", "active")):
            if row.given(column):
                row.plan[attr] = row.get(column)
            elif old is None:
                row.plan[attr] = True if attr == "active" else None
        if old is None:
            row.action = "baru"
        else:
            same = (old.name == row.plan["name"] and old.sex == row.plan["sex"]
                    and old.birth_date == row.plan["birth_date"] and old.kind == row.plan["kind"]
                    and old.golongan == row.plan["golongan"] and st.unit_code_by_id.get(old.unit_id) == unit_code
                    and (st.position_key_by_id.get(old.position_id) if old.position_id else None) == position_key
                    and all(getattr(old, a) == row.plan[a] for a in ("front_title", "back_title", "bank_name",
                                                                     "bank_account", "active") if a in row.plan))
            row.action = "tetap" if same else "ubah"
        if unit is not None:
            p = st.positions.get(position_key) if position_key else None
            old_key = st.position_key_by_id.get(old.position_id) if old is not None and old.position_id else None
            _rule(row, st, "Employee", {
                "id": old.id if old is not None else None, "opd": _opd_of(st, unit_code),
                "position_id": _pid(st, position_key), "position_opd": _opd_of(st, p.unit_code) if p else None,
            }, {"opd": _opd_of_stored(st, st.unit_code_by_id.get(old.unit_id)),
                "position_id": _pid(st, old_key)} if old is not None else None, f"NIP {nip}")


# --------------------------------------------------------------------------- preview / import
def _validated(filename: str, data: bytes, kind: Optional[str], actor) -> tuple[Preview, State]:
    check_importer(actor)
    parsed: ParsedWorkbook = parse_masterdata(filename, data, kind)
    preview = Preview(filename=parsed.filename, file_errors=list(parsed.errors), warnings=list(parsed.warnings),
                      sheets=parsed.sheets)
    st = State()
    if preview.file_errors:
        return preview, st  # a wrong header: the rows would only repeat it
    st = _load_state({r.get("NIP") for r in parsed.rows("Pegawai") if r.get("NIP")})
    st.writer = writer_for(actor.roles, actor.opd_id, actor.employee_id)
    with db.session.no_autoflush:
        _check_units(parsed.rows("Unit"), st, actor)
        _check_positions(parsed.rows("Jabatan"), st, actor)
        _check_employees(parsed.rows("Pegawai"), st, actor)
    if st.refused:
        log_refusal(403, "MasterImport", None, f"impor data induk {preview.filename}: {st.refused} baris ditolak "
                                               "(cakupan, data diri sendiri atau kelas jabatan)")
    return preview, st


def preview_import(filename: str, data: bytes, actor, kind: Optional[str] = None) -> Preview:
    """Parse and validate; nothing is written."""
    preview, _ = _validated(filename, data, kind, actor)
    return preview


def _set(obj, attr: str, value) -> None:
    if getattr(obj, attr) != value:
        setattr(obj, attr, value)


def import_masterdata(filename: str, data: bytes, actor, kind: Optional[str] = None) -> ImportResult:
    """Validate again, then upsert units, positions and employees in one transaction.
    Raises ImportRefused (with the preview) when any row or the file is not valid."""
    from app.models import Employee, Position, Unit
    from app.services.audit import add_event

    from app.services.masterdata import create_login

    preview, st = _validated(filename, data, kind, actor)
    if not preview.ok:
        raise ImportRefused(preview)
    logins: list[tuple[str, str, str]] = []
    created, updated, unchanged = defaultdict(int), defaultdict(int), defaultdict(int)
    for row in preview.rows():
        {"baru": created, "ubah": updated, "tetap": unchanged}[row.action][row.sheet] += 1
    session = db.session
    try:
        with session.no_autoflush:
            units = {u.code: u for u in session.scalars(select(Unit))}
            unit_rows = [r for r in preview.rows("Unit") if r.action != "tetap"]
            for row in unit_rows:
                plan = st.units[row.get("KODE_UNIT")]
                obj = units.get(plan.code)
                if obj is None:
                    obj = units[plan.code] = Unit(code=plan.code)
                    session.add(obj)
                for attr, value in (("name", plan.name), ("kind", plan.kind), ("workdays_per_week", plan.workdays),
                                    ("active", plan.active)):
                    _set(obj, attr, value)
            for row in unit_rows:
                plan = st.units[row.get("KODE_UNIT")]
                obj = units[plan.code]
                parent = units[plan.parent_code] if plan.parent_code else None
                if obj.parent is not parent:
                    obj.parent = parent

            positions = {}
            for p in session.scalars(select(Position)):
                key = (p.unit.code, name_key(p.name))
                positions.setdefault(key, p)
            pos_rows = [r for r in preview.rows("Jabatan") if r.action != "tetap"]
            for row in pos_rows:
                key = _position_key(row.get("KODE_UNIT"), row.get("NAMA_JABATAN"))
                plan = st.positions[key]
                obj = positions.get(key)
                if obj is None:
                    obj = positions[key] = Position(unit=units[plan.unit_code], active=True)
                    session.add(obj)
                for attr, value in (("name", plan.name), ("kind_code", plan.kind), ("level", plan.level),
                                    ("eselon", plan.eselon), ("kelas_jabatan", plan.kelas)):
                    _set(obj, attr, value)
            for row in pos_rows:
                key = _position_key(row.get("KODE_UNIT"), row.get("NAMA_JABATAN"))
                obj, plan = positions[key], st.positions[key]
                parent = positions[plan.parent] if plan.parent else None
                if obj.parent is not parent:
                    obj.parent = parent

            emp_rows = [r for r in preview.rows("Pegawai") if r.action != "tetap"]
            employees = {}
            for part in _chunks(sorted(r.get("NIP") for r in emp_rows)):
                employees.update({e.nip: e for e in session.scalars(select(Employee).where(Employee.nip.in_(part)))})
            for row in emp_rows:
                plan = row.plan
                obj = employees.get(plan["nip"])
                if obj is None:
                    obj = employees[plan["nip"]] = Employee(nip=plan["nip"])
                    session.add(obj)
                for attr in ("name", "sex", "birth_date", "kind", "golongan", "front_title", "back_title",
                             "bank_name", "bank_account", "active"):
                    if attr in plan:
                        _set(obj, attr, plan[attr])
                unit = units[plan["unit_code"]]
                if obj.unit is not unit:
                    obj.unit = unit
                position = positions[plan["position_key"]] if plan["position_key"] else None
                if obj.position is not position:
                    obj.position = position
                if row.action == "baru":  # a new employee gets a login (the same function as the panel)
                    password = create_login(obj)
                    if password:
                        logins.append((obj.nip, obj.full_name, password))
        session.flush()
        counts = {name: {"baru": created.get(name, 0), "ubah": updated.get(name, 0), "tetap": unchanged.get(name, 0)}
                  for name in preview.sheets}
        add_event(session, "MasterImport", None, "IMPORT", after={"filename": preview.filename, "counts": counts},
                  detail=f"Impor data induk {preview.filename}: " + "; ".join(
                      f"{n} {c['baru']} baru, {c['ubah']} diubah" for n, c in counts.items()))
    except IntegrityError:
        session.rollback()
        raise Conflict("Data induk berubah saat impor berjalan (impor lain?). Tidak ada data yang diimpor; "
                       "coba lagi.") from None
    except Exception:
        session.rollback()
        raise
    return ImportResult(preview=preview, created=dict(created), updated=dict(updated), unchanged=dict(unchanged),
                        logins=logins)
