"""Realisasi SKP and the RHK link in a real browser (issue 12 item 3): Aktivitas Saya with the RHK
choice, the realisation page with an indicator form open, the linked activities and the
superior's evaluation form with the realisation, at 390 px (no sideways scrolling, axe, CSP)."""
from __future__ import annotations

import threading

import pytest

from tests.browser_support import browser, session  # noqa: F401  (fixture)
from tests.conftest import LOGINS, PASSWORD, make_config
from tests.test_realisation import TODAY, plan, work  # noqa: F401  (fixtures)


@pytest.fixture
def base(app, world, work):  # noqa: F811
    from werkzeug.serving import make_server

    from app import create_app
    from app.extensions import db
    from app.models import RhkRealisation

    db.session.add(RhkRealisation(indicator_id=work["ind1"], period_id=work["nov"], value=9,
                                  note="Sembilan laporan data puskesmas selesai; satu menunggu data akhir bulan.",
                                  evidence_link="https://drive.example.go.id/laporan/november-2026/data-kesehatan"))
    db.session.commit()
    served = create_app(make_config(app.config["SQLALCHEMY_DATABASE_URI"], SESSION_COOKIE_SECURE=False,
                                    REMEMBER_COOKIE_SECURE=False, FIXED_TODAY=TODAY))
    httpd = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}", {**work, "staff": world.employee("staff_a").id}
    finally:
        httpd.shutdown()
        with served.app_context():
            db.engine.dispose()


def test_realisation_pages_on_a_phone(browser, base):  # noqa: F811
    url, ids = base
    with session(browser, url, phone=True, audit=True) as s:
        s.login(LOGINS["pegawai"], PASSWORD)
        page = s.open("/aktivitas-saya/?tanggal=2026-11-17")
        assert page.locator("#f-rhk option").count() == 3  # "— bukan SKP —" and the two RHK in force
        page.fill("#f-date", "2025-12-31")
        assert page.locator("#f-rhk").is_hidden() and page.locator("#f-rhk-other-year").is_visible()
        page.fill("#f-date", "2026-11-17")
        assert page.locator("#f-rhk").is_visible()
        page = s.open(f"/realisasi-skp/?periode={ids['nov']}")
        s.tap(f"#edit-ind-{ids['ind1']}")
        s.audit("Realisasi SKP with an indicator form open")
        s.open(f"/realisasi-skp/aktivitas/{ids['skp']}/{ids['nov']}?rhk={ids['r1']}")
    with session(browser, url, phone=True, audit=True) as s:
        s.login(LOGINS["atasan"], PASSWORD)
        page = s.open(f"/evaluationview/evaluate/{ids['staff']}/{ids['nov']}")
        assert page.locator("#skp-realisation article").count() == 3  # two RHK and the non-SKP work
