"""Aktivitas Saya in a real browser (Debian's Chromium through Playwright, demo data): at
390x844 (phone) and 1366x900 (desk) no sideways scrolling, touch targets of at least 44 px,
the claimed minutes computed while choosing, no CSP violation. Screenshots go to
$HOME_SCREENSHOTS when set. Skipped like tests/browser_support.py says without playwright/chromium."""
from __future__ import annotations

import os

import pytest

from tests.browser_support import Session, browser, demo_app, demo_login, server  # noqa: F401 (fixtures)

VIEWPORTS = [(390, 844), (1366, 900)]


def _fits(s, role, width):
    page = s.page
    assert s.sideways() == [], (role, width, page.url, s.sideways())  # the page and every box in it
    small = page.evaluate("""() => [...document.querySelectorAll(
        '.ek-mine a, .ek-mine button, .ek-mine input, .ek-mine select, .ek-mine textarea')]
        .filter(e => e.offsetParent !== null && e.type !== 'hidden' && !e.closest('.ek-home-date'))
        .map(e => [e.id || e.textContent.trim().slice(0, 30), e.getBoundingClientRect().height])
        .filter(([, h]) => h < 44)""")
    assert small == [], (role, width, page.url, small)
    shots = os.environ.get("HOME_SCREENSHOTS")
    if shots:
        day = page.url.split("tanggal=")[-1] if "tanggal=" in page.url else "hari-ini"
        os.makedirs(shots, exist_ok=True)
        page.screenshot(path=os.path.join(shots, f"mine-{role[:6]}-{width}-{day}.png"), full_page=True)


@pytest.mark.parametrize("role", ["Pegawai:", "Atasan (kepala dinas):"])
def test_my_activities_fit_phone_and_desk(role, server, browser):  # noqa: F811
    for width, height in VIEWPORTS:
        s = Session(browser, server)
        try:
            s.page.set_viewport_size({"width": width, "height": height})
            s.login(demo_login(role))
            # the days before today (the demo's activities with their cards), then today
            page = s.open("/aktivitas-saya/")
            for _ in range(3):
                page.click("#day-prev")
                _fits(s, role, width)
            page = s.open("/aktivitas-saya/")
            assert page.locator("#entry-form").count() == 1
            _fits(s, role, width)
            # free text: end - start while choosing
            page.fill("#f-start", "08:00")
            page.fill("#f-end", "09:30")
            assert page.locator("#f-claimed-n").text_content() == "90 menit"
            options = page.locator("#f-catalog option[data-norm]:not([data-norm=''])")
            assert options.count() > 0
            norm = int(options.first.get_attribute("data-norm"))
            page.select_option("#f-catalog", options.first.get_attribute("value"))
            page.fill("#f-volume", "2")
            assert page.locator("#f-claimed-n").text_content() == f"{norm * 2} menit"
            s.check(f"Aktivitas Saya {role} {width}")
        finally:
            s.close()
