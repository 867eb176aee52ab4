"""Issue 8.6: security headers on pages, API, static files and error pages; cookie flags."""
from __future__ import annotations

import importlib
import re

import pytest

import config

PAGES = [("bkd", "/"), ("bkd", "/activityview/list/"), ("pegawai", "/activityview/add"),
         ("atasan", "/approvalqueueview/list/"), ("bkd", "/dashboard/"), ("bkd", "/reports/"),
         ("bkd", "/employeeview/add")]


def _csp(resp) -> dict[str, list[str]]:
    header = resp.headers.get("Content-Security-Policy")
    assert header, f"no CSP on {resp.request.path}"
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def _assert_headers(resp):
    csp = _csp(resp)
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert sorted(csp["img-src"]) == ["'self'", "data:"]
    script = csp["script-src"]
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert "'self'" in script and any(w.startswith("'nonce-") for w in script)
    # no other host anywhere in the policy
    for words in csp.values():
        for w in words:
            assert w.startswith("'") or w == "data:", f"foreign source {w}"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in resp.headers  # plain http


@pytest.mark.parametrize("role,path", PAGES)
def test_pages_carry_security_headers(login_as, role, path):
    resp = login_as(role).get(path)
    assert resp.status_code == 200, path
    _assert_headers(resp)


def test_nonce_on_every_inline_script_matches_header(login_as):
    resp = login_as("bkd").get("/activityview/list/")
    nonce = next(w for w in _csp(resp)["script-src"] if w.startswith("'nonce-"))[len("'nonce-"):-1]
    html = resp.get_data(as_text=True)
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag, tag
    # a new nonce on every response
    again = login_as("bkd").get("/activityview/list/")
    assert _csp(again)["script-src"] != _csp(resp)["script-src"]


def test_no_inline_event_handlers_or_javascript_urls_in_app_templates(login_as):
    """The CSP blocks them: pages use app/static/js/ui.js instead."""
    bkd = login_as("bkd")
    for path in ["/distribution/", "/evaluationview/subordinates/", "/activityview/list/"]:
        resp = bkd.get(path, follow_redirects=True)
        html = resp.get_data(as_text=True)
        assert not re.search(r"\son[a-z]+\s*=", html), path
        assert "javascript:" not in html, path


def test_templates_follow_the_csp():
    """Every app template: no inline event handler, no javascript: URL, every script with the nonce."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parent.parent / "app" / "templates"
    problems = []
    for path in sorted(root.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<[a-zA-Z][^>]*>", text):
            if re.search(r"\son[a-z]+\s*=", tag) or "javascript:" in tag:
                problems.append(f"{path.name}: {tag}")
            if tag.lower().startswith("<script") and "nonce=" not in tag:
                problems.append(f"{path.name}: {tag}")
    assert problems == []


def test_api_static_and_error_pages_carry_headers(app, client, api_as):
    c, headers = api_as("bkd")
    api = c.get("/api/v1/activity/", headers=headers)
    assert api.status_code == 200
    _assert_headers(api)
    static = client.get("/static/appbuilder/js/ab.js")
    assert static.status_code == 200
    _assert_headers(static)
    static.close()
    app_static = client.get("/static/js/ui.js")
    assert app_static.status_code == 200
    _assert_headers(app_static)
    app_static.close()
    missing = client.get("/halaman-yang-tidak-ada")
    assert missing.status_code == 404
    _assert_headers(missing)
    unauthorised = client.get("/api/v1/activity/")
    assert unauthorised.status_code == 401
    _assert_headers(unauthorised)


def test_login_page_carries_headers(client):
    resp = client.get("/login/")
    assert resp.status_code == 200
    _assert_headers(resp)


def test_hsts_only_over_tls(client):
    plain = client.get("/login/")
    assert "Strict-Transport-Security" not in plain.headers
    # a client cannot ask for HSTS over plain http by sending the proxy header itself
    spoofed = client.get("/login/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in spoofed.headers
    tls = client.get("/login/", base_url="https://localhost")
    assert tls.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_hsts_behind_the_trusted_reverse_proxy(databases):
    """With TRUSTED_PROXIES=1 (ProxyFix) the proxy's X-Forwarded-Proto makes the request secure."""
    from app import create_app
    from app.extensions import db
    from tests.conftest import make_config

    uri = databases.clone()
    app = create_app(make_config(uri, TRUSTED_PROXIES=1))
    try:
        with app.test_client() as c:
            behind_tls = c.get("/login/", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.4"})
            assert behind_tls.headers["Strict-Transport-Security"].startswith("max-age=31536000")
            assert "Strict-Transport-Security" not in c.get("/login/", headers={"X-Forwarded-Proto": "http"}).headers
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        databases.drop(uri)


def test_session_cookie_is_secure_httponly_lax(app, client):
    from tests.conftest import LOGINS, PASSWORD

    resp = client.post("/login/", data={"username": LOGINS["bkd"], "password": PASSWORD})
    assert resp.status_code == 302
    cookie = next(v for v in resp.headers.getlist("Set-Cookie") if v.startswith("session="))
    flags = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
    assert "secure" in flags and "httponly" in flags
    assert flags["samesite"].lower() == "samesite=lax"
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize("env,expected", [
    ({}, True),
    ({"EKINERJA_ENV": "development"}, False),
    ({"SESSION_COOKIE_SECURE": "0"}, False),
    ({"EKINERJA_ENV": "development", "SESSION_COOKIE_SECURE": "1"}, True),
])
def test_cookie_secure_from_environment(monkeypatch, env, expected):
    for key in ("EKINERJA_ENV", "SESSION_COOKIE_SECURE"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    try:
        fresh = importlib.reload(config)
        assert fresh.Config.SESSION_COOKIE_SECURE is expected
        assert fresh.Config.REMEMBER_COOKIE_SECURE is expected
        assert fresh.Config.SESSION_COOKIE_HTTPONLY is True
    finally:
        monkeypatch.undo()
        importlib.reload(config)

