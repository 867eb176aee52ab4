"""Login, sessions and throttling (issue 8 items 3 and 5): deactivation revokes sessions and
tokens, the API login is throttled like the form, per-account lockout, limits keyed on the
real client address, shared across workers through Redis, server-side sessions (logout,
password change, idle and absolute timeouts) and the password policy."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Employee
from app.models.audit import AuditLog, utcnow
from app.models.auth import AuthState, LoginSession
from tests.conftest import LOGINS, NIPS, PASSWORD, IsolatedClient, do_login, make_config

NEW_PASSWORD = "Tugu-Balaikota#2026"


def api_login(client, username, password=PASSWORD, refresh=False, **kw):
    return client.post("/api/v1/security/login", json={
        "username": username, "password": password, "provider": "db", "refresh": refresh}, **kw)


def form_login(client, username, password=PASSWORD, **kw):
    client.get("/logout/", **kw)
    return client.post("/login/", data={"username": username, "password": password}, **kw)


def bearer(resp) -> dict:
    return {"Authorization": f"Bearer {resp.get_json()['access_token']}"}


def user_of(username):
    from flask_appbuilder.security.sqla.models import User

    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == username))


@pytest.fixture
def limited_app(databases):
    """Apps built like the `app` fixture but with overrides (rate limiting on, ...); each has
    its own database clone unless `uri` is given (two workers on one database)."""
    from app import create_app

    made = []

    def _make(uri=None, **overrides):
        own = uri is None
        uri = uri or databases.clone()
        overrides.setdefault("RATELIMIT_ENABLED", True)
        overrides.setdefault("RATELIMIT_KEY_PREFIX", f"t{uuid.uuid4().hex[:8]}")
        application = create_app(make_config(uri, **overrides))
        application.test_client_class = IsolatedClient
        made.append((application, uri if own else None))
        return application

    yield _make
    for application, uri in made:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
        if uri:
            databases.drop(uri)


# --------------------------------------------------------------------------- item 8.3: deactivation
@pytest.mark.parametrize("path", ["page_action", "api", "import", "orm"])
def test_deactivation_ends_page_session_and_tokens_at_once(app, world, login_as, api_as, path, tmp_path):
    nip = NIPS["staff_a"][0]
    page = login_as("pegawai")
    api = app.test_client()
    tokens = api_login(api, nip, refresh=True).get_json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert page.get("/activityview/list/").status_code == 200
    assert api.get("/api/v1/activity/", headers=headers).status_code == 200

    emp = world.employee("staff_a")
    if path == "page_action":
        resp = login_as("operator").post("/employeeview/action_post", data={"action": "deactivate",
                                                                            "rowid": [str(emp.id)]})
        assert resp.status_code == 302
    elif path == "api":
        client, bkd = api_as("bkd")
        resp = client.put(f"/api/v1/employee/{emp.id}", json={"active": False}, headers=bkd)
        assert resp.status_code == 200, resp.get_json()
    elif path == "import":  # the master-data import page: upload, preview, confirm
        from tests.test_master_import import EMP_H, csv_bytes, token_of, upload

        app.config["MASTER_UPLOAD_FOLDER"] = str(tmp_path / "uploads")
        bkd = login_as("bkd")
        row = (emp.nip, emp.name, "", "", emp.sex, emp.birth_date.isoformat(), emp.kind, emp.golongan,
               emp.unit.code, emp.position.name, emp.bank_name, emp.bank_account, "TIDAK")
        resp = upload(bkd, csv_bytes(EMP_H, [row]), "pegawai.csv")
        assert "Semua baris benar" in resp.get_data(as_text=True)
        assert bkd.post("/master-import/confirm", data={"token": token_of(resp)}).status_code in (200, 302)
    else:  # any other writer of the row (a command) goes through the ORM alike
        emp.active = False
        db.session.commit()
    db.session.expire_all()
    assert db.session.get(Employee, emp.id).active is False
    assert user_of(nip).active is False

    # The very next request with the old cookie, the old access token, the old refresh token.
    resp = page.get("/activityview/list/")
    assert resp.status_code == 302 and "/login/" in resp.headers["Location"]
    assert page.get("/activityview/list/").status_code == 302  # and it stays logged out
    assert api.get("/api/v1/activity/", headers=headers).status_code == 401
    resp = api.post("/api/v1/security/refresh", headers={"Authorization": f"Bearer {tokens['refresh_token']}"})
    assert resp.status_code == 401
    # No new login either.
    assert api_login(app.test_client(), nip).status_code == 401
    ended = db.session.scalars(select(LoginSession).where(LoginSession.user_id == user_of(nip).id)).all()
    assert ended and all(row.end_reason == "deactivated" for row in ended)


def test_disabling_a_user_in_the_user_list_revokes_its_tokens(app, api_as):
    from flask_appbuilder.security.sqla.models import User

    client, headers = api_as("keuangan")
    assert client.get("/api/v1/unit/", headers=headers).status_code == 200
    user = user_of("keuangan")
    user.active = False
    db.session.commit()
    user.active = True  # re-enabled: tokens issued before stay revoked
    db.session.commit()
    assert client.get("/api/v1/unit/", headers=headers).status_code == 401
    assert db.session.get(AuthState, db.session.scalar(select(User.id).where(User.username == "keuangan"))) \
        .token_version == 1


# --------------------------------------------------------------------------- item 8.5: throttling
def test_api_login_is_throttled_per_address_like_the_form(limited_app):
    app = limited_app()
    client = app.test_client()
    codes = [api_login(client, f"tidak-ada-{i}", "salah-sekali").status_code for i in range(40)]
    assert codes == [401] * 40
    resp = api_login(client, "tidak-ada-41", "salah-sekali")
    assert resp.status_code == 429
    assert "Terlalu banyak percobaan masuk" in resp.get_json()["message"]
    assert int(resp.headers["Retry-After"]) > 0
    # The form shares the address's count.
    resp = form_login(app.test_client(), "admin", "salah-sekali")
    assert resp.status_code == 429 and "Terlalu banyak percobaan masuk" in resp.get_data(as_text=True)
    # A correct password does not get through either while the address is throttled.
    assert api_login(client, "admin").status_code == 429
    # The audit log counts them per address, kind and minute (anonymous clients).
    with app.app_context():
        rows = db.session.scalars(select(AuditLog).where(AuditLog.entity == "login")).all()
    assert sum(row.count for row in rows if row.action == "LOGIN_GAGAL") == 40
    assert sum(row.count for row in rows if row.action == "LOGIN_DIBATASI") == 3
    assert len(rows) <= 4  # one row per kind and minute, not one per attempt


def test_account_locks_after_20_wrong_passwords_and_success_resets_the_count(limited_app):
    app = limited_app(LOGIN_FAILED_RATE_LIMIT="100 per minute")
    nip = NIPS["staff_b"][0]
    client = app.test_client()
    with app.app_context():
        for _ in range(19):
            assert api_login(client, nip, "salah-salah").status_code == 401
        assert api_login(client, nip).status_code == 200  # success resets the count
        for _ in range(19):
            assert api_login(client, nip, "salah-salah").status_code == 401
        resp = api_login(client, nip, "salah-salah")  # the 20th in a row
        assert resp.status_code == 403
        assert "dikunci sementara" in resp.get_json()["message"]
        # Locked: the right password is refused too, on the API and on the form.
        resp = api_login(client, nip)
        assert resp.status_code == 403 and "dikunci sementara" in resp.get_json()["message"]
        page = app.test_client()
        resp = form_login(page, nip)
        assert resp.status_code == 302
        assert "dikunci sementara" in page.get(resp.headers["Location"]).get_data(as_text=True)
        assert page.get("/activityview/list/").status_code == 302  # not logged in
        assert db.session.scalar(select(AuditLog).where(AuditLog.action == "LOGIN_LOCKED")) is not None
        # Another account from the same address is not affected.
        assert api_login(client, NIPS["op_b"][0]).status_code == 200
        # After the cool-down the account logs in again.
        state = db.session.get(AuthState, user_of(nip).id)
        state.locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert api_login(client, nip).status_code == 200
        db.session.expire_all()
        assert db.session.get(AuthState, state.user_id).failed_logins == 0


def test_lockout_count_and_cool_down_are_configurable_on_the_form(limited_app):
    app = limited_app(LOGIN_LOCKOUT_THRESHOLD=3, LOGIN_LOCKOUT_MINUTES=60)
    client = app.test_client()
    for _ in range(2):
        client.post("/login/", data={"username": "auditor", "password": "salah-salah"})
    client.post("/login/", data={"username": "auditor", "password": "salah-salah"})
    resp = client.post("/login/", data={"username": "auditor", "password": PASSWORD})
    assert resp.status_code == 302
    text = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "dikunci sementara" in text and "60 menit" in text
    assert client.get("/auditlogview/list/").status_code == 302


def test_an_office_behind_one_nat_address_logs_in_at_eight(limited_app):
    """300 different accounts from one address within a minute all succeed; wrong passwords
    from that address are still throttled."""
    from flask_appbuilder.security.sqla.models import User
    from werkzeug.security import generate_password_hash

    app = limited_app()
    with app.app_context():
        role = app.appbuilder.sm.find_role("Pegawai")
        pw = generate_password_hash(PASSWORD, method=app.config["FAB_PASSWORD_HASH_METHOD"])
        db.session.add_all([User(username=f"kantor{i:03d}", first_name="P", last_name="-", active=True,
                                 email=f"kantor{i:03d}@malangkota.go.id", password=pw, roles=[role])
                            for i in range(300)])
        db.session.commit()
    client = app.test_client()
    codes = [api_login(client, f"kantor{i:03d}").status_code for i in range(150)]
    codes += [form_login(app.test_client(), f"kantor{i:03d}").status_code for i in range(150, 300)]
    assert codes == [200] * 150 + [302] * 150
    wrong = [api_login(client, f"kantor{i:03d}", "salah-salah").status_code for i in range(45)]
    assert wrong[:40] == [401] * 40 and set(wrong[40:]) == {429}


def test_limits_key_on_the_real_client_address_behind_trusted_proxies(limited_app):
    proxied = limited_app(TRUSTED_PROXIES=1, LOGIN_FAILED_RATE_LIMIT="3 per minute")
    client = proxied.test_client()

    def wrong(app_client, forwarded):
        return api_login(app_client, "tidak-ada", "salah-salah",
                         headers={"X-Forwarded-For": forwarded}).status_code

    assert [wrong(client, "10.1.1.1") for _ in range(4)] == [401, 401, 401, 429]
    assert wrong(client, "10.2.2.2") == 401  # another client behind the proxy
    # Without a trusted proxy the header is ignored: faking it does not escape the limit.
    direct = limited_app(LOGIN_FAILED_RATE_LIMIT="3 per minute").test_client()
    assert [wrong(direct, f"10.3.3.{i}") for i in range(4)] == [401, 401, 401, 429]


@pytest.fixture(scope="session")
def redis_url():
    """A real Redis: TEST_REDIS_URL (.ci/run starts one), else a redis-server started here."""
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        yield url
        return
    exe = shutil.which("redis-server")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs Redis: .ci/run installs redis-server and sets TEST_REDIS_URL")
        pytest.skip("redis-server is not installed on this machine")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    conn = redis.Redis(host="127.0.0.1", port=port)
    for _ in range(100):
        try:
            conn.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


def test_two_workers_share_limits_and_lockout_through_redis(limited_app, redis_url):
    settings = dict(RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_KEY_PREFIX=f"w{uuid.uuid4().hex[:8]}",
                    LOGIN_FAILED_RATE_LIMIT="6 per minute", LOGIN_LOCKOUT_THRESHOLD=4)
    worker1 = limited_app(**settings)
    uri = worker1.config["SQLALCHEMY_DATABASE_URI"]
    worker2 = limited_app(uri, **settings)  # a second worker: own app, same database and Redis
    c1, c2 = worker1.test_client(), worker2.test_client()
    # Lockout: wrong passwords alternate between the workers, the 4th locks the account.
    codes = [api_login(c, "bkd", "salah-salah").status_code for c in (c1, c2, c1, c2)]
    assert codes == [401, 401, 401, 403]
    assert api_login(c1, "bkd").status_code == 403
    # Per address: 6 failed attempts in all (4 wrong + 1 locked + 1 more), then 429 on both workers.
    assert api_login(c2, "tidak-ada", "salah-salah").status_code == 401
    assert api_login(c1, "tidak-ada", "salah-salah").status_code == 429
    assert api_login(c2, "auditor").status_code == 429
    # With memory storage each worker counts alone (the reason for the shared store).
    solo = dict(settings, RATELIMIT_STORAGE_URI="memory://", LOGIN_LOCKOUT_THRESHOLD=0)
    m1, m2 = limited_app(uri, **solo).test_client(), limited_app(uri, **solo).test_client()
    assert [api_login(m1, "x", "y").status_code for _ in range(6)] == [401] * 6
    assert api_login(m2, "x", "y").status_code == 401


# --------------------------------------------------------------------------- server-side sessions
def _cookie(client):
    return client.get_cookie("session").value


def test_copied_cookie_stops_working_after_logout(app, login_as):
    auditor = login_as("auditor")
    thief = app.test_client()
    thief.set_cookie("session", _cookie(auditor))
    assert thief.get("/auditlogview/list/").status_code == 200  # the copy works while logged in
    auditor.get("/logout/")
    resp = thief.get("/auditlogview/list/")
    assert resp.status_code == 302 and "/login/" in resp.headers["Location"]
    row = db.session.scalar(select(LoginSession).where(LoginSession.user_id == user_of("auditor").id))
    assert row.end_reason == "logout"


def test_idle_and_absolute_timeouts(app, login_as):
    client = login_as("auditor")
    assert client.get("/auditlogview/list/").status_code == 200
    row = db.session.scalar(select(LoginSession).where(LoginSession.ended_at.is_(None)))
    row.last_seen_at = utcnow() - timedelta(minutes=31)
    db.session.commit()
    resp = client.get("/auditlogview/list/")
    assert resp.status_code == 302
    assert "tidak ada aktivitas selama 30 menit" in client.get(resp.headers["Location"]).get_data(as_text=True)

    client = login_as("auditor")
    db.session.expire_all()
    row = db.session.scalar(select(LoginSession).where(LoginSession.ended_at.is_(None)))
    row.created_at = utcnow() - timedelta(hours=10, minutes=1)
    db.session.commit()
    resp = client.get("/auditlogview/list/")
    assert resp.status_code == 302
    assert "10 jam" in client.get(resp.headers["Location"]).get_data(as_text=True)


def test_last_seen_is_written_at_most_once_a_minute(app, login_as):
    client = login_as("auditor")
    row = db.session.scalar(select(LoginSession).where(LoginSession.ended_at.is_(None)))
    first = row.last_seen_at
    client.get("/auditlogview/list/")
    db.session.expire_all()
    assert db.session.get(LoginSession, row.id).last_seen_at == first
    row = db.session.get(LoginSession, row.id)
    row.last_seen_at = first - timedelta(minutes=2)
    db.session.commit()
    client.get("/auditlogview/list/")
    db.session.expire_all()
    assert db.session.get(LoginSession, row.id).last_seen_at > first - timedelta(minutes=2)


def test_form_login_with_csrf_on(limited_app):
    app = limited_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    resp = client.post("/login/", data={"username": "auditor", "password": PASSWORD})
    assert client.get("/auditlogview/list/").status_code == 302  # no token: not logged in
    html = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    resp = client.post("/login/", data={"username": "auditor", "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302
    assert client.get("/auditlogview/list/").status_code == 200


# --------------------------------------------------------------------------- passwords
def _change_own(client, current, new, confirm=None):
    return client.post("/resetmypassword/form", data={"current_password": current, "password": new,
                                                      "conf_password": confirm or new})


@pytest.mark.parametrize("current,new,message", [
    ("salah-salah", NEW_PASSWORD, "Kata sandi saat ini salah"),
    (PASSWORD, "Pendek#1", "minimal 10 karakter"),
    (PASSWORD, "x" + NIPS["staff_a"][0], "memuat nama pengguna atau NIP"),
    (PASSWORD, "password2026!", "terlalu umum"),
    (PASSWORD, "Bismillah12345", "terlalu umum"),
])
def test_changing_own_password_needs_current_password_and_policy(app, login_as, message, current, new):
    client = login_as("pegawai")
    before = user_of(LOGINS["pegawai"]).password
    resp = _change_own(client, current, new)
    assert resp.status_code == 200 and message in resp.get_data(as_text=True)
    assert user_of(LOGINS["pegawai"]).password == before


def test_password_change_ends_other_sessions_and_tokens(app, login_as, api_as):
    nip = LOGINS["pegawai"]
    client = login_as("pegawai")
    copy = app.test_client()
    copy.set_cookie("session", _cookie(client))
    api, headers = api_as("pegawai")
    resp = _change_own(client, PASSWORD, NEW_PASSWORD)
    assert resp.status_code == 302
    assert client.get("/activityview/list/").status_code == 200  # the changer continues
    assert copy.get("/activityview/list/").status_code == 302  # the copied old cookie does not
    assert api.get("/api/v1/activity/", headers=headers).status_code == 401
    assert api_login(app.test_client(), nip, NEW_PASSWORD).status_code == 200
    assert api_login(app.test_client(), nip, PASSWORD).status_code == 401


def test_admin_reset_applies_the_policy_and_ends_the_users_sessions(app, login_as):
    target = user_of("keuangan")
    victim = login_as("keuangan")
    admin = login_as("admin")
    resp = admin.post(f"/resetpassword/form?pk={target.id}", data={"password": "keuangan12345",
                                                                    "conf_password": "keuangan12345"})
    assert resp.status_code == 200 and "memuat nama pengguna" in resp.get_data(as_text=True)
    assert victim.get("/recapview/list/").status_code == 200
    resp = admin.post(f"/resetpassword/form?pk={target.id}", data={"password": NEW_PASSWORD,
                                                                    "conf_password": NEW_PASSWORD})
    assert resp.status_code == 302
    assert victim.get("/recapview/list/").status_code == 302
    assert admin.get("/auditlogview/list/").status_code == 200  # the admin's own session continues
    do_login(app.test_client(), "keuangan", NEW_PASSWORD)


def test_password_policy_rules():
    from app.domain.passwords import password_problems

    assert password_problems("Tugu-Balaikota#2026", ("199004042015032004",)) == []
    assert password_problems("qwertyuiop2026", ()) != []  # common
    assert password_problems("Dragon123456", ()) != []  # a common word with digits
    assert password_problems("ab", ()) == ["Kata sandi minimal 10 karakter."]
    assert password_problems("Zz-199004042015032004", ("199004042015032004",)) != []


def test_admin_creating_a_user_applies_the_policy(app, login_as):
    admin = login_as("admin")
    role = app.appbuilder.sm.find_role("Auditor")
    data = {"first_name": "Inspektur", "last_name": "Baru", "username": "inspektur", "active": "y",
            "email": "inspektur@malangkota.go.id", "roles": [str(role.id)]}
    resp = admin.post("/users/add", data={**data, "password": "inspektur2026", "conf_password": "inspektur2026"})
    assert resp.status_code == 200 and "memuat nama pengguna" in resp.get_data(as_text=True)
    assert user_of("inspektur") is None
    resp = admin.post("/users/add", data={**data, "password": NEW_PASSWORD, "conf_password": NEW_PASSWORD})
    assert resp.status_code == 302 and user_of("inspektur") is not None


def test_logins_go_on_when_the_shared_store_is_down(limited_app):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    closed = sock.getsockname()[1]
    sock.close()
    app = limited_app(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed}/0", LOGIN_LOCKOUT_THRESHOLD=2)
    client = app.test_client()
    assert api_login(client, "auditor").status_code == 200
    # The lockout is in the database: it still holds.
    assert [api_login(client, "auditor", "salah-salah").status_code for _ in range(2)] == [401, 403]
