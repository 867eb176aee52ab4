"""Matriks peran hasil in Chromium: at 390 px nothing scrolls sideways (deep trees stop
indenting, long names and positions wrap), at 1366 px the tree and the summary are shown; no
CSP violation, no script error, axe finds nothing serious; the gaps-only switch works."""
from __future__ import annotations

import threading

import pytest

from tests.browser_support import browser, session  # noqa: F401  (fixture)
from tests.conftest import LOGINS, PASSWORD, make_config
from tests.test_cascade import YEAR, opd  # noqa: F401  (fixture)


@pytest.fixture
def base(app, opd, databases):  # noqa: F811
    """The per-test app (with the hand-made OPD) served on loopback with plain http cookies."""
    from werkzeug.serving import make_server

    from app import create_app

    served = create_app(make_config(app.config["SQLALCHEMY_DATABASE_URI"], SESSION_COOKIE_SECURE=False,
                                    REMEMBER_COOKIE_SECURE=False))
    httpd = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        with served.app_context():
            from app.extensions import db

            db.engine.dispose()


def test_matrix_on_a_phone_and_a_desk(browser, base, opd):  # noqa: F811
    url = f"/matriks-peran-hasil/?opd={opd['dinkes']}&tahun={YEAR}"
    with session(browser, base, phone=True, audit=True) as s:
        s.login(LOGINS["bkd"], PASSWORD)
        page = s.open(url)  # audited: 390 px, axe, CSP
        assert page.locator(".cx-gap").count() == 3  # h2, b2, k1
        assert page.locator(f'[data-node="rhk-{opd["s1"]}"]').count() == 1
        s.tap("input[name=celah]", navigates=True, where="gaps only")
        assert "celah=1" in page.url
        assert page.locator(f'[data-node="rhk-{opd["s1"]}"]').count() == 0
        assert page.locator(f'[data-node="rhk-{opd["k1"]}"]').count() == 1
    with session(browser, base, audit=False) as s:
        s.page.set_viewport_size({"width": 1366, "height": 900})
        s.login(LOGINS["atasan"], PASSWORD)
        page = s.open(f"/matriks-peran-hasil/?tahun={YEAR}")
        assert page.locator("#cx-summary li").count() == 4
        assert not s.sideways()
        assert page.locator(f'[data-node="rhk-{opd["h1"]}"].cx-context').count() == 1
