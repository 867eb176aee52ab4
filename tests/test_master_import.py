"""Master data import (issue 5 item 3): units, positions and employees from an XLSX with three
sheets or a CSV of one kind; validate everything against "database + file", preview with
per-row reasons, import all or nothing, re-import updates by code / (unit, name) / NIP;
operator scope, permissions and templates."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from app.domain.nip import make_nip
from tests.conftest import NIPS

UNIT_H = ["KODE_UNIT", "NAMA_UNIT", "JENIS", "KODE_INDUK", "HARI_KERJA", "AKTIF"]
POS_H = ["KODE_UNIT", "NAMA_JABATAN", "JENIS_JABATAN", "JENJANG", "ESELON", "KELAS_JABATAN", "KODE_UNIT_ATASAN",
         "NAMA_JABATAN_ATASAN"]
EMP_H = ["NIP", "NAMA", "GELAR_DEPAN", "GELAR_BELAKANG", "JENIS_KELAMIN", "TANGGAL_LAHIR", "JENIS_PEGAWAI",
         "GOLONGAN", "KODE_UNIT", "NAMA_JABATAN", "BANK", "NO_REKENING", "AKTIF"]

NIP_KADIS = make_nip(date(1974, 5, 6), date(1999, 3, 1), "L", 11)
NIP_KABID = make_nip(date(1981, 7, 8), date(2006, 1, 1), "P", 12)
NIP_KASI = make_nip(date(1985, 2, 3), date(2010, 4, 1), "L", 13)
NIP_STAF = make_nip(date(1996, 12, 24), date(2021, 2, 1), "P", 14)


@pytest.fixture(autouse=True)
def _setup(app, tmp_path):
    app.config["FIXED_TODAY"] = date(2026, 11, 20)
    app.config["MASTER_UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    return app


# --------------------------------------------------------------------------- helpers
def xlsx_bytes(sheets: dict):
    """sheets: name -> (header, rows)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, (header, rows) in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(header)
        for r in rows:
            ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(header, rows, delimiter=";"):
    out = io.StringIO(newline="")
    w = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _actor(user_id=None, username="x", employee_id=None, roles=(), opd_id=None):
    from app.services.activities import Actor

    return Actor(user_id=user_id, username=username, employee_id=employee_id, roles=set(roles), opd_id=opd_id)


def bkd():
    from flask_appbuilder.security.sqla.models import User

    from app.extensions import db

    user = db.session.scalar(select(User).where(User.username == "bkd"))
    return _actor(user.id, "bkd", roles={"BKD"})


def operator(world, key="op_a"):
    emp = world.employee(key)
    return _actor(emp.user_id, emp.nip, emp.id, {"Pegawai", "Operator OPD"}, emp.unit.opd_id)


def counts():
    from app.extensions import db
    from app.models import Employee, Position, Unit

    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Unit, Position, Employee))


def reasons(preview, sheet):
    """line -> ' | '.join(reasons) of the rows with errors of a sheet."""
    return {r.line: " | ".join(r.errors) for r in preview.rows(sheet) if r.errors}


def units_rows():
    return [
        # a child before its parent: the order of rows does not matter
        ("5.01.01", "Seksi Pengendalian", "SEKSI", "5.01", None, "Y"),
        ("5.00", "Dinas Lingkungan Hidup", "OPD", "", 5, "Y"),
        ("5.01", "Bidang Pengendalian Pencemaran", "bidang", "5.00", 5, ""),
    ]


def positions_rows():
    return [
        ("5.00", "Kepala Dinas Lingkungan Hidup", "JPT", "Pratama", "II.b", 14, "1.00", "Sekretaris Daerah"),
        ("5.01", "Kepala Bidang Pengendalian Pencemaran", "ADMINISTRATOR", "", "III.b", 11, "5.00",
         "Kepala Dinas Lingkungan Hidup"),
        ("5.01.01", "Kepala Seksi Pengendalian", "PENGAWAS", "", "IV.a", 9, "5.01",
         "kepala bidang  pengendalian pencemaran"),  # names match without regard to case and spaces
        ("5.01.01", "Pengendali Dampak Lingkungan", "JF_KEAHLIAN", "ahli pertama", "", 8, "",
         "Kepala Seksi Pengendalian"),  # parent in the same unit
    ]


