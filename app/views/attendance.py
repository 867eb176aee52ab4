"""Pages of the attendance data (kehadiran): the import (upload, preview, confirm, templates)
and the read-only list in scope. Thin: every rule is in app.services.attendance and
app.imports.attendance.

The uploaded file is kept server-side between the preview and the confirmation, in
instance/attendance_uploads/<user id>-<random token>.{bin,json} (ATTENDANCE_UPLOAD_FOLDER
overrides the folder); only the token travels in the form. The confirmation parses and
validates the stored file again and deletes it once imported. Leftovers older than a day
are purged at the next upload.
"""
from __future__ import annotations

import io
from datetime import date

from flask import flash, redirect, request, send_file, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, IntegerField, SelectField
from wtforms.validators import DataRequired, NumberRange

from app.formatting import format_date
from app.imports.attendance import ALL_COLUMNS, DATE_FORMATS_LABEL, SHEET_NAME, STATUSES
from app.imports.common import PREVIEW_FIRST_ROWS, UploadStore, csv_template, preview_slice
from app.models import Attendance
from app.models.periods import MONTH_NAMES
from app.models.scores import ATTENDANCE_STATUS_LABELS
from app.params import YEAR_MAX, YEAR_MIN, arg_int
from app.services import ValidationFailed
from app.services import attendance as svc
from app.services.organisation import today_local
from app.views.base import ScopedModelView
from app.views.imports import ConfirmForm as BaseConfirmForm
from app.views.imports import ImportFlowView

UPLOAD_MAX_AGE = 24 * 3600

# What each column means (the page, the template's "Petunjuk" sheet and docs/ say the same).
COLUMN_HELP = [
    ("NIP", "Wajib", "NIP pegawai, 18 angka, ditulis sebagai teks (bukan angka) agar digit terakhir tidak hilang."),
    ("TANGGAL", "Wajib", f"Tanggal kehadiran dalam bulan yang diimpor: {DATE_FORMATS_LABEL}, atau sel tanggal Excel."),
    ("STATUS", "Wajib", "Salah satu dari: " + ", ".join(
        f"{code} ({ATTENDANCE_STATUS_LABELS[code]})" for code in STATUSES) + "."),
    ("TERLAMBAT_MENIT", "Wajib ada (boleh kosong)",
     "Menit terlambat masuk, bilangan bulat ≥ 0. Kosong = tidak ada rekaman absen masuk. Hanya untuk HADIR."),
    ("PULANG_CEPAT_MENIT", "Wajib ada (boleh kosong)",
     "Menit pulang sebelum waktunya, bilangan bulat ≥ 0. Kosong = tidak ada rekaman absen pulang. Hanya untuk HADIR."),
    ("KETERANGAN", "Opsional", "Catatan bebas; tidak disimpan, hanya ditampilkan di pratinjau."),
]


_fmt_date = format_date


def _status_label(code) -> str:
    return f"{code} — {ATTENDANCE_STATUS_LABELS[code]}" if code in ATTENDANCE_STATUS_LABELS else (code or "")


def _minutes(value) -> str:
    return "–" if value is None else str(value)


# --------------------------------------------------------------------------- forms
class UploadForm(FlaskForm):
    year = IntegerField("Tahun", validators=[DataRequired(message="Tahun wajib diisi."),
                                             NumberRange(2000, 2100, "Tahun harus antara 2000 dan 2100.")])
    month = SelectField("Bulan", choices=[(i, MONTH_NAMES[i]) for i in range(1, 13)], coerce=int)
    file = FileField("Berkas kehadiran (.xlsx atau .csv)",
                     validators=[FileRequired(message="Pilih berkas kehadiran yang akan diunggah.")])
    replace_month = BooleanField(
        "Ganti seluruh bulan: hapus juga data kehadiran tanggal lain di bulan ini untuk pegawai yang ada di berkas")


