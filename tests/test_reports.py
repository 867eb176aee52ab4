"""Excel reports (app.reports, app.services.reports): the files are read back with openpyxl.

Data: the world of conftest + TPP rates for every kelas + approved activities + attendance +
evaluations + an organisation predikat, then recompute_period(2026, 11). The values in the files
are compared with the Recap rows (what the "Rekap Kinerja dan TPP" panel shows) for the same
period and scope; totals must be =SUM formulas over exactly the data rows, with the computed
value stored; layout (freeze panes, autofilter, A4 landscape, header rows) and scope refusals.
"""
from __future__ import annotations

import io
import os
from datetime import date, datetime, time

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.conftest import NIPS

Y, M = 2026, 11
PERIOD = "2026-11"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_ROW = 7  # 1-based (openpyxl)
FIRST = 8


def _d(day):
    return date(Y, M, day)


@pytest.fixture
def data(world, app):
    from app.extensions import db
    from app.models import Activity, Attendance, Evaluation, OrgPredikat, Period, TppRate
    from app.services.recap import recompute_period

    app.config["FIXED_TODAY"] = date(2026, 11, 27)
    app.config["REPORT_PRINTED_AT"] = datetime(2026, 11, 27, 14, 5)
    s = db.session
    period = s.scalar(select(Period).where(Period.year == Y, Period.month == M))
    for kelas in range(1, 18):
        s.add(TppRate(year=Y, kelas_jabatan=kelas, amount=1_000_000 + kelas * 250_000))
    kabid = world.employee("kabid_a")
    kadis_b = world.employee("kadis_b")
    plan = {"staff_a": (kabid, 5), "op_a": (kabid, 3), "staff_b": (kadis_b, 4), "staff_a1": (None, 2)}
    for key, (sup, days) in plan.items():
        emp = world.employee(key)
        for i in range(days):
            day = _d(2 + i)
            s.add(Activity(employee_id=emp.id, date=day, description=f"Menyusun laporan {key} hari {i + 1}",
                           volume=1, start_time=time(8, 0), end_time=time(12, 0), claimed_minutes=240 + 30 * i,
                           recognised_minutes=240 + 30 * i, status="APPROVED",
                           superior_id=sup.id if sup else None, decided_at=datetime(2026, 11, 2 + i, 3, 15),
                           decision_note="Sesuai" if i == 0 else None))
            s.add(Attendance(employee_id=emp.id, date=day, status="HADIR", minutes_late=10 * i, minutes_early=0))
    staff_a = world.employee("staff_a")
    s.add(Activity(employee_id=staff_a.id, date=_d(9), description="Kegiatan ditolak", volume=2,
                   claimed_minutes=120, status="REJECTED", superior_id=kabid.id,
                   decided_at=datetime(2026, 11, 9, 9, 0), decision_note="Bukan tugas jabatan"))
    s.add(Activity(employee_id=staff_a.id, date=_d(10), description="Draf belum diajukan", volume=1,
                   claimed_minutes=60, status="DRAFT"))
    s.add(Evaluation(employee_id=staff_a.id, period_id=period.id, rating_hasil_kerja="SESUAI",
                     rating_perilaku="SESUAI", predikat="BAIK"))
    s.add(Evaluation(employee_id=world.employee("op_a").id, period_id=period.id, rating_hasil_kerja="DI_ATAS",
                     rating_perilaku="DI_ATAS", predikat="SANGAT_BAIK"))
    s.add(Evaluation(employee_id=world.employee("staff_b").id, period_id=period.id, rating_hasil_kerja="SESUAI",
                     rating_perilaku="DI_BAWAH", predikat="BUTUH_PERBAIKAN"))
    s.add(OrgPredikat(unit_id=world.unit("Dinas Kesehatan").id, period_id=period.id, predikat="BAIK"))
    s.commit()
    recompute_period(Y, M)
    s.commit()
    return period


