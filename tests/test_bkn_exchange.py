"""Pertukaran BKN (issue 12 item 6): the export of the SKP and predikat for BKN e-Kinerja (content
and scope) and the predikat import (bad files refused with a clear message and nothing stored;
preview then all-or-nothing confirm), driven through the real page /pertukaran-bkn/."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.extensions import db
from tests.conftest import NIPS

YEAR = 2026


def _xlsx(rows, header=("NIP", "NAMA", "TAHUN", "BULAN", "PREDIKAT"), sheet="Predikat") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if header:
        ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _plan(world):
    """An approved SKP of staff_a (Dinas Kesehatan) and staff_b (another OPD), each with one RHK and
    indicator, and one periodic evaluation each."""
    from app.models import Evaluation, Period, Rhk, RhkIndicator, Skp

    period = db.session.scalar(select(Period).where(Period.year == YEAR, Period.month == 10))
    if period is None:
        period = Period(year=YEAR, month=10, state="OPEN")
        db.session.add(period)
    for key, rhk_name in (("staff_a", "Terlaksananya imunisasi dasar"), ("staff_b", "Tersusunnya kurikulum")):
        emp = world.employee(key)
        skp = Skp(employee_id=emp.id, year=YEAR, status="APPROVED", revision=1, approved_revision=1,
                  position_id=emp.position_id, unit_id=emp.unit_id, opd_id=emp.unit.opd_id)
        db.session.add(skp)
        db.session.flush()
        rhk = Rhk(skp_id=skp.id, kind="UTAMA", number=1, name=rhk_name, approved_revision=1, active=True)
        db.session.add(rhk)
        db.session.flush()
        db.session.add(RhkIndicator(rhk_id=rhk.id, number=1, aspect="KUANTITAS", name="Jumlah sasaran",
                                    target_value=120, target_unit="anak"))
        db.session.add(Evaluation(employee_id=emp.id, period_id=period.id, rating_hasil_kerja="DI_ATAS",
                                  rating_perilaku="SESUAI", predikat="BAIK"))
    db.session.commit()


def _sheets(resp):
    assert resp.status_code == 200, resp.status_code
    wb = load_workbook(io.BytesIO(resp.data))
    return {name: [list(r) for r in wb[name].iter_rows(values_only=True)] for name in wb.sheetnames}


def test_export_content_city_wide_for_bkd(world, login_as):
    _plan(world)
    sheets = _sheets(login_as("bkd").get(f"/pertukaran-bkn/ekspor?tahun={YEAR}"))
    skp, pred = sheets["SKP"], sheets["Predikat"]
    assert skp[0] == ["NIP", "NAMA", "TAHUN", "JENIS_RHK", "NO_RHK", "RHK", "RHK_ATASAN_DIINTERVENSI", "ASPEK",
                      "INDIKATOR", "TARGET", "SATUAN", "STATUS_SKP"]
    by_nip = {r[0]: r for r in skp[1:]}
    assert set(by_nip) == {NIPS["staff_a"][0], NIPS["staff_b"][0]}
    row = by_nip[NIPS["staff_a"][0]]
    assert row[2:6] == [YEAR, "Utama", 1, "Terlaksananya imunisasi dasar"]
    assert row[7:] == ["Kuantitas", "Jumlah sasaran", 120, "anak", "Disetujui"]
    assert pred[0] == ["NIP", "NAMA", "TAHUN", "BULAN", "RATING_HASIL_KERJA", "RATING_PERILAKU", "PREDIKAT"]
    assert sorted(r[0] for r in pred[1:]) == sorted([NIPS["staff_a"][0], NIPS["staff_b"][0]])
    assert pred[1][2:4] == [YEAR, 10] and pred[1][6] == "Baik"


def test_export_scope_operator_own_opd_only(world, login_as):
    _plan(world)
    client = login_as("operator")
    sheets = _sheets(client.get(f"/pertukaran-bkn/ekspor?tahun={YEAR}"))
    assert {r[0] for r in sheets["SKP"][1:]} == {NIPS["staff_a"][0]}
    assert {r[0] for r in sheets["Predikat"][1:]} == {NIPS["staff_a"][0]}
    other = world.unit("Dinas Pendidikan dan Kebudayaan").id
    assert client.get(f"/pertukaran-bkn/ekspor?tahun={YEAR}&opd={other}").status_code == 404
    own = world.employee("staff_a").unit.opd_id
    assert {r[0] for r in _sheets(client.get(f"/pertukaran-bkn/ekspor?tahun={YEAR}&opd={own}"))["SKP"][1:]} == {
        NIPS["staff_a"][0]}
    page = client.get("/pertukaran-bkn/")
    assert page.status_code == 200 and b"bkn-import" not in page.data  # BKD only imports


def _count():
    from app.models import BknPredikat

    return db.session.scalar(select(func.count(BknPredikat.id)))


def _upload(client, data, name="ekspor.xlsx"):
    return client.post("/pertukaran-bkn/upload", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _text(resp) -> str:
    return re.sub(r"\s+", " ", resp.get_data(as_text=True))


GOOD = [NIPS["staff_a"][0], "x", YEAR, 10, "Sangat Baik"]


@pytest.mark.parametrize("case, data, message", [
    ("not xlsx", b"NIP;TAHUN\n1;2", "xlsx"),
    ("pdf", b"%PDF-1.4 not a workbook", ""),
    ("empty workbook", None, "Berkas kosong"),
    ("missing columns", _xlsx([[NIPS["staff_a"][0], YEAR]], header=("NIP", "TAHUN")), "kolom wajib tidak ada: PREDIKAT"),
    ("unknown NIP", _xlsx([["199901012020011099", "x", YEAR, 10, "Baik"]]), "tidak terdaftar"),
    ("bad predikat", _xlsx([[NIPS["staff_a"][0], "x", YEAR, 10, "Luar Biasa"]]), "PREDIKAT tidak dikenal"),
    ("bad month", _xlsx([[NIPS["staff_a"][0], "x", YEAR, 13, "Baik"]]), "BULAN harus"),
    ("bad year", _xlsx([[NIPS["staff_a"][0], "x", 1999, 1, "Baik"]]), "TAHUN harus"),
    ("duplicate rows", _xlsx([GOOD, GOOD]), "ganda"),
    ("no data rows", _xlsx([]), "tidak berisi baris data"),
])
def test_import_bad_files_store_nothing(case, data, message, world, login_as):
    client = login_as("bkd")
    if data is None:
        data = _xlsx([], header=None)
    name = "ekspor.csv" if case == "not xlsx" else ("ekspor.pdf" if case == "pdf" else "ekspor.xlsx")
    resp = _upload(client, data, name)
    assert resp.status_code in (200, 422)
    text = _text(resp)
    assert "Tidak ada data yang diimpor" in text or "xlsx" in text.lower() or "alert-danger" in text, case
    assert message in text, (case, text[-2000:])
    assert "BknView.confirm" not in text and 'name="token"' not in text
    assert _count() == 0


def test_import_over_the_size_limit(world, app, login_as):
    client = login_as("bkd")
    app.config["BKN_IMPORT_MAX_BYTES"] = 1024
    try:
        resp = _upload(client, _xlsx([GOOD] * 5) + b"\0" * 2048)
    finally:
        app.config.pop("BKN_IMPORT_MAX_BYTES")
    assert "terlalu besar" in _text(resp)
    assert _count() == 0


def test_import_good_path_preview_then_confirm(world, login_as):
    from app.models import BknPredikat, AuditLog

    client = login_as("bkd")
    data = _xlsx([GOOD, [NIPS["staff_b"][0], "y", YEAR, None, "butuh perbaikan"],
                  [NIPS["staff_a"][0], "x", str(YEAR), "11", "KURANG/MISCONDUCT"]])
    resp = _upload(client, data)
    text = _text(resp)
    assert resp.status_code == 200 and "Semua baris benar" in text and "3 baru" in text
    assert _count() == 0  # the preview writes nothing
    token = re.search(r'name="token"[^>]*value="([^"]+)"', resp.get_data(as_text=True)) or re.search(
        r'value="([^"]+)"[^>]*name="token"', resp.get_data(as_text=True))
    resp = client.post("/pertukaran-bkn/confirm", data={"token": token.group(1)})
    assert resp.status_code == 302
    rows = {(p.employee.nip, p.month): p.predikat for p in db.session.scalars(select(BknPredikat))}
    assert rows == {(NIPS["staff_a"][0], 10): "SANGAT_BAIK", (NIPS["staff_b"][0], None): "BUTUH_PERBAIKAN",
                    (NIPS["staff_a"][0], 11): "KURANG"}
    assert db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.entity == "BknPredikat",
                                                                   AuditLog.action == "IMPORT")) == 1
    page = _text(client.get(f"/pertukaran-bkn/?tahun={YEAR}"))
    assert "Butuh Perbaikan" in page and "Oktober 2026" in page


def test_import_refused_for_operator(world, login_as):
    client = login_as("operator")
    resp = _upload(client, _xlsx([GOOD]))
    assert resp.status_code == 403
    assert _count() == 0