class ConfirmForm(BaseConfirmForm):
    # Month replace only: the confirmation carries the choice and the count the preview showed.
    replace_month = HiddenField()
    expected_deleted = HiddenField()
    confirm_delete = BooleanField("Saya mengerti bahwa baris lama tersebut akan dihapus")


MSG_CHOICE_MISMATCH = ("Konfirmasi tidak sesuai dengan pilihan saat unggah (ganti seluruh bulan atau hanya tanggal "
                       "di berkas); tidak ada data yang diimpor.")
MSG_TICK_DELETE = "Centang persetujuan penghapusan untuk mengganti seluruh bulan; tidak ada data yang diimpor."


# --------------------------------------------------------------------------- stored uploads
UPLOADS = UploadStore("ATTENDANCE_UPLOAD_FOLDER", "attendance_uploads", UPLOAD_MAX_AGE)


def store_upload(user_id, year: int, month: int, filename: str, data: bytes) -> str:
    return UPLOADS.store(user_id, {"year": year, "month": month, "filename": filename}, data)


def load_upload(user_id, token: str):
    """(meta, data) of this user's stored upload, or None (unknown, expired, other user)."""
    return UPLOADS.load(user_id, token)


def discard_upload(user_id, token: str) -> None:
    UPLOADS.discard(user_id, token)


# --------------------------------------------------------------------------- templates
def _example_rows(year: int, month: int) -> list[list]:
    d = lambda day: date(year, month, day)  # noqa: E731
    nip = "199001012015031001"
    return [
        [nip, d(2), "HADIR", 0, 0, "Contoh: tepat waktu"],
        [nip, d(3), "HADIR", 15, None, "Contoh: terlambat 15 menit, tidak ada rekaman absen pulang"],
        [nip, d(4), "SAKIT", None, None, "Contoh: sakit (menit dikosongkan)"],
        [nip, d(5), "DL", None, None, "Contoh: dinas luar"],
        [nip, d(6), "TK", None, None, "Contoh: tanpa keterangan"],
    ]