def _book(resp, data_only=False):
    assert resp.status_code == 200, resp.data[:300]
    assert resp.mimetype == XLSX
    return load_workbook(io.BytesIO(resp.data), data_only=data_only)


def _get(client, **args):
    return client.get("/reports/download", query_string=args)


def _data_rows(ws, label_col):
    """1-based row numbers of the data rows (between the header and the JUMLAH row)."""
    rows = []
    r = FIRST
    while ws.cell(r, label_col).value != "JUMLAH":
        assert r < 10_000
        rows.append(r)
        r += 1
    return rows, r


def _recaps(opd_id=None):
    from app.extensions import db
    from app.models import Recap

    q = select(Recap)
    if opd_id is not None:
        q = q.where(Recap.opd_id == opd_id)
    return {r.nip: r for r in db.session.scalars(q)}


def _headers(ws, ncols=30):
    return [ws.cell(HEADER_ROW, c).value for c in range(1, ncols + 1)]


def _col(ws, title):
    return _headers(ws).index(title) + 1


# --------------------------------------------------------------------------- recap per OPD
def test_operator_recap_equals_recap_rows_and_layout(data, world, login_as):
    from app.domain.predikat import PREDIKAT_LABELS

    dinkes = world.unit("Dinas Kesehatan")
    c = login_as("operator")
    resp = _get(c, kind="recap", period=PERIOD, opd=dinkes.id)
    wb = _book(resp)
    ws = wb.active
    # header block
    assert ws["A1"].value == "PEMERINTAH KOTA MALANG"
    assert ws["A2"].value == "REKAPITULASI CAPAIAN KINERJA PEGAWAI"
    assert ws["A3"].value == "OPD: Dinas Kesehatan"
    assert ws["A4"].value == "Periode: November 2026"
    assert ws["A5"].value == "Dicetak: 27-11-2026 14:05 WIB"
    # layout and print setup
    assert ws.freeze_panes == "A8"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert ws.page_setup.fitToWidth in (1, None) and ws.sheet_properties.pageSetUpPr.fitToPage
    assert int(ws.page_setup.fitToHeight) == 0
    assert ws.print_title_rows in ("7:7", "$7:$7")

    recaps = _recaps(dinkes.id)
    rows, total_row = _data_rows(ws, 3)
    assert ws.auto_filter.ref == f"A{HEADER_ROW}:{ws.cell(HEADER_ROW, ws.max_column).column_letter}{rows[-1]}"
    assert len(rows) == len(recaps) == 5  # kadis_a, kabid_a, staff_a, op_a, staff_a1
    nip_c, name_c = _col(ws, "NIP"), _col(ws, "Nama")
    t_c, r_c, s_c, p_c = (_col(ws, "Target (menit)"), _col(ws, "Menit Diakui"), _col(ws, "Capaian Kinerja (%)"),
                          _col(ws, "Predikat"))
    for r in rows:
        nip_cell = ws.cell(r, nip_c)
        assert nip_cell.data_type == "s" and isinstance(nip_cell.value, str) and len(nip_cell.value) == 18
        rec = recaps[nip_cell.value]
        assert ws.cell(r, name_c).value == rec.name
        assert ws.cell(r, _col(ws, "Unit Kerja")).value == rec.unit_name
        assert ws.cell(r, _col(ws, "Jabatan")).value == rec.position_name
        assert ws.cell(r, _col(ws, "Kelas Jabatan")).value == rec.kelas_jabatan
        assert ws.cell(r, _col(ws, "Hari Kerja")).value == rec.working_days
        assert ws.cell(r, t_c).value == rec.target_minutes
        assert ws.cell(r, r_c).value == rec.recognised_minutes
        assert ws.cell(r, s_c).value == pytest.approx(float(rec.work_score))
        assert ws.cell(r, s_c).number_format == "0.00"
        assert ws.cell(r, p_c).value == (PREDIKAT_LABELS[rec.predikat] if rec.predikat else None)
    # totals: formulas over exactly the data rows, and the stored values
    for col in (t_c, r_c):
        letter = ws.cell(1, col).column_letter
        assert ws.cell(total_row, col).value == f"=SUM({letter}{rows[0]}:{letter}{rows[-1]})"
    values = _book(resp, data_only=True).active
    assert values.cell(total_row, t_c).value == sum(r.target_minutes for r in recaps.values())
    assert values.cell(total_row, r_c).value == sum(r.recognised_minutes for r in recaps.values())
    assert sum(r.recognised_minutes for r in recaps.values()) > 0
    # signature block: head of Dinas Kesehatan
    texts = [ws.cell(r, c).value for r in range(total_row + 1, ws.max_row + 1) for c in range(1, ws.max_column + 1)]
    assert "Malang, 27 November 2026" in texts
    assert "Kepala Dinas Kesehatan" in texts
    assert "Kadis A" in texts and f"NIP {NIPS['kadis_a'][0]}" in texts


