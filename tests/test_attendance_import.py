"""Attendance import (issue 4 item 3): CSV and XLSX, validate everything, preview with
per-row reasons, import all or nothing, re-import replaces the month; scope, period state,
templates and the read-only list. Period November 2026 is OPEN in the world."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from tests.conftest import NIPS

HEADER = ["NIP", "TANGGAL", "STATUS", "TERLAMBAT_MENIT", "PULANG_CEPAT_MENIT", "KETERANGAN"]


def nip(key):
    return NIPS[key][0]


@pytest.fixture(autouse=True)
def _setup(app, tmp_path):
    app.config["FIXED_TODAY"] = date(2026, 11, 20)
    app.config["ATTENDANCE_UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    return app


# --------------------------------------------------------------------------- helpers
def csv_bytes(rows, header=HEADER, delimiter=",", bom=False):
    out = io.StringIO(newline="")
    w = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def xlsx_bytes(rows, header=HEADER, sheet="Kehadiran", extra_sheets=()):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for name in extra_sheets:
        wb.create_sheet(name)
    ws.append(header)
    for r in rows:
        ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


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


def attendance_rows(key=None, world=None):
    from app.extensions import db
    from app.models import Attendance

    q = select(Attendance).order_by(Attendance.employee_id, Attendance.date)
    if key:
        q = q.where(Attendance.employee_id == world.employee(key).id)
    return db.session.scalars(q).all()


def attendance_count():
    from app.extensions import db
    from app.models import Attendance

    return db.session.scalar(select(func.count()).select_from(Attendance))


def reasons(preview):
    """line -> list of reasons (rows with errors only)."""
    return {r.line: r.errors for r in preview.rows if r.errors}


def upload(client, data, filename, year=2026, month=11):
    return client.post("/attendance-import/upload", data={
        "year": str(year), "month": str(month), "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data")


def token_of(resp):
    m = re.search(r'name="token"[^>]*value="([^"]+)"', resp.get_data(as_text=True))
    assert m, "no confirm form in the preview"
    return m.group(1)


GOOD_ROWS = [
    (nip("staff_a"), "02/11/2026", "HADIR", 0, 0, "tepat"),
    (nip("staff_a"), "03/11/2026", "hadir", 12, None, "tanpa absen pulang"),
    (nip("staff_a"), "04/11/2026", "SAKIT", None, None, ""),
    (nip("staff_a1"), "02/11/2026", "TK", None, None, ""),
]


# --------------------------------------------------------------------------- parsing unit tests
def test_parse_csv_semicolon_bom_and_formats():
    from app.imports.attendance import parse_attendance

    data = csv_bytes([
        (nip("staff_a"), "2026-11-02", "HADIR", "5", "", ""),
        (nip("staff_a"), "03-11-2026", "IZIN", "", "", "x"),
        (nip("staff_a"), "04/11/2026", "dl", "", "", ""),
    ], delimiter=";", bom=True)
    parsed = parse_attendance("k.csv", data)
    assert parsed.errors == []
    assert [(r.line, r.date, r.status, r.minutes_late, r.minutes_early) for r in parsed.rows] == [
        (2, date(2026, 11, 2), "HADIR", 5, None),
        (3, date(2026, 11, 3), "IZIN", None, None),
        (4, date(2026, 11, 4), "DL", None, None),
    ]


def test_parse_columns_any_order_and_case():
    from app.imports.attendance import parse_attendance

    data = csv_bytes([("HADIR", "", "7", "2026-11-02", nip("staff_a"))],
                     header=["status", "Pulang Cepat Menit", "terlambat_menit", "Tanggal", "nip"])
    parsed = parse_attendance("k.csv", data)
    assert parsed.errors == []
    (row,) = parsed.rows
    assert (row.nip, row.date, row.status, row.minutes_late, row.minutes_early) == (
        nip("staff_a"), date(2026, 11, 2), "HADIR", 7, None)


def test_parse_xlsx_nip_number_text_and_float():
    from app.imports.attendance import _parse_nip, parse_attendance

    data = xlsx_bytes([
        (nip("staff_a"), datetime(2026, 11, 2), "HADIR", 0, 0),  # text cell, date cell
        # a number cell: Excel (and openpyxl) store a double, the last digits are gone
        (int(nip("staff_b")), "2026-11-02", "HADIR", None, None),
    ], header=HEADER[:5])
    parsed = parse_attendance("k.xlsx", data)
    assert parsed.errors == []
    assert parsed.rows[0].nip == nip("staff_a") and parsed.rows[0].date == date(2026, 11, 2)
    assert parsed.rows[1].nip is None and "format kolom NIP sebagai Teks" in parsed.rows[1].errors[0]
    # an exact integer cell (written by other tools) is kept as 18-digit text, never a float
    errors = []
    assert _parse_nip(int(nip("staff_b")), errors) == nip("staff_b") and errors == []
    assert _parse_nip(" '" + nip("staff_b"), errors) == nip("staff_b") and errors == []


# --------------------------------------------------------------------------- happy paths
def test_csv_happy_path_operator_pages(world, login_as):
    from app.extensions import db
    from app.models import AttendanceImport, AuditLog

    client = login_as("operator")
    resp = upload(client, csv_bytes(GOOD_ROWS, delimiter=";", bom=True), "kehadiran-nov.csv")
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert "Semua baris benar" in page and "Staff A" in page
    assert attendance_count() == 0  # the preview writes nothing
    token = token_of(resp)

    resp = client.post("/attendance-import/confirm", data={"token": token})
    assert resp.status_code == 302 and "/attendanceview/list" in resp.headers["Location"]
    rows = attendance_rows()
    assert len(rows) == 4
    staff_a = [(r.date.day, r.status, r.minutes_late, r.minutes_early) for r in attendance_rows("staff_a", world)]
    assert staff_a == [(2, "HADIR", 0, 0), (3, "HADIR", 12, None), (4, "SAKIT", None, None)]
    imp = db.session.scalars(select(AttendanceImport)).one()
    assert (imp.year, imp.month, imp.filename, imp.rows) == (2026, 11, "kehadiran-nov.csv", 4)
    assert imp.imported_by_id == world.employee("op_a").user_id
    assert all(r.import_id == imp.id for r in rows)
    audit = db.session.scalars(select(AuditLog).where(AuditLog.entity == "AttendanceImport")).one()
    assert audit.action == "IMPORT" and audit.entity_id == str(imp.id)
    after = json.loads(audit.after)
    assert after["rows"] == 4 and after["employees"] == 2 and after["replaced_rows"] == 0
    # the stored upload is gone: a second confirm imports nothing more
    resp = client.post("/attendance-import/confirm", data={"token": token})
    assert resp.status_code == 302 and attendance_count() == 4


def test_xlsx_happy_path_bkd(world, login_as):
    rows = [
        (nip("staff_b"), datetime(2026, 11, 2), "HADIR", 3, 0, None),
        (nip("staff_a"), date(2026, 11, 2), "CUTI", None, None, "cuti tahunan"),
        (nip("kadis_b"), "2026-11-30", "DL", None, None, None),
    ]
    client = login_as("bkd")
    resp = upload(client, xlsx_bytes(rows, extra_sheets=("Catatan",)), "rekap.xlsx")
    assert resp.status_code == 200
    assert "Semua baris benar" in resp.get_data(as_text=True)
    resp = client.post("/attendance-import/confirm", data={"token": token_of(resp)})
    assert resp.status_code == 302
    assert [(r.date, r.status, r.minutes_late) for r in attendance_rows("staff_b", world)] == [
        (date(2026, 11, 2), "HADIR", 3)]
    assert attendance_count() == 3


# --------------------------------------------------------------------------- bad input
def test_bad_rows_are_named_and_nothing_is_imported(world, login_as):
    from app.services.attendance import ImportRefused, import_month, preview_import

    rows = [
        (nip("staff_a"), "2026-11-02", "HADIR", 0, 0),  # 2 ok
        ("199912312020121999", "2026-11-02", "HADIR", 0, 0),  # 3 unknown NIP
        (nip("staff_a"), "31-11-2026", "HADIR", 0, 0),  # 4 impossible date
        (nip("staff_a"), "2026-11-05", "HADIR", 0, 0),  # 5 duplicate of 6
        (nip("staff_a"), "05/11/2026", "HADIR", 10, 0),  # 6 duplicate of 5
        (nip("staff_a1"), "2026-11-06", "HADIR", -5, 0),  # 7 negative minutes
        (nip("staff_a1"), "2026-11-07", "HADIR", "abc", "2.5"),  # 8 non-integer minutes
        (nip("staff_a1"), "2026-10-31", "HADIR", 0, 0),  # 9 outside the month
        (nip("staff_a1"), "2026-11-09", "ALPA", "", ""),  # 10 unknown status
        (nip("staff_a1"), "2026-11-10", "SAKIT", 30, ""),  # 11 minutes on a non-HADIR day
        ("12345", "2026-11-11", "HADIR", 0, 0),  # 12 malformed NIP
    ]
    data = csv_bytes(rows, header=HEADER[:5])
    preview = preview_import(2026, 11, "k.csv", data, operator(world))
    assert not preview.ok and preview.file_errors == []
    got = reasons(preview)
    assert set(got) == {3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
    assert "NIP tidak dikenal" in got[3][0]
    assert "Tanggal tidak mungkin: 31-11-2026" in got[4][0]
    assert "Hari ganda" in got[5][0] and "baris 6" in got[5][0]
    assert "Hari ganda" in got[6][0] and "baris 5" in got[6][0]
    assert "TERLAMBAT_MENIT tidak boleh negatif" in got[7][0]
    assert any("TERLAMBAT_MENIT harus bilangan bulat" in m for m in got[8])
    assert any("PULANG_CEPAT_MENIT harus bilangan bulat" in m for m in got[8])
    assert "di luar bulan impor (November 2026)" in got[9][0]
    assert "STATUS tidak dikenal: ALPA" in got[10][0]
    assert "hanya boleh diisi untuk status HADIR" in got[11][0]
    assert "NIP harus 18 angka" in got[12][0]
    assert preview.counts["errors"] == 10 and preview.counts["valid"] == 1

    with pytest.raises(ImportRefused) as err:
        import_month(2026, 11, "k.csv", data, operator(world))
    assert "Baris 3: NIP tidak dikenal" in err.value.message
    assert attendance_count() == 0

    # the page names each bad row and offers no confirmation
    client = login_as("operator")
    resp = upload(client, data, "k.csv")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Tidak ada data yang diimpor" in page and 'name="token"' not in page
    for text in ("NIP tidak dikenal", "Tanggal tidak mungkin", "Hari ganda", "tidak boleh negatif",
                 "STATUS tidak dikenal"):
        assert text in page
    assert attendance_count() == 0


def test_missing_columns_named(world, login_as):
    from app.services.attendance import preview_import

    data = csv_bytes([(nip("staff_a"), "2026-11-02", "HADIR")], header=["NIP", "Tanggal", "Status"])
    preview = preview_import(2026, 11, "k.csv", data, bkd())
    assert not preview.ok
    (msg,) = preview.file_errors
    assert "Kolom wajib tidak ada" in msg and "TERLAMBAT_MENIT, PULANG_CEPAT_MENIT" in msg
    resp = upload(login_as("bkd"), data, "k.csv")
    assert "Kolom wajib tidak ada" in resp.get_data(as_text=True)
    assert attendance_count() == 0


def test_wrong_sheet_named(world, login_as):
    from app.services.attendance import ImportRefused, import_month, preview_import

    data = xlsx_bytes([(nip("staff_a"), "2026-11-02", "HADIR", 0, 0)], sheet="Sheet1", extra_sheets=("Rekap",))
    preview = preview_import(2026, 11, "k.xlsx", data, bkd())
    (msg,) = preview.file_errors
    assert 'Lembar (sheet) "Kehadiran" tidak ditemukan' in msg and '"Sheet1", "Rekap"' in msg
    with pytest.raises(ImportRefused):
        import_month(2026, 11, "k.xlsx", data, bkd())
    page = upload(login_as("bkd"), data, "k.xlsx").get_data(as_text=True)
    assert "tidak ditemukan" in page and 'name="token"' not in page
    assert attendance_count() == 0


def test_not_a_spreadsheet(world):
    from app.services.attendance import preview_import

    preview = preview_import(2026, 11, "k.xlsx", b"PK\x03\x04 garbage", bkd())
    assert preview.file_errors and "XLSX" in preview.file_errors[0]
    preview = preview_import(2026, 11, "k.pdf", b"%PDF-1.4", bkd())
    assert "tidak dikenali" in preview.file_errors[0]
    preview = preview_import(2026, 11, "k.csv", csv_bytes([]), bkd())
    assert "tidak berisi baris data" in preview.file_errors[0]


# --------------------------------------------------------------------------- re-import and scope
def test_reimport_replaces_only_the_dates_of_the_file(world):
    """Issue 9 item 2: an import replaces exactly the (employee, date) pairs of the file."""
    from app.extensions import db
    from app.models import Attendance
    from app.services.attendance import import_month

    staff_a = world.employee("staff_a")
    db.session.add(Attendance(employee_id=staff_a.id, date=date(2026, 10, 30), status="HADIR",
                              minutes_late=0, minutes_early=0))  # another month: untouched
    db.session.commit()
    import_month(2026, 11, "a.csv", csv_bytes(GOOD_ROWS), operator(world))
    db.session.commit()
    assert attendance_count() == 5

    second = [(nip("staff_a"), "2026-11-05", "HADIR", 45, 0, "tambahan"),
              (nip("staff_a"), "2026-11-03", "HADIR", 20, 0, "koreksi")]
    result = import_month(2026, 11, "b.csv", csv_bytes(second), operator(world))
    db.session.commit()
    assert (result.rows, result.inserted, result.replaced_rows, result.deleted_rows) == (2, 1, 1, 0)
    assert "1 baris baru ditambahkan, 1 baris lama diganti" in result.summary()
    assert "0 baris dihapus" in result.summary()
    days = [(r.date, r.status, r.minutes_late) for r in attendance_rows("staff_a", world)]
    assert days == [(date(2026, 10, 30), "HADIR", 0), (date(2026, 11, 2), "HADIR", 0),
                    (date(2026, 11, 3), "HADIR", 20), (date(2026, 11, 4), "SAKIT", None),
                    (date(2026, 11, 5), "HADIR", 45)]
    # staff_a1 is not in the second file: their November rows stay
    assert [(r.date, r.status) for r in attendance_rows("staff_a1", world)] == [(date(2026, 11, 2), "TK")]

    # the same file twice gives the same data (idempotent)
    again = import_month(2026, 11, "b.csv", csv_bytes(second), operator(world))
    db.session.commit()
    assert (again.inserted, again.replaced_rows, again.deleted_rows) == (0, 2, 0)
    assert attendance_count() == 6


def test_operator_cannot_import_another_opds_nips(world, login_as):
    from app.extensions import db
    from app.models import Attendance
    from app.services.attendance import ImportRefused, import_month, preview_import

    staff_b = world.employee("staff_b")
    db.session.add(Attendance(employee_id=staff_b.id, date=date(2026, 11, 2), status="HADIR",
                              minutes_late=0, minutes_early=0))
    db.session.commit()
    data = csv_bytes([
        (nip("staff_a"), "2026-11-02", "HADIR", 0, 0, ""),
        (nip("staff_b"), "2026-11-02", "TK", "", "", ""),
    ])
    preview = preview_import(2026, 11, "k.csv", data, operator(world))
    assert reasons(preview) == {3: [f"NIP {nip('staff_b')} bukan pegawai dalam cakupan Anda (OPD lain)."]}
    assert nip("staff_b") not in preview.names  # no names leak from another OPD
    with pytest.raises(ImportRefused):
        import_month(2026, 11, "k.csv", data, operator(world))
    assert [(r.status) for r in attendance_rows("staff_b", world)] == ["HADIR"]
    assert attendance_count() == 1
    page = upload(login_as("operator"), data, "k.csv").get_data(as_text=True)
    assert "bukan pegawai dalam cakupan Anda" in page and 'name="token"' not in page
    # BKD may import the same file
    import_month(2026, 11, "k.csv", data, bkd())
    db.session.commit()
    assert [r.status for r in attendance_rows("staff_b", world)] == ["TK"]


def test_pegawai_gets_403_on_import_pages(world, login_as):
    from app.services import Forbidden
    from app.services.attendance import preview_import

    client = login_as("pegawai")
    assert client.get("/attendance-import/").status_code == 403
    assert client.get("/attendance-import/template/").status_code == 403
    assert upload(client, csv_bytes(GOOD_ROWS), "k.csv").status_code == 403
    assert client.post("/attendance-import/confirm", data={"token": "x" * 32}).status_code == 403
    staff = world.employee("staff_a")
    with pytest.raises(Forbidden):
        preview_import(2026, 11, "k.csv", csv_bytes(GOOD_ROWS),
                       _actor(staff.user_id, staff.nip, staff.id, {"Pegawai"}, staff.unit.opd_id))
    assert attendance_count() == 0


def test_confirm_token_of_another_user_is_not_found(world, login_as):
    op = login_as("operator")
    token = token_of(upload(op, csv_bytes(GOOD_ROWS), "k.csv"))
    resp = login_as("bkd").post("/attendance-import/confirm", data={"token": token})
    assert resp.status_code == 302 and "/attendance-import/" in resp.headers["Location"]
    assert op.post("/attendance-import/confirm", data={"token": "../../etc/passwd"}).status_code == 302
    assert attendance_count() == 0


# --------------------------------------------------------------------------- periods
def _set_period(year, month, state):
    from app.extensions import db
    from app.models import Period

    period = db.session.scalar(select(Period).where(Period.year == year, Period.month == month))
    period.state = state
    db.session.commit()


def test_closed_period_refused(world, login_as):
    from app.services.attendance import ImportRefused, import_month, preview_import

    data = csv_bytes(GOOD_ROWS)
    client = login_as("operator")
    token = token_of(upload(client, data, "k.csv"))  # valid while OPEN
    _set_period(2026, 11, "CLOSED")
    # the confirmation validates again: nothing imported
    resp = client.post("/attendance-import/confirm", data={"token": token})
    assert resp.status_code == 200 and "sudah ditutup" in resp.get_data(as_text=True)
    assert attendance_count() == 0
    preview = preview_import(2026, 11, "k.csv", data, bkd())
    assert preview.file_errors == ["Periode November 2026 sudah ditutup; data kehadiran bulan tersebut dibekukan."]
    with pytest.raises(ImportRefused):
        import_month(2026, 11, "k.csv", data, bkd())
    assert attendance_count() == 0


def test_month_without_period_refused(world):
    from app.services.attendance import ImportRefused, import_month

    data = csv_bytes([(nip("staff_a"), "2026-12-01", "HADIR", 0, 0, "")])
    with pytest.raises(ImportRefused) as err:
        import_month(2026, 12, "k.csv", data, bkd())
    assert "belum dibuka oleh BKD" in err.value.preview.file_errors[0]
    assert attendance_count() == 0


# --------------------------------------------------------------------------- templates
def test_xlsx_template_download(world, login_as):
    from openpyxl import load_workbook

    from app.imports.attendance import parse_attendance

    resp = login_as("operator").get("/attendance-import/template/?year=2026&month=11")
    assert resp.status_code == 200
    assert "spreadsheetml" in resp.headers["Content-Type"]
    assert "templat-kehadiran.xlsx" in resp.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(resp.data))
    assert wb.sheetnames == ["Kehadiran", "Petunjuk"]
    ws = wb["Kehadiran"]
    assert [c.value for c in ws[1]] == HEADER
    assert ws["A2"].data_type == "s" and ws["A2"].value == "199001012015031001"
    assert ws["A2"].number_format == "@"
    petunjuk = " ".join(str(c.value) for row in wb["Petunjuk"].iter_rows() for c in row if c.value)
    for col in HEADER:
        assert col in petunjuk
    # the template reads back without a file error; only its example NIP is unknown
    parsed = parse_attendance("templat-kehadiran.xlsx", resp.data)
    assert parsed.errors == [] and len(parsed.rows) == 5 and all(r.ok for r in parsed.rows)
    assert parsed.rows[0].date == date(2026, 11, 2)


def test_csv_template_download(world, login_as):
    from app.imports.attendance import parse_attendance

    resp = login_as("bkd").get("/attendance-import/template/?format=csv")
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/csv")
    text = resp.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == HEADER and len(rows) == 6
    parsed = parse_attendance("templat-kehadiran.csv", resp.data)
    assert parsed.errors == [] and all(r.ok for r in parsed.rows)


def test_index_page_explains_columns(world, login_as):
    page = login_as("operator").get("/attendance-import/").get_data(as_text=True)
    for col in HEADER:
        assert col in page
    assert "/attendance-import/template/" in page and "format=csv" in page


# --------------------------------------------------------------------------- the list
def test_attendance_view_scope(world, login_as):
    from app.extensions import db
    from app.models import Attendance

    a = Attendance(employee_id=world.employee("staff_a").id, date=date(2026, 11, 2), status="HADIR",
                   minutes_late=7, minutes_early=None)
    b = Attendance(employee_id=world.employee("staff_b").id, date=date(2026, 11, 3), status="TK")
    db.session.add_all([a, b])
    db.session.commit()
    a_id, b_id = a.id, b.id

    op = login_as("operator")
    page = op.get("/attendanceview/list/").get_data(as_text=True)
    assert nip("staff_a") in page and nip("staff_b") not in page
    assert op.get(f"/attendanceview/show/{a_id}").status_code == 200
    assert op.get(f"/attendanceview/show/{b_id}").status_code == 404
    page = login_as("bkd").get("/attendanceview/list/").get_data(as_text=True)
    assert nip("staff_a") in page and nip("staff_b") in page
    peg = login_as("pegawai")  # staff_a: own rows only
    page = peg.get("/attendanceview/list/").get_data(as_text=True)
    assert nip("staff_a") in page and nip("staff_b") not in page
    assert peg.get(f"/attendanceview/show/{b_id}").status_code == 404
    # read-only: no add, edit or delete for anybody
    assert login_as("bkd").get("/attendanceview/add").status_code in (403, 404)
    assert login_as("bkd").get(f"/attendanceview/edit/{a_id}").status_code in (403, 404)


# --------------------------------------------------------------------------- issue 9 item 2: what an import replaces
NOV_WORKDAYS = [date(2026, 11, d) for d in range(1, 31) if date(2026, 11, d).weekday() < 5]  # 21 days


def seed_month(world, keys, status_of=lambda day: "HADIR"):
    """Every November working day for the employees `keys` (as an earlier full import left them)."""
    from app.extensions import db
    from app.models import Attendance

    for key in keys:
        emp_id = world.employee(key).id
        for day in NOV_WORKDAYS:
            status = status_of(day)
            db.session.add(Attendance(employee_id=emp_id, date=day, status=status,
                                      minutes_late=0 if status == "HADIR" else None,
                                      minutes_early=0 if status == "HADIR" else None))
    db.session.commit()


def snapshot(world, key):
    return [(r.date, r.status, r.minutes_late) for r in attendance_rows(key, world)]


def audit_after():
    from app.extensions import db
    from app.models import AuditLog

    rows = db.session.scalars(select(AuditLog).where(AuditLog.entity == "AttendanceImport")
                              .order_by(AuditLog.id)).all()
    return [json.loads(r.after) for r in rows]


def upload_month(client, data, filename="k.csv", replace_month=False):
    form = {"year": "2026", "month": "11", "file": (io.BytesIO(data), filename)}
    if replace_month:
        form["replace_month"] = "y"
    return client.post("/attendance-import/upload", data=form, content_type="multipart/form-data")


def test_one_day_import_keeps_the_other_days_pages(world, login_as):
    """The reported case: 4 rows for one day replaced 84 rows (the employees' other November
    days) and changed their targets. Now exactly the 4 (employee, date) pairs change."""
    keys = ("staff_a", "op_a", "kabid_a", "staff_a1")
    # a CUTI day reduces the target: it must survive an import of another day
    seed_month(world, keys, status_of=lambda day: "CUTI" if day == date(2026, 11, 16) else "HADIR")
    before = {k: snapshot(world, k) for k in keys + ("staff_b",)}
    rows = [(nip("staff_a"), "2026-11-10", "TK", None, None, ""),
            (nip("op_a"), "2026-11-10", "HADIR", 30, 0, ""),
            (nip("kabid_a"), "2026-11-10", "SAKIT", None, None, ""),
            (nip("staff_a1"), "2026-11-10", "DL", None, None, "")]
    client = login_as("operator")
    resp = upload_month(client, csv_bytes(rows))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "0 baris baru" in page and "4 baris lama diganti" in page and "data tanggal lain tidak" in page
    assert "dihapus" not in page.split("Baris berkas")[0]
    resp = client.post("/attendance-import/confirm", data={"token": token_of(resp)}, follow_redirects=True)
    assert resp.status_code == 200
    assert ("Kehadiran November 2026 diimpor untuk 4 pegawai: 0 baris baru ditambahkan, 4 baris lama diganti "
            "pada tanggal yang sama, 0 baris dihapus") in resp.get_data(as_text=True)
    assert attendance_count() == 4 * 21
    changed = {"staff_a": ("TK", None), "op_a": ("HADIR", 30), "kabid_a": ("SAKIT", None), "staff_a1": ("DL", None)}
    for key in keys:
        expected = [(d, *changed[key]) if d == date(2026, 11, 10) else (d, s, m) for d, s, m in before[key]]
        assert snapshot(world, key) == expected  # other days (the CUTI day too) untouched
    assert snapshot(world, "staff_b") == before["staff_b"]
    (after,) = audit_after()
    assert (after["mode"], after["rows"], after["inserted"], after["replaced_rows"], after["deleted_rows"]) == (
        "TANGGAL", 4, 0, 4, 0)


def test_month_replace_needs_its_own_confirmation_pages(world, login_as):
    from app.extensions import db
    from app.models import Attendance

    seed_month(world, ("staff_a", "staff_a1", "op_a"))
    rows = [(nip("staff_a"), "2026-11-02", "HADIR", 5, 0, ""),
            (nip("staff_a"), "2026-11-03", "HADIR", 0, 0, ""),
            (nip("staff_a1"), "2026-11-02", "IZIN", None, None, "")]
    client = login_as("operator")
    resp = upload_month(client, csv_bytes(rows), replace_month=True)
    page = resp.get_data(as_text=True)
    # 21 + 21 stored rows of the two employees, 3 replaced: 39 deleted, all in Dinas Kesehatan
    assert "Ganti seluruh bulan" in page and "39 baris lama pada tanggal lain" in page
    assert re.search(r"<td>Dinas Kesehatan</td><td[^>]*>39</td>", page)
    assert 'name="confirm_delete"' in page and 'name="expected_deleted"' in page
    token = token_of(resp)
    full = {"token": token, "replace_month": "1", "expected_deleted": "39", "confirm_delete": "y"}

    # a plain confirmation (the token alone) cannot delete a month
    resp = client.post("/attendance-import/confirm", data={"token": token})
    assert resp.status_code == 200 and "tidak sesuai dengan pilihan saat unggah" in resp.get_data(as_text=True)
    # the choice without the ticked box, or with another count, deletes nothing either
    resp = client.post("/attendance-import/confirm", data={**full, "confirm_delete": ""})
    assert "Centang persetujuan penghapusan" in resp.get_data(as_text=True)
    resp = client.post("/attendance-import/confirm", data={**full, "expected_deleted": "3"})
    assert "berubah sejak pratinjau (3 menjadi 39)" in resp.get_data(as_text=True)
    assert attendance_count() == 3 * 21

    # the data changes after the preview: the count no longer matches, nothing is written
    db.session.add(Attendance(employee_id=world.employee("staff_a").id, date=date(2026, 11, 7), status="HADIR",
                              minutes_late=0, minutes_early=0))
    db.session.commit()
    resp = client.post("/attendance-import/confirm", data=full)
    page = resp.get_data(as_text=True)
    assert "berubah sejak pratinjau (39 menjadi 40)" in page and "40 baris lama pada tanggal lain" in page
    assert attendance_count() == 3 * 21 + 1

    resp = client.post("/attendance-import/confirm", data={**full, "expected_deleted": "40"}, follow_redirects=True)
    assert ("0 baris baru ditambahkan, 3 baris lama diganti pada tanggal yang sama, 40 baris lama pada tanggal lain "
            "dihapus (ganti seluruh bulan: Dinas Kesehatan 40)") in resp.get_data(as_text=True)
    assert snapshot(world, "staff_a") == [(date(2026, 11, 2), "HADIR", 5), (date(2026, 11, 3), "HADIR", 0)]
    assert snapshot(world, "staff_a1") == [(date(2026, 11, 2), "IZIN", None)]
    assert len(snapshot(world, "op_a")) == 21  # not in the file: untouched
    assert attendance_count() == 3 + 21
    (after,) = audit_after()
    assert (after["mode"], after["inserted"], after["replaced_rows"], after["deleted_rows"]) == ("BULAN", 0, 3, 40)
    assert after["deleted_by_opd"] == {"Dinas Kesehatan": 40}


def test_month_replace_of_an_operator_touches_only_their_opd(world, login_as):
    from app.services.attendance import import_month, preview_import

    seed_month(world, ("staff_a", "staff_b", "op_b"))
    others = {k: snapshot(world, k) for k in ("staff_b", "op_b")}
    data = csv_bytes([(nip("staff_a"), "2026-11-02", "HADIR", 0, 0, "")])
    preview = preview_import(2026, 11, "k.csv", data, operator(world), replace_month=True)
    assert preview.ok and preview.deleted_rows == 20
    assert [(c.name, c.rows) for c in preview.deleted_by_opd] == [("Dinas Kesehatan", 20)]
    # an operator's file naming another OPD's employee is refused as a whole
    bad = csv_bytes([(nip("staff_a"), "2026-11-02", "HADIR", 0, 0, ""),
                     (nip("staff_b"), "2026-11-02", "TK", "", "", "")])
    page = upload_month(login_as("operator"), bad, replace_month=True).get_data(as_text=True)
    assert "bukan pegawai dalam cakupan Anda" in page and 'name="token"' not in page
    # a month replace without the count of the preview is refused by the service too
    with pytest.raises(Exception) as err:
        import_month(2026, 11, "k.csv", data, operator(world), replace_month=True)
    assert "harus dikonfirmasi" in str(err.value)
    result = import_month(2026, 11, "k.csv", data, operator(world), replace_month=True, expected_deleted=20)
    from app.extensions import db

    db.session.commit()
    assert (result.deleted_rows, result.replaced_rows) == (20, 1)
    assert {k: snapshot(world, k) for k in ("staff_b", "op_b")} == others
    assert snapshot(world, "staff_a") == [(date(2026, 11, 2), "HADIR", 0)]


def test_rows_on_a_non_working_day_are_flagged(world, login_as):
    from app.extensions import db
    from app.models import Holiday

    db.session.add(Holiday(date=date(2026, 11, 10), name="Hari Pahlawan (contoh)", kind="LIBUR_NASIONAL"))
    db.session.commit()
    rows = [(nip("staff_a"), "2026-11-07", "TK", None, None, ""),  # Saturday, 5-day unit
            (nip("staff_a1"), "2026-11-07", "HADIR", 0, 0, ""),  # Saturday, 6-day puskesmas: a working day
            (nip("staff_a1"), "2026-11-08", "HADIR", 0, 0, ""),  # Sunday
            (nip("staff_a"), "2026-11-10", "HADIR", 0, 0, ""),  # holiday
            (nip("staff_a"), "2026-11-11", "HADIR", 0, 0, "")]  # Wednesday
    from app.services.attendance import preview_import

    preview = preview_import(2026, 11, "k.csv", csv_bytes(rows), operator(world))
    assert preview.ok and preview.counts["warnings"] == 3
    warned = {r.line: r.warnings for r in preview.rows if r.warnings}
    assert set(warned) == {2, 4, 5}
    assert "Sabtu 07-11-2026 bukan hari kerja (di luar 5 hari kerja unit pegawai)" in warned[2][0]
    assert "Minggu 08-11-2026 bukan hari kerja (di luar 6 hari kerja" in warned[4][0]
    assert "Selasa 10-11-2026 bukan hari kerja (hari libur)" in warned[5][0]
    client = login_as("operator")
    resp = upload_month(client, csv_bytes(rows))
    page = resp.get_data(as_text=True)
    assert "3 baris berada pada hari yang bukan hari kerja" in page and "tidak mengurangi apa pun" in page
    assert page.count('class="warning"') == 3
    client.post("/attendance-import/confirm", data={"token": token_of(resp)})  # warnings do not block
    assert attendance_count() == 5
    (after,) = audit_after()
    assert after["non_working_day_rows"] == 3
