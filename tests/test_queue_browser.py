"""Antrean Persetujuan in a real browser (Debian's Chromium through Playwright, demo data): at
390x844 (phone) and 1366x900 (desk) no sideways scrolling, touch targets of at least 44 px, no
CSP violation; approving one item through the page (CSRF on) comes back to the queue with the
filter kept. Screenshots go to $QUEUE_SCREENSHOTS when set. Skipped like
tests/test_browser_csp.py when playwright or chromium is missing."""
from __future__ import annotations

import os

from tests.browser_support import Session, browser, demo_app, demo_login, server  # noqa: F401 (fixtures)

VIEWPORTS = [(390, 844), (1366, 900)]
_SMALL = """() => [...document.querySelectorAll(
    '.ek-queue button, .ek-queue summary, .ek-queue a, .ek-queue select, .ek-queue input[type=date], .ek-q-check')]
    .filter(e => e.offsetParent !== null)
    .map(e => [e.tagName + ' ' + e.textContent.trim().slice(0, 30), e.getBoundingClientRect().height])
    .filter(([, h]) => h < 44)"""


def test_queue_fits_phone_and_desk(server, browser):  # noqa: F811
    for width, height in VIEWPORTS:
        s = Session(browser, server)
        try:
            s.page.set_viewport_size({"width": width, "height": height})
            s.login(demo_login("Atasan (kepala dinas):"))
            page = s.open("/antrean/")
            assert page.locator(".ek-q-card").count() >= 1
            page.locator(".ek-q-more > summary").first.click()  # the in-place return/reject form
            assert page.locator(".ek-q-note-form textarea").first.is_visible()
            assert s.sideways() == [], (width, s.sideways())  # the page and every box in it
            small = page.evaluate(_SMALL)
            assert small == [], (width, small)
            shots = os.environ.get("QUEUE_SCREENSHOTS")
            if shots:
                os.makedirs(shots, exist_ok=True)
                page.screenshot(path=os.path.join(shots, f"antrean-{width}.png"))
        finally:
            s.close()


def test_approve_in_browser_stays_on_filtered_queue(server, browser):  # noqa: F811
    s = Session(browser, server)
    try:
        s.page.set_viewport_size({"width": 390, "height": 844})
        s.login(demo_login("Atasan (kepala dinas):"))
        page = s.open("/antrean/")
        emp = page.eval_on_selector_all("#q-pegawai option", "els => els.map(e => e.value).filter(v => v)")[0]
        page = s.open(f"/antrean/?pegawai={emp}")
        before = page.locator(".ek-q-card").count()
        with page.expect_navigation():
            page.locator(".ek-q-approve button").first.click()
        page.wait_for_load_state("networkidle")
        s.check("approve")
        assert page.url.endswith(f"/antrean/?pegawai={emp}"), page.url
        assert "disetujui" in page.locator("body").inner_text()
        assert page.locator(".ek-q-card").count() == before - 1
    finally:
        s.close()