def test_operator_export_holds_no_row_of_another_opd(data, world, login_as):
    dinkes = world.unit("Dinas Kesehatan")
    c = login_as("operator")
    for kind in ("recap", "payroll"):
        ws = _book(_get(c, kind=kind, period=PERIOD, opd=dinkes.id)).active
        rows, _ = _data_rows(ws, 3)
        nips = {ws.cell(r, 2).value for r in rows}
        assert nips == set(_recaps(dinkes.id))
        for other in ("staff_b", "kadis_b", "op_b", "sekda"):
            assert NIPS[other][0] not in nips


@pytest.mark.parametrize("opd", ["other", "", "all"])
def test_operator_other_opd_or_whole_city_refused_and_logged(data, world, login_as, opd):
    from app.extensions import db
    from app.models import AuditLog

    disdik = world.unit("Dinas Pendidikan dan Kebudayaan")
    c = login_as("operator")
    before = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("DITOLAK_%")))
    for kind in ("recap", "payroll", "distribution"):
        resp = _get(c, kind=kind, period=PERIOD, opd=disdik.id if opd == "other" else opd)
        assert resp.status_code in (403, 404)
        assert resp.mimetype != XLSX and b"PK\x03\x04" not in resp.data[:4]
    after = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("DITOLAK_%")))
    assert after >= before + 3


def test_missing_or_bad_period_is_404(data, world, login_as, api_as):
    c = login_as("bkd")
    for period in ("2025-01", "2026-13", "abc", ""):
        assert _get(c, kind="recap", period=period).status_code == 404
    assert _get(c, kind="nothing", period=PERIOD).status_code == 404
    assert _get(c, kind="recap", period=PERIOD, opd=999999).status_code == 404
    # a sub-unit is not an OPD
    assert _get(c, kind="recap", period=PERIOD, opd=world.unit("Puskesmas Arjuno").id).status_code == 404
    api, headers = api_as("bkd")
    assert api.get("/api/v1/report/recap?period=2025-01", headers=headers).status_code == 404


