"""The navbar and FAB's widgets in a real browser (Debian's Chromium through Playwright, demo
data), issue 10 items 4 and 7:

- at 1366 px the navbar is one row for every role (admin, bkd, auditor, keuangan, operator,
  pegawai, atasan), in Indonesian and in English, on the home page and on a FAB page;
- at 390 px (phone) and 1024 px (tablet) it collapses behind a named menu button that opens
  it, language menu included;
- the language menu switches to English and back;
- FAB's date picker shows Indonesian month and day names (English after the switch) and closes
  after a choice; FAB's search filter on a date column works (it called a picker FAB does not
  ship); Select2's empty choice reads "— pilih —"; FAB's "No row selected" alert is Indonesian.

No CSP violation or script error on any page (Session.check). Skipped like the other browser
tests when playwright or chromium is missing; under CI a missing browser is a failure.
Screenshots go to $NAVBAR_SCREENSHOTS when set (for a look by eye)."""
from __future__ import annotations

import os

import pytest

from app import formatting as F
from tests import test_browser_csp as _browser

Session = _browser.Session
server = _browser.server  # module fixtures, as in tests/test_home_browser.py
browser = _browser.browser
if hasattr(_browser, "demo_app"):
    demo_app = _browser.demo_app

# role -> the demo account's login, or the start of its description (app.services.demo)
ROLES = {
    "admin": "admin",
    "bkd": "bkd",
    "auditor": "auditor",
    "keuangan": "keuangan",
    "operator": "Operator OPD Dinas Kesehatan:",
    "pegawai": "Pegawai:",
    "atasan": "Atasan (kepala dinas):",
}
# the home page (the phone pages' lean layout) and a FAB page with FAB's scripts, for everyone
PAGES = ("/", "/users/userinfo/")

_NAVBAR = """() => {
  const nav = document.querySelector('.navbar');
  const items = [...nav.querySelectorAll('.navbar-collapse > .navbar-nav > li')]
    .filter(li => li.offsetParent !== null);
  const brand = nav.querySelector('.navbar-brand').getBoundingClientRect();
  const boxes = items.map(li => li.getBoundingClientRect());
  return {
    height: nav.getBoundingClientRect().height,
    rowHeight: Math.max(brand.height, ...boxes.map(b => b.height)),
    tops: [...new Set([brand.top, ...boxes.map(b => b.top)].map(Math.round))],
    labels: items.map(li => li.textContent.trim().replace(/\\s+/g, ' ').slice(0, 24)),
  };
}"""


def _login(role: str) -> str:
    from app.services.demo import demo_accounts

    wanted = ROLES[role]
    return next(login for login, desc in demo_accounts() if login == wanted or desc.startswith(wanted))


def _shot(page, name: str) -> None:
    shots = os.environ.get("NAVBAR_SCREENSHOTS")
    if shots:
        os.makedirs(shots, exist_ok=True)
        page.screenshot(path=os.path.join(shots, f"{name}.png"))


def _switch_language(s: Session, code: str) -> None:
    """Through the navbar's language menu, as a user does (FAB's /lang/<code>)."""
    page = s.page
    page.click("#lang-menu")
    page.locator(f"#lang-{code}").wait_for(state="visible")
    with page.expect_navigation():
        page.click(f"#lang-{code}")
    page.wait_for_load_state("networkidle")
    s.check(f"language {code}")


@pytest.mark.parametrize("role", list(ROLES))
def test_navbar_is_one_row_at_1366_for_every_role(role, server, browser):  # noqa: F811
    s = Session(browser, server)
    try:
        s.page.set_viewport_size({"width": 1366, "height": 900})
        s.login(_login(role))
        for lang in ("id", "en"):
            for path in PAGES:
                page = s.open(path)
                nav = page.evaluate(_NAVBAR)
                # the role's menus, then language, bell and user menu
                assert len(nav["labels"]) >= 4, (role, lang, path, nav)
                assert nav["labels"][-3].startswith(lang.upper()), (role, lang, path, nav["labels"])
                assert len(nav["tops"]) == 1, (role, lang, path, nav)  # brand and every menu on one line
                assert nav["height"] <= nav["rowHeight"] + 2, (role, lang, path, nav)  # + the border
                assert page.evaluate("document.documentElement.scrollWidth") <= 1366
                _shot(page, f"navbar-{role}-{lang}-{path.strip('/').replace('/', '-') or 'home'}")
            if lang == "id":
                _switch_language(s, "en")
        _switch_language(s, "id")
        assert s.page.locator("#lang-menu").inner_text().strip() == "ID"
    finally:
        s.close()


