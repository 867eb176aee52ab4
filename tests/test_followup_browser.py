"""The Tindak Lanjut pages in a real browser (Debian's Chromium through Playwright, demo data) on a
390x844 touch phone: no sideways scrolling of the page or any box, no CSP violation or script
error, axe without serious/critical findings (tests/browser_support.py Session(audit=True)).
Skipped like tests/browser_support.py says when playwright or chromium is missing."""
from __future__ import annotations

import json

from tests.browser_support import Session, browser, demo_app, demo_login, server  # noqa: F401 (fixtures)


def _seed_followup(app):
    """A rule with candidates and potential scores over the demo's evaluations."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Employee, Evaluation, FollowupRule, Period, PotentialAssessment

    with app.app_context():
        year = db.session.scalar(select(Period.year).order_by(Period.year.desc()).limit(1))
        rule = FollowupRule(year=year, code="BAIK1", name="Predikat baik atau lebih", kind="REWARD",
                            predikat=json.dumps(["SANGAT_BAIK", "BAIK"]), min_periods=1,
                            action="Piagam penghargaan Wali Kota", active=True)
        db.session.add(rule)
        evaluated = list(db.session.scalars(select(Evaluation.employee_id).distinct().limit(40)))
        for i, emp_id in enumerate(evaluated or db.session.scalars(select(Employee.id).limit(40))):
            db.session.add(PotentialAssessment(employee_id=emp_id, year=year, score=50 + (i * 7) % 50))
        db.session.commit()
        return rule.id


def test_followup_pages_fit_a_phone(demo_app, server, browser):  # noqa: F811
    rule_id = _seed_followup(demo_app)
    s = Session(browser, server, phone=True, audit=True)
    try:
        s.login("bkd")
        for path in ("/tindak-lanjut/", f"/tindak-lanjut/aturan/{rule_id}/kandidat", "/tindak-lanjut/keputusan",
                     "/tindak-lanjut/aturan/baru", "/kotak-talenta/", "/kotak-talenta/?kotak=5",
                     "/jabatan-lowong/", "/nilai-potensi/"):
            s.open(path)
        page = s.open("/jabatan-lowong/")
        options = page.locator("#jabatan option").all()
        if len(options) > 1:
            with page.expect_navigation():  # the select submits its form (js/ui.js data-autosubmit)
                s.choose("#jabatan", options[1].get_attribute("value"))
            page.wait_for_load_state("networkidle")
            assert "jabatan=" in page.url
            s.audit("kandidat jabatan lowong")
        s.close()
        s = Session(browser, server, phone=True, audit=True)
        s.login(demo_login("Operator OPD Dinas Kesehatan:"))
        for path in ("/tindak-lanjut/", "/kotak-talenta/", "/nilai-potensi/"):
            s.open(path)
    finally:
        s.close()
