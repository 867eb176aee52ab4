"""Issue 8.6: the panel works under the Content-Security-Policy in a real browser.

Serves the app with the demo data on loopback, logs in with Debian's Chromium through
Playwright, opens the main pages and asserts that the browser reported no CSP violation and
no script error. Skipped when playwright or chromium is not installed
(`pip install -r requirements-test.txt` and `apt-get install -y chromium`).
"""
from __future__ import annotations

from tests.browser_support import (  # noqa: F401 (fixtures)
    Session, browser, demo_app, demo_login, server,
)


def _switch_period(s: Session, path: str) -> None:
    """The period select submits its form on change (app/static/js/ui.js, no inline handler)."""
    page = s.open(path)
    options = page.eval_on_selector_all("#period option", "els => els.map(e => e.value)")
    current = page.eval_on_selector("#period", "e => e.value")
    assert len(options) >= 2, f"{path}: demo data has one period only"
    other = next(o for o in options if o != current)
    with page.expect_navigation():
        page.select_option("#period", other)
    page.wait_for_load_state("networkidle")
    assert f"period={other}" in page.url
    s.check(path + " period switch")


def test_bkd_pages_work_under_the_csp(server, browser):
    s = Session(browser, server)
    try:
        s.login("bkd")
        page = s.open("/")
        assert page.locator(".navbar").count() >= 1
        page = s.open("/employeeview/list/")
        assert page.locator("table").count() >= 1
        # the search widget is wired by one of FAB's inline scripts: adding a filter must work
        page.click("#accordion1 a.accordion-toggle")  # the collapsed search panel (bootstrap.js)
        page.locator("#filter_form .dropdown-toggle").wait_for(state="visible")
        page.click("#filter_form .dropdown-toggle")
        page.locator("#filter_form a.filter").first.click()
        assert page.locator("#filter_form table.filters tbody tr").count() == 1
        s.check("search filter")
        page = s.open("/employeeview/add")
        assert page.locator("select, input").count() > 3
        assert page.locator(".select2-container").count() >= 1  # select2 initialised by script
        s.open("/activityview/list/")
        page = s.open("/dashboard/")
        page.wait_for_function("window.Chart && Object.keys(Chart.instances).length > 0")
        s.check("dashboard charts")
        page = s.open("/reports/")
        # the form's inline script hides the employee field for whole-OPD reports
        kinds = page.eval_on_selector_all("#kind option", "els => els.map(e => e.value)")
        page.select_option("#kind", "recap")
        assert page.locator("#employee-group").is_visible()
        page.select_option("#kind", next(k for k in kinds if k not in ("recap", "activity")))
        assert not page.locator("#employee-group").is_visible()
        s.check("reports form")
        _switch_period(s, "/distribution/")
        s.open("/auditlogview/list/")
    finally:
        s.close()


def test_employee_and_superior_pages_work_under_the_csp(server, browser):
    employee = Session(browser, server)
    try:
        employee.login(demo_login("Pegawai:"))
        employee.open("/")
        page = employee.open("/activityview/add")
        assert page.locator("form").count() >= 1
        employee.open("/activityview/list/")
        employee.open("/reports/")
        page = employee.open("/dashboard/")
        page.wait_for_function("window.Chart && Object.keys(Chart.instances).length > 0")
        employee.check("employee dashboard")
    finally:
        employee.close()
    superior = Session(browser, server)
    try:
        superior.login(demo_login("Atasan (kepala dinas)"))
        page = superior.open("/approvalqueueview/list/")
        assert page.locator("table").count() >= 1
        # the decision form's "Kembali" goes back without an inline handler (ui.js)
        pk = page.locator("input.action_check").first.get_attribute("value")
        superior.open(f"/approvalqueueview/decide/{pk}")
        with page.expect_navigation():
            page.click("a[data-history-back]")
        page.wait_for_load_state("networkidle")
        assert page.url.endswith("/approvalqueueview/list/")
        superior.check("decide back")
        # bulk approve: FAB's action menu, confirmation modal and hidden form (ab_actions.js)
        page.locator("input.action_check").first.check()
        page.locator(".btn-group:has(.approve_menu_item) .dropdown-toggle").click()
        page.click(".approve_menu_item")
        page.locator("#modal-confirm-ok").wait_for(state="visible")
        page.click("#modal-confirm-ok")
        page.get_by_text("1 aktivitas disetujui.").wait_for(state="visible")
        page.wait_for_load_state("networkidle")
        superior.check("bulk approve")
        _switch_period(superior, "/evaluationview/subordinates/")
    finally:
        superior.close()


def test_api_documentation_works_under_the_csp(server, browser):
    """Swagger UI (FAB_API_SWAGGER_UI) runs from FAB's static bundle with the nonce."""
    s = Session(browser, server)
    try:
        s.login("admin")
        page = s.open("/swagger/v1")
        page.locator(".swagger-ui .info").wait_for(state="visible")
        page.locator(".opblock-tag").first.wait_for(state="visible")
        s.check("swagger")
    finally:
        s.close()
