"""Pages of the master data import (Impor Data Induk): upload, preview, confirm, templates.
Thin: every rule is in app.services.master_import and app.imports.masterdata.

The uploaded file is kept server-side between the preview and the confirmation (same
mechanism as the attendance import: app.imports.common.UploadStore, folder
instance/master_uploads or MASTER_UPLOAD_FOLDER); only a token travels in the form, and the
confirmation parses and validates the stored file again.
"""
from __future__ import annotations

import io
from datetime import date

from flask import current_app, flash, redirect, request, send_file, url_for
from flask_appbuilder import expose, has_access
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField

from app.domain.golongan import CPNS_ENTRY_GOLONGAN, PPPK_GOLONGAN
from app.domain.nip import make_nip
from app.domain.positions import ESELONS, LEVELS_BY_KIND, POSITION_KINDS
from app.imports.common import DATE_FORMATS_LABEL, PREVIEW_FIRST_ROWS, UploadStore, csv_template, preview_slice
from app.imports.masterdata import COLUMNS, REQUIRED, SHEETS, UNIT_KIND_CODES
from app.services import master_import as svc
from app.views.imports import ImportFlowView

MAX_BYTES_DEFAULT = 20 * 1024 * 1024
UPLOADS = UploadStore("MASTER_UPLOAD_FOLDER", "master_uploads")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What each column means (the page, the template's "Petunjuk" sheet and docs/ say the same).
COLUMN_HELP = {
    "Unit": [
        ("KODE_UNIT", "Kode unit kerja, unik (kunci: unit dengan kode yang sama diperbarui). Tulis sebagai teks."),
        ("NAMA_UNIT", "Nama unit kerja."),
        ("JENIS", "Salah satu dari: " + ", ".join(UNIT_KIND_CODES) + "."),
        ("KODE_INDUK", "Kode unit induk (di basis data atau di lembar ini). Kosong hanya untuk OPD dan KECAMATAN."),
        ("HARI_KERJA", "5 atau 6 hari kerja per minggu. Kosong = tetap (unit baru: 5)."),
        ("AKTIF", "Y atau T. Kosong = Y."),
    ],
    "Jabatan": [
        ("KODE_UNIT", "Kode unit tempat jabatan berada (di basis data atau di lembar Unit)."),
        ("NAMA_JABATAN", "Nama jabatan. Kunci jabatan = KODE_UNIT + NAMA_JABATAN (huruf besar/kecil tidak dibedakan)."),
        ("JENIS_JABATAN", "Salah satu dari: " + ", ".join(POSITION_KINDS) + "."),
        ("JENJANG", "Wajib untuk JPT (" + ", ".join(LEVELS_BY_KIND["JPT"]) + ") dan jabatan fungsional (mis. "
         "Ahli Pertama, Terampil); kosong untuk jabatan lain."),
        ("ESELON", "Opsional: " + ", ".join(ESELONS) + " (sesuai jenis jabatan)."),
        ("KELAS_JABATAN", "Kelas jabatan 1 sampai 17 (dasar TPP), diisi hanya oleh BKD. Operator OPD mengosongkan "
         "kolom ini untuk jabatan baru dan tidak mengubah nilai yang tersimpan."),
        ("KODE_UNIT_ATASAN", "Kode unit jabatan atasan; kosong = unit yang sama."),
        ("NAMA_JABATAN_ATASAN", "Nama jabatan atasan langsung (di basis data atau di lembar ini); kosong = jabatan "
         "puncak tanpa atasan."),
    ],
    "Pegawai": [
        ("NIP", "18 angka, ditulis sebagai teks (bukan angka) agar digit terakhir tidak hilang. Kunci pegawai."),
        ("NAMA", "Nama tanpa gelar."),
        ("GELAR_DEPAN", "Opsional, mis. dr. atau Drs."),
        ("GELAR_BELAKANG", "Opsional, mis. S.Kom., M.M."),
        ("JENIS_KELAMIN", "L atau P (harus sesuai digit ke-15 NIP untuk PNS/CPNS; kosong = diambil dari NIP)."),
        ("TANGGAL_LAHIR", f"{DATE_FORMATS_LABEL}, atau sel tanggal Excel (harus sesuai NIP untuk PNS/CPNS; kosong "
         "= diambil dari NIP). Wajib untuk PPPK."),
        ("JENIS_PEGAWAI", "PNS, CPNS atau PPPK."),
        ("GOLONGAN", "PNS: I/a sampai IV/e; CPNS: " + ", ".join(CPNS_ENTRY_GOLONGAN) + "; PPPK: "
         + PPPK_GOLONGAN[0] + " sampai " + PPPK_GOLONGAN[-1] + "."),
        ("KODE_UNIT", "Kode unit kerja pegawai (di basis data atau di lembar Unit)."),
        ("NAMA_JABATAN", "Nama jabatan di unit pegawai (di basis data atau di lembar Jabatan); kosong = tanpa "
         "jabatan."),
        ("BANK", "Nama bank, opsional."),
        ("NO_REKENING", "Nomor rekening, hanya angka, ditulis sebagai teks."),
        ("AKTIF", "Y atau T. Kosong = Y."),
    ],
}

RULES = [
    "Berkas XLSX berisi lembar Unit, Jabatan dan Pegawai (lembar yang tidak diperlukan boleh dihapus atau "
    "dikosongkan). Baris 1 adalah judul kolom; huruf besar/kecil dan urutan kolom bebas.",
    "Kolom yang tidak dikenal atau kolom wajib yang tidak ada membuat seluruh berkas ditolak.",
    "Kolom opsional boleh dihapus dari baris judul: nilai pada data yang sudah ada tidak diubah.",
    "Impor ulang memperbarui data yang sudah ada: unit menurut KODE_UNIT, jabatan menurut KODE_UNIT + "
    "NAMA_JABATAN, pegawai menurut NIP. Tidak ada data ganda.",
    "Baris boleh merujuk unit atau jabatan yang dibuat oleh baris lain di berkas yang sama.",
    "Seluruh berkas diperiksa dulu; jika ada satu kesalahan saja, tidak ada data yang diimpor.",
    "Operator OPD hanya dapat mengimpor jabatan dan pegawai OPD-nya sendiri (unit kerja diubah oleh BKD); data "
    "dirinya sendiri (baris pegawainya, jabatannya, pengisian jabatan atasannya) dan kelas jabatan diubah oleh BKD.",
    "Pegawai baru otomatis mendapat akun login (nama pengguna = NIP); kata sandi awalnya ditampilkan sekali "
    "setelah impor.",
    "Hapus baris contoh (kode 99.xx) sebelum mengunggah.",
]


# --------------------------------------------------------------------------- forms
class UploadForm(FlaskForm):
    kind = SelectField("Jenis data (khusus CSV)", choices=[("", "Otomatis dari judul kolom")] + [
        (s, s) for s in SHEETS], default="")
    file = FileField("Berkas data induk (.xlsx atau .csv)",
                     validators=[FileRequired(message="Pilih berkas data induk yang akan diunggah.")])


# --------------------------------------------------------------------------- templates
def example_rows() -> dict[str, list[list]]:
    """A new OPD with a bidang, a chain of three positions and three employees."""
    nip_kadis = make_nip(date(1975, 4, 12), date(2000, 3, 1), "L", 1)
    nip_kabid = make_nip(date(1982, 9, 30), date(2008, 1, 1), "P", 2)
    nip_staf = make_nip(date(1995, 1, 15), date(2020, 2, 1), "L", 3)
    return {
        "Unit": [
            ["99.00", "Dinas Contoh", "OPD", "", 5, "Y"],
            ["99.01", "Bidang Contoh", "BIDANG", "99.00", 5, "Y"],
        ],
        "Jabatan": [
            ["99.00", "Kepala Dinas Contoh", "JPT", "Pratama", "II.b", 14, "", ""],
            ["99.01", "Kepala Bidang Contoh", "ADMINISTRATOR", "", "III.b", 11, "99.00", "Kepala Dinas Contoh"],
            ["99.01", "Analis Contoh", "JF_KEAHLIAN", "Ahli Pertama", "", 8, "", "Kepala Bidang Contoh"],
        ],
        "Pegawai": [
            [nip_kadis, "Budi Santoso", "Dr.", "M.Si.", "L", date(1975, 4, 12), "PNS", "IV/c", "99.00",
             "Kepala Dinas Contoh", "Bank Jatim", "0011223344", "Y"],
            [nip_kabid, "Sri Wahyuni", "", "S.E., M.M.", "P", date(1982, 9, 30), "PNS", "IV/a", "99.01",
             "Kepala Bidang Contoh", "Bank Jatim", "0011223345", "Y"],
            [nip_staf, "Andi Pratama", "", "S.Kom.", "L", date(1995, 1, 15), "PNS", "III/a", "99.01",
             "Analis Contoh", "Bank Jatim", "0011223346", "Y"],
        ],
    }


TEXT_COLUMNS = {"KODE_UNIT", "KODE_INDUK", "KODE_UNIT_ATASAN", "NIP", "NO_REKENING"}
LISTS = {"JENIS": list(UNIT_KIND_CODES), "JENIS_JABATAN": list(POSITION_KINDS), "JENIS_PEGAWAI": ["PNS", "CPNS", "PPPK"],
         "JENIS_KELAMIN": ["L", "P"], "AKTIF": ["Y", "T"], "HARI_KERJA": ["5", "6"]}


def build_xlsx_template() -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    head = wb.add_format({"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "border": 1,
                          "align": "center", "valign": "vcenter"})
    text = wb.add_format({"num_format": "@"})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    examples = example_rows()
    for name in SHEETS:
        ws = wb.add_worksheet(name)
        columns = COLUMNS[name]
        ws.write_row(0, 0, list(columns), head)
        ws.set_row(0, 20)
        for col, column in enumerate(columns):
            width = max(len(column) + 4, 14 if column not in ("NAMA_UNIT", "NAMA_JABATAN", "NAMA_JABATAN_ATASAN",
                                                               "NAMA") else 30)
            ws.set_column(col, col, 22 if column == "NIP" else width, text if column in TEXT_COLUMNS else None)
            if column in LISTS:
                ws.data_validation(1, col, 50_000, col, {
                    "validate": "list", "source": LISTS[column], "error_title": column,
                    "error_message": "Pilih salah satu: " + ", ".join(LISTS[column])})
        for r, values in enumerate(examples[name], start=1):
            for col, (column, value) in enumerate(zip(columns, values)):
                if isinstance(value, date):
                    ws.write_datetime(r, col, value, day)
                elif column in TEXT_COLUMNS or isinstance(value, str):
                    ws.write_string(r, col, str(value), text if column in TEXT_COLUMNS else None)
                else:
                    ws.write_number(r, col, value)
        ws.freeze_panes(1, 0)

    guide = wb.add_worksheet("Petunjuk")
    bold = wb.add_format({"bold": True})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    guide.set_column(0, 0, 24)
    guide.set_column(1, 1, 14)
    guide.set_column(2, 2, 100)
    guide.write(0, 0, "Petunjuk pengisian data induk (unit, jabatan, pegawai) e-Kinerja Kota Malang", bold)
    line = 2
    for name in SHEETS:
        guide.write(line, 0, f"Lembar {name}", bold)
        line += 1
        guide.write_row(line, 0, ["Kolom", "Keterangan", "Isi"], head)
        line += 1
        for column, desc in COLUMN_HELP[name]:
            guide.write(line, 0, column, bold)
            guide.write(line, 1, "Wajib" if column in REQUIRED[name] else "Opsional", wrap)
            guide.write(line, 2, desc, wrap)
            line += 1
        line += 1
    guide.write(line, 0, "Aturan", bold)
    for i, rule in enumerate(RULES, start=1):
        guide.write(line + i, 0, f"{i}.")
        guide.write(line + i, 2, rule, wrap)
    wb.close()
    return out.getvalue()


def build_csv_template(sheet: str) -> bytes:
    return csv_template(COLUMNS[sheet], [list(v) for v in example_rows()[sheet]])


# --------------------------------------------------------------------------- the pages
class MasterImportView(ImportFlowView):
    """Impor data induk: upload, preview with per-row reasons, confirm (all or nothing)."""

    route_base = "/master-import"
    entity = "MasterImport"
    default_filename = "data-induk"
    uploads = UPLOADS
    service = svc
    upload_form = UploadForm

    def _max_bytes(self) -> int:
        return int(current_app.config.get("MASTER_IMPORT_MAX_BYTES", MAX_BYTES_DEFAULT))

    def _render_form(self, form):
        return self.render_template("master_import_index.html", form=form, columns=COLUMN_HELP,
                                    required=REQUIRED, sheets=SHEETS, rules=RULES,
                                    max_mb=self._max_bytes() // (1024 * 1024))

    def _render_preview(self, preview, token=None):
        tables = []
        for name, sheet in preview.sheets.items():
            shown, hidden_rows, hidden_errors = preview_slice(sheet.rows)
            tables.append({"name": name, "columns": sheet.columns, "rows": shown,
                           "hidden_rows": hidden_rows, "hidden_errors": hidden_errors})
        return self.render_template(
            "master_import_preview.html", preview=preview, counts=preview.counts, tables=tables,
            first_rows=PREVIEW_FIRST_ROWS, action_labels=svc.ACTION_LABELS,
            token=token if preview.ok else None, confirm_form=self._blank_confirm_form(token))

    def _preview(self, form, filename, data, actor):
        return svc.preview_import(filename, data, actor, kind=form.kind.data or None)

    def _upload_meta(self, form, filename):
        return {"filename": filename, "kind": form.kind.data or None}

    def _import(self, meta, data, actor):
        return svc.import_masterdata(meta["filename"], data, actor, kind=meta.get("kind"))

    def _done(self, result):
        if result.logins:  # one-time passwords of the new employees' logins: this page only
            resp = self.render_template("master_import_logins.html", summary=result.summary(), logins=result.logins)
            return resp, 200, {"Cache-Control": "no-store"}
        flash(f"Data induk diimpor ({result.summary()}).", "success")
        return redirect(url_for(".index"))

    @expose("/template/")
    @has_access
    def template(self):
        sheet = request.args.get("sheet")
        if sheet:
            match = next((s for s in SHEETS if s.lower() == sheet.lower()), None)
            if match is None:
                flash("Lembar templat harus Unit, Jabatan atau Pegawai.", "warning")
                return redirect(url_for(".index"))
            return send_file(io.BytesIO(build_csv_template(match)), mimetype="text/csv; charset=utf-8",
                             as_attachment=True, download_name=f"templat-{match.lower()}.csv")
        return send_file(io.BytesIO(build_xlsx_template()), as_attachment=True, mimetype=XLSX_MIME,
                         download_name="templat-data-induk.xlsx")