def build_xlsx_template(year: int, month: int) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    head = wb.add_format({"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "border": 1,
                          "align": "center", "valign": "vcenter"})
    text = wb.add_format({"num_format": "@"})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    note = wb.add_format({"font_color": "#7F7F7F", "italic": True})
    ws = wb.add_worksheet(SHEET_NAME)
    ws.write_row(0, 0, list(ALL_COLUMNS), head)
    ws.set_row(0, 20)
    ws.set_column(0, 0, 22, text)  # NIP as text: 18 digits do not survive as a number
    ws.set_column(1, 1, 13, day)
    ws.set_column(2, 2, 10)
    ws.set_column(3, 4, 21)
    ws.set_column(5, 5, 60)
    for i, (nip, d, status, late, early, remark) in enumerate(_example_rows(year, month), start=1):
        ws.write_string(i, 0, nip, text)
        ws.write_datetime(i, 1, d, day)
        ws.write_string(i, 2, status)
        for col, value in ((3, late), (4, early)):
            if value is None:
                ws.write_blank(i, col, None)
            else:
                ws.write_number(i, col, value)
        ws.write_string(i, 5, remark, note)
    ws.data_validation(1, 2, 400_000, 2, {
        "validate": "list", "source": list(STATUSES), "error_title": "STATUS",
        "error_message": "Pilih salah satu: " + ", ".join(STATUSES)})
    ws.data_validation(1, 3, 400_000, 4, {
        "validate": "integer", "criteria": ">=", "value": 0, "ignore_blank": True,
        "error_title": "Menit", "error_message": "Isi bilangan bulat menit ≥ 0, atau kosongkan."})
    ws.freeze_panes(1, 0)

    guide = wb.add_worksheet("Petunjuk")
    bold = wb.add_format({"bold": True})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    guide.set_column(0, 0, 22)
    guide.set_column(1, 1, 24)
    guide.set_column(2, 2, 90)
    guide.write(0, 0, "Petunjuk pengisian data kehadiran e-Kinerja Kota Malang", bold)
    guide.write_row(2, 0, ["Kolom", "Keterangan", "Isi"], head)
    for i, (col, need, desc) in enumerate(COLUMN_HELP, start=3):
        guide.write(i, 0, col, bold)
        guide.write(i, 1, need, wrap)
        guide.write(i, 2, desc, wrap)
    rules = [
        f'Data diisi pada lembar "{SHEET_NAME}" mulai baris 2; baris 1 adalah judul kolom (urutan kolom bebas).',
        "Hapus baris contoh (NIP 199001012015031001) sebelum mengunggah.",
        "Satu baris = satu pegawai pada satu tanggal; tanggal yang sama untuk NIP yang sama tidak boleh ganda.",
        "Semua tanggal harus berada dalam bulan yang dipilih saat impor.",
        "Seluruh berkas diperiksa dulu; jika ada satu kesalahan saja, tidak ada data yang diimpor.",
        "Impor mengganti hanya pasangan pegawai dan tanggal yang ada di berkas; tanggal lain tidak berubah.",
        "Mengganti seluruh bulan (menghapus tanggal lain pegawai di berkas) adalah pilihan terpisah di halaman "
        "unggah yang menampilkan jumlah baris yang dihapus per OPD dan harus dikonfirmasi.",
        "Baris pada hari yang bukan hari kerja unit pegawai (Sabtu/Minggu, hari libur) diberi peringatan dan "
        "tidak mengurangi apa pun.",
        "Operator OPD hanya dapat mengimpor pegawai OPD-nya sendiri.",
    ]
    guide.write(len(COLUMN_HELP) + 4, 0, "Aturan", bold)
    for i, rule in enumerate(rules, start=len(COLUMN_HELP) + 5):
        guide.write(i, 0, f"{i - len(COLUMN_HELP) - 4}.")
        guide.write(i, 2, rule, wrap)
    wb.close()
    return out.getvalue()


def build_csv_template(year: int, month: int) -> bytes:
    return csv_template(ALL_COLUMNS, [list(row) for row in _example_rows(year, month)])


