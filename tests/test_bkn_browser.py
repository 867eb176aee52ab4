"""Pertukaran BKN in a real browser (Debian's Chromium through Playwright, demo data) on a 390x844
touch phone: the page for BKD and for an Operator OPD, and the import preview listing row errors,
with no sideways scrolling, no CSP violation or script error and axe without serious findings
(tests/browser_support.py Session(audit=True)). Skipped like tests/browser_support.py says when
playwright or chromium is missing."""
from __future__ import annotations

from tests.browser_support import Session, browser, demo_app, demo_login, server  # noqa: F401 (fixtures)


def test_bkn_pages_fit_a_phone(demo_app, server, browser, tmp_path):  # noqa: F811
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Predikat"
    ws.append(["NIP", "NAMA", "TAHUN", "BULAN", "PREDIKAT"])
    ws.append(["199901012020011099", "Tidak Dikenal", 2026, 13, "Luar Biasa"])
    path = tmp_path / "ekspor-bkn.xlsx"
    wb.save(path)
    s = Session(browser, server, phone=True, audit=True)
    try:
        s.login("bkd")
        page = s.open("/pertukaran-bkn/")
        s.attach("#bkn-import input[type=file]", str(path))
        s.tap("#bkn-import button[type=submit]", navigates=True, where="pratinjau impor BKN")
        text = page.inner_text("body")
        assert "Tidak ada data yang diimpor" in text and "BULAN harus" in text and "tidak terdaftar" in text
        s.close()
        s = Session(browser, server, phone=True, audit=True)
        s.login(demo_login("Operator OPD Dinas Kesehatan:"))
        page = s.open("/pertukaran-bkn/")
        assert page.locator("#bkn-import").count() == 0
    finally:
        s.close()
