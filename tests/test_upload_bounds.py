"""Uploads cost bounded memory and time (issue 8 item 7).

Crafted files (a declared dimension of XFD20000, a cell at XFD1048576 with and without a
<dimension>, a zip bomb, too many zip entries, a .docx renamed .xlsx, a million CSV lines,
megabyte cells) are refused with a clear Indonesian message; each is parsed in a subprocess
whose peak RSS (ru_maxrss through RUSAGE_CHILDREN, see bench/upload_bench.py) must stay under
200 MB. A legit 5,000-row attendance file stays well under that. The request size cap
(MAX_CONTENT_LENGTH) answers 413 with the upload form and the reason; the per-import caps of
bytes and rows come from the config. No timing assertions (bench/upload_bench.py times).
"""
from __future__ import annotations

import io
from datetime import date

import pytest

from bench.upload_bench import (
    CHILD_SERVICE, HEADER, ROOT, _row_xml, crafted_files, measure, parse_in_child, write_legit, write_xlsx,
)
from tests.conftest import NIPS

PEAK_LIMIT_KB = 200 * 1024


@pytest.fixture(scope="module")
def crafted(tmp_path_factory):
    return {item["name"]: item for item in crafted_files(str(tmp_path_factory.mktemp("crafted")))}


@pytest.mark.parametrize("name", [
    "dimensi_XFD20000", "data_induk_dimensi_XFD20000", "sel_XFD1048576", "sel_XFD1048576_tanpa_dimensi",
    "zip_bomb_100MiB", "zip_2000_entri", "docx_bernama_xlsx", "csv_1_juta_baris", "csv_sel_1MB", "xlsx_sel_1MB",
])
def test_crafted_file_is_refused_within_bounded_memory(crafted, name):
    item = crafted[name]
    result = parse_in_child(item["path"], item["filename"], item["parser"])
    assert "failed" not in result and "timeout" not in result, result
    assert result["rows"] == 0
    (message,) = result["errors"]
    assert item["expect"] in message
    assert result["peak_kb"] < PEAK_LIMIT_KB, f"{name}: peak {result['peak_kb'] // 1024} MB"


def test_legit_5000_rows_stay_well_under_the_bound(tmp_path):
    xlsx, path_csv = write_legit(str(tmp_path))
    for path, filename in ((xlsx, "kehadiran.xlsx"), (path_csv, "kehadiran.csv")):
        result = parse_in_child(path, filename, validate=True)
        assert result["errors"] == [] and result["rows"] == 5000, result
        assert result["peak_kb"] < 150 * 1024, f"{filename}: peak {result['peak_kb'] // 1024} MB"


def test_legit_5000_row_import_through_the_service_stays_well_under_the_bound(tmp_path):
    """preview_import + import_month + commit into a fresh migrated database, in a subprocess."""
    xlsx, _ = write_legit(str(tmp_path))
    result = measure(CHILD_SERVICE, [ROOT, xlsx, str(tmp_path / "service.db")], 600)
    assert result.get("errors") == [] and result.get("rows") == 5000, result
    assert result["peak_kb"] < 150 * 1024, f"peak {result['peak_kb'] // 1024} MB"


def test_messages_name_the_bound():
    """The refusals say what was found and what is allowed (in Indonesian)."""
    from app.imports.attendance import parse_attendance
    from app.imports.common import UploadLimits

    limits = UploadLimits(max_rows=3, max_columns=8, max_cell_chars=50, max_bytes=4000)
    rows = "\n".join(f"{NIPS['staff_a'][0]},2026-11-0{d},HADIR,0,0," for d in range(2, 7))
    parsed = parse_attendance("k.csv", (",".join(HEADER) + "\n" + rows + "\n").encode(), limits)
    assert parsed.errors == ["Berkas CSV: lebih dari 3 baris data. Bagi data menjadi beberapa berkas."]
    assert parsed.rows == []
    parsed = parse_attendance("k.csv", b"x" * 4001, limits)
    assert parsed.errors == ["Berkas terlalu besar (4.001 byte; paling besar 4.000 byte)."]
    wide = ",".join(HEADER + [f"X{i}" for i in range(10)]) + "\n"
    parsed = parse_attendance("k.csv", wide.encode(), limits)
    assert parsed.errors == ["Berkas CSV: baris judul (baris 1) memiliki lebih dari 8 kolom."]
    long_note = ",".join(HEADER) + f"\n{NIPS['staff_a'][0]},2026-11-02,HADIR,0,0,{'a' * 60}\n"
    parsed = parse_attendance("k.csv", long_note.encode(), limits)
    assert parsed.errors == ["Berkas CSV: sel baris 2 kolom 6 terlalu panjang (60 karakter; paling banyak 50)."]
    parsed = parse_attendance("k.csv", b"NIP,TANGGAL\x00\x01\x02", limits)
    assert "bukan CSV" in parsed.errors[0]
    parsed = parse_attendance("k.csv", ",".join(HEADER).encode("utf-16"), limits)
    assert "UTF-16" in parsed.errors[0]


