"""Shared support of the browser tests (Debian's Chromium driven by Playwright, no browser
download): the demo server fixture, a browser session with its page checks, and a tap counter.

Page checks (`Session.check` always, `Session.audit` on every page of an audited session):
- no Content-Security-Policy violation, no script error, no console error;
- no request to another host (closed government networks);
- at 390 px no sideways scrolling: the page's scrollWidth within its clientWidth, no element box
  wider than the viewport and no box that scrolls sideways;
- axe-core (axe-playwright-python, shipped with the package): no serious or critical violation.

A failed check or step keeps a screenshot in ARTIFACTS (tests/artifacts/, ignored by git, or
$BROWSER_ARTIFACTS) and names it in the failure message.

Skipped when playwright or chromium is missing (`pip install -r requirements-test.txt`,
`apt-get install -y chromium`); under CI a missing browser is a failure.
"""
from __future__ import annotations

import os
import re
import shutil
import threading
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):  # .ci/run installs it: a missing browser there is a failure
        pytest.fail(f"chromium not found at {CHROMIUM}", pytrace=False)
    pytest.skip("chromium is not installed", allow_module_level=True)

PASSWORD = "demo-rahasia"
PHONE = {"width": 390, "height": 844}
ARTIFACTS = os.environ.get("BROWSER_ARTIFACTS") or os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                                 "artifacts")
BAD_IMPACTS = ("serious", "critical")

# Record violations before any page script runs (console text differs between versions).
_WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""

# Sideways scrolling: the page, any box wider than the viewport, any box scrolling sideways.
_SIDEWAYS = """() => {
  const se = document.scrollingElement, vw = se.clientWidth, out = [];
  if (se.scrollWidth > se.clientWidth) out.push(`page: scrollWidth ${se.scrollWidth} > ${se.clientWidth}`);
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
  const reported = [];
  for (const e of document.body.querySelectorAll('*')) {
    if (reported.some(r => r.contains(e))) continue;
    const cs = getComputedStyle(e);
    if (cs.display === 'none' || cs.visibility === 'hidden') continue;
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.width > vw + 0.5) { out.push(`${name(e)}: ${Math.round(r.width)} px wide`); reported.push(e); continue; }
    if ((cs.overflowX === 'auto' || cs.overflowX === 'scroll') && e.scrollWidth > e.clientWidth + 1) {
      out.push(`${name(e)}: scrolls sideways (${e.scrollWidth} > ${e.clientWidth})`); reported.push(e);
    }
  }
  return out.slice(0, 15);
}"""


def _artifact_name(label: str) -> str:
    test = os.environ.get("PYTEST_CURRENT_TEST", "browser").split(" ")[0].split("::")[-1]
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{test}-{label}")[:150].strip("-") + ".png"


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def demo_app(databases):
    """The app on a fresh database with the demo data (CSRF on, plain http cookies)."""
    from flask_migrate import upgrade

    from app import create_app
    from app.cli import sync_roles
    from app.extensions import db
    from app.services.demo import seed_demo
    from tests.conftest import make_config

    uri = databases.new_empty()
    app = create_app(make_config(uri, SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False,
                                 WTF_CSRF_ENABLED=True))
    with app.app_context():
        upgrade()
        sync_roles()
        seed_demo(PASSWORD)
        db.session.remove()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        databases.drop(uri)


