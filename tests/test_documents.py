"""Printable SKP and periodic evaluation (issue 12 item 4): /dokumen/skp/<id>.pdf and
/dokumen/evaluasi/<id>.pdf are A4 PDFs with the identity blocks, the RHK (and in the evaluation
their realisation), the ratings and the signature blocks; scoped per role, refusals logged."""
from __future__ import annotations

import io
import json
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog

LONG = ("Tersusunnya laporan analisis data kesehatan masyarakat per kelurahan yang memuat cakupan imunisasi, "
        "gizi balita dan penyakit menular sebagai bahan kebijakan Dinas Kesehatan Kota Malang")


def _approved_skp(world, key, superior_key, year, rhk_count=2, status="APPROVED"):
    """An SKP with `rhk_count` RHK (two indicators each); APPROVED ones with their history row."""
    from app.models import Rhk, RhkIndicator, Skp, SkpHistory
    from app.services.skp import snapshot

    emp, sup = world.employee(key), world.employee(superior_key)
    approved = status == "APPROVED"
    skp = Skp(employee=emp, year=year, status=status, revision=1, position=emp.position, unit_id=emp.unit_id,
              opd_id=emp.unit.opd_id, superior=sup, approved_revision=1 if approved else None)
    db.session.add(skp)
    for n in range(1, rhk_count + 1):
        kind = "TAMBAHAN" if n == rhk_count and rhk_count > 1 else "UTAMA"
        rhk = Rhk(skp=skp, kind=kind, number=n, name=f"RHK {key} nomor {n}: {LONG}",
                  approved_revision=1 if approved else None)
        rhk.indicators = [
            RhkIndicator(number=1, aspect="KUANTITAS", name=f"Jumlah laporan {n} yang tersusun", target_value=12,
                         target_unit="laporan"),
            RhkIndicator(number=2, aspect="WAKTU", name=f"Ketepatan waktu laporan {n}", target_value=Decimal("12.5"),
                         target_unit="bulan"),
        ]
        db.session.add(rhk)
    db.session.flush()
    if approved:
        db.session.add(SkpHistory(skp_id=skp.id, revision=1, snapshot=json.dumps(snapshot(skp))))
    db.session.commit()
    return skp


def _evaluation(world, key, evaluator_key):
    from app.models import Evaluation, Period

    period = db.session.scalar(select(Period).where(Period.year == 2026, Period.month == 11))
    ev = Evaluation(employee=world.employee(key), period=period, work_score=Decimal("87.5"),
                    rating_hasil_kerja="DI_ATAS", rating_perilaku="SESUAI", predikat="BAIK",
                    perilaku_values=json.dumps({v: "SESUAI" for v in (
                        "BERORIENTASI_PELAYANAN", "AKUNTABEL", "KOMPETEN", "HARMONIS", "LOYAL", "ADAPTIF",
                        "KOLABORATIF")}),
                    note="Pertahankan ketepatan waktu laporan.", evaluator=world.employee(evaluator_key))
    db.session.add(ev)
    db.session.commit()
    return ev


def _pages(resp):
    assert resp.status_code == 200, resp.status_code
    assert resp.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(resp.data))
    for page in reader.pages:  # A4 portrait
        assert round(float(page.mediabox.width)) == 595 and round(float(page.mediabox.height)) == 842
    return [" ".join(p.extract_text().split()) for p in reader.pages]


def _refusals():
    count = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("DITOLAK%")))
    db.session.commit()
    return count


