"""SKP pages in Chromium (app/views/skp.py): at 390 px nothing scrolls sideways, axe finds
nothing serious, no CSP violation or script error — SKP Saya (a draft with its forms opened and
a submitted one), Persetujuan SKP with the return form opened, the detail with its history, the
SKP list and Sasaran Strategis; at 1366 px the same pages. Screenshots of each page are kept in
tests/artifacts/ (skp-*.png) to be looked at."""
from __future__ import annotations

import os
import threading

import pytest

from tests.browser_support import ARTIFACTS, browser, session  # noqa: F401  (fixture)
from tests.conftest import LOGINS, NIPS, PASSWORD, make_config
from tests.test_skp_workflow import IN_WINDOW, YEAR, call, chain, emp_id, plan


@pytest.fixture
def base(app, world):
    """The per-test app (cascade approved down to kabid_a, staff_a's SKP submitted, op_a's a
    draft) served on loopback with plain http cookies, inside the planning window."""
    from werkzeug.serving import make_server

    from app import create_app
    from app.services import skp as svc

    app.config["FIXED_TODAY"] = IN_WINDOW
    ids = chain(app, world)
    parent = ids["kabid_a"][1]
    staff = call(app, "staff_a", svc.create_skp, emp_id(world, "staff_a"), YEAR)
    plan(app, "staff_a", staff.id, parent_id=parent, name="Tersedianya data kesehatan yang mutakhir dan "
                                                              "dapat dipakai untuk perencanaan program")
    call(app, "staff_a", svc.submit, staff.id)
    draft = call(app, "op_a", svc.create_skp, emp_id(world, "op_a"), YEAR)
    plan(app, "op_a", draft.id, parent_id=parent, name="Terkelolanya administrasi kepegawaian")
    served = create_app(make_config(app.config["SQLALCHEMY_DATABASE_URI"], SESSION_COOKIE_SECURE=False,
                                    REMEMBER_COOKIE_SECURE=False, FIXED_TODAY=IN_WINDOW))
    httpd = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}", {"staff": staff.id, "draft": draft.id,
                                                        "dinkes": world.unit("Dinas Kesehatan").id}
    finally:
        httpd.shutdown()
        with served.app_context():
            from app.extensions import db

            db.engine.dispose()


def _shot(s, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    s.page.screenshot(path=os.path.join(ARTIFACTS, f"skp-{name}.png"), full_page=True)


def test_skp_pages_on_a_phone_and_a_desk(browser, base):  # noqa: F811
    url, ids = base
    pages = {
        "op_a": [("mine-draft", f"/skp-saya/?tahun={YEAR}")],
        "pegawai": [("mine-submitted", f"/skp-saya/?tahun={YEAR}"), ("detail", f"/persetujuan-skp/{ids['staff']}")],
        "atasan": [("approval", "/persetujuan-skp/"), ("list", f"/persetujuan-skp/daftar?tahun={YEAR}")],
        "bkd": [("goals", f"/sasaran-strategis/?tahun={YEAR}&opd={ids['dinkes']}")],
    }
    for who, items in pages.items():
        login = NIPS[who][0] if who in NIPS else LOGINS[who]
        with session(browser, url, phone=True, audit=True) as s:
            s.login(login, PASSWORD)
            for name, path in items:
                page = s.open(path)  # audited: 390 px, axe, CSP
                if name == "mine-draft":
                    assert page.locator("#skp-submit-btn").count() == 1
                    s.tap(f"#edit-rhk-{_first_rhk(page)}")
                    s.tap("summary[id^=add-ind-]")
                    s.audit("SKP Saya with the RHK and indicator forms open")
                if name == "approval":
                    assert page.locator(f"#approve-{ids['staff']}").count() == 1
                    s.tap(f"#return-open-{ids['staff']}")
                    s.tap(f"#return-{ids['staff']}", navigates=False)
                    s.audit("return form open")
                _shot(s, f"{name}-390")
        with session(browser, url, audit=False) as s:
            s.page.set_viewport_size({"width": 1366, "height": 900})
            s.login(login, PASSWORD)
            for name, path in items:
                s.open(path)
                assert not s.sideways()
                _shot(s, f"{name}-1366")


def _first_rhk(page) -> str:
    return page.locator("article.ek-skp-rhk").first.get_attribute("id").split("-", 1)[1]
