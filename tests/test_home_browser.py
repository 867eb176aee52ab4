"""The home page of tasks in a real browser (Debian's Chromium through Playwright, demo data):
per role at 390x844 (phone) and 1366x900 (desk) no sideways scrolling, touch targets of at
least 44 px, no CSP violation. Screenshots go to $HOME_SCREENSHOTS when set (for a look by eye).
Skipped like tests/browser_support.py says when playwright or chromium is missing."""
from __future__ import annotations

import os

import pytest

from tests.browser_support import Session, browser, demo_app, demo_login, server  # noqa: F401 (fixtures)

ROLES = {
    "pegawai": "Pegawai:",
    "atasan": "Atasan (kepala dinas):",
    "operator": "Operator OPD Dinas Kesehatan:",
    "bkd": "Petugas BKPSDM:",
}
VIEWPORTS = [(390, 844), (1366, 900)]
BLOCKS = {"pegawai": ["home-own"], "atasan": ["home-own", "home-queue"],
          "operator": ["home-own", "home-queue", "home-admin"], "bkd": ["home-queue", "home-admin"]}


@pytest.mark.parametrize("role", list(ROLES))
def test_home_fits_phone_and_desk(role, server, browser):  # noqa: F811
    for width, height in VIEWPORTS:
        s = Session(browser, server)
        try:
            s.page.set_viewport_size({"width": width, "height": height})
            s.login("bkd" if role == "bkd" else demo_login(ROLES[role]))
            page = s.open("/")
            for block in BLOCKS[role]:
                assert page.locator(f"#{block}").count() == 1, (role, block)
            assert s.sideways() == [], (role, width, s.sideways())  # the page and every box in it
            small = page.evaluate("""() => [...document.querySelectorAll(
                '.ek-home a.ek-big-btn, .ek-home a.ek-row, .ek-home a.ek-link-btn, .ek-home a.ek-more')]
                .filter(a => a.offsetParent !== null)
                .map(a => [a.textContent.trim().slice(0, 40), a.getBoundingClientRect().height])
                .filter(([, h]) => h < 44)""")
            assert small == [], (role, width, small)
            if role != "bkd":
                assert page.locator("#home-add").is_visible()
            shots = os.environ.get("HOME_SCREENSHOTS")
            if shots:
                os.makedirs(shots, exist_ok=True)
                page.screenshot(path=os.path.join(shots, f"home-{role}-{width}.png"), full_page=True)
        finally:
            s.close()