def test_skp_pdf_long_plan(app, world, login_as):
    app.config["FIXED_TODAY"] = date(2026, 11, 30)  # the signature's date ("Malang, <today>")
    skp = _approved_skp(world, "staff_a", "kabid_a", 2026, rhk_count=14)
    pages = _pages(login_as("pegawai").get(f"/dokumen/skp/{skp.id}.pdf"))
    text = " ".join(pages)
    staff, kabid = world.employee("staff_a"), world.employee("kabid_a")
    assert len(pages) > 1
    for needle in ("SASARAN KINERJA PEGAWAI", "PEMERINTAH KOTA MALANG", "1 JANUARI – 31 DESEMBER 2026",
                   staff.name, staff.nip, kabid.name, kabid.nip, "Penata Muda, III/a", "Pengelola Data Kesehatan",
                   "Pegawai yang Dinilai", "Pejabat Penilai Kinerja", "Malang, 30 November 2026",
                   "RHK staff_a nomor 1:", "RHK staff_a nomor 14:", "Jumlah laporan 3 yang tersusun",
                   "12 laporan", "12,5 bulan", "A. Utama", "B. Tambahan"):
        assert needle in text, needle
    # The table header is repeated on the next page; page numbers "Halaman n dari m".
    assert all("Indikator Kinerja Individu" in p for p in pages[:2])
    for n, page in enumerate(pages, start=1):
        assert f"Halaman {n} dari {len(pages)}" in page
    assert "BELUM DISETUJUI" not in text


def test_skp_pdf_draft_is_marked(world, login_as):
    skp = _approved_skp(world, "staff_a", "kabid_a", 2027, rhk_count=1, status="SUBMITTED")
    pages = _pages(login_as("atasan").get(f"/dokumen/skp/{skp.id}.pdf"))
    assert "DRAF — BELUM DISETUJUI (status: Diajukan)" in pages[0]
    assert "RHK staff_a nomor 1:" in pages[0] and "12,5 bulan" in pages[0]


def test_evaluation_pdf_with_realisation(world, login_as):
    from app.models import Activity, RhkRealisation

    skp = _approved_skp(world, "staff_a", "kabid_a", 2026, rhk_count=2)
    ev = _evaluation(world, "staff_a", "kabid_a")
    rhk = skp.rhks[0]
    db.session.add(RhkRealisation(indicator_id=rhk.indicators[0].id, period_id=ev.period_id, value=Decimal(6),
                                  note="Laporan kelurahan Sukun menunggu data puskesmas."))
    db.session.add(Activity(employee=world.employee("staff_a"), date=date(2026, 11, 16), description="Menyusun laporan",
                            volume=2, start_time=time(8), end_time=time(9), claimed_minutes=60, recognised_minutes=60,
                            status="APPROVED", submitted_at=datetime(2026, 11, 16, 3),
                            superior=world.employee("kabid_a"), review_due=date(2026, 11, 19), rhk_id=rhk.id))
    db.session.commit()
    pages = _pages(login_as("pegawai").get(f"/dokumen/evaluasi/{ev.id}.pdf"))
    text = " ".join(pages)
    staff, kabid, kadis = world.employee("staff_a"), world.employee("kabid_a"), world.employee("kadis_a")
    for needle in ("EVALUASI KINERJA PEGAWAI PERIODE NOVEMBER 2026", staff.name, staff.nip, kabid.name, kabid.nip,
                   kadis.name, kadis.nip, "Pegawai yang Dinilai", "Pejabat Penilai Kinerja",
                   "Atasan Pejabat Penilai Kinerja", "RHK staff_a nomor 1:", "Jumlah laporan 1 yang tersusun",
                   "6 laporan", "50,00%", "menunggu data puskesmas", "1 aktivitas disetujui",
                   "Rating Hasil Kerja", "Di Atas Ekspektasi", "Berorientasi Pelayanan", "Kolaboratif",
                   "Sesuai Ekspektasi", "PREDIKAT KINERJA PEGAWAI", "Baik", "Pertahankan ketepatan waktu"):
        assert needle in text, needle


def test_evaluation_pdf_without_skp_has_ratings(world, login_as):
    ev = _evaluation(world, "staff_a", "kabid_a")
    text = " ".join(_pages(login_as("atasan").get(f"/dokumen/evaluasi/{ev.id}.pdf")))
    assert "realisasi per rencana hasil kerja tidak tersedia" in text
    assert "Di Atas Ekspektasi" in text and "Atasan Pejabat Penilai Kinerja" in text