# --------------------------------------------------------------------------- whole city (streamed)
def test_bkd_whole_city_recap_streamed_equals_all_rows(data, login_as, app, tmp_path):
    app.config["REPORT_TMPDIR"] = str(tmp_path)
    c = login_as("bkd")
    resp = _get(c, kind="recap", period=PERIOD, opd="")
    wb = _book(resp)
    resp.close()
    # the temporary file is deleted after the response; the file is kept only in the cache
    assert os.listdir(tmp_path) == ["ekinerja-report-cache"]
    assert len(os.listdir(tmp_path / "ekinerja-report-cache")) == 1
    ws = wb.active
    assert ws["A3"].value == "OPD: Seluruh OPD"
    recaps = _recaps()
    rows, total_row = _data_rows(ws, 3)
    assert len(rows) == len(recaps) == 9
    assert _col(ws, "OPD")
    opd_c = _col(ws, "OPD")
    assert {ws.cell(r, opd_c).value for r in rows} == {"Sekretariat Daerah", "Dinas Kesehatan",
                                                       "Dinas Pendidikan dan Kebudayaan"}
    for r in rows:
        rec = recaps[ws.cell(r, 2).value]
        assert ws.cell(r, _col(ws, "Menit Diakui")).value == rec.recognised_minutes
    t_c = _col(ws, "Target (menit)")
    letter = ws.cell(1, t_c).column_letter
    assert ws.cell(total_row, t_c).value == f"=SUM({letter}{FIRST}:{letter}{rows[-1]})"
    values = _book(resp, data_only=True).active
    assert values.cell(total_row, t_c).value == sum(r.target_minutes for r in recaps.values())
    assert ws.freeze_panes == "A8" and ws.page_setup.orientation == "landscape"
    texts = [ws.cell(r, c).value for r in range(total_row + 1, ws.max_row + 1) for c in range(1, ws.max_column + 1)]
    assert "Sekretaris Daerah Kota Malang" in texts and "Sekda" in texts


# --------------------------------------------------------------------------- payroll
def test_keuangan_payroll_sorted_by_kelas_totals_and_bank_account(data, world, login_as):
    dinkes = world.unit("Dinas Kesehatan")
    c = login_as("keuangan")
    resp = _get(c, kind="payroll", period=PERIOD, opd=dinkes.id)
    ws = _book(resp).active
    values = _book(resp, data_only=True).active
    assert ws["A2"].value.startswith("DAFTAR PEMBAYARAN")
    recaps = _recaps(dinkes.id)
    rows, total_row = _data_rows(ws, 3)
    assert len(rows) == len(recaps)
    order = [(ws.cell(r, _col(ws, "Kelas")).value, ws.cell(r, 3).value) for r in rows]
    assert order == sorted(order, key=lambda kv: (-kv[0], kv[1]))
    fields = {"TPP Dasar": "base_tpp", "Bagian Kinerja": "performance_part", "Bagian Disiplin": "discipline_part",
              "Bruto": "gross", "PPh 21": "tax", "Iuran BPJS Kesehatan": "health", "Netto Diterima": "net"}
    acct_c = _col(ws, "Nomor Rekening")
    for r in rows:
        rec = recaps[ws.cell(r, 2).value]
        for title, attr in fields.items():
            cell = ws.cell(r, _col(ws, title))
            assert values.cell(r, _col(ws, title)).value == getattr(rec, attr), (title, rec.nip)
            if title not in ("Bruto", "Netto Diterima"):  # these two are formulas (test_payroll_rows_add_up)
                assert cell.value == getattr(rec, attr), (title, rec.nip)
            assert cell.number_format == "#,##0"
        assert ws.cell(r, _col(ws, "Potongan Disiplin (%)")).value == pytest.approx(float(rec.deduction_pct))
        acct = ws.cell(r, acct_c)
        assert acct.data_type == "s" and acct.value == rec.bank_account == "0011223344"
    for title, attr in fields.items():
        col = _col(ws, title)
        letter = ws.cell(1, col).column_letter
        assert ws.cell(total_row, col).value == f"=SUM({letter}{rows[0]}:{letter}{rows[-1]})"
        assert values.cell(total_row, col).value == sum(getattr(r, attr) for r in recaps.values())
    assert sum(r.net for r in recaps.values()) > 0


def test_keuangan_whole_city_payroll_and_recap_but_no_activity_log(data, world, login_as):
    c = login_as("keuangan")
    ws = _book(_get(c, kind="payroll", period=PERIOD)).active
    rows, _ = _data_rows(ws, 3)
    assert len(rows) == 9
    assert _get(c, kind="recap", period=PERIOD).status_code == 200
    staff_a = world.employee("staff_a")
    resp = _get(c, kind="activity", period=PERIOD, employee=staff_a.id)
    assert resp.status_code in (403, 404) and resp.mimetype != XLSX
    assert _get(c, kind="distribution", period=PERIOD).status_code == 403