@pytest.mark.parametrize("role,width", [("bkd", 390), ("pegawai", 390), ("admin", 1024)])
def test_navbar_collapses_behind_a_named_button_on_a_phone_or_tablet(role, width, server, browser):  # noqa: F811
    """Below 1200 px (a phone, a tablet) the menus do not fit one row: one row with the menu
    button, which opens them."""
    s = Session(browser, server)
    try:
        s.page.set_viewport_size({"width": width, "height": 844})
        s.login(_login(role))
        for path in PAGES:
            page = s.open(path)
            toggle = page.locator(".navbar-toggle")
            assert toggle.is_visible()
            assert "Buka menu" in toggle.inner_text()  # its name for screen readers
            assert not page.locator("#lang-menu").is_visible()
            nav = page.evaluate(_NAVBAR)
            assert nav["height"] <= nav["rowHeight"] + 2, (role, path, nav)
            toggle.click()
            page.locator("#lang-menu").wait_for(state="visible")
            page.click("#lang-menu")
            page.locator("#lang-en").wait_for(state="visible")
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            _shot(page, f"navbar-{role}-{width}-{path.strip('/').replace('/', '-') or 'home'}")
            s.check(path + " menu open")
    finally:
        s.close()


def _open_picker(s: Session, path: str):
    page = s.open(path)
    page.click("input[name=date]")
    picker = page.locator(".datepicker .datepicker-days")
    picker.wait_for(state="visible")
    return page, picker


def test_date_picker_select2_and_search_filter_in_the_user_s_language(server, browser):  # noqa: F811
    s = Session(browser, server)
    try:
        s.page.set_viewport_size({"width": 1366, "height": 900})
        s.login("bkd")
        page, picker = _open_picker(s, "/holidayview/add")
        head = picker.locator("thead").inner_text().split()
        assert head[-7:] == ["Sn", "Sl", "Rb", "Km", "Jm", "Sb", "Mg"]  # Monday first
        month = picker.locator("th.datepicker-switch").inner_text().split()[0]
        assert month in F.MONTHS["id"]
        page.click(".datepicker-days td.day:not(.old):not(.new) >> text='15'")
        page.locator(".datepicker").wait_for(state="hidden")  # closes after the choice
        assert page.input_value("input[name=date]").endswith("-15")
        page.click("input[name=date]")
        page.locator(".datepicker-days").wait_for(state="visible")
        page.click(".datepicker-days th.datepicker-switch")  # the months view
        months = page.locator(".datepicker-months span.month").all_inner_texts()
        assert months == list(F.MONTHS_SHORT["id"])
        s.check("date picker")

        # Select2's empty choice on a real form
        page = s.open("/positionview/add")
        rendered = page.eval_on_selector_all(".select2-selection__rendered", "els => els.map(e => e.textContent)")
        assert any("— pilih —" in r for r in rendered), rendered
        assert not any(w in r for r in rendered for w in ("Select a State", "Pilih Nilai", "__None"))

        # FAB's alert of a list action without a chosen row (ab_actions.js says it in English)
        page = s.open("/employeeview/list/")
        page.locator(".btn-group:has(.deactivate_menu_item) .dropdown-toggle").click()
        page.click(".deactivate_menu_item")
        page.locator("#modal-alert").wait_for(state="visible")
        assert page.inner_text("#modal-alert .modal-text").strip() == "Belum ada baris yang dipilih."
        s.check("list action alert")

        # FAB's search filter on a date column gets the same picker (it called $.fn.datetimepicker)
        page = s.open("/holidayview/list/")
        page.click("#accordion1 a.accordion-toggle")
        page.locator("#filter_form .dropdown-toggle").wait_for(state="visible")
        page.click("#filter_form .dropdown-toggle")
        page.click("#filter_form a.filter[name=date]")
        field = page.locator("#filter_form table.filters input.filter_val")
        field.click()
        page.locator(".datepicker-days").wait_for(state="visible")
        s.check("search filter on a date")

        # English: the picker follows the language menu
        s.open("/holidayview/add")
        _switch_language(s, "en")
        page, picker = _open_picker(s, "/holidayview/add")
        assert picker.locator("thead").inner_text().split()[-7:] == ["Su", "Mo", "Tu", "We", "Th", "Fr", "Sa"]
        assert picker.locator("th.datepicker-switch").inner_text().split()[0] in F.MONTHS["en"]
        page.keyboard.press("Escape")
        _switch_language(s, "id")
        page, picker = _open_picker(s, "/holidayview/add")
        assert picker.locator("thead").inner_text().split()[-1] == "Mg"
        s.check("back to Indonesian")
    finally:
        s.close()