@pytest.fixture(scope="module")
def server(demo_app):
    """The demo app served from a werkzeug thread on loopback; yields its base URL."""
    from werkzeug.serving import make_server

    httpd = make_server("127.0.0.1", 0, demo_app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


def demo_login(prefix: str) -> str:
    """The login of a demo account by the start of its description (app.services.demo)."""
    from app.services.demo import demo_accounts

    return next(login for login, desc in demo_accounts() if desc.startswith(prefix))


# --------------------------------------------------------------------------- session
class Session:
    """One browser context of one user. `phone=True` gives a 390x844 touch screen; `audit=True`
    runs every page check (layout at 390 px, axe) on each page opened or reached by a tap.
    `taps` counts the taps (clicks) done through tap/choose/type_into/attach; login() counts
    its taps only when asked (`counted=True`): the user-name field has autofocus (typing only),
    then one tap into the password field and one on "Masuk"."""

    def __init__(self, browser, base, *, phone: bool = False, audit: bool = False):
        self.base = base
        self.host = urlsplit(base).netloc
        self.audit_pages = audit
        options = {"viewport": dict(PHONE), "is_mobile": True, "has_touch": True} if phone else {}
        self.touch = phone
        self.context = browser.new_context(**options)
        self.context.add_init_script(_WATCH)
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.taps = 0
        self.page.on("console", self._watch_console)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.context.on("request", self._watch_request)

    def _watch_console(self, message):
        if message.type == "error":
            self.console.append(f"{message.text} ({message.location.get('url', '')})")

    def _watch_request(self, request):
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != self.host:
            self.foreign.append(request.url)

    # -- screenshots
    def screenshot(self, label: str) -> str:
        os.makedirs(ARTIFACTS, exist_ok=True)
        path = os.path.join(ARTIFACTS, _artifact_name(label))
        try:
            self.page.screenshot(path=path, full_page=True)
        except Exception as err:  # a closed or crashed page: the failure itself matters more
            return f"(no screenshot: {err})"
        return path

    def fail(self, where: str, message: str):
        shot = self.screenshot(where)
        pytest.fail(f"{where}: {message}\n  screenshot: {shot}", pytrace=False)

    @contextmanager
    def step(self, label: str):
        """A named step of a journey: any failure inside keeps a screenshot."""
        try:
            yield self
        except BaseException as err:
            if isinstance(err, (KeyboardInterrupt, pytest.fail.Exception)):
                raise
            shot = self.screenshot(label)
            raise AssertionError(f"step '{label}' failed at {self.page.url}: {err}\n  screenshot: {shot}") from err

    # -- checks
    def check(self, where: str):
        """No CSP violation, script error, console error or request to another host so far."""
        violations = self.page.evaluate("window.__csp || []")
        problems = [*(f"CSP: {v}" for v in violations), *(f"script error: {e}" for e in self.errors),
                    *(f"console error: {c}" for c in self.console), *(f"other host: {u}" for u in self.foreign)]
        if problems:
            self.console, self.errors, self.foreign = [], [], []
            self.fail(where, "; ".join(problems))

    def sideways(self) -> list[str]:
        return self.page.evaluate(_SIDEWAYS)

    def axe_findings(self) -> list[str]:
        from axe_playwright_python.sync_playwright import Axe

        result = Axe().run(self.page)
        return [f"{v['id']} ({v['impact']}): {v['help']} — " + ", ".join(
                    " ".join(map(str, n["target"])) for n in v["nodes"][:4])
                for v in result.response["violations"] if v.get("impact") in BAD_IMPACTS]

    def audit(self, where: str):
        """Every page check: check(), sideways scrolling at the phone width, axe."""
        self.check(where)
        if self.page.viewport_size != PHONE:
            self.page.set_viewport_size(PHONE)
        wide = self.sideways()
        if wide:
            self.fail(where, "sideways scrolling at 390 px: " + "; ".join(wide))
        findings = self.axe_findings()
        if findings:
            self.fail(where, "axe serious/critical: " + "; ".join(findings))
        self.check(where + " (after axe)")

    def _loaded(self, where: str):
        self.page.wait_for_load_state("networkidle")
        if self.audit_pages:
            self.audit(where)
        else:
            self.check(where)

    # -- navigation
    def open(self, path: str, status: int = 200):
        resp = self.page.goto(self.base + path, wait_until="networkidle")
        if resp is None or resp.status != status:
            self.fail(path, f"status {resp and resp.status}, expected {status}")
        if status != 200:  # the refusal asked for is logged by the browser as the page's own error
            self.console = [c for c in self.console if not c.endswith(f"({self.base + path})")]
        self._loaded(path)
        return self.page

    def login(self, username: str, password: str = PASSWORD, counted: bool = False):
        page = self.open("/login/")
        if counted:
            assert page.evaluate("document.activeElement && document.activeElement.name") == "username", \
                "the user-name field has no focus on arrival: typing it would cost a tap"
            self.taps += 2  # the password field, then the sign-in button
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("[type=submit]")
        if "/login" in page.url:
            self.fail("login", f"login {username} failed")
        self._loaded("after login")

    # -- counted interactions (one tap each unless said otherwise)
    def _target(self, target):
        return self.page.locator(target) if isinstance(target, str) else target

    def tap(self, target, navigates: bool = False, where: str | None = None):
        loc = self._target(target)
        self.taps += 1
        press = loc.tap if self.touch else loc.click
        if navigates:
            with self.page.expect_navigation():
                press()
            self._loaded(where or f"after tap on {target if isinstance(target, str) else 'element'}")
        else:
            press()
        return self.page

    def choose(self, target, value: str):
        """A native select: one tap opens it, one tap picks the option."""
        self.taps += 2
        self._target(target).select_option(value)

    def type_into(self, target, text: str):
        """One tap into the field, then typing (not counted as taps)."""
        self.taps += 1
        self._target(target).fill(text)

    def attach(self, target, files):
        """A file input: one tap opens the picker, one tap picks the file."""
        self.taps += 2
        self._target(target).set_input_files(files)

    def close(self):
        self.context.close()


@contextmanager
def session(browser, base, **options):
    """A Session closed at the end of the block (see Session for the options)."""
    s = Session(browser, base, **options)
    try:
        yield s
    finally:
        s.close()