# --------------------------------------------------------------------------- activity report
def test_pegawai_own_activity_report(data, world, login_as):
    from app.extensions import db
    from app.models import Activity

    staff_a = world.employee("staff_a")
    c = login_as("pegawai")
    resp = _get(c, kind="activity", period=PERIOD, employee=staff_a.id)
    ws = _book(resp).active
    values = _book(resp, data_only=True).active
    assert ws["A2"].value == "LAPORAN AKTIVITAS HARIAN PEGAWAI"
    acts = db.session.scalars(select(Activity).where(Activity.employee_id == staff_a.id)
                              .order_by(Activity.date, Activity.start_time, Activity.id)).all()
    rows, total_row = _data_rows(ws, 4)
    assert len(rows) == len(acts) == 7
    first = rows[0]
    assert ws.cell(first, 2).value == "02-11-2026"
    assert ws.cell(first, 3).value == "08:00–12:00"
    assert ws.cell(first, 4).value == acts[0].description
    assert ws.cell(first, _col(ws, "Status")).value == "Disetujui"
    assert ws.cell(first, _col(ws, "Atasan")).value == "Kabid A"
    assert ws.cell(first, _col(ws, "Catatan Keputusan")).value == "Sesuai"
    assert ws.cell(first, _col(ws, "Diputuskan (WIB)")).value == "02-11-2026 10:15"  # 03:15 UTC
    statuses = [ws.cell(r, _col(ws, "Status")).value for r in rows]
    assert "Ditolak" in statuses and "Draf" in statuses
    m_c = _col(ws, "Menit")
    letter = ws.cell(1, m_c).column_letter
    assert ws.cell(total_row, m_c).value == f"=SUM({letter}{rows[0]}:{letter}{rows[-1]})"
    assert values.cell(total_row, m_c).value == sum(a.claimed_minutes for a in acts)
    texts = [ws.cell(r, c).value for r in range(1, ws.max_row + 1) for c in range(1, ws.max_column + 1)]
    assert f"Pegawai: Staff A (NIP {NIPS['staff_a'][0]})" in texts
    assert "Kepala Dinas Kesehatan" in texts and f"NIP {NIPS['staff_a'][0]}" in texts
    # without an employee argument: one's own report
    assert _get(c, kind="activity", period=PERIOD).status_code == 200


def test_pegawai_only_own_activity_report(data, world, login_as):
    c = login_as("pegawai")
    for other in ("op_a", "staff_b", "kabid_a"):
        resp = _get(c, kind="activity", period=PERIOD, employee=world.employee(other).id)
        assert resp.status_code == 404 and resp.mimetype != XLSX
    assert _get(c, kind="activity", period=PERIOD, nip=NIPS["staff_b"][0]).status_code == 404
    for kind in ("recap", "payroll", "distribution"):
        assert _get(c, kind=kind, period=PERIOD, opd=world.unit("Dinas Kesehatan").id).status_code == 403
        assert _get(c, kind=kind, period=PERIOD).status_code == 403
    # own score: the recap of oneself only
    ws = _book(_get(c, kind="recap", period=PERIOD, employee=world.employee("staff_a").id)).active
    rows, _ = _data_rows(ws, 3)
    assert [ws.cell(r, 2).value for r in rows] == [NIPS["staff_a"][0]]
    assert _get(c, kind="recap", period=PERIOD, employee=world.employee("op_a").id).status_code == 404


def test_atasan_activity_reports_of_subordinates_only(data, world, login_as):
    c = login_as("atasan")  # kabid_a: superior of staff_a and op_a
    for sub in ("staff_a", "op_a"):
        assert _get(c, kind="activity", period=PERIOD, employee=world.employee(sub).id).status_code == 200
    assert _get(c, kind="activity", period=PERIOD, employee=world.employee("kabid_a").id).status_code == 200
    for other in ("staff_b", "kadis_a"):
        assert _get(c, kind="activity", period=PERIOD, employee=world.employee(other).id).status_code == 404