# role -> (own OPD's SKP, other OPD's SKP, own OPD's evaluation, other OPD's evaluation)
SCOPE = {
    "admin": (200, 200, 200, 200), "bkd": (200, 200, 200, 200), "auditor": (200, 200, 200, 200),
    "operator": (200, 404, 200, 404), "pegawai": (200, 404, 200, 404), "atasan": (200, 404, 200, 404),
    "keuangan": (403, 403, 403, 403),
}


@pytest.mark.parametrize("role", sorted(SCOPE))
def test_document_scope(role, world, login_as):
    mine = _approved_skp(world, "staff_a", "kabid_a", 2026, rhk_count=1)
    other = _approved_skp(world, "staff_b", "kadis_b", 2026, rhk_count=1)
    ev_mine, ev_other = _evaluation(world, "staff_a", "kabid_a"), _evaluation(world, "staff_b", "kadis_b")
    client = login_as(role)
    before = _refusals()
    got = (client.get(f"/dokumen/skp/{mine.id}.pdf").status_code,
           client.get(f"/dokumen/skp/{other.id}.pdf").status_code,
           client.get(f"/dokumen/evaluasi/{ev_mine.id}.pdf").status_code,
           client.get(f"/dokumen/evaluasi/{ev_other.id}.pdf").status_code)
    assert got == SCOPE[role]
    refused = sum(1 for status in got if status in (403, 404))
    assert _refusals() >= before + refused
    assert client.get("/dokumen/skp/999999.pdf").status_code in (403, 404)


def test_pages_link_the_documents(world, login_as):
    skp = _approved_skp(world, "staff_a", "kabid_a", 2026, rhk_count=1)
    ev = _evaluation(world, "staff_a", "kabid_a")
    pegawai, atasan = login_as("pegawai"), login_as("atasan")
    skp_link, ev_link = f'href="/dokumen/skp/{skp.id}.pdf"', f'href="/dokumen/evaluasi/{ev.id}.pdf"'
    assert skp_link in pegawai.get("/skp-saya/?tahun=2026").get_data(as_text=True)
    assert skp_link in atasan.get(f"/persetujuan-skp/{skp.id}").get_data(as_text=True)
    assert ev_link in pegawai.get(f"/evaluationview/show/{ev.id}").get_data(as_text=True)
    assert ev_link in atasan.get(f"/evaluationview/evaluate/{ev.employee_id}/{ev.period_id}").get_data(as_text=True)
    assert ev_link in atasan.get(f"/evaluationview/subordinates/?period={ev.period_id}").get_data(as_text=True)
    # Keuangan has no document permission: the route is refused.
    assert login_as("keuangan").get(f"/dokumen/skp/{skp.id}.pdf").status_code == 403


def test_evaluation_pdf_taller_than_a_page(world, login_as):
    """A realisation note of 2000 characters in its narrow column is taller than a page: the row
    splits across pages instead of failing (ReportLab's LayoutError would be a 500)."""
    from app.models import RhkRealisation

    skp = _approved_skp(world, "staff_a", "kabid_a", 2026, rhk_count=1)
    ev = _evaluation(world, "staff_a", "kabid_a")
    rhk = skp.rhks[0]
    rhk.name = ("Rencana hasil kerja yang sangat panjang & <rinci> " * 20)[:1000]
    note = ("Realisasi tertunda karena data puskesmas ≥ 3 bulan belum masuk; " * 40)[:2000]
    db.session.add(RhkRealisation(indicator_id=rhk.indicators[0].id, period_id=ev.period_id, value=Decimal(3),
                                  note=note))
    db.session.commit()
    pages = _pages(login_as("pegawai").get(f"/dokumen/evaluasi/{ev.id}.pdf"))
    text = " ".join(pages)
    assert len(pages) > 1
    assert "sangat panjang & <rinci>" in text and "data puskesmas ≥ 3 bulan" in text