# --------------------------------------------------------------------------- the import pages
class AttendanceImportView(ImportFlowView):
    """Impor kehadiran: upload, preview with per-row reasons, confirm (all or nothing)."""

    route_base = "/attendance-import"
    entity = "AttendanceImport"
    default_filename = "kehadiran"
    uploads = UPLOADS
    service = svc
    upload_form = UploadForm
    confirm_form = ConfirmForm

    def _max_bytes(self) -> int:
        return svc.upload_limits().max_bytes

    def _render_form(self, form):
        limits = svc.upload_limits()
        return self.render_template("attendance_import.html", form=form, columns=COLUMN_HELP,
                                    sheet=SHEET_NAME, max_mb=limits.max_bytes // (1024 * 1024),
                                    max_rows=f"{limits.max_rows:,}".replace(",", "."))

    def _render_preview(self, preview, token=None):
        shown, hidden_rows, hidden_errors = preview_slice(preview.rows)
        confirm = self._blank_confirm_form(token, replace_month="1" if preview.replace_month else "",
                                           expected_deleted=str(preview.deleted_rows) if preview.replace_month else "")
        return self.render_template(
            "attendance_preview.html", preview=preview, counts=preview.counts, shown=shown,
            hidden_rows=hidden_rows, hidden_errors=hidden_errors, first_rows=PREVIEW_FIRST_ROWS,
            token=token if preview.ok else None, confirm_form=confirm,
            fmt_date=_fmt_date, status_label=_status_label, minutes=_minutes)

    def _blank_form(self):
        form = super()._blank_form()
        today = today_local()
        form.year.data, form.month.data = today.year, today.month
        return form

    def _preview(self, form, filename, data, actor):
        return svc.preview_import(form.year.data, form.month.data, filename, data, actor,
                                  replace_month=bool(form.replace_month.data))

    def _upload_meta(self, form, filename):
        return {"year": form.year.data, "month": form.month.data, "filename": filename,
                "replace_month": bool(form.replace_month.data)}

    def _confirm_options(self, form, meta):
        """A month replace needs the choice, the ticked box and the count of the preview on the
        confirmation itself; a plain confirmation imports the file's dates only."""
        chosen = bool(meta.get("replace_month"))
        if chosen != (form.replace_month.data == "1"):
            raise ValidationFailed({"replace_month": [MSG_CHOICE_MISMATCH]})
        if not chosen:
            return {}
        if not form.confirm_delete.data:
            raise ValidationFailed({"confirm_delete": [MSG_TICK_DELETE]})
        expected = (form.expected_deleted.data or "").strip()
        if not expected.isdigit() or len(expected) > 9:
            raise ValidationFailed({"replace_month": [svc.MSG_MONTH_UNCONFIRMED]})
        return {"expected_deleted": int(expected)}

    def _import(self, meta, data, actor):
        return svc.import_month(int(meta["year"]), int(meta["month"]), meta["filename"], data, actor,
                                replace_month=bool(meta.get("replace_month")),
                                expected_deleted=meta.get("expected_deleted"))

    def _preview_stored(self, meta, data, actor, token):
        preview = svc.preview_import(int(meta["year"]), int(meta["month"]), meta["filename"], data, actor,
                                     replace_month=bool(meta.get("replace_month")))
        return self._render_preview(preview, token if preview.ok else None)

    def _done(self, result):
        flash(result.summary(), "success")
        return redirect(url_for("AttendanceView.list"))

    @expose("/template/")
    @has_access
    def template(self):
        today = today_local()
        year = arg_int("year", today.year, YEAR_MIN, YEAR_MAX,
                       f"Tahun tidak valid: gunakan {YEAR_MIN} sampai {YEAR_MAX}.")
        month = arg_int("month", today.month, 1, 12, "Bulan tidak valid: gunakan 1 sampai 12.")
        if request.args.get("format", "xlsx").lower() == "csv":
            return send_file(io.BytesIO(build_csv_template(year, month)), mimetype="text/csv; charset=utf-8",
                             as_attachment=True, download_name="templat-kehadiran.csv")
        return send_file(io.BytesIO(build_xlsx_template(year, month)), as_attachment=True,
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         download_name="templat-kehadiran.xlsx")


# --------------------------------------------------------------------------- the list
class AttendanceView(ScopedModelView):
    """Data kehadiran in scope: BKD, Auditor all; Operator OPD own OPD; Pegawai own rows;
    Atasan also the subordinates' (app.security.scope_clause). Read-only: rows come from
    the import."""

    datamodel = SQLAInterface(Attendance)
    entity = "Attendance"
    base_permissions = ["can_list", "can_show"]
    validate_forms = False
    list_title = "Data Kehadiran"
    show_title = "Detail Kehadiran"
    list_columns = ["date", "employee", "status", "minutes_late", "minutes_early"]
    show_columns = ["date", "employee", "status", "minutes_late", "minutes_early"]
    search_columns = ["employee", "date", "status"]
    order_columns = ["date", "status", "minutes_late", "minutes_early"]
    base_order = ("date", "desc")
    label_columns = {"date": "Tanggal", "employee": "Pegawai", "status": "Status",
                     "minutes_late": "Terlambat (menit)", "minutes_early": "Pulang Cepat (menit)"}
    description_columns = {
        "minutes_late": "Kosong (–) berarti tidak ada rekaman absen masuk.",
        "minutes_early": "Kosong (–) berarti tidak ada rekaman absen pulang.",
    }
    formatters_columns = {"date": _fmt_date, "status": _status_label, "minutes_late": _minutes,
                          "minutes_early": _minutes}
    search_form_query_rel_fields = ScopedModelView.scoped_rel("employee")