def test_operator_activity_reports_within_own_opd(data, world, login_as):
    c = login_as("operator")
    assert _get(c, kind="activity", period=PERIOD, employee=world.employee("staff_a1").id).status_code == 200
    assert _get(c, kind="activity", period=PERIOD, employee=world.employee("staff_b").id).status_code == 404


# --------------------------------------------------------------------------- distribution
def test_distribution_report_matches_panel(data, world, login_as):
    from app.services.evaluation import distribution_report

    c = login_as("bkd")
    resp = _get(c, kind="distribution", period=PERIOD)
    ws = _book(resp).active
    values = _book(resp, data_only=True).active
    expected = {r.opd_name: r for r in distribution_report(data)}
    rows, total_row = _data_rows(ws, 3)
    assert len(rows) == len(expected) == 3
    for r in rows:
        row = expected[ws.cell(r, 3).value]
        assert ws.cell(r, _col(ws, "Baik (n)")).value == row.counts.get("BAIK", 0)
        assert ws.cell(r, _col(ws, "Sangat Baik (n)")).value == row.counts.get("SANGAT_BAIK", 0)
        assert ws.cell(r, _col(ws, "Sangat Baik (%)")).value == pytest.approx(float(row.percent("SANGAT_BAIK")))
        assert ws.cell(r, _col(ws, "Jumlah Dinilai")).value == row.total
        assert ws.cell(r, _col(ws, "Jumlah Pelanggaran")).value == len(row.violations)
        for v in row.violations:
            assert v.rule in ws.cell(r, _col(ws, "Pelanggaran Distribusi")).value
    col = _col(ws, "Jumlah Dinilai")
    letter = ws.cell(1, col).column_letter
    assert ws.cell(total_row, col).value == f"=SUM({letter}{rows[0]}:{letter}{rows[-1]})"
    assert values.cell(total_row, col).value == 3
    # operator: own OPD only
    op = login_as("operator")
    ws = _book(_get(op, kind="distribution", period=PERIOD, opd=world.unit("Dinas Kesehatan").id)).active
    rows, _ = _data_rows(ws, 3)
    assert [ws.cell(r, 3).value for r in rows] == ["Dinas Kesehatan"]
    assert ws.cell(rows[0], 4).value == "Baik"


# --------------------------------------------------------------------------- API
def test_api_download_with_jwt_and_same_scope(data, world, api_as, app):
    dinkes = world.unit("Dinas Kesehatan")
    api, headers = api_as("keuangan")
    resp = api.get(f"/api/v1/report/payroll?period={PERIOD}&opd={dinkes.id}", headers=headers)
    ws = _book(resp).active
    rows, _ = _data_rows(ws, 3)
    assert {ws.cell(r, 2).value for r in rows} == set(_recaps(dinkes.id))
    resp = api.get(f"/api/v1/report/activity?period={PERIOD}&employee={world.employee('staff_a').id}",
                   headers=headers)
    assert resp.status_code == 403 and resp.mimetype != XLSX
    assert api.get(f"/api/v1/report/payroll?period={PERIOD}").status_code == 401

    op, op_headers = api_as("operator")
    assert op.get(f"/api/v1/report/recap?period={PERIOD}&opd={dinkes.id}", headers=op_headers).status_code == 200
    disdik = world.unit("Dinas Pendidikan dan Kebudayaan")
    for url in (f"/api/v1/report/recap?period={PERIOD}&opd={disdik.id}", f"/api/v1/report/recap?period={PERIOD}"):
        resp = op.get(url, headers=op_headers)
        assert resp.status_code == 403 and resp.get_json()["message"]

    peg, peg_headers = api_as("pegawai")
    staff_a = world.employee("staff_a")
    assert peg.get(f"/api/v1/report/activity?period={PERIOD}&employee={staff_a.id}",
                   headers=peg_headers).status_code == 200
    assert peg.get(f"/api/v1/report/activity?period={PERIOD}&employee={world.employee('staff_b').id}",
                   headers=peg_headers).status_code == 404