def test_only_the_known_columns_are_read(tmp_path):
    """Data far to the right of the header's columns is never read (max_col of iter_rows)."""
    from app.imports.attendance import parse_attendance

    far = '<c r="AX2" t="inlineStr"><is><t>' + "b" * 5000 + "</t></is></c></row>"
    data_row = _row_xml(2, [NIPS["staff_a"][0], "2026-11-02", "HADIR", "0", "0", None])
    rows = _row_xml(1, HEADER) + data_row[:-len("</row>")] + far
    path = tmp_path / "k.xlsx"
    write_xlsx(str(path), "Kehadiran", rows, "A1:AX2")
    parsed = parse_attendance("k.xlsx", path.read_bytes())
    assert parsed.errors == [] and len(parsed.rows) == 1 and parsed.rows[0].ok


# --------------------------------------------------------------------------- the pages
@pytest.fixture
def pages(app, tmp_path):
    app.config["FIXED_TODAY"] = date(2026, 11, 20)
    app.config["ATTENDANCE_UPLOAD_FOLDER"] = str(tmp_path / "a")
    app.config["MASTER_UPLOAD_FOLDER"] = str(tmp_path / "m")
    return app


def _count():
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Attendance

    return db.session.scalar(select(func.count()).select_from(Attendance))


def _post(client, url, data, filename, **form):
    return client.post(url, data={**form, "file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def test_request_above_max_content_length_is_a_form_error(pages, world, login_as):
    pages.config["MAX_CONTENT_LENGTH"] = 8 * 1024
    body = (",".join(HEADER) + "\n").encode() + b"x" * 20_000
    client = login_as("operator")
    resp = _post(client, "/attendance-import/upload", body, "k.csv", year="2026", month="11")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 413
    assert "Berkas terlalu besar: unggahan paling besar 8 KB" in page
    assert "Impor Data Kehadiran" in page and 'name="file"' in page
    assert _count() == 0
    resp = _post(login_as("bkd"), "/master-import/upload", body, "d.csv")
    assert resp.status_code == 413 and "Berkas terlalu besar" in resp.get_data(as_text=True)


def test_per_import_caps_come_from_the_config(pages, world, login_as):
    pages.config["ATTENDANCE_MAX_ROWS"] = 2
    rows = "\n".join(f"{NIPS['staff_a'][0]},2026-11-0{d},HADIR,0,0," for d in range(2, 6))
    data = (",".join(HEADER) + "\n" + rows + "\n").encode()
    client = login_as("operator")
    page = _post(client, "/attendance-import/upload", data, "k.csv", year="2026", month="11").get_data(as_text=True)
    assert "lebih dari 2 baris data" in page and 'name="token"' not in page
    pages.config["ATTENDANCE_MAX_BYTES"] = 100
    page = _post(client, "/attendance-import/upload", data, "k.csv", year="2026", month="11").get_data(as_text=True)
    assert "Berkas terlalu besar" in page
    assert _count() == 0


def test_crafted_xlsx_through_the_pages(pages, world, login_as, crafted):
    client = login_as("operator")
    for name in ("dimensi_XFD20000", "zip_bomb_100MiB", "docx_bernama_xlsx"):
        item = crafted[name]
        with open(item["path"], "rb") as fh:
            data = fh.read()
        resp = _post(client, "/attendance-import/upload", data, item["filename"], year="2026", month="11")
        page = resp.get_data(as_text=True)
        assert resp.status_code == 200 and item["expect"] in page and 'name="token"' not in page, name
    item = crafted["data_induk_dimensi_XFD20000"]
    with open(item["path"], "rb") as fh:
        resp = _post(login_as("bkd"), "/master-import/upload", fh.read(), item["filename"])
    assert resp.status_code == 200 and "ukuran lembar" in resp.get_data(as_text=True)
    assert _count() == 0


def test_shared_upload_settings_bound_the_master_data_import_too(pages, world, login_as, tmp_path):
    pages.config["UPLOAD_MAX_ZIP_ENTRIES"] = 5
    path = tmp_path / "d.xlsx"
    write_xlsx(str(path), "Pegawai", _row_xml(1, ["NIP", "NAMA"]), "A1:B1", extra_entries=3)  # 8 entries
    resp = _post(login_as("bkd"), "/master-import/upload", path.read_bytes(), "d.xlsx")
    assert resp.status_code == 200
    assert "terlalu banyak bagian (8; paling banyak 5)" in resp.get_data(as_text=True)


def test_413_to_an_anonymous_client_shows_no_form(pages, client):
    """With CSRF protection on (production), the body is read before the login check."""
    pages.config["MAX_CONTENT_LENGTH"] = 1024
    pages.config["WTF_CSRF_ENABLED"] = True
    resp = _post(client, "/attendance-import/upload", b"x" * 5000, "k.csv", year="2026", month="11")
    assert resp.status_code == 413 and 'name="file"' not in resp.get_data(as_text=True)
    assert "Berkas terlalu besar" in resp.get_data(as_text=True)


def test_413_with_csrf_protection_shows_the_form_to_a_logged_in_importer(pages, client):
    """In production the CSRF check reads the body first: the 413 comes before the view."""
    import re

    from tests.conftest import LOGINS, PASSWORD

    pages.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    resp = client.post("/login/", data={"username": LOGINS["operator"], "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302
    pages.config["MAX_CONTENT_LENGTH"] = 8 * 1024
    resp = _post(client, "/attendance-import/upload", b"x" * 20_000, "k.csv", year="2026", month="11",
                 csrf_token=token)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 413
    assert "Berkas terlalu besar: unggahan paling besar 8 KB" in page and 'name="file"' in page