def employees_rows():
    return [
        (NIP_KADIS, "Hadi Wibowo", "Ir.", "M.T.", "L", "06-05-1974", "PNS", "IV/c", "5.00",
         "Kepala Dinas Lingkungan Hidup", "Bank Jatim", "'0012345678", "Y"),
        (NIP_KABID, "Ratna Dewi", "", "S.T.", "P", date(1981, 7, 8), "PNS", "iv/a", "5.01",
         "Kepala Bidang Pengendalian Pencemaran", "Bank Jatim", "0012345679", "Y"),
        (NIP_KASI, "Agus Salim", "", "", "L", "1985-02-03", "PNS", "III/c", "5.01.01",
         "Kepala Seksi Pengendalian", "", "", ""),
        (NIP_STAF, "Dina Lestari", "", "S.Si.", "P", "24/12/1996", "CPNS", "III/a", "5.01.01",
         "Pengendali Dampak Lingkungan", "Bank Jatim", "0012345680", "Y"),
    ]


def workbook(units=None, positions=None, employees=None, unit_h=UNIT_H, pos_h=POS_H, emp_h=EMP_H):
    sheets = {}
    if units is not None:
        sheets["Unit"] = (unit_h, units)
    if positions is not None:
        sheets["Jabatan"] = (pos_h, positions)
    if employees is not None:
        sheets["Pegawai"] = (emp_h, employees)
    return xlsx_bytes(sheets)


def good_file():
    return workbook(units_rows(), positions_rows(), employees_rows())