# --------------------------------------------------------------------------- index page
def test_index_page_offers_only_scope(data, world, login_as):
    op = login_as("operator")
    html = op.get("/reports/").get_data(as_text=True)
    assert "Dinas Kesehatan" in html
    assert "Dinas Pendidikan dan Kebudayaan" not in html and "Seluruh OPD" not in html
    assert NIPS["staff_b"][0] not in html

    bkd = login_as("bkd")
    html = bkd.get("/reports/").get_data(as_text=True)
    assert "Seluruh OPD" in html and "Dinas Pendidikan dan Kebudayaan" in html

    peg = login_as("pegawai")
    html = peg.get("/reports/").get_data(as_text=True)
    assert 'value="activity"' in html and 'value="payroll"' not in html
    assert NIPS["staff_a"][0] in html and NIPS["op_a"][0] not in html
    assert "Dinas Kesehatan</option>" not in html

    keu = login_as("keuangan")
    html = keu.get("/reports/").get_data(as_text=True)
    assert 'value="payroll"' in html and 'value="activity"' not in html


# --------------------------------------------------------------------------- issue 9 item 5
def _excel_round(x):
    from decimal import ROUND_HALF_UP, Decimal

    return int(Decimal(str(x)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _cells(ws, r, *titles):
    return [ws.cell(r, _col(ws, t)).value for t in titles]


def test_payroll_rows_add_up_with_cpns_factor_and_sanction(data, world, login_as):
    """Every row's Bruto is a formula of the shown columns (parts × Faktor CPNS × (100 − hukuman)),
    its cached value the stored gross; Netto = Bruto − PPh 21 − Iuran, as a formula too."""
    from decimal import Decimal

    from app.extensions import db
    from app.models import Sanction
    from app.services.recap import recompute_period

    staff_a, op_a = world.employee("staff_a"), world.employee("op_a")
    staff_a.kind = "CPNS"
    db.session.add(Sanction(employee_id=op_a.id, percent=Decimal("12.5"), valid_from=_d(1), valid_to=_d(30),
                            reason="Hukuman disiplin sedang"))
    db.session.commit()
    recompute_period(Y, M)
    db.session.commit()
    dinkes = world.unit("Dinas Kesehatan")
    resp = _get(login_as("keuangan"), kind="payroll", period=PERIOD, opd=dinkes.id)
    ws, values = _book(resp).active, _book(resp, data_only=True).active
    recaps = _recaps(dinkes.id)
    rows, _ = _data_rows(ws, 3)
    seen = set()
    for r in rows:
        rec = recaps[ws.cell(r, 2).value]
        perf, disc, factor, sanction = _cells(values, r, "Bagian Kinerja", "Bagian Disiplin", "Faktor CPNS (%)",
                                              "Hukuman Disiplin (%)")
        assert factor == (80 if rec.employee_kind == "CPNS" else 100)
        assert sanction == pytest.approx(float(rec.sanction_pct))
        assert ws.cell(r, _col(ws, "Jenis")).value == rec.employee_kind
        letters = {t: ws.cell(1, _col(ws, t)).column_letter for t in (
            "Bagian Kinerja", "Bagian Disiplin", "Faktor CPNS (%)", "Hukuman Disiplin (%)", "Bruto", "PPh 21",
            "Iuran BPJS Kesehatan")}
        L = {t: f"{v}{r}" for t, v in letters.items()}
        assert ws.cell(r, _col(ws, "Bruto")).value == (
            f"=ROUND(({L['Bagian Kinerja']}+{L['Bagian Disiplin']})*{L['Faktor CPNS (%)']}"
            f"*(100-{L['Hukuman Disiplin (%)']})/10000,0)")
        assert ws.cell(r, _col(ws, "Netto Diterima")).value == (
            f"=MAX(0,{L['Bruto']}-{L['PPh 21']}-{L['Iuran BPJS Kesehatan']})")
        gross = values.cell(r, _col(ws, "Bruto")).value
        assert gross == rec.gross == _excel_round(Decimal(perf + disc) * Decimal(str(factor))
                                                  * (100 - Decimal(str(sanction))) / 10000)
        tax, health, net = _cells(values, r, "PPh 21", "Iuran BPJS Kesehatan", "Netto Diterima")
        assert net == rec.net == max(0, gross - tax - health)
        seen.add((rec.employee_kind, rec.sanction_pct > 0))
    assert ("CPNS", False) in seen and ("PNS", True) in seen
    cpns = recaps[NIPS["staff_a"][0]]
    assert cpns.performance_part + cpns.discipline_part != cpns.gross  # the factor is what the columns show


def test_signature_names_the_plt_of_a_vacant_head(data, world, login_as):
    """The head's post is vacant: the signature block names the acting head (Plt) from the
    superior overrides, not blank dots."""
    from app.extensions import db
    from app.models import SuperiorOverride

    kadis_b, op_b, staff_b = world.employee("kadis_b"), world.employee("op_b"), world.employee("staff_b")
    kadis_b.position_id = None
    db.session.add(SuperiorOverride(employee_id=staff_b.id, superior_id=op_b.id, valid_from=_d(1),
                                    reason="Plt. Kepala Dinas Pendidikan dan Kebudayaan"))
    db.session.commit()
    disdik = world.unit("Dinas Pendidikan dan Kebudayaan")
    for kind in ("payroll", "recap"):
        ws = _book(_get(login_as("bkd"), kind=kind, period=PERIOD, opd=disdik.id)).active
        texts = [ws.cell(r, c).value for r in range(1, ws.max_row + 1) for c in range(1, ws.max_column + 1)]
        assert "Plt. Kepala Dinas Pendidikan dan Kebudayaan" in texts, kind
        assert "Op B" in texts and f"NIP {NIPS['op_b'][0]}" in texts
        assert "NIP ..............................." not in texts


def test_provisional_files_until_the_period_is_closed(data, world, login_as, api_as, app):
    """Every report kind of a month not closed says SEMENTARA in its header and file name, on the
    page and in the API; once the period is closed it does not."""
    from app.extensions import db
    from app.services.periods import close_period
    from tests.test_periods import _bkd

    dinkes = world.unit("Dinas Kesehatan")
    staff_a = world.employee("staff_a")
    asks = [dict(kind="recap", opd=dinkes.id), dict(kind="recap"), dict(kind="payroll", opd=dinkes.id),
            dict(kind="payroll"), dict(kind="distribution", opd=dinkes.id), dict(kind="distribution"),
            dict(kind="activity", employee=staff_a.id), dict(kind="recap", employee=staff_a.id)]
    api, headers = api_as("bkd")

    def files():
        c = login_as("bkd")
        for args in asks:
            for resp in (_get(c, period=PERIOD, **args),
                         api.get(f"/api/v1/report/{args['kind']}", headers=headers,
                                 query_string={"period": PERIOD, **{k: v for k, v in args.items() if k != "kind"}})):
                yield args, resp

    for args, resp in files():
        ws = _book(resp).active
        assert ws["A6"].value == "SEMENTARA — periode belum ditutup", args
        assert "SEMENTARA" in ws.oddHeader.center.text
        assert "SEMENTARA-periode-belum-ditutup" in resp.headers["Content-Disposition"], args
    app.config["FIXED_TODAY"] = date(2026, 12, 1)
    close_period(data, _bkd())
    db.session.commit()
    for args, resp in files():
        ws = _book(resp).active
        assert ws["A6"].value is None, args
        assert "SEMENTARA" not in resp.headers["Content-Disposition"], args