def upload(client, data, filename, kind=""):
    return client.post("/master-import/upload", data={"kind": kind, "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def token_of(resp):
    m = re.search(r'name="token"[^>]*value="([^"]+)"', resp.get_data(as_text=True))
    assert m, "no confirm form in the preview"
    return m.group(1)


def refused(data, actor, kind=None):
    """Preview and import both refuse; nothing changes. Returns the preview."""
    from app.extensions import db
    from app.services.master_import import ImportRefused, import_masterdata, preview_import

    before = counts()
    filename = "f.csv" if kind else "f.xlsx"
    preview = preview_import(filename, data, actor, kind=kind)
    assert not preview.ok
    with pytest.raises(ImportRefused):
        import_masterdata(filename, data, actor, kind=kind)
    db.session.commit()
    assert counts() == before
    return preview


# --------------------------------------------------------------------------- happy path
def test_happy_path_new_opd_with_chain(world):
    from app.extensions import db
    from app.models import AuditLog, Employee, Position, Unit
    from app.services.master_import import import_masterdata, preview_import

    before = counts()
    creates = select(func.count()).select_from(AuditLog).where(
        AuditLog.entity.in_(["Unit", "Position", "Employee"]), AuditLog.action == "CREATE")
    creates_before = db.session.scalar(creates)
    preview = preview_import("simpeg.xlsx", good_file(), bkd())
    assert preview.all_messages() == [] and preview.ok
    assert preview.counts == {
        "Unit": {"rows": 3, "errors": 0, "baru": 3, "ubah": 0, "tetap": 0},
        "Jabatan": {"rows": 4, "errors": 0, "baru": 4, "ubah": 0, "tetap": 0},
        "Pegawai": {"rows": 4, "errors": 0, "baru": 4, "ubah": 0, "tetap": 0},
    }
    assert counts() == before  # the preview writes nothing

    result = import_masterdata("simpeg.xlsx", good_file(), bkd())
    db.session.commit()
    assert result.created == {"Unit": 3, "Jabatan": 4, "Pegawai": 4}
    assert counts() == (before[0] + 3, before[1] + 4, before[2] + 4)

    dlh = db.session.scalars(select(Unit).where(Unit.code == "5.00")).one()
    seksi = db.session.scalars(select(Unit).where(Unit.code == "5.01.01")).one()
    assert seksi.parent.code == "5.01" and seksi.opd_id == dlh.id and seksi.workdays_per_week == 5
    assert seksi.kind == "SEKSI" and dlh.parent is None and dlh.opd_id == dlh.id
    jf = db.session.scalars(select(Position).where(Position.name == "Pengendali Dampak Lingkungan")).one()
    assert (jf.kind_code, jf.level, jf.eselon, jf.kelas_jabatan) == ("JF_KEAHLIAN", "Ahli Pertama", None, 8)
    chain = []
    p = jf
    while p is not None:
        chain.append(p.name)
        p = p.parent
    assert chain == ["Pengendali Dampak Lingkungan", "Kepala Seksi Pengendalian",
                     "Kepala Bidang Pengendalian Pencemaran", "Kepala Dinas Lingkungan Hidup", "Sekretaris Daerah"]
    emps = {e.nip: e for e in db.session.scalars(select(Employee).where(
        Employee.nip.in_([NIP_KADIS, NIP_KABID, NIP_KASI, NIP_STAF])))}
    kadis, kabid, kasi, staf = (emps[n] for n in (NIP_KADIS, NIP_KABID, NIP_KASI, NIP_STAF))
    assert kadis.full_name == "Ir. Hadi Wibowo, M.T." and kadis.bank_account == "0012345678"
    assert kabid.golongan == "IV/a" and kabid.birth_date == date(1981, 7, 8)
    assert staf.kind == "CPNS" and kasi.active and kasi.bank_account is None
    # derived data recomputed before commit: the line of command follows the positions
    assert staf.superior_id == kasi.id and kasi.superior_id == kabid.id and kabid.superior_id == kadis.id
    assert kadis.superior_id == world.employee("sekda").id
    # audit rows come from the session listener, plus one import event
    assert db.session.scalar(creates) == creates_before + 11
    event = db.session.scalars(select(AuditLog).where(AuditLog.entity == "MasterImport")).one()
    assert json.loads(event.after)["counts"]["Pegawai"]["baru"] == 4


def test_reimport_updates_and_does_not_duplicate(world):
    from app.extensions import db
    from app.models import Employee, Position, Unit
    from app.services.master_import import import_masterdata, preview_import

    import_masterdata("a.xlsx", good_file(), bkd())
    db.session.commit()
    after_first = counts()

    units = units_rows()
    units[1] = ("5.00", "Dinas Lingkungan Hidup Kota Malang", "OPD", "", 6, "Y")  # renamed, 6 days
    positions = positions_rows()
    positions[3] = ("5.01.01", "Pengendali Dampak Lingkungan", "JF_KEAHLIAN", "Ahli Muda", "", 9, "",
                    "Kepala Seksi Pengendalian")
    employees = employees_rows()
    employees[3] = (NIP_STAF, "Dina Lestari", "", "S.Si.", "P", "24/12/1996", "PNS", "III/b", "5.01.01",
                    "Pengendali Dampak Lingkungan", "Bank Jatim", "0012345680", "T")
    data = workbook(units, positions, employees)
    preview = preview_import("b.xlsx", data, bkd())
    assert preview.ok, preview.all_messages()
    assert {n: (c["baru"], c["ubah"], c["tetap"]) for n, c in preview.counts.items()} == {
        "Unit": (0, 1, 2), "Jabatan": (0, 1, 3), "Pegawai": (0, 1, 3)}
    result = import_masterdata("b.xlsx", data, bkd())
    db.session.commit()
    assert result.updated == {"Unit": 1, "Jabatan": 1, "Pegawai": 1}
    assert counts() == after_first  # updated in place
    dlh = db.session.scalars(select(Unit).where(Unit.code == "5.00")).one()
    assert (dlh.name, dlh.workdays_per_week) == ("Dinas Lingkungan Hidup Kota Malang", 6)
    jf = db.session.scalars(select(Position).where(Position.name == "Pengendali Dampak Lingkungan")).one()
    assert (jf.level, jf.kelas_jabatan) == ("Ahli Muda", 9)
    staf = db.session.scalars(select(Employee).where(Employee.nip == NIP_STAF)).one()
    assert (staf.kind, staf.golongan, staf.active) == ("PNS", "III/b", False)

    # An existing employee of the world, by NIP, in a CSV without the optional columns:
    # the left-out columns (position, bank, titles, AKTIF) keep their stored values.
    staff_a = world.employee("staff_a")
    position_id, account = staff_a.position_id, staff_a.bank_account
    nip, sex, birth = NIPS["staff_a"]
    header = ["NIP", "NAMA", "JENIS_KELAMIN", "TANGGAL_LAHIR", "JENIS_PEGAWAI", "GOLONGAN", "KODE_UNIT"]
    data = csv_bytes(header, [(nip, "Staff A Baru", sex, birth.isoformat(), "PNS", "III/b", "2.00")])
    result = import_masterdata("p.csv", data, bkd(), kind="Pegawai")
    db.session.commit()
    assert result.updated == {"Pegawai": 1} and counts() == after_first
    staff_a = world.employee("staff_a")
    assert (staff_a.name, staff_a.golongan, staff_a.position_id, staff_a.bank_account, staff_a.active) == (
        "Staff A Baru", "III/b", position_id, account, True)


# --------------------------------------------------------------------------- bad input
def test_wrong_header_names_the_columns():
    units_h = ["KODE_UNIT", "NAMA_UNIT", "JENIS_UNIT", "KODE_INDUK"]  # JENIS misspelt
    emp_h = [c for c in EMP_H if c != "GOLONGAN"]
    data = workbook([("5.00", "Dinas X", "OPD", "")], None, [], unit_h=units_h, emp_h=emp_h)
    preview = refused(data, bkd())
    assert preview.file_errors == [
        "Lembar Unit, baris judul (baris 1): kolom wajib tidak ada: JENIS.",
        "Lembar Unit, baris judul (baris 1): kolom tidak dikenal: JENIS_UNIT. Kolom yang berlaku: KODE_UNIT, "
        "NAMA_UNIT, JENIS, KODE_INDUK, HARI_KERJA, AKTIF.",
        "Lembar Pegawai, baris judul (baris 1): kolom wajib tidak ada: GOLONGAN.",
    ]


def test_not_a_workbook_of_master_data():
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Data"
    out = io.BytesIO()
    wb.save(out)
    preview = refused(out.getvalue(), bkd())
    assert 'Lembar (sheet) "Unit", "Jabatan" atau "Pegawai" tidak ditemukan' in preview.file_errors[0]
    assert '"Data"' in preview.file_errors[0]


def test_duplicate_nips_and_codes_named(world):
    employees = employees_rows()
    employees.append((NIP_KASI,) + employees[0][1:])  # row 6 repeats row 4's NIP
    units = units_rows() + [("5.01", "Bidang Lain", "BIDANG", "5.00", 5, "Y")]  # row 5 repeats row 4
    preview = refused(workbook(units, positions_rows(), employees), bkd())
    pegawai = reasons(preview, "Pegawai")
    assert f"NIP {NIP_KASI} ganda: juga ada di baris 6 lembar Pegawai." in pegawai[4]
    assert f"NIP {NIP_KASI} ganda: juga ada di baris 4 lembar Pegawai." in pegawai[6]
    unit = reasons(preview, "Unit")
    assert set(unit) == {4, 5} and "KODE_UNIT 5.01 ganda: juga ada di baris 5" in unit[4]
    assert "Lembar Pegawai baris 6: " + pegawai[6].split(" | ")[0] in preview.all_messages()
    # an existing NIP in a file is an update, not a duplicate
    assert 2 not in pegawai and 3 not in pegawai


def test_unknown_unit_codes_named(world):
    units = [("6.01", "Bidang Yatim", "BIDANG", "6.00", 5, "Y")]  # parent neither in DB nor file
    positions = [("7.00", "Kepala Dinas Hantu", "JPT", "Pratama", "II.b", 14, "", "")]
    employees = [employees_rows()[0][:8] + ("8.00", "", "", "", "Y")]
    preview = refused(workbook(units, positions, employees), bkd())
    assert reasons(preview, "Unit") == {
        2: "KODE_INDUK 6.00 tidak dikenal: tidak ada di basis data maupun di lembar Unit."}
    assert reasons(preview, "Jabatan") == {
        2: "KODE_UNIT 7.00 tidak dikenal: tidak ada di basis data maupun di lembar Unit."}
    assert reasons(preview, "Pegawai") == {
        2: "KODE_UNIT 8.00 tidak dikenal: tidak ada di basis data maupun di lembar Unit."}


def test_employee_position_of_another_unit(world):
    nip = make_nip(date(1990, 1, 2), date(2015, 3, 1), "L", 21)
    employees = [
        # the position exists, but in Dinas Pendidikan (3.00), not in the employee's unit 2.00
        (nip, "Salah Unit", "", "", "L", "1990-01-02", "PNS", "III/a", "2.00", "Pengadministrasi Perkantoran",
         "", "", "Y"),
    ]
    preview = refused(workbook(None, None, employees), bkd())
    assert reasons(preview, "Pegawai") == {
        2: 'Jabatan "Pengadministrasi Perkantoran" berada di unit lain (3.00 (Dinas Pendidikan dan Kebudayaan)), '
           "bukan di unit pegawai 2.00 (Dinas Kesehatan); jabatan pegawai harus berada di unit pegawai."}
    # moving an existing employee to another unit while keeping (leaving out) the position:
    # the panel's rule (app.services.masterdata.validate_employee) names it
    nip_b, sex, birth = NIPS["staff_b"]
    header = ["NIP", "NAMA", "JENIS_KELAMIN", "TANGGAL_LAHIR", "JENIS_PEGAWAI", "GOLONGAN", "KODE_UNIT"]
    data = csv_bytes(header, [(nip_b, "Staff B", sex, birth.isoformat(), "PNS", "II/b", "2.01")])
    preview = refused(data, bkd(), kind="Pegawai")
    assert reasons(preview, "Pegawai") == {
        2: "NAMA_JABATAN: Jabatan Pengadministrasi Perkantoran berada di unit Dinas Pendidikan dan Kebudayaan, "
           "bukan di unit pegawai (Puskesmas Arjuno)."}


def test_cycles_in_units_and_positions_named(world):
    units = [
        ("5.00", "Dinas Baru", "OPD", "", 5, "Y"),
        ("5.01", "Bidang A", "BIDANG", "5.02", 5, "Y"),
        ("5.02", "Bidang B", "BIDANG", "5.01", 5, "Y"),
        # an existing unit moved under a unit of the file that sits under it: 2.01 -> 5.03 -> 2.01
        ("5.03", "Bidang C", "BIDANG", "2.01", 5, "Y"),
        ("2.01", "Puskesmas Arjuno", "PUSKESMAS", "5.03", 6, "Y"),
    ]
    positions = [
        ("5.00", "Jabatan A", "PELAKSANA", "", "", 5, "", "Jabatan B"),
        ("5.00", "Jabatan B", "PELAKSANA", "", "", 5, "", "Jabatan A"),
        # an existing position made subordinate of its own subordinate
        ("2.00", "Kepala Dinas Kesehatan", "JPT", "Pratama", "II.b", 14, "2.00", "Analis Kepegawaian"),
    ]
    preview = refused(workbook(units, positions, None), bkd())
    unit = reasons(preview, "Unit")
    assert set(unit) == {3, 4, 5, 6}
    assert "Siklus unit induk: 5.01 → 5.02 → 5.01 (lembar Unit baris 3, 4)" in unit[3]
    assert "Siklus unit induk: 5.02 → 5.01 → 5.02 (lembar Unit baris 3, 4)" in unit[4]
    assert "Siklus unit induk: 5.03 → 2.01 → 5.03 (lembar Unit baris 5, 6)" in unit[5]
    pos = reasons(preview, "Jabatan")
    assert set(pos) == {2, 3, 4}
    assert "Siklus jabatan atasan: Jabatan A (5.00) → Jabatan B (5.00) → Jabatan A (5.00) (lembar Jabatan baris " \
           "2, 3)" in pos[2]
    assert ("Siklus jabatan atasan: Kepala Dinas Kesehatan (2.00) → Analis Kepegawaian (2.00) → Kepala Bidang "
            "Pelayanan Kesehatan (2.00) → Kepala Dinas Kesehatan (2.00) (lembar Jabatan baris 4)") in pos[4]


def test_cell_level_errors_named(world):
    employees = [
        # NIP as a number cell: the last digits are lost
        (float(NIP_KADIS),) + employees_rows()[0][1:],
        # birth date does not match the NIP; golongan not valid for a CPNS; account not digits
        (NIP_STAF, "Dina", "", "", "P", "1996-12-25", "CPNS", "IV/a", "2.00", "", "", "12-AB", "Y"),
        # unknown sex, kind and an impossible date
        (NIP_KASI, "Agus", "", "", "X", "31/02/1985", "HONORER", "III/c", "2.00", "", "", "", "mungkin"),
    ]
    positions = [("2.00", "Jabatan Aneh", "PELAKSANA", "Ahli Muda", "II.a", 20, "", "")]
    units = [("2.02", "Bidang X", "BIDANG", "2.00", 7, "Y")]
    preview = refused(workbook(units, positions, employees), bkd())
    peg = reasons(preview, "Pegawai")
    assert "NIP tersimpan sebagai angka di Excel" in peg[2]
    assert "NIP: Tanggal lahir pada NIP tidak sesuai dengan tanggal lahir pegawai." in peg[3]
    assert "GOLONGAN: Golongan IV/a bukan golongan awal pengangkatan CPNS" in peg[3]
    assert "NO_REKENING hanya boleh berisi angka: 12AB." in peg[3]
    assert "JENIS_KELAMIN tidak dikenal: X" in peg[4] and "JENIS_PEGAWAI tidak dikenal: HONORER" in peg[4]
    assert "Tanggal tidak mungkin: 31/02/1985" in peg[4] and "AKTIF harus Y (aktif) atau T" in peg[4]
    jab = reasons(preview, "Jabatan")[2]
    assert "JENJANG: Jabatan Pelaksana tidak memiliki jenjang" in jab
    assert "ESELON: Jabatan Pelaksana tidak memiliki eselon" in jab
    assert "KELAS_JABATAN: Kelas jabatan harus antara 1 dan 17." in jab
    assert reasons(preview, "Unit") == {2: "HARI_KERJA harus 5 atau 6: 7."}


# --------------------------------------------------------------------------- scope
def test_operator_limited_to_own_opd(world):
    from app.extensions import db
    from app.models import Employee, Unit
    from app.services.master_import import import_masterdata

    nip_new = make_nip(date(1993, 3, 3), date(2019, 1, 1), "P", 31)
    nip_b, sex_b, birth_b = NIPS["staff_b"]
    units = [
        ("2.02", "Bidang Kesehatan Masyarakat", "BIDANG", "2.00", 5, "Y"),  # own OPD: fine
        ("3.01", "Bidang Pendidikan Dasar", "BIDANG", "3.00", 5, "Y"),  # another OPD
        ("2.00", "Dinas Kesehatan Baru", "OPD", "", 5, "Y"),  # the OPD's own row, changed
        ("9.00", "Dinas Operator", "OPD", "", 5, "Y"),  # a new OPD
    ]
    positions = [
        # an operator leaves KELAS_JABATAN empty: BKD sets it (issue 8.4)
        ("2.02", "Kepala Bidang Kesmas", "ADMINISTRATOR", "", "III.b", None, "2.00", "Kepala Dinas Kesehatan"),
        ("3.00", "Pengelola Arsip", "PELAKSANA", "", "", None, "", "Kepala Dinas Pendidikan dan Kebudayaan"),
    ]
    employees = [
        (nip_new, "Baru Kesmas", "", "", "P", "1993-03-03", "PNS", "III/a", "2.02", "Kepala Bidang Kesmas", "", "",
         "Y"),
        (nip_b, "Staff B", "", "", sex_b, birth_b, "PNS", "II/b", "2.00", "", "", "", "Y"),  # of Disdik
        (make_nip(date(1993, 4, 4), date(2019, 1, 1), "L", 32), "Lain", "", "", "L", "1993-04-04", "PNS", "III/a",
         "3.00", "", "", "", "Y"),
    ]
    preview = refused(workbook(units, positions, employees), operator(world))
    assert set(reasons(preview, "Unit")) == {2, 3, 4, 5}
    assert "Unit 2.02: Unit kerja hanya dapat ditambah atau diubah oleh BKD" in reasons(preview, "Unit")[2]
    assert "Unit 3.01: Data ini berada di luar OPD Anda" in reasons(preview, "Unit")[3]
    assert "Unit 2.00: Unit kerja hanya dapat ditambah atau diubah oleh BKD" in reasons(preview, "Unit")[4]
    assert "Unit 9.00: Data ini berada di luar OPD Anda" in reasons(preview, "Unit")[5]
    assert reasons(preview, "Jabatan") == {3: "Jabatan \"Pengelola Arsip\": Data ini berada di luar OPD Anda; Anda "
                                              "tidak berwenang menyimpan data di luar cakupan Anda."}
    peg = reasons(preview, "Pegawai")
    assert set(peg) == {3, 4}
    assert f"NIP {nip_b}: Data ini terdaftar di OPD lain" in peg[3] and "Data ini berada di luar OPD Anda" in peg[4]

    # Only the rows of the own OPD (units unchanged are allowed): imported.
    own_position = ("2.00",) + positions[0][1:]
    own_employee = employees[0][:8] + ("2.00",) + employees[0][9:]
    own = workbook([("2.00", "Dinas Kesehatan", "OPD", "", 5, "Y")], [own_position], [own_employee])
    result = import_masterdata("own.xlsx", own, operator(world))
    db.session.commit()
    assert result.created == {"Jabatan": 1, "Pegawai": 1} and result.unchanged == {"Unit": 1}
    emp = db.session.scalars(select(Employee).where(Employee.nip == nip_new)).one()
    assert emp.unit.opd_id == world.unit("Dinas Kesehatan").id
    assert emp.superior_id == world.employee("kadis_a").id
    assert db.session.scalar(select(func.count()).select_from(Unit).where(Unit.code.in_(("3.01", "2.02")))) == 0


def test_pegawai_gets_403(world, login_as):
    client = login_as("pegawai")
    assert client.get("/master-import/").status_code == 403
    assert client.get("/master-import/template/").status_code == 403
    assert upload(client, good_file(), "a.xlsx").status_code == 403
    assert client.post("/master-import/confirm", data={"token": "x" * 32}).status_code == 403


def test_service_refuses_plain_employee(world):
    from app.services import Forbidden
    from app.services.master_import import preview_import

    emp = world.employee("staff_a")
    with pytest.raises(Forbidden):
        preview_import("a.xlsx", good_file(), _actor(emp.user_id, emp.nip, emp.id, {"Pegawai"}, emp.unit.opd_id))


# --------------------------------------------------------------------------- pages
def test_pages_upload_preview_confirm(world, login_as):
    from app.extensions import db
    from app.models import Unit

    client = login_as("bkd")
    page = client.get("/master-import/").get_data(as_text=True)
    assert "Impor Data Induk" in page and "/master-import/template/" in page and "sheet=Pegawai" in page
    before = counts()
    resp = upload(client, good_file(), "simpeg.xlsx")
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert "Semua baris benar" in page and "Dinas Lingkungan Hidup" in page
    assert counts() == before
    token = token_of(resp)
    resp = client.post("/master-import/confirm", data={"token": token})
    # the four new employees got logins: their one-time passwords are on this page only
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    page = resp.get_data(as_text=True)
    assert "Impor Data Induk Selesai" in page and all(nip in page for nip in (NIP_KADIS, NIP_KABID, NIP_KASI, NIP_STAF))
    assert counts() == (before[0] + 3, before[1] + 4, before[2] + 4)
    assert db.session.scalar(select(func.count()).select_from(Unit).where(Unit.code == "5.00")) == 1
    # the stored upload is gone: a second confirm imports nothing more
    resp = client.post("/master-import/confirm", data={"token": token})
    assert resp.status_code == 302 and counts() == (before[0] + 3, before[1] + 4, before[2] + 4)


def test_pages_show_bad_rows_and_no_confirm(world, login_as):
    employees = employees_rows()
    employees.append(employees[0])
    client = login_as("operator")
    resp = upload(client, workbook(units_rows(), positions_rows(), employees), "bad.xlsx")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Tidak ada data yang diimpor" in page
    assert 'name="token"' not in page
    assert f"NIP {NIP_KADIS} ganda: juga ada di baris 6 lembar Pegawai." in page
    assert "Unit 5.00: Data ini berada di luar OPD Anda" in page


def test_csv_of_one_kind(world, login_as):
    from app.extensions import db
    from app.models import Unit

    data = csv_bytes(UNIT_H, [("2.02", "Bidang Kesmas", "BIDANG", "2.00", "5", "Y")])
    client = login_as("bkd")  # units are BKD's (an operator's new unit row is refused)
    resp = upload(client, data, "unit.csv")  # kind recognised from the header
    assert "Semua baris benar" in resp.get_data(as_text=True)
    client.post("/master-import/confirm", data={"token": token_of(resp)})
    assert db.session.scalars(select(Unit).where(Unit.code == "2.02")).one().opd_id == world.unit(
        "Dinas Kesehatan").id


# --------------------------------------------------------------------------- templates
def test_xlsx_template_valid(world, login_as):
    from openpyxl import load_workbook

    from app.extensions import db
    from app.services.master_import import import_masterdata, preview_import

    resp = login_as("operator").get("/master-import/template/")
    assert resp.status_code == 200 and "spreadsheetml" in resp.headers["Content-Type"]
    assert "templat-data-induk.xlsx" in resp.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(resp.data))
    assert wb.sheetnames == ["Unit", "Jabatan", "Pegawai", "Petunjuk"]
    assert [c.value for c in wb["Unit"][1]] == UNIT_H
    assert [c.value for c in wb["Jabatan"][1]] == POS_H
    assert [c.value for c in wb["Pegawai"][1]] == EMP_H
    nip_cell = wb["Pegawai"]["A2"]
    assert nip_cell.data_type == "s" and len(nip_cell.value) == 18 and nip_cell.number_format == "@"
    petunjuk = " ".join(str(c.value) for row in wb["Petunjuk"].iter_rows() for c in row if c.value)
    for col in set(UNIT_H + POS_H + EMP_H):
        assert col in petunjuk
    # the example rows are a complete, valid import of a new OPD
    preview = preview_import("templat.xlsx", resp.data, bkd())
    assert preview.ok, preview.all_messages()
    assert {n: c["baru"] for n, c in preview.counts.items()} == {"Unit": 2, "Jabatan": 3, "Pegawai": 3}
    import_masterdata("templat.xlsx", resp.data, bkd())
    db.session.commit()
    # for an operator the examples are another OPD: refused
    assert not preview_import("templat.xlsx", resp.data, operator(world)).ok


def test_csv_templates_per_sheet(world, login_as):
    from app.imports.masterdata import parse_masterdata

    client = login_as("bkd")
    for sheet, header in (("Unit", UNIT_H), ("Jabatan", POS_H), ("Pegawai", EMP_H)):
        resp = client.get(f"/master-import/template/?sheet={sheet}")
        assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/csv")
        assert f"templat-{sheet.lower()}.csv" in resp.headers["Content-Disposition"]
        text = resp.data.decode("utf-8-sig")
        assert text.splitlines()[0] == ",".join(header)
        parsed = parse_masterdata(f"{sheet}.csv", resp.data)  # kind recognised from the header
        assert parsed.errors == [] and list(parsed.sheets) == [sheet]
        assert all(r.ok for r in parsed.rows(sheet))
